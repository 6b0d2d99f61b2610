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
from proton_exodus.inventory.awserrors import (
    ACCESS_DENIED_CODES,
    describe,
    error_code,
    is_not_found,
    translate,
)
from proton_exodus.inventory.calls import jsonable
from proton_exodus.inventory.stacks import STACK_FIELDS, _keep_template_text
from proton_exodus.inventory.stats import CallStats
from proton_exodus.inventory.throttle import tune_adaptive_retries
from proton_exodus.settings import Settings

PREFIX = "AWSProton-"
TAG_KEYS = (
    "proton:account",
    "proton:template",
    "proton:environment",
    "proton:service",
    "proton:service-instance",
    "proton:component",
)
LIVE_STATUSES = (
    "CREATE_IN_PROGRESS",
    "CREATE_FAILED",
    "CREATE_COMPLETE",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE",
    "DELETE_IN_PROGRESS",
    "DELETE_FAILED",
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
)


@dataclass(frozen=True)
class FoundStack:
    """One Proton-made stack: its DescribeStacks record (snapshot stack format) and template text
    (None, with `template_error` saying why, when GetTemplate was refused)."""

    record: dict[str, Any]
    template: str | None
    template_error: str | None = None

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


def discover_stacks(
    settings: Settings,
    session: Any,
    account: str,
    region: str,
    stats: CallStats,
    concurrency: int,
    warnings: list[str],
) -> list[FoundStack]:
    """Every Proton-made stack of one account/Region with its deployed template; sorted by name.

    A stack that cannot be described (a broken stack, a denial on that stack) is returned unreadable
    (`reachable` false, `unreachableReason`) and the others are read. An account-wide failure
    (ListStacks, the network, every stack refused) raises the translated ExodusError.
    """
    cfn = stats.attach(
        tune_adaptive_retries(
            build_client(
                "cloudformation",
                settings,
                region=region,
                session=session,
                max_attempts=10,
                pool_size=concurrency,
            )
        )
    )
    _keep_template_text(cfn)
    from botocore.exceptions import BotoCoreError, ClientError

    operation = "ListStacks"
    try:
        listed = [
            s
            for page in cfn.get_paginator("list_stacks").paginate(StackStatusFilter=list(LIVE_STATUSES))
            for s in page.get("StackSummaries") or []
        ]
        operation = "DescribeStacks"
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            stacks, unreadable = _describe(cfn, pool, listed, f"{account}/{region}", warnings)
            read = _template_reader(cfn, account, region, warnings)
            found = list(pool.map(read, [stacks[n] for n in sorted(stacks)]))
    except (ClientError, BotoCoreError) as err:
        raise translate(
            err, service="cloudformation", operation=operation, region=region, account=account
        ) from err
    return sorted(
        found + [_unreadable(s, reason, account, region) for s, reason in unreadable],
        key=lambda f: f.record["StackName"],
    )


def _describe(
    cfn: Any, pool: ThreadPoolExecutor, listed: list[dict[str, Any]], where: str, warnings: list[str]
) -> tuple[dict[str, dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    """Proton's stacks by name, from one paginated DescribeStacks, and the listed Proton stacks that
    could not be described, with why. When the listing fails, each listed stack is described on its
    own, so a broken stack costs only itself; when every one is refused, the account is."""
    from botocore.exceptions import ClientError

    summaries = {s["StackName"]: s for s in listed}
    wanted = {n for n in summaries if n.startswith(PREFIX)}
    try:
        described = [
            s for page in cfn.get_paginator("describe_stacks").paginate() for s in page.get("Stacks") or []
        ]
        ask = sorted(wanted - {s["StackName"] for s in described})
    except ClientError as err:
        warnings.append(
            f"DescribeStacks of every stack in {where} failed ({describe(err)}); describing them one by one"
        )
        described, ask = [], sorted(summaries)
        answers = list(pool.map(lambda name: _describe_one(cfn, summaries[name]), ask))
        if ask and all(error_code(a) in ACCESS_DENIED_CODES for a in answers):
            raise err  # refused for every stack: the account is, not one stack
    else:
        answers = list(pool.map(lambda name: _describe_one(cfn, summaries[name]), ask))
    described += [a for a in answers if isinstance(a, dict)]
    stacks = {s["StackName"]: s for s in described if s["StackName"] in wanted or is_proton_stack(s)}
    unreadable = []
    for name, err in zip(ask, answers, strict=True):
        if isinstance(err, dict):
            continue
        if is_not_found(err) or name not in wanted:  # gone since listed; or only its tags would tell
            warnings.append(f"stack {name} in {where} could not be described: {describe(err)}")
            continue
        reason = f"DescribeStacks failed: {describe(err)}"
        warnings.append(f"stack {name} in {where} is unreadable: {reason}")
        unreadable.append((summaries[name], reason))
    return stacks, unreadable


def _describe_one(cfn: Any, summary: dict[str, Any]) -> dict[str, Any] | Exception:
    """One stack's DescribeStacks answer, or the ClientError refusing it (other errors raise)."""
    from botocore.exceptions import ClientError

    try:
        return cfn.describe_stacks(StackName=summary.get("StackId") or summary["StackName"])["Stacks"][0]
    except ClientError as err:
        return err


def _unreadable(summary: dict[str, Any], reason: str, account: str, region: str) -> FoundStack:
    """A listed stack that could not be described: what ListStacks said, and why."""
    record = {f: summary[f] for f in ("StackName", "StackId", "StackStatus", "CreationTime") if f in summary}
    record.update(
        account=account, region=region, reachable=False, unreachableReason=reason, templatePath=None
    )
    return FoundStack(jsonable(record), None)


def _template_reader(
    cfn: Any, account: str, region: str, warnings: list[str]
) -> Callable[[dict[str, Any]], FoundStack]:
    def read(stack: dict[str, Any]) -> FoundStack:
        record = {f: stack.get(f) for f in STACK_FIELDS if f in stack}
        record.update(account=account, region=region, reachable=True)
        error = None
        try:
            body = cfn.get_template(
                StackName=stack.get("StackId") or stack["StackName"], TemplateStage="Original"
            ).get("TemplateBody")
        except Exception as err:  # noqa: BLE001 - kept as a stack without template
            error = describe(err)
            warnings.append(f"template of stack {stack['StackName']} could not be read: {error}")
            body = None
        text = body if isinstance(body, str) else None
        record["templatePath"] = (
            f"stacks/{account}/{region}/{stack['StackName']}.template" if text is not None else None
        )
        return FoundStack(jsonable(record), text, error)

    return read
