"""The plan's values: planned resources, waves and the plan, and their plan.json form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

PLAN_FORMAT, PLAN_FORMAT_VERSION = "proton-exodus-plan", 1
TIERS = ("non-production", "staging", "production")


@dataclass(frozen=True)
class PlannedResource:
    """One resource that moves, where it was placed and why."""

    id: str  # graph key (ARN)
    kind: str  # singular snapshot kind
    name: str
    label: str
    account: str
    region: str
    tier: int  # index into TIERS; -1 for account connections (preparation)
    depends_on: tuple[str, ...]
    dependants: int  # transitive, among resources that move
    reason: str
    service: str | None = None
    environment: str | None = None
    stack_name: str | None = None
    stack_status: str | None = None
    provisioning: str | None = None
    blocked_by: tuple[str, ...] = ()  # E codes (own or inherited)
    manual: tuple[str, ...] = ()  # W codes
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def identity(self) -> dict[str, Any]:
        """The keys that identify the resource in plan.json (snapshot kind names, singular)."""
        ident: dict[str, Any] = {"kind": self.kind}
        if self.kind == "service_instance":
            ident.update(service=self.service, name=self.name, environment=self.environment)
        elif self.kind == "service_pipeline":
            ident.update(service=self.service)
        elif self.kind == "component":
            ident.update(name=self.name, environment=self.environment)
            if self.service:
                ident.update(service=self.service, serviceInstance=self.extra.get("service_instance"))
        elif self.kind == "environment_account_connection":
            ident.update(
                id=self.name,
                environment=self.environment,
                environmentAccount=self.extra.get("environment_account"),
            )
        else:
            ident.update(name=self.name)
        return ident

    def to_dict(self) -> dict[str, Any]:
        data = {
            **self.identity(),
            "arn": self.id,
            "account": self.account,
            "region": self.region,
            "label": self.label,
            "reason": self.reason,
            "dependsOn": list(self.depends_on),
            "dependants": self.dependants,
            "blockedBy": list(self.blocked_by),
            "manual": list(self.manual),
        }
        for key, value in (
            ("stackName", self.stack_name),
            ("stackStatus", self.stack_status),
            ("stackAccount", self.extra.get("stack_account")),
            ("provisioning", self.provisioning),
        ):
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class Wave:
    """Resources that move together, in the order to move them."""

    number: int
    resources: tuple[PlannedResource, ...]
    pilot: bool = False
    date: str | None = None
    late: bool = False

    @property
    def risk(self) -> str:
        tier = max((r.tier for r in self.resources), default=0)
        return "preparation" if tier < 0 else TIERS[tier]

    @property
    def blocked(self) -> bool:
        return any(r.blocked_by for r in self.resources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": self.date,
            "late": self.late,
            "pilot": self.pilot,
            "risk": self.risk,
            "blocked": self.blocked,
            "resources": [r.to_dict() for r in self.resources],
        }


@dataclass(frozen=True)
class Plan:
    """Waves in order, the schedule against the deadline, and what the planner was asked."""

    waves: tuple[Wave, ...]
    target: str
    options: dict[str, Any]
    schedule: dict[str, Any]
    warnings: tuple[str, ...] = ()
    snapshot: dict[str, Any] = field(default_factory=dict)
    proton_retired: bool = False  # Proton no longer answers: no runbook calls it

    def wave_of(self) -> dict[str, int]:
        """Resource id -> wave number."""
        return {r.id: w.number for w in self.waves for r in w.resources}

    def to_dict(self) -> dict[str, Any]:
        waves = [w.to_dict() for w in self.waves]
        digest = hashlib.sha256(json.dumps(waves, sort_keys=True).encode()).hexdigest()
        return {
            "format": PLAN_FORMAT,
            "formatVersion": PLAN_FORMAT_VERSION,
            "target": self.target,
            "snapshot": self.snapshot,
            "protonRetired": self.proton_retired,
            "options": self.options,
            "schedule": self.schedule,
            "warnings": list(self.warnings),
            "digest": f"sha256:{digest}",
            "counts": {"waves": len(waves), "resources": sum(len(w.resources) for w in self.waves)},
            "waves": waves,
        }
