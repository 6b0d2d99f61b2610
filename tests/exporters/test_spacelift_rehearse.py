"""`exodus rehearse --target spacelift` on the demo estate rebuilt from its committed snapshot: each
Spacelift stack's tracked run (a change set on the existing stack, CF_PARAM_ parameters, no tags or
role named) changes no resource apart from the planned pipeline rewrites; the one stack recorded in
ROLLBACK_COMPLETE (E-SPACELIFT-STATUS) is held back by the plan, not run; day 2 and a rollback pass. The
plan is the target's own (`exodus plan --target spacelift`), so its wave runbooks run too: `aws`, `grep`
and `jq` lines for real (each account's template bucket included), the `$TF` and `spacectl` lines
recorded as stood in for by the deployer."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.paths import REPO

SNAPSHOT = REPO / "sample_exports" / "snapshot"
ROLLED_BACK = "AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from proton_exodus.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # In a process of its own: the local cloud's in-process state does not survive a second rehearsal
    # in one process (the estate would not rebuild), and pytest may run another rehearsal test first.
    root = tmp_path_factory.mktemp("rehearse-spacelift")
    plan, out = root / "plan", root / "out"
    made = _cli(
        *("plan", "--snapshot", str(SNAPSHOT), "--target", "spacelift", "--start", "2026-12-07"),
        *("--out", str(plan)),
    )
    assert (plan / "plan.json").is_file(), made.stdout + made.stderr
    result = _cli(
        *("--output", "json", "rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(plan)),
        *("--target", "spacelift", "--bundles", str(REPO / "proton_exodus" / "demo" / "bundles")),
        *("--out", str(out)),
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    doc = json.loads((out / "rehearsal.json").read_text(encoding="utf-8"))
    return {"code": result.returncode, "summary": json.loads(result.stdout), "doc": doc}


def test_each_run_changes_nothing_but_the_planned_rewrites(rehearsal: dict[str, Any]) -> None:
    summary = rehearsal["summary"]
    steps = [s for w in rehearsal["doc"]["waves"] for s in w["steps"]]
    runs = [s for s in steps if s["action"] == "run"]
    assert len(runs) == 37 and summary["replacements"] <= 2 and summary["unplanned"] == 0
    assert all(s["outcome"] in ("ok", "no-op") for s in runs), [s["message"] for s in runs]
    # the stack recorded in ROLLBACK_COMPLETE (and the pipeline behind it) are held back by the plan
    blocked = {s["stack"] for s in steps if s["outcome"] == "blocked" and s["action"] != "runbook"}
    assert ROLLED_BACK in blocked and len(blocked) == 2 and not {s["stack"] for s in runs} & blocked
    assert rehearsal["code"] == 0 and summary["passed"] is True
    changed = [s for s in runs if s["changes"]]
    assert len(changed) == 5 and all(c["planned"] for s in changed for c in s["changes"])
    assert sum(s["outcome"] == "no-op" for s in runs) == 32


def test_day_2_goes_through_spacelift_and_a_wave_rolls_back(rehearsal: dict[str, Any]) -> None:
    """Day 2 edits the spacelift export as its users do (a parameter file; `exodus repo set`, `exodus
    repo upgrade`) and the deployer applies it: a new image, one more task, the next minor version; each
    changes only what it touched (a task definition is replaced as its new revision, nothing else); then
    the last wave goes back to CloudFormation."""
    day2 = rehearsal["summary"]["day2"]
    for op in ("ship-image", "change-input", "minor-version"):
        assert day2[op]["outcome"] == "ok" and day2[op]["unplanned"] == 0 and day2[op]["failed"] == 0, (
            op,
            day2[op],
        )
    steps = {
        s["action"]: s
        for w in rehearsal["doc"]["waves"]
        for s in w["steps"]
        if s["action"].startswith("day2:")
    }
    # change-input and minor-version are `exodus repo` operations on the stack's parameter file and
    # TEMPLATES.json: no .tf file is edited (each Spacelift stack reads the files TEMPLATES.json names)
    assert steps["day2:change-input"]["message"].startswith("exodus repo set ")
    assert steps["day2:minor-version"]["message"].startswith("exodus repo upgrade ")
    for op in ("ship-image", "change-input", "minor-version"):
        edited = steps[f"day2:{op}"]["message"].split("; edited ", 1)[1].split("; ", 1)[0].split(", ")
        assert edited and not [f for f in edited if f.endswith(".tf")], edited
        assert any(f.startswith("cloudformation/") and f.endswith(".json") for f in edited), edited
    count = steps["day2:change-input"]
    assert [(c["resource_type"], c["properties"]) for c in count["changes"]] == [
        ("AWS::ECS::Service", ["DesiredCount"])
    ]
    replaced = [
        c for s in steps.values() for c in s["changes"] if c["replacement"] in ("True", "Conditional")
    ]
    assert replaced and {c["resource_type"] for c in replaced} == {"AWS::ECS::TaskDefinition"}
    rollback = day2["rollback"]
    assert rollback["stacks"] > 0 and rollback["failed"] == rollback["unplanned"] == 0


def test_the_own_plan_runbooks_run_with_the_deployer_standing_in_for_spacelift(
    rehearsal: dict[str, Any],
) -> None:
    """The spacelift plan's wave runbooks pass: their `aws` and `grep` lines run (each account's template
    bucket and the state bucket checked), every `$TF` and `spacectl` line is recorded as the deployer's."""
    runbook = [s for w in rehearsal["doc"]["waves"] for s in w["steps"] if s["action"] == "runbook"]
    early = [s for s in runbook if s["wave"] in (1, 2)]
    assert not [s for s in runbook if s["outcome"] == "failed"], [
        (s["command"], s["message"]) for s in runbook if s["outcome"] == "failed"
    ][:5]
    assert sum(s["outcome"] == "ok" for s in early) > 40
    assert sum(s["outcome"] == "ok" and s["command"].startswith("TARGETS=$(grep ") for s in early) >= 12
    buckets = [s for s in runbook if "s3api head-bucket" in s["command"]]
    assert {s["account"] for s in buckets} == {"111111111111", "222222222222"}
    assert all(s["outcome"] == "ok" for s in buckets)
    # spacelift/'s state bucket (TF_STATE_BUCKET, made by the settings as terraform's rehearsal makes it)
    # is checked once, before the configuration's `init`
    state = [s for s in buckets if '"$TF_STATE_BUCKET"' in s["command"]]
    assert len(state) == 1 and state[0]["outcome"] == "ok", state
    tf = [s for s in runbook if s["command"].startswith("$TF ")]
    spacectl = [s for s in runbook if s["command"].startswith("spacectl ")]
    assert len(tf) > 30 and len(spacectl) > 70
    assert all(s["outcome"] == "manual" for s in tf + spacectl)
    assert all("`terraform` is the target's own tool; the spacelift provider" in s["message"] for s in tf)
    assert all(
        "`spacectl` is the target's own tool; the rehearsal's Spacelift deployer" in s["message"]
        for s in spacectl
    )
