"""Deployment units: one per stack (environment, service instance, pipeline, component), the shared
model every exporter, `verify` and the planner work from. Built from a snapshot by `build_units`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

UnitKind = Literal["environment", "service_instance", "service_pipeline", "component"]
Provisioning = Literal["cloudformation", "terraform", "codebuild", "customer-managed"]


@dataclass(frozen=True)
class DeploymentUnit:
    """One deployable thing Proton managed, and everything needed to keep deploying it without Proton."""

    kind: UnitKind
    name: str  # environment / instance / component name; "pipeline" for pipelines
    arn: str  # the Proton resource ARN (graph node key)
    account: str
    region: str
    environment: str | None  # environment it runs in (None for pipelines)
    service: str | None  # owning service (instances, pipelines, attached components)
    template_name: str | None
    template_major: str | None
    template_minor: str | None
    provisioning: Provisioning
    inputs: Mapping[str, Any]  # spec inputs with schema defaults applied (secrets as placeholders)
    sensitive_inputs: frozenset[str] = frozenset()
    consumes: Mapping[str, str] = field(default_factory=dict)  # outputs of other units it reads: "env.outputs.X" -> value
    stack_name: str | None = None
    stack_id: str | None = None
    stack_status: str | None = None
    deployed_template: str | None = None  # template body as deployed (GetTemplate)
    parameters: Mapping[str, str] = field(default_factory=dict)  # live stack parameters
    tags: Mapping[str, str] = field(default_factory=dict)  # live stack tags (proton:* included)
    outputs: Mapping[str, str] = field(default_factory=dict)
    capabilities: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()  # ARNs of units that must deploy first
    bundle: str | None = None  # bundle path in the snapshot, when known
    deployment_status: str | None = None
