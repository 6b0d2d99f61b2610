"""The crawl's speed-ups keep its results: task priority, early stack reads, cached spec redaction."""

from __future__ import annotations

import threading
from typing import Any

from proton_exodus.inventory.runner import FIRST, TaskRunner
from proton_exodus.inventory.stackflow import StackFollower
from proton_exodus.inventory.stacks import BULK_MIN, StackRef
from proton_exodus.model import secrets

ACCOUNT = "123456789012"


def test_first_priority_tasks_overtake_queued_ones() -> None:
    order: list[str] = []
    gate = threading.Event()
    with TaskRunner(1) as runner:
        runner.spawn(gate.wait)  # occupies the only worker while the others queue
        for name in ("a", "b"):
            runner.spawn(order.append, name)
        runner.spawn(order.append, "urgent", priority=FIRST)
        gate.set()
        runner.wait()
    assert order == ["urgent", "a", "b"]


class FakeReader:
    """Records what the follower asks of a StackReader."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.prefetched: list[tuple[str, str, str | None]] = []
        self.read_refs: list[StackRef] = []
        self.listed_before_read: list[bool] = []

    def prefetch(self, refs: list[StackRef]) -> None:
        with self.lock:
            self.prefetched.append((refs[0].account, refs[0].region, refs[0].role_arn))

    def read(self, ref: StackRef) -> tuple[dict[str, Any], str | None]:
        with self.lock:
            self.read_refs.append(ref)
            self.listed_before_read.append(bool(self.prefetched))
        return {"StackName": ref.name, "templatePath": f"stacks/{ref.name}.template"}, f"body of {ref.name}"


def _arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:cloudformation:us-east-1:{account}:stack/{name}/0000"


def _ref(name: str, resource: str, kind: str = "environment") -> StackRef:
    return StackRef(name, ACCOUNT, "us-east-1", None, resource, kind)


def test_stacks_named_by_arn_are_read_early_once_listed_and_the_rest_at_the_end() -> None:
    reader = FakeReader()
    with TaskRunner(4) as runner:
        follower = StackFollower(reader, runner, ACCOUNT, "us-east-1", in_flight=2)  # type: ignore[arg-type]
        for i in range(BULK_MIN + 2):
            follower.on_resources(
                "environments",
                f"arn:env/{i}",
                [{"identifier": _arn(f"env-{i}"), "provisioningEngine": "CLOUDFORMATION"}],
            )
        follower.on_resources("components", "arn:comp/x", [{"identifier": "plain-name"}])
        follower.on_resources("components", "arn:comp/y", [{"identifier": _arn("other", "210987654321")}])
        runner.wait()
        assert reader.prefetched == [(ACCOUNT, "us-east-1", None)]  # one listing for the group
        assert len(reader.read_refs) == BULK_MIN + 2  # the ARN-named stacks in the account, no others
        assert all(reader.listed_before_read)  # reads waited for the group's DescribeStacks listing
        refs = [_ref(f"env-{i}", f"arn:env/{i}") for i in range(BULK_MIN + 2)]
        refs += [_ref("plain-name", "arn:comp/x", "component"), _ref("env-0", "arn:env/0")]  # a duplicate
        stacks, templates = follower.finish(reader, refs)  # type: ignore[arg-type]
    assert len(reader.read_refs) == BULK_MIN + 3  # only plain-name was left for the end
    assert [s["StackName"] for s in stacks] == sorted(s["StackName"] for s in stacks)
    assert templates["stacks/plain-name.template"] == "body of plain-name"
    assert len(stacks) == BULK_MIN + 3


def test_a_small_group_is_not_listed_early_and_is_read_at_the_end() -> None:
    reader = FakeReader()
    with TaskRunner(2) as runner:
        follower = StackFollower(reader, runner, ACCOUNT, "us-east-1")  # type: ignore[arg-type]
        follower.on_resources("environments", "arn:env/1", [{"identifier": _arn("env-1")}])
        runner.wait()
        assert reader.read_refs == [] and reader.prefetched == []
        stacks, _ = follower.finish(reader, [_ref("env-1", "arn:env/1")])  # type: ignore[arg-type]
    assert [s["StackName"] for s in stacks] == ["env-1"] and reader.prefetched == []


SPEC = """proton: ServiceSpec
pipeline:
  token: abc123456789
instances:
  - name: a
    spec:
      db_password: 'hunter2222'   # a comment stays
      port: 8080
"""


def test_cached_redaction_equals_a_fresh_one_for_every_scope() -> None:
    for scope in ("services/a/spec", "deployments/d1/initialState/service/spec"):
        fresh = secrets._redact(SPEC, lambda path, scope=scope: secrets._secret_id(scope, path))
        assert secrets.redact_spec(SPEC, scope) == fresh
        assert secrets.redact_spec(SPEC, scope) == fresh  # from the cache
    text, found = secrets.redact_spec(SPEC, "services/a/spec")
    assert sorted(found.values()) == ["abc123456789", "hunter2222"] and "# a comment stays" in text


def test_the_adaptive_send_rate_never_falls_below_what_the_server_admitted() -> None:
    """botocore's limiter, measuring 0 in its first half second, would drop to 0.5 request/s."""
    from botocore.retries.bucket import Clock, TokenBucket

    from proton_exodus.inventory.throttle import _NoiseFilter

    class Limiter:  # the parts of botocore's ClientRateLimiter the filter touches
        def __init__(self) -> None:
            self._token_bucket = TokenBucket(max_rate=1000, clock=Clock())
            self._lock = threading.Lock()
            self._enabled = False

        def on_receiving_response(self, throttled: bool) -> None:
            if throttled:
                self._enabled = True
            self._token_bucket.max_rate = 0.5  # min(new rate, 2 x a measured rate of 0)

    limiter = Limiter()
    filt = _NoiseFilter(limiter.on_receiving_response, lambda throttled: throttled, limiter)
    for _ in range(30):
        filt.on_receiving_response(throttled=False)  # 30 admitted within the last second
    assert limiter._token_bucket.max_rate == 0.5  # not enabled yet: botocore's own behaviour
    for _ in range(40):
        filt.on_receiving_response(throttled=True)  # throttles become the majority: forwarded
    assert limiter._enabled and limiter._token_bucket.max_rate == 30.0


def test_pages_are_followed_by_token_as_botocore_would() -> None:
    import boto3
    import pytest
    from botocore.exceptions import PaginationError

    from proton_exodus.inventory.calls import Caller, _simple_tokens
    from proton_exodus.inventory.journal import Journal

    proton = boto3.client("proton", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    assert _simple_tokens(proton.get_paginator("list_services")) == ("nextToken", "nextToken", "maxResults")

    class Pages:
        def __init__(self, tokens: list[str]) -> None:
            self.tokens, self.seen = tokens, []

        def list_services(self, **kwargs: Any) -> dict[str, Any]:
            self.seen.append(kwargs)
            index = len(self.seen) - 1
            return {"services": [{"name": f"s{index}"}], "nextToken": self.tokens[index]}

    caller = Caller(proton, Journal.__new__(Journal), label="t", service="proton", region="us-east-1")
    pages = Pages(["a", "b", ""])
    caller.client = pages
    items = caller._follow_tokens(
        "ListServices", "services", {}, ("nextToken", "nextToken", "maxResults"), {"PageSize": 100}
    )
    assert [i["name"] for i in items] == ["s0", "s1", "s2"]
    assert pages.seen == [
        {"maxResults": 100},
        {"maxResults": 100, "nextToken": "a"},
        {"maxResults": 100, "nextToken": "b"},
    ]
    caller.client = Pages(["a", "a"])
    with pytest.raises(PaginationError):
        caller._follow_tokens("ListServices", "services", {}, ("nextToken", "nextToken", None), {})
