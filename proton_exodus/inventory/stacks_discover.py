"""Find every CloudFormation stack Proton made in one account and Region, after Proton's API is gone.

ListStacks (every status whose stack still exists) finds the `AWSProton-` names; one paginated
DescribeStacks gives their tags, outputs and status; GetTemplate (TemplateStage Original) gives each
deployed template as text. A stack counts as Proton's when its name has Proton's prefix or it
carries `proton:*` tags (a stack created under another name but tagged by Proton).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from proton_exodus.aws import build_client
from proton_exodus.inventory.awserrors import describe
from proton_exodus.inventory.calls import jsonable
from proton_exodus.inventory.stacks import STACK_FIELDS, _keep_template_text
from proton_exodus.inventory.stats import CallStats
from proton_exodus.inventory.throttle import tune_adaptive_retries
from proton_exodus.settings import Settings

PREFIX = "AWSProton-"
TAG_KEYS = ("proton:account", "proton:template", "proton:environment", "proton:service",
            "proton:service-instance", "proton:component")
LIVE_STATUSES = (
    "CREATE_IN_PROGRESS", "CREATE_FAILED", "CREATE_COMPLETE", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_FAILED", "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_FAILED", "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS", "IMPORT_IN_PROGRESS", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED", "IMPORT_ROLLBACK_COMPLETE")


@dataclass(frozen=True)
class FoundStack:
    """One Proton-made stack: its DescribeStacks record (snapshot stack format) and template text."""

    record: dict[str, Any]
    template: str | None

    @property
    def tags(self) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self.record.get("Tags") or []}

    @property
    def outputs(self) -> dict[str, str]:
        return {o["OutputKey"]: str(o.get("OutputValue", "")) for o in self.record.get("Outputs") or []}


def is_proton_stack(stack: dict[str, Any]) -> bool:
    """Proton's name prefix (not its CodeBuild stacks' own) or any `proton:*` tag."""
    tags = {t.get("Key") for t in stack.get("Tags") or []}
    return bool(tags & set(TAG_KEYS)) or str(stack.get("StackName", "")).startswith(PREFIX)


def discover_stacks(settings: Settings, session: Any, account: str, region: str, stats: CallStats,
                    concurrency: int, warnings: list[str]) -> list[FoundStack]:
    """Every Proton-made stack of one account/Region with its deployed template; sorted by name."""
    cfn = stats.attach(tune_adaptive_retries(build_client(
        "cloudformation", settings, region=region, session=session, max_attempts=10, pool_size=concurrency)))
    _keep_template_text(cfn)
    listed = [s for page in cfn.get_paginator("list_stacks").paginate(StackStatusFilter=list(LIVE_STATUSES))
              for s in page.get("StackSummaries") or []]
    wanted = {s["StackName"] for s in listed if s["StackName"].startswith(PREFIX)}
    described = [s for page in cfn.get_paginator("describe_stacks").paginate() for s in page.get("Stacks") or []]
    stacks = {s["StackName"]: s for s in described if s["StackName"] in wanted or is_proton_stack(s)}
    for name in sorted(wanted - stacks.keys()):  # listed but not in the listing: ask by name
        try:
            stacks[name] = cfn.describe_stacks(StackName=name)["Stacks"][0]
        except Exception as err:  # noqa: BLE001 - a vanished stack is reported, the rest goes on
            warnings.append(f"stack {name} in {account}/{region} could not be described: {describe(err)}")
    read = _template_reader(cfn, account, region, warnings)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        found = list(pool.map(read, [stacks[n] for n in sorted(stacks)]))
    return found


def _template_reader(cfn: Any, account: str, region: str,
                     warnings: list[str]) -> Callable[[dict[str, Any]], FoundStack]:
    def read(stack: dict[str, Any]) -> FoundStack:
        record = {f: stack.get(f) for f in STACK_FIELDS if f in stack}
        record.update(account=account, region=region, reachable=True)
        try:
            body = cfn.get_template(StackName=stack.get("StackId") or stack["StackName"],
                                    TemplateStage="Original").get("TemplateBody")
        except Exception as err:  # noqa: BLE001 - kept as a stack without template
            warnings.append(f"template of stack {stack['StackName']} could not be read: {describe(err)}")
            body = None
        text = body if isinstance(body, str) else None
        record["templatePath"] = (f"stacks/{account}/{region}/{stack['StackName']}.template"
                                  if text is not None else None)
        return FoundStack(jsonable(record), text)

    return read
