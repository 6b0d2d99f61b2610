"""Rolling one wave back must not take away what later waves need: on the demo, with waves 1 and 2
handed over to Git sync and their wave runbooks run as written, rolling back wave 1 deletes wave 1's
sync configurations and keeps the account's sync role stack (`exodus-cfn-git-sync-role`) that wave 2's
sync configurations use; with wave 1 alone, its rollback removes it (the last wave using it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from exporters.cfn_git_sync.layout import ROLE_STACK
from proton_exodus.cli import cli
from tests.support.paths import REPO

SNAPSHOT = REPO / "sample_exports" / "snapshot"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan written by this code (its wave runbooks are what the rehearsal runs)."""
    out = tmp_path_factory.mktemp("plan") / "plan"
    result = CliRunner().invoke(
        cli, ["plan", "--snapshot", str(SNAPSHOT), "--target", "cfn-git-sync", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _rehearse(plan: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    args = ["--output", "json", "rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(plan)]
    args += ["--target", "cfn-git-sync", "--runbooks", "--out", str(out), *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output), result.output


def test_rolling_back_wave_1_keeps_the_role_stack_wave_2_syncs_through(plan: Path, tmp_path: Path) -> None:
    code, summary, _ = _rehearse(plan, tmp_path / "r", "--through-wave", "2", "--rollback-wave", "1")
    rollback = summary["day2"]["rollback"]
    assert code == 0 and summary["failed"] == 0 and rollback["wave"] == 1 and rollback["failed"] == 0
    assert [(s["stack"], s["account"], s["outcome"]) for s in rollback["shared"]] == [
        (ROLE_STACK, "111111111111", "ok")
    ]
    assert "wave(s) 2 still use it" in rollback["shared"][0]["why"]
    doc = json.loads((tmp_path / "r" / "rehearsal.json").read_text(encoding="utf-8"))
    ran = [s["command"] for w in doc["waves"] for s in w["steps"] if s["action"] == "runbook"]
    assert any(c.startswith("aws codeconnections delete-sync-configuration") for c in ran)
    assert not any(c.startswith(f"aws cloudformation delete-stack --stack-name {ROLE_STACK}") for c in ran)


def test_the_last_wave_using_it_removes_the_role_stack(plan: Path, tmp_path: Path) -> None:
    code, summary, _ = _rehearse(plan, tmp_path / "r", "--through-wave", "1", "--rollback-wave", "1")
    shared = summary["day2"]["rollback"]["shared"]
    assert code == 0 and [(s["stack"], s["outcome"]) for s in shared] == [(ROLE_STACK, "ok")]
    assert shared[0]["why"] == "removed with wave 1, the last wave using it"


def test_a_rollback_wave_the_rehearsal_does_not_deploy_is_refused(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from proton_exodus.cli import main

    args = ["rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(plan), "--target", "cfn-git-sync"]
    args += ["--through-wave", "2", "--rollback-wave", "3", "--out", str(tmp_path / "r")]
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith(
        "Error: --rollback-wave 3: the rehearsal deploys waves 1, 2"
    )
    assert "Traceback" not in err and not (tmp_path / "r").exists()
