"""Change sets as a deployer uses them in a rehearsal: create one, describe it, classify every change,
execute it, wait for the stack. Works against any boto3 CloudFormation client (the local cloud or a
real account); target-agnostic, so every target's deployer shares it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from proton_exodus.rehearse.model import Change

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
NO_CHANGES = ("didn't contain changes", "No updates are to be performed", "does not contain any changes")
DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
UPDATABLE = (*DONE, "UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE")


@dataclass
class ChangeSetRun:
    """What one change set did: its changes, whether it was executed, and the stack's final status."""

    changes: list[Change] = field(default_factory=list)
    executed: bool = False
    status: str = ""
    error: str = ""
    change_set_type: str = "UPDATE"


def stack_or_none(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except Exception as err:  # noqa: BLE001 - "does not exist" is a ValidationError
        if "does not exist" in str(err):
            return None
        raise
    return stacks[0] if stacks else None


def secret_placeholders(template: str) -> int:
    """How many secret placeholders (`{{exodus:secret:...}}`) a template would deploy as literal text."""
    from proton_exodus.model.secrets import PLACEHOLDER_RE

    return len(PLACEHOLDER_RE.findall(template))


def failure_reason(cfn: Any, stack_name: str, final: Mapping[str, Any]) -> str:
    """Why a stack failed: its status reason, else the newest failed event's reason."""
    if final.get("StackStatusReason"):
        return str(final["StackStatusReason"])
    try:
        events = cfn.describe_stack_events(StackName=final.get("StackId") or stack_name)["StackEvents"]
    except Exception:  # noqa: BLE001 - the reason is a courtesy
        return "no reason given"
    return next(
        (
            str(e["ResourceStatusReason"])
            for e in events
            if str(e.get("ResourceStatus", "")).endswith("_FAILED") and e.get("ResourceStatusReason")
        ),
        "no reason given",
    )


def resource_changes(described: Mapping[str, Any]) -> list[Change]:
    """The changes of a DescribeChangeSet answer, as `Change`s (sorted by logical id)."""
    found = []
    for item in described.get("Changes") or []:
        rc = item.get("ResourceChange") or {}
        props = sorted(
            {
                (d.get("Target") or {}).get("Name") or (d.get("Target") or {}).get("Attribute") or ""
                for d in rc.get("Details") or []
            }
            - {""}
        )
        found.append(
            Change(
                rc.get("Action", ""),
                rc.get("LogicalResourceId", ""),
                rc.get("ResourceType", ""),
                rc.get("Replacement", "") if rc.get("Action") == "Modify" else "",
                tuple(props),
            )
        )
    return sorted(found, key=lambda c: (c.logical_id, c.action))


def tag_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    """The stack-tag change an update makes, as one `Tags` change naming the tags added, changed or
    removed (CloudFormation propagates stack tags to every taggable resource; `aws:` tags are its own)."""
    keys = sorted(
        k for k in set(before) | set(after) if not k.startswith("aws:") and before.get(k) != after.get(k)
    )
    return [Change("Tags", "(stack)", "AWS::CloudFormation::Stack", "", tuple(keys))] if keys else []


def _wait(read: Callable[[], dict[str, Any]], key: str, poll: float, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = read()
        if not str(state.get(key, "")).endswith("_IN_PROGRESS") and state.get(key) != "CREATE_PENDING":
            return state
        if time.monotonic() > deadline:
            return state
        time.sleep(poll)


def run_change_set(
    cfn: Any,
    stack_name: str,
    template: str,
    parameters: Mapping[str, str],
    tags: Mapping[str, str],
    *,
    name: str,
    role_arn: str | None = None,
    execute: bool = True,
    poll: float = 0.05,
    timeout: float = 600.0,
) -> ChangeSetRun:
    """Create a change set on `stack_name` (CREATE when the stack does not exist), describe and classify
    it, then execute it unless it has no changes, and wait for the stack. Never raises."""
    run = ChangeSetRun()
    try:
        stack = stack_or_none(cfn, stack_name)
        if stack is not None and stack["StackStatus"] not in UPDATABLE:
            # CloudFormation's own ValidationError (moto would go ahead)
            run.status = stack["StackStatus"]
            run.error = f"Stack:{stack['StackId']} is in {run.status} state and can not be updated."
            return run
        run.change_set_type = "UPDATE" if stack else "CREATE"
        before_tags = {t["Key"]: t["Value"] for t in (stack or {}).get("Tags") or []}
        created = cfn.create_change_set(
            StackName=stack_name,
            ChangeSetName=name,
            ChangeSetType=run.change_set_type,
            TemplateBody=template,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
            Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            Capabilities=CAPABILITIES,
            **({"RoleARN": role_arn} if role_arn else {}),
        )
        described = _wait(
            lambda: cfn.describe_change_set(ChangeSetName=created["Id"], StackName=stack_name),
            "Status",
            poll,
            timeout,
        )
        if described.get("Status") == "FAILED":
            reason = described.get("StatusReason") or "change set failed"
            if stack is not None and any(text in reason for text in NO_CHANGES):
                run.changes = tag_changes(before_tags, tags)
                run.status = stack["StackStatus"]
                return run
            run.error = reason
            return run
        # A change set without resource changes (same resources after parameter resolution, a new
        # Parameters or Outputs section) still updates the stack's template when executed, as Git sync does.
        run.changes = resource_changes(described) + (tag_changes(before_tags, tags) if stack else [])
        if execute:
            cfn.execute_change_set(ChangeSetName=created["Id"], StackName=stack_name)
            run.executed = True
            final = _wait(
                lambda: stack_or_none(cfn, stack_name) or {"StackStatus": "DELETE_COMPLETE"},
                "StackStatus",
                poll,
                timeout,
            )
            run.status = final["StackStatus"]
            if run.status not in DONE:
                run.error = f"stack ended {run.status}: " + failure_reason(cfn, stack_name, final)
    except Exception as err:  # noqa: BLE001 - any CloudFormation (or emulator) failure fails the step
        run.error = str(err).splitlines()[0] if str(err) else type(err).__name__
    return run
