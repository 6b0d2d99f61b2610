"""Change sets as a deployer uses them in a rehearsal: create one, describe it, classify every change,
execute it, wait for the stack. Works against any boto3 CloudFormation client (the local cloud or a
real account); target-agnostic, so every target's deployer shares it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from proton_exodus.rehearse.model import FAILED, NO_OP, OK, Change, Step

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
    change_set_id: str = ""  # set once created and described, for a deployer that executes it later


_NAMED_IAM = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}


def missing_capabilities(template: str, capabilities: Sequence[str]) -> list[str]:
    """The capabilities CloudFormation would demand that `capabilities` does not acknowledge: IAM
    resources need CAPABILITY_IAM, custom names CAPABILITY_NAMED_IAM, a Transform CAPABILITY_AUTO_EXPAND.
    A template that does not parse demands nothing here (the change set reports it)."""
    from proton_exodus.cfn.text import parse_template

    try:
        tree = parse_template(template)
    except Exception:  # noqa: BLE001 - CloudFormation reports a bad template itself
        return []
    if not isinstance(tree, Mapping):
        return []
    need: set[str] = set()
    for res in (tree.get("Resources") or {}).values():
        rtype = str((res or {}).get("Type", "")) if isinstance(res, Mapping) else ""
        if rtype.startswith("AWS::IAM::"):
            need.add("CAPABILITY_IAM")
            name = _NAMED_IAM.get(rtype)
            if name and name in ((res.get("Properties") or {}) if isinstance(res, Mapping) else {}):
                need.add("CAPABILITY_NAMED_IAM")
    if tree.get("Transform"):
        need.add("CAPABILITY_AUTO_EXPAND")
    have = set(capabilities)
    if "CAPABILITY_NAMED_IAM" in have:
        have.add("CAPABILITY_IAM")
    return sorted(need - have)


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
    capabilities: Sequence[str] = CAPABILITIES,
    poll: float = 0.05,
    timeout: float = 600.0,
) -> ChangeSetRun:
    """Create a change set on `stack_name` (CREATE when the stack does not exist), describe and classify
    it, then execute it unless it has no changes (or `execute` is False: a deployer that reviews or
    approves first calls `execute_change_set` itself), and wait for the stack. Never raises."""
    run = ChangeSetRun()
    missing = missing_capabilities(template, capabilities)
    if missing:  # CloudFormation's InsufficientCapabilitiesException (moto does not check)
        run.error = (
            f"Requires capabilities : [{', '.join(missing)}] (the deployer acknowledges only "
            + (", ".join(capabilities) or "none")
            + ")"
        )
        return run
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
            Capabilities=list(capabilities),
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
        run.change_set_id = created["Id"]
        if execute:
            execute_change_set(cfn, stack_name, run, poll=poll, timeout=timeout)
    except Exception as err:  # noqa: BLE001 - any CloudFormation (or emulator) failure fails the step
        run.error = str(err).splitlines()[0] if str(err) else type(err).__name__
    return run


def execute_change_set(
    cfn: Any, stack_name: str, run: ChangeSetRun, *, poll: float = 0.05, timeout: float = 600.0
) -> ChangeSetRun:
    """Execute the change set `run` created and described (nothing when it had no changes, as every
    deployer skips an empty change set), wait for the stack, and record its final status. Never raises."""
    if run.error or not run.change_set_id or run.executed:
        return run
    try:
        cfn.execute_change_set(ChangeSetName=run.change_set_id, StackName=stack_name)
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


def judge(step: Step, run: ChangeSetRun, template: str, template_path: str) -> Step:
    """A deploy step's outcome from its change set, the same for every target: failed when CloudFormation
    failed or the template would deploy secret placeholder text, a no-op without changes, else ok."""
    step.changes, step.status = run.changes, run.status or step.status
    placeholders = secret_placeholders(template)
    if run.error or (run.executed and run.status not in DONE):
        step.outcome, step.message = FAILED, _join(step.message, run.error or run.status)
    elif placeholders:
        step.outcome = FAILED
        step.message = _join(
            step.message,
            f"{template_path} carries {placeholders} secret placeholder(s): the deploy wrote the "
            "placeholder text as the value",
        )
    else:
        step.outcome = OK if run.changes else NO_OP
    return step


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
