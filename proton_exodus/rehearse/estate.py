"""Rebuild an estate in the local cloud from its snapshot: every stack in its account and Region, with its
deployed template, parameters, tags and service role, created through CloudFormation. Proton stays
retired: nothing here calls it. A stack the local cloud cannot create is reported, never hidden."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from proton_exodus.model.secrets import PLACEHOLDER_RE
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.rehearse.changeset import DONE, run_change_set
from proton_exodus.rehearse.model import FAILED, OK, SKIPPED, CloudFormationFactory, Step


def stack_order(stack: dict[str, Any]) -> tuple[str, str, str, str]:
    # Environments first: instances' templates may import their outputs.
    kinds = {"environment": "0", "service_pipeline": "2", "service_instance": "1", "component": "3"}
    return (
        kinds.get(stack.get("resourceKind", ""), "4"),
        stack.get("account", ""),
        stack.get("region", ""),
        stack.get("StackName", ""),
    )


def reproduce(
    snapshot: Snapshot, cloudformation: CloudFormationFactory, *, poll: float = 0.05, timeout: float = 600.0
) -> Iterator[Step]:
    """Create every stack of `snapshot` that was deployed (one Step each, wave 0)."""
    for stack in sorted(snapshot.stacks, key=stack_order):
        name, account, region = stack.get("StackName", ""), stack.get("account", ""), stack.get("region", "")
        step = Step(
            0,
            "reproduce",
            name,
            account,
            region,
            command=f"aws cloudformation create-stack --stack-name {name} (account {account}, {region})",
        )
        status = stack.get("StackStatus", "")
        template = snapshot.stack_template(stack)
        if template is None:
            step.outcome, step.message = SKIPPED, "the snapshot holds no deployed template for this stack"
            yield step
            continue
        # ParameterValue as given (an SSM parameter type keeps its name; CloudFormation resolves it).
        params = {
            p["ParameterKey"]: p.get("ParameterValue", "")
            for p in stack.get("Parameters") or []
            if "ParameterKey" in p
        }
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags") or [] if not t["Key"].startswith("aws:")}
        run = run_change_set(
            cloudformation(account, region),
            name,
            template,
            params,
            tags,
            name="exodus-reproduce",
            role_arn=stack.get("RoleARN") or None,
            poll=poll,
            timeout=timeout,
        )
        step.status = run.status
        if run.status == status and status not in DONE:
            step.outcome = OK  # a stack whose create failed fails here too, as recorded
            step.message = f"recorded as {status} and reproduced as such ({run.error})"
        elif run.error or run.status not in DONE:
            step.outcome = FAILED
            step.message = "the local cloud cannot create it: " + (run.error or run.status)
        else:
            step.outcome = OK
            if status not in DONE:  # e.g. UPDATE_ROLLBACK_COMPLETE: a rebuild cannot replay its history
                step.message = f"recorded as {status}: the template is reproduced, not the status"
            if PLACEHOLDER_RE.search(template):
                step.message = (step.message + "; " if step.message else "") + (
                    "the snapshot has no secrets.json: secret values are stand-in placeholder text"
                )
        yield step
