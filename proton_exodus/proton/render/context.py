"""What Proton knew at render time: small frozen values the caller fills in (PROTON.md §2.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServiceContext:
    """The `service` namespace. Repository fields exist only for services with a pipeline."""

    name: str
    branch_name: str | None = None
    repository_id: str | None = None
    repository_connection_arn: str | None = None


@dataclass(frozen=True)
class EnvironmentContext:
    """The `environment` namespace seen by instances, pipelines and components."""

    name: str
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
