"""Follow provisioned resources to their CloudFormation stacks: DescribeStacks and GetTemplate
(TemplateStage Original), in the account the stack lives in. Another account is reached through
the environment account connection's role (STS AssumeRole); whatever cannot be reached is recorded
as unreachable with the reason, and the crawl goes on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from proton_exodus.aws import build_client
from proton_exodus.inventory.awserrors import describe
from proton_exodus.inventory.calls import Caller, jsonable
from proton_exodus.inventory.journal import Journal
from proton_exodus.inventory.stats import CallStats
from proton_exodus.inventory.throttle import tune_adaptive_retries
from proton_exodus.settings import Settings

BULK_MIN = 10  # stacks in one account/Region from which one listing beats one call per stack
STACK_FIELDS = (
    "StackName",
    "StackId",
    "StackStatus",
    "StackStatusReason",
    "Parameters",
    "Outputs",
    "Tags",
    "Capabilities",
    "RoleARN",
    "CreationTime",
    "LastUpdatedTime",
    "Description",
)


@dataclass(frozen=True)
class StackRef:
    """Where one stack behind a Proton resource lives, and how to reach it."""

    name: str
    account: str
    region: str
    role_arn: str | None  # None: the crawling identity's own account
    resource_arn: str
    resource_kind: str  # singular kind name: environment, service_instance, service_pipeline, component


def parse_stack_identifier(identifier: str) -> tuple[str | None, str | None, str]:
    """(account, region, name) from a stack ARN, or (None, None, identifier) from a plain name."""
    parts = identifier.split(":")
    if identifier.startswith("arn:") and len(parts) >= 6 and parts[2] == "cloudformation":
        resource = ":".join(parts[5:])
        name = resource.split("/")[1] if resource.startswith("stack/") and "/" in resource else resource
        return parts[4] or None, parts[3] or None, name
    return None, None, identifier


class StackReader:
    """Reads stacks through cached per-(account, Region, role) CloudFormation callers."""

    def __init__(
        self, settings: Settings, session: Any, stats: CallStats, journal: Journal, home_account: str
    ) -> None:
        self.settings = settings
        self.session = session
        self.stats = stats
        self.journal = journal
        self.home_account = home_account
        self._lock = threading.Lock()
        self._callers: dict[tuple[str, str, str | None], Caller | str] = {}
        self._circuit: dict[tuple[str, str, str | None], str] = {}
        self._listed: dict[tuple[str, str, str | None], dict[str, dict[str, Any]]] = {}

    def prefetch(self, refs: list[StackRef]) -> None:
        """One paginated DescribeStacks for a group of at least BULK_MIN stacks in one account/Region.

        Cheaper than one DescribeStacks per stack when Proton's stacks are a fair share of the
        account's; stacks the listing lacks are still described one by one.
        """
        key = (refs[0].account, refs[0].region, refs[0].role_arn)
        caller = self._caller(refs[0])
        if isinstance(caller, str) or key in self._circuit:
            return
        try:
            stacks = caller.list_all("DescribeStacks", "Stacks") or []
        except Exception:  # noqa: BLE001 - fall back to one call per stack
            return
        index = {s["StackName"]: s for s in stacks} | {s["StackId"]: s for s in stacks if s.get("StackId")}
        with self._lock:
            self._listed[key] = index

    def _caller(self, ref: StackRef) -> Caller | str:
        """A CloudFormation caller for the stack's account, or the reason there is none."""
        key = (ref.account, ref.region, ref.role_arn)
        with self._lock:
            if key not in self._callers:
                self._callers[key] = self._build(ref)
            return self._callers[key]

    def _build(self, ref: StackRef) -> Caller | str:
        session = self.session
        if ref.account != self.home_account:
            if not ref.role_arn:
                return (
                    f"stack is in account {ref.account}; no environment account connection role to reach it"
                )
            try:
                session = self._assume(ref.role_arn, ref.region)
            except Exception as err:  # noqa: BLE001 - recorded, the crawl goes on
                return f"cannot assume {ref.role_arn}: {describe(err)}"
        client = tune_adaptive_retries(
            build_client(
                "cloudformation",
                self.settings,
                region=ref.region,
                session=session,
                max_attempts=6,
                pool_size=32,
            )
        )
        self.stats.attach(client)
        _keep_template_text(client)
        label = f"cfn/{ref.account}/{ref.region}/{ref.role_arn or '-'}"
        return Caller(
            client,
            self.journal,
            label=label,
            service="cloudformation",
            region=ref.region,
            account=ref.account,
        )

    def _assume(self, role_arn: str, region: str) -> Any:
        import boto3

        sts = build_client("sts", self.settings, region=region, session=self.session, max_attempts=4)
        self.stats.attach(sts)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="proton-exodus-inventory")["Credentials"]
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )

    def read(self, ref: StackRef) -> tuple[dict[str, Any], str | None]:
        """The stack record (format: docs/snapshot-format.md) and its template text, if readable."""
        caller = self._caller(ref)
        base = {
            "account": ref.account,
            "region": ref.region,
            "resourceArn": ref.resource_arn,
            "resourceKind": ref.resource_kind,
            "StackName": ref.name,
        }
        if isinstance(caller, str):
            return {**base, "reachable": False, "unreachableReason": caller, "templatePath": None}, None
        circuit_key = (ref.account, ref.region, ref.role_arn)
        if circuit_key in self._circuit:
            return {
                **base,
                "reachable": False,
                "unreachableReason": self._circuit[circuit_key],
                "templatePath": None,
            }, None
        try:
            listed = self._listed.get(circuit_key, {}).get(ref.name)
            described = {"Stacks": [listed]} if listed else caller.call("DescribeStacks", StackName=ref.name)
            template = caller.call("GetTemplate", StackName=ref.name, TemplateStage="Original")
        except Exception as err:  # noqa: BLE001 - unreachable stacks are data, not failures
            reason = describe(getattr(err, "__cause__", None) or err)
            if _is_connection_failure(err):
                with self._lock:
                    self._circuit[circuit_key] = reason
            return {**base, "reachable": False, "unreachableReason": reason, "templatePath": None}, None
        stack = (described.get("Stacks") or [{}])[0]
        record = {**base, **{f: stack.get(f) for f in STACK_FIELDS if f in stack}, "reachable": True}
        body = template.get("TemplateBody")
        text = body if isinstance(body, str) else None
        record["templatePath"] = (
            f"stacks/{ref.account}/{ref.region}/{record['StackName']}.template" if text is not None else None
        )
        return jsonable(record), text


def _is_connection_failure(err: BaseException) -> bool:
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    cause = getattr(err, "__cause__", None) or err
    return isinstance(cause, EndpointConnectionError | ConnectTimeoutError)


def _keep_template_text(client: Any) -> None:
    """botocore decodes JSON template bodies into dicts; the snapshot keeps the text as deployed."""
    from botocore.handlers import json_decode_template_body

    client.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
