"""Where the `codepipeline` export puts each stack: one pipeline template per environment (its
environment stack, components and instances) and per service (its pipeline stack), deploying the stack
templates under `stacks/<group>/`. Read by the exporter and by `exodus plan` (through `handover`)."""

from __future__ import annotations

from exporters import Handover, StackRef
from exporters._pipelines import slug, stack_group


def pipeline_path(group: str) -> str:
    """The pipeline template of a group."""
    return f"pipelines/{group}.yaml"


def pipeline_name(group: str) -> str:
    """The CodePipeline pipeline's name (its `Name` property)."""
    return "exodus-" + slug(group.split("/", 1)[1], 80)


def pipeline_stack(group: str) -> str:
    """The stack the runbooks deploy a group's pipeline template as (unique per group)."""
    return "exodus-pipeline-" + slug(group.replace("/", "-"), 100)


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The pipeline template that deploys `ref`'s stack; an account needs no file (only a connection)."""
    if ref.kind == "account" or not ref.stack_name:
        return ()
    group = stack_group(ref.kind, ref.name, ref.environment, ref.service)
    return (Handover(pipeline_path(group), pipeline_stack(group), pipeline_name(group)),)
