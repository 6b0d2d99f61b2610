"""Where the `github-actions` export puts each stack: one workflow per environment (its environment
stack, components and instances) and per service (its pipeline stack), plus a service repository's
build workflow replacing a Proton service pipeline. Read by the exporter and by `exodus plan`."""

from __future__ import annotations

from exporters import Handover, StackRef
from exporters._pipelines import slug, stack_group
from exporters.github_actions.bootstrap import ROLES_STACK, bootstrap_path


def workflow_path(group: str) -> str:
    """The deploy workflow of a group."""
    return f".github/workflows/{slug(group.replace('/', '-'), 90)}.yml"


def service_ci_path(service: str) -> str:
    """The build workflow to commit to a service's own repository."""
    return f"service-repos/{slug(service)}/.github/workflows/pipeline.yml"


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The roles the workflows assume in the stack's account (bootstrap: applied by every wave that
    moves a stack there, as each wave's export trusts that wave's GitHub environments), the workflow
    that deploys `ref`'s stack (and for a service pipeline, the service repository's build workflow);
    an account needs no file of its own (its OIDC provider is a command)."""
    if ref.kind == "account" or not ref.stack_name:
        return ()
    path = workflow_path(stack_group(ref.kind, ref.name, ref.environment, ref.service))
    found = [
        Handover(bootstrap_path(ref.account), ROLES_STACK, role="bootstrap"),
        Handover(path, path.rsplit("/", 1)[-1], path.rsplit("/", 1)[-1]),
    ]
    if ref.kind == "service_pipeline" and ref.service:
        found.append(Handover(service_ci_path(ref.service), "pipeline.yml", "pipeline.yml", role="ci"))
    return tuple(found)
