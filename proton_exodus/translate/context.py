"""A deployment unit's Proton render context, adapted from the snapshot into the values
`proton.render.context` builds namespaces from (PROTON.md §2.1), and the bundle template text for a unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.render.context import (
    EnvironmentContext,
    ServiceContext,
    environment_namespaces,
    instance_namespaces,
)

FOLDERS = {
    "environment": "infrastructure",
    "service_instance": "instance_infrastructure",
    "service_pipeline": "pipeline_infrastructure",
}


class ContextBuilder:
    """Builds Proton render contexts for units of one snapshot (indexes built once)."""

    def __init__(self, snapshot: Snapshot, units: list[DeploymentUnit]) -> None:
        self.snapshot = snapshot
        self.env_units = {u.name: u for u in units if u.kind == "environment"}
        self.services = {s["name"]: s for s in snapshot.kind("services")}
        self.components = {c.get("arn"): c for c in snapshot.kind("components")}
        self.versions = {
            (v.get("templateName"), str(v.get("majorVersion")), str(v.get("minorVersion"))): v
            for kind in ("environment_template_versions", "service_template_versions")
            for v in snapshot.kind(kind)
        }
        self._sources: dict[tuple, tuple[str, str] | None] = {}

    def template_source(self, unit: DeploymentUnit) -> tuple[str, str] | None:
        """(bundle path of the Jinja file, its text) when the unit's bundle renders CloudFormation with
        Jinja."""
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
        engine = entry.get("rendering_engine", entry.get("engine"))  # as proton/bundle.py reads it
        if engine != "jinja" or entry.get("template_language") != "cloudformation":
            return None
        rel = f"{folder}/{entry.get('file')}"
        return (rel, files[rel].decode("utf-8")) if rel in files else None

    def _environment(self, name: str | None) -> EnvironmentContext:
        env = self.env_units.get(name or "")
        if env is None:
            return EnvironmentContext(name)
        return EnvironmentContext(name, env.account or None, dict(env.outputs))

    def _service(self, name: str | None) -> ServiceContext:
        record = self.services.get(name or "", {})
        if not record.get("repositoryId"):  # only services with a pipeline have repository fields
            return ServiceContext(name)
        return ServiceContext(
            name, record.get("branchName"), record.get("repositoryId"), record.get("repositoryConnectionArn")
        )

    def context(self, unit: DeploymentUnit, inputs: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The render context of `unit` (with `inputs` in place of its own), or None for pipelines
        and components, whose contexts are not rebuilt here."""
        values = dict(unit.inputs if inputs is None else inputs)
        if unit.kind == "environment":
            return environment_namespaces(unit.name, values, unit.account or None)
        if unit.kind == "service_instance":
            comp_outputs = {
                k.rsplit(".", 1)[-1]: v
                for k, v in unit.consumes.items()
                if k.startswith("service_instance.components.default.outputs.")
            }
            comp = next((self.components[a] for a in unit.depends_on if a in self.components), None)
            return instance_namespaces(
                self._service(unit.service),
                unit.name,
                values,
                self._environment(unit.environment),
                comp_outputs,
                comp.get("name") if comp is not None else None,
            )
        return None
