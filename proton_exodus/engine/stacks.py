"""CloudFormation stacks through change sets, the way Proton's service role allows (PROTON.md §3.1).

Works with any boto3 `cloudformation` client: moto in tests and `exodus local serve`, a real account
otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

CAPABILITIES = [
    "CAPABILITY_IAM",
    "CAPABILITY_NAMED_IAM",
    "CAPABILITY_AUTO_EXPAND",
]  # PROTON.md §3.1 [inferred]
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
_GONE_BEFORE_RETRY = ("ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "ROLLBACK_FAILED", "DELETE_FAILED")


@dataclass
class StackResult:
    """What a stack operation ended with; `message` carries CloudFormation's reason on failure."""

    ok: bool
    stack_id: str | None = None
    outputs: list[dict[str, str]] = field(default_factory=list)
    message: str | None = None


def deploy_stack(
    cfn: Any,
    name: str,
    template: str,
    tags: list[dict[str, str]],
    *,
    change_set: str,
    poll: float = 0.5,
    timeout: float = 3600,
    known_new: bool = False,
    role_arn: str | None = None,
) -> StackResult:
    """Create or update stack `name` with `template` through a change set; never raises.

    `known_new` skips the existence check for a stack this engine never created (one call fewer).
    `role_arn` is the CloudFormation service role Proton provisions with (the environment's Proton
    service role, the connection's role, the component role or the pipeline service role).
    """
    try:
        stack = None if known_new else _describe(cfn, name)
        if stack is not None and stack["StackStatus"] in _GONE_BEFORE_RETRY:
            _delete_and_wait(cfn, stack["StackId"], poll, timeout)  # a failed create leaves nothing to update
            stack = None
        created = cfn.create_change_set(
            StackName=name,
            TemplateBody=template,
            ChangeSetName=change_set,
            ChangeSetType="UPDATE" if stack else "CREATE",
            Capabilities=CAPABILITIES,
            Tags=tags,
            Description="AWS Proton deployment",
            **({"RoleARN": role_arn} if role_arn else {}),
        )
        status = _wait(
            lambda: cfn.describe_change_set(ChangeSetName=created["Id"], StackName=name),
            "Status",
            poll,
            timeout,
        )
        if status["Status"] == "FAILED":
            reason = status.get("StatusReason") or "change set failed"
            if stack is not None and any(text in reason for text in _NO_CHANGES):
                cfn.delete_change_set(ChangeSetName=created["Id"], StackName=name)
                return _result(cfn, name)
            return StackResult(False, created.get("StackId"), message=reason)
        cfn.execute_change_set(ChangeSetName=created["Id"], StackName=name)
        final = _wait(
            lambda: _describe(cfn, name) or {"StackStatus": "DELETE_COMPLETE"}, "StackStatus", poll, timeout
        )
        if final["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            return _result(cfn, name, final)
        return StackResult(False, created.get("StackId"), message=_failure_reason(cfn, name, final))
    except Exception as err:  # noqa: BLE001 - any CloudFormation (or emulator) failure fails the deployment
        return StackResult(False, message=_message(err))


def delete_stack(
    cfn: Any, name: str, *, poll: float = 0.5, timeout: float = 3600, stack_id: str | None = None
) -> StackResult:
    """Delete stack `name` (absent counts as deleted); never raises. With `stack_id`, no lookup first."""
    try:
        if stack_id is None:
            stack = _describe(cfn, name)
            if stack is None:
                return StackResult(True)
            stack_id = stack["StackId"]
        final = _delete_and_wait(cfn, stack_id, poll, timeout)
        if final == "DELETE_COMPLETE":
            return StackResult(True, stack_id)
        return StackResult(False, stack_id, message=_failure_reason(cfn, stack_id, {}))
    except Exception as err:  # noqa: BLE001
        return StackResult(False, message=_message(err))


def _delete_and_wait(cfn: Any, stack_id: str, poll: float, timeout: float) -> str:
    cfn.delete_stack(StackName=stack_id)
    final = _wait(
        lambda: _describe(cfn, stack_id) or {"StackStatus": "DELETE_COMPLETE"}, "StackStatus", poll, timeout
    )
    return final["StackStatus"]


def _describe(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except Exception as err:  # noqa: BLE001
        if "does not exist" in str(err):
            return None
        raise
    return stacks[0] if stacks and stacks[0]["StackStatus"] != "DELETE_COMPLETE" else None


def _wait(fetch: Any, member: str, poll: float, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        doc = fetch()
        status = doc.get(member, "")
        if not (status.endswith("_IN_PROGRESS") or status in ("CREATE_PENDING", "PENDING")) or (
            status == "REVIEW_IN_PROGRESS"
        ):
            return doc
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {member} (last {status})")
        time.sleep(poll)


def _result(cfn: Any, name: str, stack: dict[str, Any] | None = None) -> StackResult:
    stack = stack or _describe(cfn, name) or {}
    outputs = [
        {"key": o["OutputKey"], "valueString": str(o.get("OutputValue", ""))}
        for o in stack.get("Outputs") or []
    ]
    return StackResult(True, stack.get("StackId"), sorted(outputs, key=lambda o: o["key"]))


def _failure_reason(cfn: Any, name: str, final: dict[str, Any]) -> str:
    """The first resource failure CloudFormation reported, else the stack's status reason."""
    try:
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    except Exception:  # noqa: BLE001
        events = []
    for event in reversed(events):
        if event.get("ResourceStatus", "").endswith("_FAILED") and event.get("ResourceStatusReason"):
            return f"{event['LogicalResourceId']}: {event['ResourceStatusReason']}"
    return final.get("StackStatusReason") or f"stack ended in {final.get('StackStatus', 'an unknown state')}"


def _message(err: BaseException) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Message"):
        return response["Error"]["Message"]
    return f"{type(err).__name__}: {err}"
