"""Proton spec files (`proton: EnvironmentSpec` / `proton: ServiceSpec`) and service-sync proton-ops files.

See shared/reference/PROTON.md §4.4 (spec formats, `${Proton::CURRENT_VAL}`) and §4.8 (proton-ops files).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from proton_exodus.errors import BadInput

__all__ = [
    "CURRENT_VAL",
    "MAX_SPEC_CHARS",
    "EnvironmentSpec",
    "InstanceSpec",
    "OpsEntry",
    "ServiceSpec",
    "load_yaml",
    "parse_proton_ops",
    "parse_spec",
    "resolve_current_values",
]

CURRENT_VAL = "${Proton::CURRENT_VAL}"
MAX_SPEC_CHARS = 51_200  # BOTO SpecContents


@dataclass(frozen=True)
class EnvironmentSpec:
    """`proton: EnvironmentSpec`: the environment's raw inputs (`spec:`)."""

    spec: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceSpec:
    """One entry of a ServiceSpec's `instances:` list; `spec` holds the raw instance inputs."""

    name: str
    environment: str | None
    spec: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceSpec:
    """`proton: ServiceSpec`: raw pipeline inputs (None = no `pipeline:` block) and the instances."""

    pipeline: dict[str, Any] | None
    instances: list[InstanceSpec] = field(default_factory=list)

    def instance(self, name: str) -> InstanceSpec:
        """The named instance; BadInput listing the known names if absent."""
        for inst in self.instances:
            if inst.name == name:
                return inst
        known = ", ".join(i.name for i in self.instances) or "none"
        raise BadInput(f"the spec has no instance named {name!r} (instances: {known})")

    def instance_index(self, name: str) -> int:
        """Position of the named instance in `instances:` (for error paths like `instances[1].spec`)."""
        return self.instances.index(self.instance(name))


@dataclass(frozen=True)
class OpsEntry:
    """One instance line of a proton-ops file: which branch and spec file drive it."""

    service: str
    instance: str
    branch: str
    spec: str


def load_yaml(text: str | bytes, *, source: str, error: type[BadInput] = BadInput) -> Any:
    """safe_load with a one-line `error` naming `source` and the line on malformed YAML.

    Every Proton file (spec, manifest, schema, registration) is read through here; `error` is the
    caller's kind of BadInput (BundleError, SchemaError).
    """
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise error(f"{source}: not valid YAML (nested too deeply)") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = " ".join(str(getattr(err, "problem", None) or err).split())  # reader errors span lines
        raise error(f"{source}{where}: not valid YAML ({problem})") from None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadInput(f"{where}: must be a mapping of input names to values, not {type(value).__name__}")
    return dict(value)


def _instances(raw: Any, source: str) -> list[InstanceSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadInput(f"{source}: instances must be a list")
    out: list[InstanceSpec] = []
    for i, item in enumerate(raw):
        where = f"{source}: instances[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"]:
            raise BadInput(f"{where}: each instance needs a `name:` string")
        env = item.get("environment")
        if env is not None and not isinstance(env, str):
            raise BadInput(f"{where}.environment: must be an environment name")
        if any(o.name == item["name"] for o in out):
            raise BadInput(f"{where}: instance name {item['name']!r} appears twice")
        out.append(InstanceSpec(item["name"], env, _mapping(item.get("spec"), f"{where}.spec")))
    return out


def parse_spec(text: str | bytes, *, source: str = "spec.yaml") -> EnvironmentSpec | ServiceSpec:
    """Parse a spec file; raises BadInput naming `source` and the bad field."""
    if len(text) > MAX_SPEC_CHARS:
        raise BadInput(f"{source}: spec is {len(text)} characters; Proton accepts at most {MAX_SPEC_CHARS}")
    doc = load_yaml(text, source=source)
    if not isinstance(doc, Mapping):
        raise BadInput(
            f"{source}: a spec must be a mapping starting with `proton: EnvironmentSpec` or "
            f"`proton: ServiceSpec`"
        )
    kind = doc.get("proton")
    if kind == "EnvironmentSpec":
        return EnvironmentSpec(_mapping(doc.get("spec"), f"{source}: spec"))
    if kind == "ServiceSpec":
        pipeline = doc.get("pipeline")
        pipe = (
            None if pipeline is None and "pipeline" not in doc else _mapping(pipeline, f"{source}: pipeline")
        )
        return ServiceSpec(pipe, _instances(doc.get("instances"), source))
    raise BadInput(f"{source}: `proton:` must be EnvironmentSpec or ServiceSpec, not {kind!r}")


def resolve_current_values(
    new: Mapping[str, Any], current: Mapping[str, Any] | None, *, path: str
) -> dict[str, Any]:
    """Replace `${Proton::CURRENT_VAL}` values in `new` by the value in `current` (recursively).

    A CURRENT_VAL for an input that has no current value is a BadInput naming its path.
    """
    current = current or {}
    out: dict[str, Any] = {}
    for key, value in new.items():
        where = f"{path}.{key}" if path else key
        if value == CURRENT_VAL:
            if key not in current:
                raise BadInput(f"{where}: {CURRENT_VAL} used, but there is no current value to keep")
            out[key] = current[key]
        elif isinstance(value, Mapping) and isinstance(current.get(key), Mapping):
            out[key] = resolve_current_values(value, current[key], path=where)
        else:
            out[key] = value
    return out


def parse_proton_ops(text: str | bytes, *, source: str = "proton-ops.yaml") -> list[OpsEntry]:
    """Parse a service-sync proton-ops file (`sync.services.<service>.<instance>.{branch,spec}`)."""
    doc = load_yaml(text, source=source)
    services = (
        doc.get("sync", {}).get("services")
        if isinstance(doc, Mapping) and isinstance(doc.get("sync"), Mapping)
        else None
    )
    if not isinstance(services, Mapping):
        raise BadInput(f"{source}: expected `sync: services: <service>: <instance>: {{branch, spec}}`")
    entries: list[OpsEntry] = []
    for service, instances in services.items():
        if not isinstance(instances, Mapping):
            raise BadInput(f"{source}: sync.services.{service} must map instance names to branch/spec")
        for instance, item in instances.items():
            where = f"{source}: sync.services.{service}.{instance}"
            if not isinstance(item, Mapping) or not all(
                isinstance(item.get(k), str) for k in ("branch", "spec")
            ):
                raise BadInput(f"{where}: needs `branch:` and `spec:` strings")
            entries.append(OpsEntry(str(service), str(instance), item["branch"], item["spec"]))
    return entries
