"""The Git sync export backstage builds on is made once per run: `run_export(..., siblings=)` shares each
exporter's result with the run's other exports (the demo and `exodus rehearse --target backstage` pass one
cache), and the shared result is the very export a fresh run writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exporters import ExportContext, ExportResult
from exporters.cfn_git_sync.exporter import CfnGitSyncExporter
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_backstage_and_cfn_git_sync_in_one_run_make_the_git_sync_export_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = load_snapshot(DEMO)
    fresh = tmp_path / "fresh"
    run_export("cfn-git-sync", snapshot, fresh)  # before counting: what a run of its own writes
    made: list[dict[str, str]] = []
    real = CfnGitSyncExporter.export

    def counting(self: CfnGitSyncExporter, ctx: ExportContext) -> ExportResult:
        made.append(dict(ctx.options))
        return real(self, ctx)

    monkeypatch.setattr(CfnGitSyncExporter, "export", counting)
    siblings: dict[tuple[Any, ...], ExportResult] = {}
    run_export("backstage", snapshot, tmp_path / "backstage", siblings=siblings)
    run_export("cfn-git-sync", snapshot, tmp_path / "git-sync", siblings=siblings)
    assert made == [{}]
    assert _files(tmp_path / "git-sync") == _files(fresh)
    # other options are another export: made again, never taken from the cache
    run_export(
        "cfn-git-sync",
        snapshot,
        tmp_path / "other",
        siblings=siblings,
        options={"secrets": "dynamic-reference"},
    )
    assert made == [{}, {"secrets": "dynamic-reference"}]
    # without a shared cache, each run makes its own
    run_export("backstage", snapshot, tmp_path / "alone")
    assert len(made) == 3
