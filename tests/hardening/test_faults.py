"""Faults: a crawl of the local Proton under throttling, 5xx answers, connection resets and stalls longer
than the client's read timeout gives exactly the snapshot of a fault-free crawl; `verify --change-set`
completes under throttling of CloudFormation and leaves no change set behind."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from proton_exodus.engine.faults import FaultConfig, FaultInjector
from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.export import run_export
from proton_exodus.inventory import crawl_estate
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.verify import verify_export
from tests.hardening.estate import settings_for, short_read_timeout, snapshot_tree

FAULTS = {
    "throttling": FaultConfig(throttle_rate=0.2, seed_random=1, all_services=True),
    "5xx": FaultConfig(error_rate=0.15, seed_random=2, all_services=True),
    "resets": FaultConfig(reset_rate=0.1, seed_random=3, all_services=True),
    "timeouts": FaultConfig(timeout_rate=0.06, timeout_ms=900, seed_random=4, all_services=True),
    "everything": FaultConfig(
        throttle_rate=0.1,
        error_rate=0.06,
        reset_rate=0.04,
        timeout_rate=0.02,
        timeout_ms=900,
        latency_ms=1,
        seed_random=5,
        all_services=True,
    ),
}


def _faulty(srv: LocalProtonServer, config: FaultConfig) -> FaultInjector:
    srv.faults = FaultInjector(config)
    return srv.faults


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_crawl_under_faults_equals_the_fault_free_crawl(
    estate: Any, fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, clean = estate
    saved = srv.faults
    injector = _faulty(srv, FAULTS[fault])
    try:
        with short_read_timeout(monkeypatch, 0.4):
            crawl_estate(settings_for(srv.url), tmp_path / "snap", concurrency=4)
    finally:
        srv.faults = saved
    survived = injector.throttled + injector.errors + injector.resets + injector.stalls
    assert survived > 0, "no fault was injected"
    print(
        f"{fault}: survived {survived} faults (throttled {injector.throttled}, 5xx {injector.errors}, "
        f"resets {injector.resets}, stalls {injector.stalls})"
    )
    got, want = snapshot_tree(tmp_path / "snap"), snapshot_tree(clean)
    assert sorted(got) == sorted(want)
    assert [k for k in want if got[k] != want[k]] == []


def test_verify_change_set_completes_under_throttling(estate: Any, tmp_path: Path) -> None:
    srv, clean = estate
    snapshot = load_snapshot(clean)
    run_export("cfn-git-sync", snapshot, tmp_path / "export")
    saved = srv.faults
    injector = _faulty(srv, FaultConfig(throttle_rate=0.1, error_rate=0.03, seed_random=9, all_services=True))
    start = time.monotonic()
    try:
        report = verify_export(snapshot, tmp_path / "export", change_set=True, endpoint_url=srv.url)
    finally:
        srv.faults = saved
    print(
        f"verify --change-set: {report.stacks} stacks in {time.monotonic() - start:.1f}s, survived "
        f"{injector.throttled} throttles and {injector.errors} 5xx"
    )
    assert injector.throttled > 0
    assert report.stacks > 0 and len(report.change_sets) == report.stacks
    cfn = boto3.client("cloudformation", endpoint_url=srv.url, region_name="us-east-1")
    for stack in cfn.describe_stacks()["Stacks"]:
        left = cfn.list_change_sets(StackName=stack["StackName"])["Summaries"]
        assert [c["ChangeSetName"] for c in left if c["ChangeSetName"].startswith("exodus-verify-")] == []
