"""The Jinja context Proton rendered a deployment unit's CloudFormation template with (PROTON.md §2.1),
rebuilt from the snapshot, and the bundle template text for a unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit

FOLDERS = {"environment": "infrastructure", "service_instance": "instance_infrastructure",
           "service_pipeline": "pipeline_infrastructure"}


class ContextBuilder:
    """Builds Proton render contexts for units of one snapshot (indexes built once)."""

    def __init__(self, snapshot: Snapshot, units: list[DeploymentUnit]) -> None:
        self.snapshot = snapshot
        self.env_units = {u.name: u for u in units if u.kind == "environment"}
        self.services = {s["name"]: s for s in snapshot.kind("services")}
        self.components = {c.get("arn"): c for c in snapshot.kind("components")}
        self.versions = {(v.get("templateName"), str(v.get("majorVersion")), str(v.get("minorVersion"))): v
                         for kind in ("environment_template_versions", "service_template_versions")
                         for v in snapshot.kind(kind)}
        self._sources: dict[tuple, tuple[str, str] | None] = {}

    def template_source(self, unit: DeploymentUnit) -> tuple[str, str] | None:
        """(bundle path of the Jinja file, its text) when the unit's bundle renders CloudFormation with Jinja."""
        folder = FOLDERS.get(unit.kind)
        key = (unit.template_name, unit.template_major, unit.template_minor, folder)
        if key not in self._sources:
            self._sources[key] = self._load_source(unit, folder)
        return self._sources[key]

    def _load_source(self, unit: DeploymentUnit, folder: str | None) -> tuple[str, str] | None:
        version = self.versions.get((unit.template_name, unit.template_major, unit.template_minor))
        files = self.snapshot.bundle_files((version or {}).get("bundle")) if folder else None
        if not files or f"{folder}/manifest.yaml" not in files:
            return None
        try:
            manifest = yaml.safe_load(files[f"{folder}/manifest.yaml"]) or {}
            (entry,) = manifest["infrastructure"]["templates"]
        except (yaml.YAMLError, KeyError, TypeError, ValueError):
            return None
        if entry.get("rendering_engine") != "jinja" or entry.get("template_language") != "cloudformation":
            return None
        rel = f"{folder}/{entry.get('file')}"
        return (rel, files[rel].decode("utf-8")) if rel in files else None

    def _env_ns(self, name: str | None) -> dict[str, Any]:
        env = self.env_units.get(name or "")
        out: dict[str, Any] = {"name": name, "outputs": dict(env.outputs) if env else {}}
        if env is not None and env.account:
            out["account_id"] = env.account
        return out

    def _service(self, name: str | None) -> dict[str, Any]:
        record = self.services.get(name or "", {})
        out: dict[str, Any] = {"name": name}
        if record.get("repositoryId"):  # only services with a pipeline have repository fields
            out["repository_connection_arn"] = record.get("repositoryConnectionArn")
            out["repository_id"] = record.get("repositoryId")
            out["branch_name"] = record.get("branchName")
        return out

    def context(self, unit: DeploymentUnit, inputs: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The render context of `unit` (with `inputs` in place of its own), or None for pipelines
        and components, whose contexts are not rebuilt here."""
        values = dict(unit.inputs if inputs is None else inputs)
        if unit.kind == "environment":
            env: dict[str, Any] = {"name": unit.name, "inputs": values}
            if unit.account:
                env["account_id"] = unit.account
            return {"environment": env}
        if unit.kind == "service_instance":
            env_ns = self._env_ns(unit.environment)
            comp_outputs = {k.rsplit(".", 1)[-1]: v for k, v in unit.consumes.items()
                            if k.startswith("service_instance.components.default.outputs.")}
            default: dict[str, Any] = {"outputs": comp_outputs}
            comp = next((self.components[a] for a in unit.depends_on if a in self.components), None)
            if comp is not None:
                default["name"] = comp.get("name")
            instance = {"name": unit.name, "inputs": values, "environment": env_ns, "components": {"default": default}}
            return {"environment": env_ns, "service": self._service(unit.service), "service_instance": instance}
        return None
