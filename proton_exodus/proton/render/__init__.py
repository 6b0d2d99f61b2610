"""Render Proton bundles exactly as Proton did: CloudFormation via Jinja, Terraform and CodeBuild input files.

Every render function takes the RAW spec inputs (as written in the spec file): it applies the schema's
defaults and validates them itself, so every caller gets Proton's behaviour (SchemaError on violations,
naming `path`, e.g. `instances[1].spec`). Errors: BundleError (nothing to render for that target),
SchemaError (inputs), RenderError (Jinja, or a result that is not a CloudFormation template).
Namespaces follow shared/reference/PROTON.md §2.1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from proton_exodus.errors import BundleError
from proton_exodus.proton.bundle import Bundle, load_component
from proton_exodus.proton.render.cloudformation import check_cloudformation_shaped
from proton_exodus.proton.render.codebuild import codebuild_files
from proton_exodus.proton.render.context import (
    EnvironmentContext,
    InstanceContext,
    Rendered,
    ResourceMetadata,
    ServiceContext,
    component_namespaces,
    environment_namespaces,
    instance_namespaces,
    pipeline_namespaces,
    service_namespace,
)
from proton_exodus.proton.render.jinja_env import namespace, render_jinja_shaped
from proton_exodus.proton.render.terraform import terraform_files

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


def _env_dict(env: EnvironmentContext) -> dict[str, Any]:
    return {"account_id": env.account_id, "name": env.name, "outputs": dict(env.outputs)}


def _require(bundle: Bundle, template_type: str, folder: str, what: str) -> None:
    if bundle.template_type != template_type:
        raise BundleError(f"cannot render {what}: this is a {bundle.template_type} bundle")
    if bundle.provisioning == "customer-managed":
        raise BundleError(
            "nothing to render: this customer-managed environment bundle holds only "
            "schema/schema.yaml (Proton provisions nothing; the schema lists the outputs "
            "you register for the environment)"
        )
    if folder not in bundle.manifests:
        raise BundleError(
            f"nothing to render for {what}: the bundle has no {folder}/ folder",
            hint="services without a pipeline use pipelineProvisioning CUSTOMER_MANAGED"
            if folder == "pipeline_infrastructure"
            else None,
        )


def _inputs(bundle: Bundle, kind: str, values: Mapping[str, Any] | None, path: str) -> dict[str, Any]:
    assert bundle.schema is not None
    return bundle.schema.apply_defaults_and_validate(kind, values, path=path)


def _render(
    bundle: Bundle,
    folder: str,
    kind: str,
    jinja_ctx: dict[str, Any],
    data: dict[str, Any],
    metadata: ResourceMetadata | None,
) -> Rendered:
    """Dispatch on the folder's manifest: Jinja+CloudFormation, Terraform files or CodeBuild inputs."""
    language = bundle.manifests[folder].language
    if language == "cloudformation":
        ((name, text),) = bundle.template_text(folder).items()
        ctx = {key: namespace(key, value) for key, value in jinja_ctx.items()}
        source = f"{folder}/{name}" if folder else name
        out, shape = render_jinja_shaped(text, ctx, source=source)
        check_cloudformation_shaped(out, shape, source=source)
        return Rendered("cloudformation", {name: out}, out)
    if language == "terraform":
        return Rendered("terraform", terraform_files(kind, bundle.template_text(folder), data, metadata))
    return Rendered("codebuild", codebuild_files(bundle.folder_files(folder), data))


def render_environment(
    bundle: Bundle,
    *,
    name: str,
    inputs: Mapping[str, Any] | None,
    account_id: str | None = None,
    metadata: ResourceMetadata | None = None,
) -> Rendered:
    """Render an environment bundle's `infrastructure/` with raw spec `inputs` (defaults applied here)."""
    _require(bundle, "environment", "infrastructure", "an environment")
    values = _inputs(bundle, "environment", inputs, "spec")
    return _render(
        bundle,
        "infrastructure",
        "environment",
        environment_namespaces(name, values, account_id),
        {"environment": {"name": name, "inputs": values}},
        metadata,
    )


def render_service_instance(
    bundle: Bundle,
    *,
    service: ServiceContext,
    instance_name: str,
    inputs: Mapping[str, Any] | None,
    environment: EnvironmentContext,
    components: Mapping[str, Any] | None = None,
    component_name: str | None = None,
    metadata: ResourceMetadata | None = None,
    path: str = "spec",
) -> Rendered:
    """Render `instance_infrastructure/` for one instance with its raw spec inputs.

    `components` is the attached default component's outputs: None = the template does not support
    components, {} = supported but none attached (Terraform then writes `"components" : { }`).
    In Jinja, `service_instance.components.default` and `.outputs` are always defined (empty when
    nothing is attached), as Proton documents.
    """
    _require(bundle, "service", "instance_infrastructure", "a service instance")
    values = _inputs(bundle, "service", inputs, path)
    jinja_ctx = instance_namespaces(service, instance_name, values, environment, components, component_name)
    tf_instance: dict[str, Any] = {"name": instance_name, "inputs": values}
    if components is not None:
        default = jinja_ctx["service_instance"]["components"]["default"]
        tf_instance["components"] = {"default": default} if components or component_name else {}
    data = {
        "environment": _env_dict(environment),
        "service": service_namespace(service),
        "service_instance": tf_instance,
    }
    if bundle.manifests["instance_infrastructure"].language == "codebuild":
        data = {
            "service_instance": tf_instance,
            "service": service_namespace(service),
            "environment": _env_dict(environment),
        }
    return _render(bundle, "instance_infrastructure", "service_instance", jinja_ctx, data, metadata)


def render_pipeline(
    bundle: Bundle,
    *,
    service: ServiceContext,
    pipeline_inputs: Mapping[str, Any] | None,
    instances: Sequence[InstanceContext],
    metadata: ResourceMetadata | None = None,
) -> Rendered:
    """Render `pipeline_infrastructure/` with the service's instances (raw inputs, outputs, environment)."""
    _require(bundle, "service", "pipeline_infrastructure", "the pipeline")
    values = _inputs(bundle, "pipeline", pipeline_inputs, "pipeline")
    listed = [
        {
            "name": inst.name,
            "inputs": _inputs(bundle, "service", inst.inputs, f"instances[{i}].spec"),
            "outputs": dict(inst.outputs),
            "environment": _env_dict(inst.environment),
        }
        for i, inst in enumerate(instances)
    ]
    validated = [
        InstanceContext(item["name"], item["inputs"], inst.outputs, inst.environment)
        for item, inst in zip(listed, instances, strict=True)
    ]
    jinja_ctx = pipeline_namespaces(service, values, validated)
    data = {
        "pipeline": {"inputs": values},
        "service": service_namespace(service),
        "service_instances": listed,
    }
    return _render(bundle, "pipeline_infrastructure", "pipeline", jinja_ctx, data, metadata)


def render_component(
    template_file: str,
    manifest: str,
    *,
    name: str,
    environment: EnvironmentContext,
    service: ServiceContext | None = None,
    instance: str | None = None,
    instance_inputs: Mapping[str, Any] | None = None,
    metadata: ResourceMetadata | None = None,
) -> Rendered:
    """Render a directly defined component (IaC file contents + manifest contents).

    `instance_inputs` are the attached instance's inputs with defaults already applied (a component has
    no schema of its own); `service`/`instance` are None for a detached component (PROTON.md §2.1).
    """
    bundle = load_component(template_file, manifest, name=name)
    jinja_ctx = component_namespaces(name, environment, service, instance, instance_inputs)
    data: dict[str, Any] = {"environment": _env_dict(environment), "component": {"name": name}}
    if "service" in jinja_ctx:
        data["service"], data["service_instance"] = jinja_ctx["service"], jinja_ctx["service_instance"]
    return _render(bundle, "", "component", jinja_ctx, data, metadata)
