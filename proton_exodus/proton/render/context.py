"""What Proton knew at render time: small frozen values the caller fills in, and the one builder of the
Jinja namespaces Proton rendered CloudFormation with (PROTON.md §2.1).

Every Jinja render (`render/`, `recover/`, `translate/`) takes its namespace dict from the
`*_namespaces` functions here; callers only adapt their data (engine state, a snapshot, solver values)
into these values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServiceContext:
    """The `service` namespace. Repository fields exist only for services with a pipeline."""

    name: str | None  # None only while recovery does not know it
    branch_name: str | None = None
    repository_id: str | None = None
    repository_connection_arn: str | None = None


@dataclass(frozen=True)
class EnvironmentContext:
    """The `environment` namespace: `inputs` for the environment's own file, `outputs` for the others."""

    name: str | None  # None only while recovery does not know it
    account_id: str | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class InstanceContext:
    """One entry of a pipeline's `service_instances` list. `inputs` are the raw spec inputs."""

    name: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    environment: EnvironmentContext


@dataclass(frozen=True)
class ResourceMetadata:
    """Identity of the deployed resource, for Terraform/CodeBuild files (`"//"`, deployment-metadata.json)."""

    arn: str
    template_arn: str | None = None
    template_major_version: str | None = None
    template_minor_version: str | None = None
    deployment_id: str | None = None
    environment_arn: str | None = None
    is_resource_deleted: bool = False


@dataclass(frozen=True)
class Rendered:
    """A render result. `text` is the CloudFormation template (cloudformation only); `files` is the
    working directory (relative POSIX path -> text): for CloudFormation the one rendered file, for
    Terraform the .tf files with Proton's header plus the generated files, for CodeBuild the folder
    plus proton-inputs.json."""

    language: str  # cloudformation | terraform | codebuild
    files: Mapping[str, str]
    text: str | None = None
    warnings: tuple[str, ...] = ()  # accepted leniently while reading the bundle (links, limits)


def service_namespace(service: ServiceContext) -> dict[str, Any]:
    """The `service` namespace; repository fields exist only when known (services with a pipeline)."""
    # Order as in Proton's tfvars (INDEX 2).
    out: dict[str, Any] = {"name": service.name}
    for key in ("repository_connection_arn", "repository_id", "branch_name"):
        if getattr(service, key) is not None:
            out[key] = getattr(service, key)
    return out


def environment_namespace(env: EnvironmentContext) -> dict[str, Any]:
    """The `environment` namespace: its inputs for the environment's own file, else its outputs.

    `account_id` is left undefined (and fails loudly when used) when it is not known.
    """
    out: dict[str, Any] = {"name": env.name}
    if env.inputs is not None:
        out["inputs"] = dict(env.inputs)
    else:
        out["outputs"] = dict(env.outputs)
    if env.account_id is not None:
        out["account_id"] = env.account_id
    return out


def environment_namespaces(
    name: str | None, inputs: Mapping[str, Any], account_id: str | None = None
) -> dict[str, Any]:
    """Namespaces of an environment's `infrastructure/` file (outputs of others are not available)."""
    return {"environment": environment_namespace(EnvironmentContext(name, account_id, inputs=inputs))}


def instance_namespaces(
    service: ServiceContext,
    name: str | None,
    inputs: Mapping[str, Any],
    environment: EnvironmentContext,
    component_outputs: Mapping[str, Any] | None = None,
    component_name: str | None = None,
) -> dict[str, Any]:
    """Namespaces of a service instance's file. `service_instance.components.default` and its `outputs`
    are always defined, empty when no component is attached (PROTON.md §2.1)."""
    default: dict[str, Any] = {"outputs": dict(component_outputs or {})}
    if component_name is not None:
        default["name"] = component_name
    env_ns = environment_namespace(environment)
    instance = {
        "name": name,
        "inputs": dict(inputs),
        "environment": env_ns,
        "components": {"default": default},
    }
    return {"environment": env_ns, "service": service_namespace(service), "service_instance": instance}


def pipeline_namespaces(
    service: ServiceContext, pipeline_inputs: Mapping[str, Any], instances: Sequence[InstanceContext]
) -> dict[str, Any]:
    """Namespaces of a service pipeline's file; `instances` carry the inputs to show (validated or not)."""
    listed = [
        {
            "name": i.name,
            "inputs": dict(i.inputs),
            "outputs": dict(i.outputs),
            "environment": environment_namespace(i.environment),
        }
        for i in instances
    ]
    return {
        "pipeline": {"inputs": dict(pipeline_inputs)},
        "service": service_namespace(service),
        "service_instances": listed,
    }


def component_namespaces(
    name: str,
    environment: EnvironmentContext,
    service: ServiceContext | None = None,
    instance: str | None = None,
    instance_inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Namespaces of a directly defined component; `service`/`service_instance` only while attached."""
    out: dict[str, Any] = {"component": {"name": name}, "environment": environment_namespace(environment)}
    if service is not None and instance is not None:
        out["service"] = service_namespace(service)
        out["service_instance"] = {"name": instance, "inputs": dict(instance_inputs or {})}
    return out
