"""`exodus verify --change-set`: ask CloudFormation itself. Create an UPDATE change set per stack with the
exported template, parameters and tags, report `Replacement: True` and `Remove`, then delete it."""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any

from proton_exodus.errors import AwsError
from proton_exodus.model.units import DeploymentUnit

if TYPE_CHECKING:
    from proton_exodus.verify import StackDeployment

TEMPLATE_BODY_LIMIT = 51_200
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


def _client(unit: DeploymentUnit, session: Any, endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    session = session or boto3.session.Session()
    # Adaptive retries as every other exodus client (aws.build_client):
    # a throttled account must not fail verify.
    config = Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="proton-exodus")
    return session.client(
        "cloudformation", region_name=unit.region or None, endpoint_url=endpoint_url, config=config
    )


def _wait(client: Any, stack: str, name: str, timeout: float = 300.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        desc = client.describe_change_set(StackName=stack, ChangeSetName=name)
        if desc["Status"] in ("CREATE_COMPLETE", "FAILED") or time.monotonic() > deadline:
            return desc
        time.sleep(0.5)


def _changes(client: Any, stack: str, name: str, first: dict[str, Any]) -> list[dict[str, Any]]:
    changes, desc = list(first.get("Changes", [])), first
    while desc.get("NextToken"):
        desc = client.describe_change_set(StackName=stack, ChangeSetName=name, NextToken=desc["NextToken"])
        changes += desc.get("Changes", [])
    return [c["ResourceChange"] for c in changes if "ResourceChange" in c]


def check_change_set(
    unit: DeploymentUnit, dep: StackDeployment, *, session: Any = None, endpoint_url: str | None = None
) -> dict[str, Any]:
    """One stack's change-set verdict: {stack, changes, replacements, removals, error}."""
    from botocore.exceptions import BotoCoreError, ClientError

    stack = unit.stack_name or ""
    result: dict[str, Any] = {"stack": stack, "changes": [], "replacements": [], "removals": [], "error": ""}
    if len(dep.template.encode()) > TEMPLATE_BODY_LIMIT:
        result["error"] = f"template is over {TEMPLATE_BODY_LIMIT} bytes: upload it to S3 and check by hand"
        return result
    client = _client(unit, session, endpoint_url)
    name = "exodus-verify-" + hashlib.sha256(dep.template.encode()).hexdigest()[:12]
    try:
        client.create_change_set(
            StackName=stack,
            ChangeSetName=name,
            ChangeSetType="UPDATE",
            TemplateBody=dep.template,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(dep.parameters.items())],
            Tags=[{"Key": k, "Value": v} for k, v in sorted(dep.tags.items())],
            Capabilities=list(unit.capabilities)
            or ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        try:
            desc = _wait(client, stack, name)
            if desc["Status"] == "FAILED" and not any(m in desc.get("StatusReason", "") for m in _NO_CHANGES):
                result["error"] = f"change set failed: {desc.get('StatusReason', '')}"
            for rc in _changes(client, stack, name, desc):
                line = f"{rc.get('Action')} {rc.get('LogicalResourceId')} ({rc.get('ResourceType')})"
                result["changes"].append(line + f" replacement={rc.get('Replacement', 'False')}")
                if rc.get("Replacement") == "True":
                    result["replacements"].append(line + " Replacement: True")
                if rc.get("Action") == "Remove":
                    result["removals"].append(line)
        finally:
            client.delete_change_set(StackName=stack, ChangeSetName=name)
    except (ClientError, BotoCoreError) as err:
        raise AwsError(f"change set for stack {stack} in {unit.region}: {err}") from None
    return result
