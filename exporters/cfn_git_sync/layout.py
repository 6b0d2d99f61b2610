"""Where the `cfn-git-sync` export puts each stack's files: one Git sync deployment file per stack, and
per account and Region the sync role the stacks' sync configurations use. Read by the exporter and by
`exodus plan` (through `handover`), so runbooks name the files the export really holds."""

from __future__ import annotations

from exporters import Handover, StackRef

ROLE_STACK = "exodus-cfn-git-sync-role"  # stack name the runbooks deploy git-sync-role.yaml as


def deployment_path(account: str, region: str, stack_name: str) -> str:
    """The Git sync stack deployment file of one stack."""
    return f"deployments/{account}/{region}/{stack_name}.yaml"


def bootstrap_dir(account: str, region: str) -> str:
    """The folder of an account and Region's sync role, sync configurations and commands."""
    return f"bootstrap/{account}/{region}"


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The deployment file a sync configuration points at, or for an account the sync role template."""
    if ref.kind == "account":
        return (Handover(f"{bootstrap_dir(ref.account, ref.region)}/git-sync-role.yaml", ROLE_STACK),)
    if not ref.stack_name:
        return ()
    return (Handover(deployment_path(ref.account, ref.region, ref.stack_name), ref.stack_name, ref.stack_name),)
