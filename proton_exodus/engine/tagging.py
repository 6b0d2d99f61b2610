"""Tags on every Proton ARN (PROTON.md §3.2), ARN lookup, the resources summary, and the self-managed /
CodeBuild callback NotifyResourceDeploymentStatusChange (PROTON.md §3.3, §3.4)."""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.accounts import MAX_TAGS, AccountsMixin
from proton_exodus.engine.core import operation
from proton_exodus.engine.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from proton_exodus.engine.templates import version_key

PROVIDERS = {"github": "GITHUB", "github_enterprise": "GITHUB_ENTERPRISE", "bitbucket": "BITBUCKET"}
TYPES = {
    "environment": ("ENVIRONMENT", "environment"),
    "instance": ("SERVICE_INSTANCE", "instance"),
    "pipeline": ("SERVICE_PIPELINE", "pipeline"),
    "component": ("COMPONENT", "component"),
}


class TaggingMixin(AccountsMixin):
    """Tags, ARN resolution, summary and Notify."""

    # -- tag storage -------------------------------------------------------------------------------------
    def set_tags(self, arn: str, tags: list[dict[str, str]]) -> None:
        self._check_tag_keys([t["key"] for t in tags])
        if len(tags) > MAX_TAGS:
            raise ServiceQuotaExceededException(f"At most {MAX_TAGS} tags per resource")
        if tags:
            self.store.put("tags", arn, {"tags": {t["key"]: t["value"] for t in tags}})

    def customer_tags(self, arn: str) -> list[dict[str, str]]:
        tags = (self.store.get("tags", arn) or {}).get("tags", {})
        return [{"key": k, "value": v} for k, v in sorted(tags.items())]

    def inherited_tags(
        self, parent_arn: str | None, tags: list[dict[str, str]] | None
    ) -> list[dict[str, str]]:
        """Customer tags propagate to new child resources only (template -> version, service -> instance)."""
        merged = {t["key"]: t["value"] for t in self.customer_tags(parent_arn)} if parent_arn else {}
        merged.update({t["key"]: t["value"] for t in tags or []})
        return [{"key": k, "value": v} for k, v in sorted(merged.items())]

    def forget(self, arn: str) -> None:
        """A resource is gone: drop its tags, remember it for delete retries (PROTON.md §4.10)."""
        self.store.delete("tags", arn)
        self.store.put("tomb", arn, {})

    def _check_tag_keys(self, keys: list[str]) -> None:
        for key in keys:
            if key.lower().startswith("aws:"):
                raise ValidationException(f"Tag key {key}: the aws: prefix is reserved for AWS-managed tags")

    def managed_tags(self, arn: str) -> list[dict[str, str]]:
        """The AWS-managed `aws:proton:*` tags Proton shows on its own resources."""
        found = self.resolve_arn(arn)
        kind, doc = found["kind"], found["doc"]
        tags = {"aws:proton:account": self.account_id}
        if kind in ("etemplate", "stemplate", "etv", "stv"):
            name = doc.get("templateName") or doc["name"]
            tags["aws:proton:template"] = self.arn(
                ("environment" if kind[0] == "e" else "service") + f"-template/{name}"
            )
        elif kind == "environment":
            tags["aws:proton:template"] = self.arn(f"environment-template/{doc['templateName']}")
            tags["aws:proton:environment"] = doc["arn"]
        elif kind in ("service", "instance", "pipeline"):
            svc = doc.get("serviceName") or doc.get("_service") or doc["name"]
            tags["aws:proton:template"] = self.arn(f"service-template/{doc['templateName']}")
            tags["aws:proton:service"] = self.arn(f"service/{svc}")
            if kind == "instance":
                tags["aws:proton:service-instance"] = doc["arn"]
                tags["aws:proton:environment"] = self.arn(f"environment/{doc['environmentName']}")
        elif kind == "component":
            tags["aws:proton:component"] = doc["arn"]
            tags["aws:proton:environment"] = self.arn(f"environment/{doc['environmentName']}")
        else:
            return []  # connections, repositories and deployments carry no AWS-managed tags
        return [{"key": k, "value": v} for k, v in sorted(tags.items())]

    def resolve_arn(self, arn: str) -> dict[str, Any]:
        """{kind, key, doc} for one of our ARNs; ResourceNotFoundException otherwise."""
        for conn in self.store.values("connection"):
            if conn["arn"] == arn:
                return {"kind": "connection", "key": conn["id"], "doc": conn}
        kind, key = _kind_and_key(self.parse_arn(arn))
        doc = self.store.get(kind, key) if kind else None
        if doc is None:
            raise ResourceNotFoundException(f"Resource {arn} not found")
        return {"kind": kind, "key": key, "doc": doc}

    # -- tag operations ----------------------------------------------------------------------------------
    @operation("TagResource")
    def tag_resource(self, *, resourceArn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        self.resolve_arn(resourceArn)
        self._check_tag_keys([t["key"] for t in tags])
        current = {t["key"]: t["value"] for t in self.customer_tags(resourceArn)}
        current.update({t["key"]: t["value"] for t in tags})
        if len(current) > MAX_TAGS:
            raise ServiceQuotaExceededException(f"At most {MAX_TAGS} tags per resource")
        self.store.put("tags", resourceArn, {"tags": current})
        return {}

    @operation("UntagResource")
    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> dict[str, Any]:
        self.resolve_arn(resourceArn)
        self._check_tag_keys(tagKeys)
        current = {t["key"]: t["value"] for t in self.customer_tags(resourceArn) if t["key"] not in tagKeys}
        self.store.put("tags", resourceArn, {"tags": current})
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, *, resourceArn: str, **_: Any) -> dict[str, Any]:
        self.resolve_arn(resourceArn)
        return {"tags": self.customer_tags(resourceArn) + self.managed_tags(resourceArn)}

    # -- summary -----------------------------------------------------------------------------------------
    @operation("GetResourcesSummary")
    def get_resources_summary(self) -> dict[str, Any]:
        services = self.store.values("service")
        return {
            "counts": {
                "environmentTemplates": {"total": len(self.store.keys("etemplate"))},
                "serviceTemplates": {"total": len(self.store.keys("stemplate"))},
                "environments": self._counts("environment", "etemplate"),
                "serviceInstances": self._counts("instance", "stemplate"),
                "pipelines": self._counts("pipeline", "stemplate"),
                "components": {
                    "total": len(self.store.keys("component")),
                    "failed": sum(
                        c.get("deploymentStatus") == "FAILED" for c in self.store.values("component")
                    ),
                },
                "services": {
                    "total": len(services),
                    "failed": sum(s["status"].endswith("FAILED") for s in services),
                },
            }
        }

    def _counts(self, kind: str, tkind: str) -> dict[str, int]:
        counts = {"total": 0, "failed": 0, "upToDate": 0, "behindMajor": 0, "behindMinor": 0}
        for doc in self.store.values(kind):
            counts["total"] += 1
            counts["failed"] += doc.get("deploymentStatus") == "FAILED"
            rec = (self.store.get(tkind, doc["templateName"]) or {}).get("recommendedVersion")
            if not rec:
                continue
            major, minor = (int(x) for x in rec.split("."))
            mine = (int(doc["templateMajorVersion"]), int(doc["templateMinorVersion"]))
            key = (
                "upToDate" if mine >= (major, minor) else "behindMajor" if mine[0] < major else "behindMinor"
            )
            counts[key] += 1
        return counts

    # -- NotifyResourceDeploymentStatusChange ------------------------------------------------------------
    @operation("NotifyResourceDeploymentStatusChange")
    def notify_resource_deployment_status_change(
        self,
        *,
        resourceArn: str,
        status: str | None = None,
        deploymentId: str | None = None,
        outputs: list[dict[str, str]] | None = None,
        statusMessage: str | None = None,
    ) -> dict[str, Any]:
        found = self.resolve_arn(resourceArn)
        if found["kind"] not in TYPES:
            raise ValidationException(
                f"{resourceArn} is not an environment, service instance, pipeline or component"
            )
        res = found["doc"]
        dep_id = deploymentId or res.get("lastAttemptedDeploymentId")
        dep = self.store.get("deployment", dep_id) if dep_id else None
        if dep is None or dep["targetArn"] != resourceArn:
            raise ResourceNotFoundException(f"Deployment {dep_id} of {resourceArn} not found")
        if dep["deploymentStatus"] not in ("IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING"):
            raise ConflictException(
                f"Deployment {dep_id} is {dep['deploymentStatus']}; it takes no more updates"
            )
        merged = {o["key"]: o["valueString"] for o in dep.get("_outputs") or []}
        merged.update({o["key"]: o.get("valueString", "") for o in outputs or []})
        if len(merged) > 50:
            raise ServiceQuotaExceededException("At most 50 outputs per resource")
        dep["_outputs"] = [{"key": k, "valueString": v} for k, v in sorted(merged.items())]
        self.store.put("deployment", dep["id"], dep)
        if status in ("SUCCEEDED", "FAILED"):
            ok = status == "SUCCEEDED"
            final = ("DELETE_COMPLETE" if ok else "DELETE_FAILED") if dep["_delete"] else status
            self.complete_deployment(dep, final, statusMessage, dep["_outputs"])
        return {}


def _kind_and_key(resource: str) -> tuple[str | None, str]:
    head, _, rest = resource.partition("/")
    if head in ("environment-template", "service-template"):
        prefix = "e" if head.startswith("env") else "s"
        name, _, version = rest.partition(":")
        if not version:
            return prefix + "template", name
        major, _, minor = version.partition(".")
        if major.isdigit() and minor.isdigit():
            return prefix + "tv", version_key(name, major, minor)
        return None, ""
    if head == "service":
        parts = rest.split("/")
        if len(parts) == 1:
            return "service", rest
        if len(parts) == 2 and parts[1] == "pipeline":
            return "pipeline", parts[0]
        if len(parts) == 3 and parts[1] == "service-instance":
            return "instance", f"{parts[0]}/{parts[2]}"
        return None, ""
    if head == "repository":
        provider, _, name = rest.partition(":")
        return "repository", f"{PROVIDERS.get(provider, provider.upper())}:{name}"
    return {"environment": "environment", "component": "component", "deployment": "deployment"}.get(
        head
    ), rest
