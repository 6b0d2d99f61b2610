"""Environment and service templates and their versions (PROTON.md §4.1): registration, publishing,
recommended versions, and the delete rules of §4.6."""

from __future__ import annotations

import base64
from typing import Any

from proton_exodus.engine.core import EngineCore, digest, operation, project
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException

# kind -> (template doc kind, version doc kind, ARN resource type, output key, version output key,
#          shape prefix)
KINDS = {
    "environment": (
        "etemplate",
        "etv",
        "environment-template",
        "environmentTemplate",
        "environmentTemplateVersion",
        "EnvironmentTemplate",
    ),
    "service": (
        "stemplate",
        "stv",
        "service-template",
        "serviceTemplate",
        "serviceTemplateVersion",
        "ServiceTemplate",
    ),
}


def version_key(template: str, major: int | str, minor: int | str) -> str:
    """Store key that sorts numerically: `name/000001/000000`."""
    return f"{template}/{int(major):06d}/{int(minor):06d}"


class TemplatesMixin(EngineCore):
    """Template and template-version operations for both template kinds."""

    # -- templates -----------------------------------------------------------------------------------
    def _create_template(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        tkind, _, arn_type, out_key, _, _ = KINDS[kind]
        name = params["name"]
        existing = self.idempotent_create(tkind, name, f"{kind} template {name}", params)
        if existing is not None:
            return {out_key: existing}
        self.check_quota("templates", len(self.store.keys("etemplate")) + len(self.store.keys("stemplate")))
        now = self.now()
        doc = {
            "name": name,
            "arn": self.arn(f"{arn_type}/{name}"),
            "createdAt": now,
            "lastModifiedAt": now,
            "_createDigest": digest(params),
        }
        for member in ("description", "displayName", "encryptionKey", "provisioning", "pipelineProvisioning"):
            if params.get(member) is not None:
                doc[member] = params[member]
        self.store.put(tkind, name, doc)
        self.set_tags(doc["arn"], params.get("tags") or [])
        return {out_key: doc}

    def _get_template(self, kind: str, name: str) -> dict[str, Any]:
        return self.must_get(KINDS[kind][0], name, f"{kind.capitalize()} template {name}")

    def _update_template(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._get_template(kind, params["name"])
        for member in ("description", "displayName"):
            if member in params:
                doc[member] = params[member]
        doc["lastModifiedAt"], doc["_modified"] = self.now(), True
        self.store.put(KINDS[kind][0], doc["name"], doc)
        return {KINDS[kind][3]: doc}

    def _delete_template(self, kind: str, name: str) -> dict[str, Any]:
        tkind, vkind, arn_type, out_key, _, _ = KINDS[kind]
        doc = self.store.get(tkind, name)
        if doc is None:
            return self._deleted_before(
                self.arn(f"{arn_type}/{name}"), f"{kind.capitalize()} template {name}"
            )
        if self._versions(kind, name):
            raise ConflictException(f"{kind.capitalize()} template {name} has versions; delete them first")
        if self.store.exists("tsync", f"{kind.upper()}:{name}"):
            raise ConflictException(f"{kind.capitalize()} template {name} has a template sync config")
        self.store.delete(tkind, name)
        self.forget(doc["arn"])
        return {out_key: doc}

    def _list_templates(self, kind: str) -> dict[str, Any]:
        summary = KINDS[kind][5] + "Summary"
        return {"templates": [project(d, summary) for d in self.store.values(KINDS[kind][0])]}

    # -- versions ------------------------------------------------------------------------------------
    def _versions(self, kind: str, template: str, major: str | None = None) -> list[dict[str, Any]]:
        prefix = f"{template}/" if major is None else f"{template}/{int(major):06d}/"
        vkind = KINDS[kind][1]
        return [
            v
            for k, v in zip(self.store.keys(vkind), self.store.values(vkind), strict=True)
            if k.startswith(prefix)
        ]

    def _get_version(self, kind: str, template: str, major: str, minor: str) -> dict[str, Any]:
        self._get_template(kind, template)
        if not (major.isdigit() and minor.isdigit()):
            raise ValidationException(f"Version {major}.{minor} is not a valid template version")
        return self.must_get(
            KINDS[kind][1],
            version_key(template, major, minor),
            f"{kind.capitalize()} template version {template}:{major}.{minor}",
        )

    def _create_version(self, kind: str, params: dict[str, Any], op: str) -> dict[str, Any]:
        tkind, vkind, arn_type, _, out_key, _ = KINDS[kind]
        template = self._get_template(kind, params["templateName"])
        ref = self.client_token(op, params.get("clientToken"), params)
        if ref is not None:
            return {out_key: self.store.get(vkind, ref["key"])}
        versions = self._versions(kind, template["name"])
        self.check_quota("template_versions", len(versions))
        major, minor = self._next_version(kind, template["name"], params.get("majorVersion"), versions)
        if kind == "service":
            self._check_compatible_envs(params["compatibleEnvironmentTemplates"])
        bundle = self._read_source(params["source"])
        now, key = self.now(), version_key(template["name"], major, minor)
        doc = {
            "templateName": template["name"],
            "majorVersion": str(major),
            "minorVersion": str(minor),
            "arn": self.arn(f"{arn_type}/{template['name']}:{major}.{minor}"),
            "status": "REGISTRATION_IN_PROGRESS",
            "createdAt": now,
            "lastModifiedAt": now,
        }
        for member in ("description", "compatibleEnvironmentTemplates", "supportedComponentSources"):
            if params.get(member) is not None:
                doc[member] = params[member]
        self.store.put(vkind, key, doc)
        self.store.put("bundle", f"{kind}:{key}", {"b64": base64.b64encode(bundle).decode()})
        self.set_tags(doc["arn"], self.inherited_tags(template["arn"], params.get("tags")))
        self.remember_token(op, params.get("clientToken"), params, {"key": key})
        self.enqueue({"type": "register", "kind": kind, "key": key})
        return {out_key: doc}

    def _next_version(
        self, kind: str, template: str, major: str | None, versions: list[dict[str, Any]]
    ) -> tuple[int, int]:
        """No major: a new major N+1 with minor 0; with a major: its next minor (PROTON.md §4.1)."""
        if major is None:
            return max((int(v["majorVersion"]) for v in versions), default=0) + 1, 0
        mine = [int(v["minorVersion"]) for v in versions if v["majorVersion"] == str(int(major))]
        if not mine:
            raise ValidationException(
                f"Major version {major} of {kind} template {template} does not exist; "
                "omit majorVersion to create a new major version"
            )
        return int(major), max(mine) + 1

    def _check_compatible_envs(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            name, major = entry["templateName"], entry["majorVersion"]
            if not self.store.exists("etemplate", name):
                raise ValidationException(f"Compatible environment template {name} does not exist")
            if not any(
                v["majorVersion"] == major and v["status"] in ("DRAFT", "PUBLISHED")
                for v in self._versions("environment", name)
            ):
                raise ValidationException(
                    f"Compatible environment template {name} has no registered major version {major}"
                )

    def _read_source(self, source: dict[str, Any]) -> bytes:
        s3 = source["s3"]
        if self.s3_reader is None:
            raise ValidationException("This engine has no S3 reader; cannot read template bundles")
        try:
            return self.s3_reader(s3["bucket"], s3["key"])
        except Exception as err:  # the reader is the caller's (boto3, moto): any failure is the user's source
            raise ValidationException(
                f"Unable to read template bundle s3://{s3['bucket']}/{s3['key']}: {err}"
            ) from err

    def _update_version(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._get_version(kind, params["templateName"], params["majorVersion"], params["minorVersion"])
        status = params.get("status")
        if status is not None and status != doc["status"]:
            if (doc["status"], status) != ("DRAFT", "PUBLISHED"):
                raise ValidationException(
                    f"Cannot change template version status from {doc['status']} to "
                    f"{status}; only DRAFT to PUBLISHED is allowed"
                )
            doc["status"] = status
        if kind == "service" and params.get("compatibleEnvironmentTemplates") is not None:
            self._check_compatible_envs(params["compatibleEnvironmentTemplates"])
        for member in ("description", "compatibleEnvironmentTemplates", "supportedComponentSources"):
            if member in params:
                doc[member] = params[member]
        doc["lastModifiedAt"] = self.now()
        self._put_version(kind, doc)
        self._refresh_recommended(kind, doc["templateName"])
        return {KINDS[kind][4]: self.store.get(KINDS[kind][1], self._vkey(doc))}

    def _vkey(self, doc: dict[str, Any]) -> str:
        return version_key(doc["templateName"], doc["majorVersion"], doc["minorVersion"])

    def _service_version_of(self, resource: dict[str, Any]) -> dict[str, Any] | None:
        """The service template version a service instance (or pipeline) runs now, None if deleted."""
        key = version_key(
            resource["templateName"], resource["templateMajorVersion"], resource["templateMinorVersion"]
        )
        return self.store.get("stv", key)

    def _put_version(self, kind: str, doc: dict[str, Any]) -> None:
        self.store.put(KINDS[kind][1], self._vkey(doc), doc)

    def _refresh_recommended(self, kind: str, template: str) -> None:
        """Recommended = highest published minor per major; the template's = highest published major's."""
        versions = self._versions(kind, template)
        best: dict[str, int] = {}
        for v in versions:
            if v["status"] == "PUBLISHED":
                best[v["majorVersion"]] = max(best.get(v["majorVersion"], -1), int(v["minorVersion"]))
        for v in versions:
            rec = best.get(v["majorVersion"])
            new = None if rec is None else str(rec)
            if v.get("recommendedMinorVersion") != new:
                self._put_version(kind, {**v, "recommendedMinorVersion": new})
        tdoc = self._get_template(kind, template)
        top = max(best, key=int, default=None)
        tdoc["recommendedVersion"] = None if top is None else f"{top}.{best[top]}"
        self.store.put(KINDS[kind][0], template, tdoc)

    def _delete_version(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        template, major, minor = params["templateName"], params["majorVersion"], params["minorVersion"]
        arn = self.arn(f"{KINDS[kind][2]}/{template}:{major}.{minor}")
        doc = (
            self.store.get(KINDS[kind][1], version_key(template, major, minor))
            if (major.isdigit() and minor.isdigit())
            else None
        )
        if doc is None:
            return self._deleted_before(
                arn, f"{kind.capitalize()} template version {template}:{major}.{minor}"
            )
        self._check_version_deletable(kind, doc)
        self.store.delete(KINDS[kind][1], self._vkey(doc))
        self.store.delete("bundle", f"{kind}:{self._vkey(doc)}")
        self.forget(doc["arn"])
        self._refresh_recommended(kind, template)
        return {KINDS[kind][4]: doc}

    def _check_version_deletable(self, kind: str, doc: dict[str, Any]) -> None:
        """PROTON.md §4.6: not while deployed; the recommended minor/major only when it is the last one."""
        users = self.resources_on_version(kind, doc["templateName"], doc["majorVersion"], doc["minorVersion"])
        label = f"{doc['templateName']}:{doc['majorVersion']}.{doc['minorVersion']}"
        if users:
            raise ConflictException(f"Template version {label} is in use by {', '.join(users[:5])}")
        siblings = [
            v
            for v in self._versions(kind, doc["templateName"], doc["majorVersion"])
            if v is not doc and v["minorVersion"] != doc["minorVersion"]
        ]
        if doc.get("recommendedMinorVersion") == doc["minorVersion"] and siblings:
            raise ConflictException(
                f"Template version {label} is the recommended minor version of major "
                f"{doc['majorVersion']}; delete the other minor versions first"
            )
        tdoc = self._get_template(kind, doc["templateName"])
        others = [
            v for v in self._versions(kind, doc["templateName"]) if v["majorVersion"] != doc["majorVersion"]
        ]
        if tdoc.get("recommendedVersion") == f"{doc['majorVersion']}.{doc['minorVersion']}" and others:
            raise ConflictException(
                f"Template version {label} is the template's recommended version; "
                "delete the other versions first"
            )

    def _list_versions(self, kind: str, template: str, major: str | None) -> dict[str, Any]:
        self._get_template(kind, template)
        summary = KINDS[kind][5] + "VersionSummary"
        return {"templateVersions": [project(v, summary) for v in self._versions(kind, template, major)]}

    # -- the 20 public operations -------------------------------------------------------------------------
    @operation("CreateEnvironmentTemplate")
    def create_environment_template(self, **p: Any) -> dict[str, Any]:
        return self._create_template("environment", p)

    @operation("GetEnvironmentTemplate")
    def get_environment_template(self, *, name: str) -> dict[str, Any]:
        return {"environmentTemplate": self._get_template("environment", name)}

    @operation("UpdateEnvironmentTemplate")
    def update_environment_template(self, **p: Any) -> dict[str, Any]:
        return self._update_template("environment", p)

    @operation("DeleteEnvironmentTemplate")
    def delete_environment_template(self, *, name: str) -> dict[str, Any]:
        return self._delete_template("environment", name)

    @operation("ListEnvironmentTemplates")
    def list_environment_templates(self, **_: Any) -> dict[str, Any]:
        return self._list_templates("environment")

    @operation("CreateEnvironmentTemplateVersion")
    def create_environment_template_version(self, **p: Any) -> dict[str, Any]:
        return self._create_version("environment", p, "CreateEnvironmentTemplateVersion")

    @operation("GetEnvironmentTemplateVersion")
    def get_environment_template_version(
        self, *, templateName: str, majorVersion: str, minorVersion: str
    ) -> dict[str, Any]:
        return {
            "environmentTemplateVersion": self._get_version(
                "environment", templateName, majorVersion, minorVersion
            )
        }

    @operation("UpdateEnvironmentTemplateVersion")
    def update_environment_template_version(self, **p: Any) -> dict[str, Any]:
        return self._update_version("environment", p)

    @operation("DeleteEnvironmentTemplateVersion")
    def delete_environment_template_version(self, **p: Any) -> dict[str, Any]:
        return self._delete_version("environment", p)

    @operation("ListEnvironmentTemplateVersions")
    def list_environment_template_versions(
        self, *, templateName: str, majorVersion: str | None = None, **_: Any
    ) -> dict[str, Any]:
        return self._list_versions("environment", templateName, majorVersion)

    @operation("CreateServiceTemplate")
    def create_service_template(self, **p: Any) -> dict[str, Any]:
        return self._create_template("service", p)

    @operation("GetServiceTemplate")
    def get_service_template(self, *, name: str) -> dict[str, Any]:
        return {"serviceTemplate": self._get_template("service", name)}

    @operation("UpdateServiceTemplate")
    def update_service_template(self, **p: Any) -> dict[str, Any]:
        return self._update_template("service", p)

    @operation("DeleteServiceTemplate")
    def delete_service_template(self, *, name: str) -> dict[str, Any]:
        return self._delete_template("service", name)

    @operation("ListServiceTemplates")
    def list_service_templates(self, **_: Any) -> dict[str, Any]:
        return self._list_templates("service")

    @operation("CreateServiceTemplateVersion")
    def create_service_template_version(self, **p: Any) -> dict[str, Any]:
        return self._create_version("service", p, "CreateServiceTemplateVersion")

    @operation("GetServiceTemplateVersion")
    def get_service_template_version(
        self, *, templateName: str, majorVersion: str, minorVersion: str
    ) -> dict[str, Any]:
        return {
            "serviceTemplateVersion": self._get_version("service", templateName, majorVersion, minorVersion)
        }

    @operation("UpdateServiceTemplateVersion")
    def update_service_template_version(self, **p: Any) -> dict[str, Any]:
        return self._update_version("service", p)

    @operation("DeleteServiceTemplateVersion")
    def delete_service_template_version(self, **p: Any) -> dict[str, Any]:
        return self._delete_version("service", p)

    @operation("ListServiceTemplateVersions")
    def list_service_template_versions(
        self, *, templateName: str, majorVersion: str | None = None, **_: Any
    ) -> dict[str, Any]:
        return self._list_versions("service", templateName, majorVersion)

    def _deleted_before(self, arn: str, what: str) -> dict[str, Any]:
        """Delete retries answer empty once the resource is gone (PROTON.md §4.10)."""
        if self.store.exists("tomb", arn):
            return {}
        raise ResourceNotFoundException(f"{what} not found")
