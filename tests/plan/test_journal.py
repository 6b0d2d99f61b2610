"""The wave journal: states, ordering rules, atomic JSON, and the `exodus wave` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from proton_exodus.errors import BadInput, ConflictError, ExitCode
from proton_exodus.plan import (
    plan_snapshot,
    wave_complete,
    wave_rollback,
    wave_start,
    wave_status,
    write_plan,
)
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

NOW = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    plan, graph = plan_snapshot(build_synthetic_snapshot(SyntheticSize(3, 4, 2, True)), max_wave_size=4)
    assert len(plan.waves) >= 3
    write_plan(plan, graph, tmp_path / "plan")
    return tmp_path / "plan"


def test_waves_go_in_order(plan_dir: Path) -> None:
    assert {r["state"] for r in wave_status(plan_dir)} == {"pending"}
    with pytest.raises(ConflictError, match="earlier wave\\(s\\) 1 not complete"):
        wave_start(plan_dir, 2)
    with pytest.raises(ConflictError, match="only a wave in progress"):
        wave_complete(plan_dir, 1)
    event = wave_start(plan_dir, 1, now=NOW, by="alice", note="pilot")
    assert event == {
        "number": 1,
        "state": "in_progress",
        "action": "start",
        "at": "2026-02-01T09:30:00Z",
        "from": "pending",
        "by": "alice",
        "note": "pilot",
    }
    with pytest.raises(ConflictError, match="only a pending or rolled-back wave"):
        wave_start(plan_dir, 1)
    wave_complete(plan_dir, 1, now=NOW)
    wave_start(plan_dir, 2, now=NOW)
    with pytest.raises(ConflictError, match="later wave"):
        wave_rollback(plan_dir, 1)
    wave_rollback(plan_dir, 2, now=NOW)
    wave_start(plan_dir, 2, now=NOW)  # a rolled-back wave can start again
    rows = wave_status(plan_dir)
    assert [r["state"] for r in rows[:3]] == ["complete", "in_progress", "pending"]
    journal = json.loads((plan_dir / "journal.json").read_text())
    assert [e["action"] for e in journal["waves"]["2"]["history"]] == ["start", "rollback", "start"]
    assert not list(plan_dir.glob(".journal.json.*.tmp"))  # atomic writes leave no temporaries


def test_unknown_wave_and_foreign_journal(plan_dir: Path) -> None:
    with pytest.raises(BadInput, match="no such wave"):
        wave_start(plan_dir, 99)
    (plan_dir / "journal.json").write_text(json.dumps({"planDigest": "sha256:other", "waves": {}}))
    with pytest.raises(BadInput, match="written for plan"):
        wave_status(plan_dir)
    with pytest.raises(BadInput, match="missing"):
        wave_status(plan_dir.parent / "nowhere")


def test_cli_refuses_out_of_order_start(plan_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from proton_exodus.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["wave", "start", "2", "--plan", str(plan_dir)])
    assert exc.value.code == ExitCode.BAD_INPUT
    assert "cannot start" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["wave", "start", "1", "--plan", str(plan_dir), "--note", "go"])
    assert exc.value.code == 0 and "pending -> in_progress" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["wave", "status", "--plan", str(plan_dir), "--output", "json"])
    assert json.loads(capsys.readouterr().out)[0]["state"] == "in_progress"


def test_cli_plan_writes_the_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from proton_exodus.cli import main
    from proton_exodus.model.snapshot import write_snapshot

    write_snapshot(build_synthetic_snapshot(SyntheticSize(2, 3, 1, True)), tmp_path / "s")
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "plan",
                "--snapshot",
                str(tmp_path / "s"),
                "--out",
                str(tmp_path / "p"),
                "--pilot",
                "dev-000",
                "--max-wave-size",
                "3",
                "--deadline",
                "2026-06-30",
            ]
        )
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "wave   1" in out and "[pilot]" in out
    assert (tmp_path / "p" / "plan.json").is_file() and (tmp_path / "p" / "wave-01.md").is_file()
    with pytest.raises(SystemExit) as exc:
        main(["plan", "--snapshot", str(tmp_path / "s"), "--out", str(tmp_path / "q"), "--deadline", "soon"])
    assert exc.value.code == ExitCode.BAD_INPUT
