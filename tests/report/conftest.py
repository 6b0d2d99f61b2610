"""Shared inputs for the report tests: a synthetic estate with faults, written to disk with a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proton_exodus.model.snapshot import Snapshot, write_snapshot
from proton_exodus.plan import plan_snapshot, write_plan
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

HOSTILE = "<script>alert(1)</script>"
FAULTY = SyntheticSize(components=2, account_connections=1, repositories=True, faults=True)


def _rename(value: Any, old: str, new: str) -> Any:
    """Every exact string `old` (a name or a reference to it) becomes `new`."""
    if isinstance(value, dict):
        return {k: _rename(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    return new if value == old else value


def hostile_snapshot() -> Snapshot:
    """The faulty synthetic estate with environment dev-000 renamed to an HTML/script injection."""
    snap = build_synthetic_snapshot(FAULTY)
    snap.records = {k: _rename(v, "dev-000", HOSTILE) for k, v in snap.records.items()}
    return snap


@pytest.fixture(scope="session")
def estate_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(snapshot dir, plan dir) of the faulty synthetic estate."""
    root = tmp_path_factory.mktemp("report-estate")
    snap = build_synthetic_snapshot(FAULTY)
    write_snapshot(snap, root / "snapshot")
    plan, graph = plan_snapshot(snap)
    write_plan(plan, graph, root / "plan")
    return root / "snapshot", root / "plan"
