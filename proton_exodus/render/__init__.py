"""Render Proton bundles exactly as Proton did: CloudFormation via Jinja, Terraform and CodeBuild input files.

Every render function takes the RAW spec inputs (as written in the spec file): it applies the schema's
defaults and validates them itself, so every caller gets Proton's behaviour (SchemaError on violations).
Errors: BundleError (nothing to render for that target), SchemaError (inputs), RenderError (Jinja/result).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from proton_exodus.render.context import (
    EnvironmentContext,
    InstanceContext,
    Rendered,
    ResourceMetadata,
    ServiceContext,
)

if TYPE_CHECKING:
    from proton_exodus.bundle import Bundle

__all__ = [
    "EnvironmentContext",
    "InstanceContext",
    "Rendered",
    "ResourceMetadata",
    "ServiceContext",
    "render_component",
    "render_environment",
    "render_pipeline",
    "render_service_instance",
]


def render_environment(bundle: Bundle, *, name: str, inputs: Mapping[str, Any] | None,
                       account_id: str | None = None, metadata: ResourceMetadata | None = None) -> Rendered:
    """Render an environment bundle's `infrastructure/` with spec `inputs` (defaults applied here)."""
    raise NotImplementedError


def render_service_instance(bundle: Bundle, *, service: ServiceContext, instance_name: str,
                            inputs: Mapping[str, Any] | None, environment: EnvironmentContext,
                            components: Mapping[str, Any] | None = None,
                            metadata: ResourceMetadata | None = None) -> Rendered:
    """Render `instance_infrastructure/` for one instance. `components` is the default component's
    outputs (None or {} = no component attached)."""
    raise NotImplementedError


def render_pipeline(bundle: Bundle, *, service: ServiceContext, pipeline_inputs: Mapping[str, Any] | None,
                    instances: Sequence[InstanceContext], metadata: ResourceMetadata | None = None) -> Rendered:
    """Render `pipeline_infrastructure/` with the service's instances (their raw inputs and outputs)."""
    raise NotImplementedError


def render_component(template_file: str, manifest: str, *, name: str, environment: EnvironmentContext,
                     service: ServiceContext | None = None, instance: str | None = None,
                     instance_inputs: Mapping[str, Any] | None = None,
                     metadata: ResourceMetadata | None = None) -> Rendered:
    """Render a directly defined component (IaC file contents + manifest contents). `instance_inputs`
    are the attached instance's inputs with defaults already applied (the component has no schema)."""
    raise NotImplementedError
