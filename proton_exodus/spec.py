"""Proton spec files (`proton: EnvironmentSpec` / `proton: ServiceSpec`) and service-sync proton-ops files.

See shared/reference/PROTON.md §4.4 and §4.8.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from proton_exodus.errors import BadInput

__all__ = [
    "CURRENT_VAL",
    "EnvironmentSpec",
    "InstanceSpec",
    "OpsEntry",
    "ServiceSpec",
    "parse_proton_ops",
    "parse_spec",
    "resolve_current_values",
]

CURRENT_VAL = "${Proton::CURRENT_VAL}"


@dataclass(frozen=True)
class EnvironmentSpec:
    spec: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    environment: str | None
    spec: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceSpec:
    pipeline: dict[str, Any] | None
    instances: list[InstanceSpec] = field(default_factory=list)

    def instance(self, name: str) -> InstanceSpec:
        """The named instance; BadInput listing the known names if absent."""
        raise NotImplementedError


@dataclass(frozen=True)
class OpsEntry:
    """One instance line of a proton-ops file: which branch and spec file drive it."""

    service: str
    instance: str
    branch: str
    spec: str


def parse_spec(text: str | bytes, *, source: str = "spec.yaml") -> EnvironmentSpec | ServiceSpec:
    """Parse a spec file; raises BadInput naming `source` and the bad field."""
    raise NotImplementedError


def resolve_current_values(new: dict[str, Any], current: dict[str, Any] | None, *, path: str) -> dict[str, Any]:
    """Replace `${Proton::CURRENT_VAL}` values in `new` by the value in `current` (recursively)."""
    raise NotImplementedError


def parse_proton_ops(text: str | bytes, *, source: str = "proton-ops.yaml") -> list[OpsEntry]:
    """Parse a service-sync proton-ops file (`sync.services.<service>.<instance>.{branch,spec}`)."""
    raise NotImplementedError
