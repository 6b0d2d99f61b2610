"""Account-wide operations: account settings, repository links, template and service sync configs,
sync blockers, tags, the resources summary, and NotifyResourceDeploymentStatusChange (PROTON.md §3.2,
§3.3, §4.8, §4.9)."""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.components import ComponentsMixin
from proton_exodus.engine.core import operation, project
from proton_exodus.engine.errors import (
    ConflictException,
    ValidationException,
)

MAX_TAGS = 50


class AccountsMixin(ComponentsMixin):
    """Settings, repositories, sync, tags and the summary."""

    # -- account settings ---------------------------------------------------------------------------------
    def _settings_out(self) -> dict[str, Any]:
        settings = dict(self.store.get("settings", "account") or {})
        repo = settings.get("pipelineProvisioningRepository")
        if repo:
            settings["pipelineProvisioningRepository"] = {
                **repo,
                "arn": self.arn(f"repository/{repo['provider'].lower()}:{repo['name']}"),
            }
        return project(settings, "AccountSettings")

    @operation("GetAccountSettings")
    def get_account_settings(self) -> dict[str, Any]:
        return {"accountSettings": self._settings_out()}

    @operation("UpdateAccountSettings")
    def update_account_settings(self, **p: Any) -> dict[str, Any]:
        settings = self.store.get("settings", "account") or {}
        for member in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
            if member in p:
                settings[member] = p[member]
        if p.get("deletePipelineProvisioningRepository"):
            if p.get("pipelineProvisioningRepository"):
                raise ValidationException(
                    "Pass pipelineProvisioningRepository or deletePipelineProvisioningRepository, not both"
                )
            settings.pop("pipelineProvisioningRepository", None)
        elif p.get("pipelineProvisioningRepository"):
            self.get_linked_repository(p["pipelineProvisioningRepository"])
            settings["pipelineProvisioningRepository"] = dict(p["pipelineProvisioningRepository"])
        self.store.put("settings", "account", settings)
        return {"accountSettings": self._settings_out()}

    # -- repositories ------------------------------------------------------------------------------------
    def get_linked_repository(self, ref: dict[str, Any]) -> dict[str, Any]:
        repo = self.store.get("repository", f"{ref['provider']}:{ref['name']}")
        if repo is None:
            raise ValidationException(
                f"Repository {ref['provider']}:{ref['name']} is not linked (CreateRepository)"
            )
        return repo

    @operation("CreateRepository")
    def create_repository(self, **p: Any) -> dict[str, Any]:
        key = f"{p['provider']}:{p['name']}"
        if self.store.exists("repository", key):
            raise ConflictException(f"Repository {key} is already linked")
        repo = {
            "provider": p["provider"],
            "name": p["name"],
            "connectionArn": p["connectionArn"],
            "arn": self.arn(f"repository/{p['provider'].lower()}:{p['name']}"),
        }
        if p.get("encryptionKey"):
            repo["encryptionKey"] = p["encryptionKey"]
        self.store.put("repository", key, repo)
        self.set_tags(repo["arn"], p.get("tags") or [])
        return {"repository": repo}

    @operation("GetRepository")
    def get_repository(self, *, name: str, provider: str) -> dict[str, Any]:
        return {
            "repository": self.must_get("repository", f"{provider}:{name}", f"Repository {provider}:{name}")
        }

    @operation("DeleteRepository")
    def delete_repository(self, *, name: str, provider: str) -> dict[str, Any]:
        repo = self.must_get("repository", f"{provider}:{name}", f"Repository {provider}:{name}")
        ref = {"provider": provider, "name": name}
        users = [
            e["name"]
            for e in self.store.values("environment")
            if {k: (e.get("provisioningRepository") or {}).get(k) for k in ref} == ref
        ]
        settings = self.store.get("settings", "account") or {}
        if {k: (settings.get("pipelineProvisioningRepository") or {}).get(k) for k in ref} == ref:
            users.append("account settings")
        users += [
            c.get("templateName") or c.get("serviceName")
            for kind in ("tsync", "ssync")
            for c in self.store.values(kind)
            if (c["repositoryProvider"], c["repositoryName"]) == (provider, name)
        ]
        if users:
            raise ConflictException(f"Repository {provider}:{name} is in use by {', '.join(users)}")
        self.store.delete("repository", f"{provider}:{name}")
        self.forget(repo["arn"])
        return {"repository": repo}

    @operation("ListRepositories")
    def list_repositories(self, **_: Any) -> dict[str, Any]:
        return {"repositories": [project(r, "RepositorySummary") for r in self.store.values("repository")]}

    @operation("GetRepositorySyncStatus")
    def get_repository_sync_status(
        self, *, branch: str, repositoryName: str, repositoryProvider: str, syncType: str
    ) -> dict[str, Any]:
        self.get_linked_repository({"provider": repositoryProvider, "name": repositoryName})
        return {}  # deviation: the engine does not poll Git, so no sync attempt is ever recorded

    @operation("ListRepositorySyncDefinitions")
    def list_repository_sync_definitions(
        self, *, repositoryName: str, repositoryProvider: str, syncType: str, **_: Any
    ) -> dict[str, Any]:
        kind = "tsync" if syncType == "TEMPLATE_SYNC" else "ssync"
        defs = []
        for c in self.store.values(kind):
            if (c["repositoryProvider"], c["repositoryName"]) != (repositoryProvider, repositoryName):
                continue
            target = c.get("templateName") or c["serviceName"]
            defs.append(
                {
                    "branch": c["branch"],
                    "directory": c.get("subdirectory") or c.get("filePath") or "/",
                    "parent": target,
                    "target": target,
                }
            )
        return {"syncDefinitions": defs}

    # -- template sync -----------------------------------------------------------------------------------
    def _tsync_key(self, name: str, kind: str) -> str:
        return f"{kind}:{name}"

    @operation("CreateTemplateSyncConfig")
    def create_template_sync_config(self, **p: Any) -> dict[str, Any]:
        key = self._tsync_key(p["templateName"], p["templateType"])
        if self.store.exists("tsync", key):
            raise ConflictException(f"Template {p['templateName']} already has a sync config")
        tkind = "etemplate" if p["templateType"] == "ENVIRONMENT" else "stemplate"
        if not self.store.exists(tkind, p["templateName"]):
            raise ValidationException(
                f"Template {p['templateName']} does not exist; template sync never creates templates"
            )
        self.get_linked_repository({"provider": p["repositoryProvider"], "name": p["repositoryName"]})
        self.store.put("tsync", key, dict(p))
        return {"templateSyncConfig": p}

    @operation("GetTemplateSyncConfig")
    def get_template_sync_config(self, *, templateName: str, templateType: str) -> dict[str, Any]:
        return {
            "templateSyncConfig": self.must_get(
                "tsync",
                self._tsync_key(templateName, templateType),
                f"Template sync config of {templateName}",
            )
        }

    @operation("UpdateTemplateSyncConfig")
    def update_template_sync_config(self, **p: Any) -> dict[str, Any]:
        key = self._tsync_key(p["templateName"], p["templateType"])
        self.must_get("tsync", key, f"Template sync config of {p['templateName']}")
        self.get_linked_repository({"provider": p["repositoryProvider"], "name": p["repositoryName"]})
        self.store.put("tsync", key, dict(p))
        return {"templateSyncConfig": p}

    @operation("DeleteTemplateSyncConfig")
    def delete_template_sync_config(self, *, templateName: str, templateType: str) -> dict[str, Any]:
        key = self._tsync_key(templateName, templateType)
        doc = self.must_get("tsync", key, f"Template sync config of {templateName}")
        self.store.delete("tsync", key)
        return {"templateSyncConfig": doc}

    @operation("GetTemplateSyncStatus")
    def get_template_sync_status(
        self, *, templateName: str, templateType: str, templateVersion: str
    ) -> dict[str, Any]:
        self.must_get(
            "tsync", self._tsync_key(templateName, templateType), f"Template sync config of {templateName}"
        )
        return {}  # deviation: no Git polling, hence no sync attempts

    # -- service sync ------------------------------------------------------------------------------------
    @operation("CreateServiceSyncConfig")
    def create_service_sync_config(self, **p: Any) -> dict[str, Any]:
        if self.store.exists("ssync", p["serviceName"]):
            raise ConflictException(f"Service {p['serviceName']} already has a sync config")
        if not self.store.exists("service", p["serviceName"]):
            # The model gives CreateServiceSyncConfig no ResourceNotFoundException (botocore could not map
            # it): a missing service is bad input, as a missing template is for CreateTemplateSyncConfig.
            raise ValidationException(f"Service {p['serviceName']} does not exist")
        self.get_linked_repository({"provider": p["repositoryProvider"], "name": p["repositoryName"]})
        self.store.put("ssync", p["serviceName"], dict(p))
        return {"serviceSyncConfig": p}

    @operation("GetServiceSyncConfig")
    def get_service_sync_config(self, *, serviceName: str) -> dict[str, Any]:
        return {
            "serviceSyncConfig": self.must_get("ssync", serviceName, f"Service sync config of {serviceName}")
        }

    @operation("UpdateServiceSyncConfig")
    def update_service_sync_config(self, **p: Any) -> dict[str, Any]:
        self.must_get("ssync", p["serviceName"], f"Service sync config of {p['serviceName']}")
        self.get_linked_repository({"provider": p["repositoryProvider"], "name": p["repositoryName"]})
        self.store.put("ssync", p["serviceName"], dict(p))
        return {"serviceSyncConfig": p}

    @operation("DeleteServiceSyncConfig")
    def delete_service_sync_config(self, *, serviceName: str) -> dict[str, Any]:
        doc = self.must_get("ssync", serviceName, f"Service sync config of {serviceName}")
        self.store.delete("ssync", serviceName)
        return {"serviceSyncConfig": doc}

    @operation("GetServiceInstanceSyncStatus")
    def get_service_instance_sync_status(
        self, *, serviceInstanceName: str, serviceName: str
    ) -> dict[str, Any]:
        self._instance(serviceName, serviceInstanceName)
        return {}

    def add_sync_blocker(self, service: str, instance: str | None, reason: str) -> None:
        """A manual change to a synced service blocks its sync (PROTON.md §4.8)."""
        if not self.store.exists("ssync", service):
            return
        blocker_id = self.new_uuid()
        self.store.put(
            "blocker",
            blocker_id,
            {
                "id": blocker_id,
                "type": "AUTOMATED",
                "status": "ACTIVE",
                "createdReason": reason,
                "createdAt": self.now(),
                "contexts": [{"key": "serviceName", "value": service}]
                + ([{"key": "serviceInstanceName", "value": instance}] if instance else []),
                "_service": service,
                "_instance": instance,
            },
        )

    @operation("GetServiceSyncBlockerSummary")
    def get_service_sync_blocker_summary(
        self, *, serviceName: str, serviceInstanceName: str | None = None
    ) -> dict[str, Any]:
        self._service(serviceName)
        blockers = [
            b
            for b in self.store.values("blocker")
            if b["_service"] == serviceName
            and b["_instance"] == serviceInstanceName
            and b["status"] == "ACTIVE"
        ]
        summary = {
            "serviceName": serviceName,
            "serviceInstanceName": serviceInstanceName,
            "latestBlockers": sorted(blockers, key=lambda b: -b["createdAt"]),
        }
        return {"serviceSyncBlockerSummary": summary}

    @operation("UpdateServiceSyncBlocker")
    def update_service_sync_blocker(self, *, id: str, resolvedReason: str) -> dict[str, Any]:
        blocker = self.must_get("blocker", id, f"Sync blocker {id}")
        if blocker["status"] == "RESOLVED":
            raise ConflictException(f"Sync blocker {id} is already resolved")
        blocker.update(status="RESOLVED", resolvedReason=resolvedReason, resolvedAt=self.now())
        self.store.put("blocker", id, blocker)
        return {
            "serviceName": blocker["_service"],
            "serviceInstanceName": blocker["_instance"],
            "serviceSyncBlocker": blocker,
        }
