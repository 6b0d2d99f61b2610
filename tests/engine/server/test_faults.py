"""Fault knobs: AWS-style throttling that real retry modes absorb, seeded random throttles, latency."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from proton_exodus.engine.errors import ThrottlingException
from proton_exodus.engine.faults import FaultConfig, FaultInjector, TokenBucket
from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.errors import BadInput
from tests.engine.server.conftest import make_client
from tests.engine.server.fakes import FakeBackend


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_burst_then_refills_at_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5  # one token back at 2/s
    assert [bucket.take(), bucket.take()] == [True, False]
    clock.now = 100.0  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3


def test_random_throttling_is_reproducible_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = FaultInjector(FaultConfig(throttle_rate=0.3, seed_random=seed))
        out = []
        for _ in range(50):
            try:
                faults.before_request("1", "r")
                out.append(True)
            except ThrottlingException as err:
                assert (err.code, err.message, err.http_status) == (
                    "ThrottlingException",
                    "Rate exceeded",
                    400,
                )
                out.append(False)
        return out

    assert pattern(7) == pattern(7) and pattern(7) != pattern(8)
    assert 5 < pattern(7).count(False) < 30


def test_latency_is_slept_per_request() -> None:
    slept: list[float] = []
    FaultInjector(FaultConfig(latency_ms=25), sleep=slept.append).before_request("1", "r")
    assert slept == [0.025]


@pytest.mark.parametrize(
    "kwargs",
    [{"rate_limit": 0}, {"burst": 0}, {"throttle_rate": 1.0}, {"page_size": 101}, {"latency_ms": -1}],
)
def test_bad_knobs_are_bad_input(kwargs: dict) -> None:
    with pytest.raises(BadInput):
        FaultConfig(**kwargs)


def test_rate_limited_server_still_gives_correct_results_with_adaptive_retries() -> None:
    config = FaultConfig(
        rate_limit=100, burst=3, throttle_rate=0.15, seed_random=3, latency_ms=2, page_size=2
    )
    with LocalProtonServer(port=0, faults=config, backend_factory=FakeBackend) as server:
        plain = make_client(server.url)
        with pytest.raises(ClientError) as exc:  # without retries the caller sees AWS's throttling error
            for _ in range(10):
                plain.list_environments()
        assert exc.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        adaptive = make_client(server.url, retries={"mode": "adaptive", "max_attempts": 20})
        refused_before = server.faults.throttled
        started = time.monotonic()
        for name in "abcdefgh":
            adaptive.create_environment_template(name=name)
        names = [
            t["name"]
            for page in adaptive.get_paginator("list_environment_templates").paginate()
            for t in page["templates"]
        ]
        envs = [
            e["name"]
            for page in adaptive.get_paginator("list_environments").paginate()
            for e in page["environments"]
        ]
        assert names == list("abcdefgh") and envs == [f"env{i:02d}" for i in range(7)]
        assert server.faults.throttled > refused_before and time.monotonic() - started < 30
