"""`exodus export --plan P --through-wave N`: what wave N's runbook hands over, cumulatively, so a
file shared by several stacks (a per-environment pipeline or workflow) never drops earlier waves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from proton_exodus.cli import main
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.report.context import load_plan

SAMPLES = Path(__file__).resolve().parents[2] / "sample_exports"


def _stacks_in(root: Path) -> set[str]:
    """Stack names the export's grouped pipeline files deploy."""
    return {
        name
        for p in (root / "pipelines").rglob("*.yaml")
        for name in re.findall(r"StackName: (AWSProton-[\w-]+)", p.read_text())
    }


def test_waves_accumulate_and_the_last_is_the_whole_export(tmp_path: Path) -> None:
    snap, plan = load_snapshot(SAMPLES / "snapshot"), load_plan(SAMPLES / "plan")
    waves = plan["waves"]
    seen: set[str] = set()
    units = 0
    for wave in waves:
        out = tmp_path / f"wave-{wave['number']}"
        report = run_export("codepipeline", snap, out, plan=plan, through_wave=wave["number"])
        if report.units == 0:  # a wave that only prepares accounts: nothing is written yet
            assert not out.exists()
            continue
        stacks = _stacks_in(out)
        assert stacks >= seen, f"wave {wave['number']} dropped stacks of earlier waves"
        assert report.units >= units
        seen, units = stacks, report.units
    # the whole export (no --through-wave) also holds what the plan holds back; no wave export does
    full = run_export("codepipeline", snap, tmp_path / "all", plan=plan)
    held = {s for s in _stacks_in(tmp_path / "all") if "search-api-st" in s or "search-api-cloud" in s}
    assert len(held) == 2 and not held & seen
    assert _stacks_in(tmp_path / "all") == seen | held and full.units == units + 2 and len(seen) > 30
    manifest = json.loads((tmp_path / f"wave-{len(waves)}" / ".exodus" / "manifest.json").read_text())
    assert manifest["only"] == [f"waves 1-{len(waves)}"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--through-wave", "1"], "--through-wave needs --plan"),
        (["--through-wave", "99", "--plan", str(SAMPLES / "plan")], "the plan has 7 wave(s)"),
    ],
)
def test_bad_through_wave_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "export",
                "--snapshot",
                str(SAMPLES / "snapshot"),
                "--target",
                "codepipeline",
                "--out",
                str(tmp_path / "out"),
                *args,
            ]
        )
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_wave_export_leaves_out_what_the_plan_holds_back_and_says_so(tmp_path: Path) -> None:
    """search-api/staging (E101, E114: ROLLBACK_COMPLETE) and its pipeline are held back in wave 3: the
    staging environment's pipeline of the wave-3 export must not deploy them (it would, at once), and
    MANUAL_TASKS.md names both."""
    snap, plan = load_snapshot(SAMPLES / "snapshot"), load_plan(SAMPLES / "plan")
    report = run_export("codepipeline", snap, tmp_path / "w3", plan=plan, through_wave=3)
    staging = (tmp_path / "w3" / "pipelines" / "environments" / "staging.yaml").read_text()
    assert "search-api" not in staging and "users-api" in staging
    held = [f for f in report.findings if f.code == "W-PLAN-HELD-BACK"]
    assert sorted(f.message.split(":")[0] for f in held) == ["search-api/pipeline", "search-api/staging"]
    assert (
        "search-api/staging: held back by the plan (E101, E114)"
        in (tmp_path / "w3" / "MANUAL_TASKS.md").read_text()
    )
