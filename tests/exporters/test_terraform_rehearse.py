"""`exodus rehearse --target terraform` on the demo estate rebuilt from its committed snapshot (Proton
retired): every stack is imported; the import plan's in-place updates (the shared parameterised
templates, the parameters the import does not read) change no resource, apart from the service pipelines
whose retired Proton calls are rewritten (planned); nothing is replaced; the plan after the apply shows
nothing but the provider's NoEcho diff. Day 2 goes through `exodus repo` on the export's files. The plan
is the target's own (`exodus plan --target terraform`), so its wave runbooks run too: every `aws`, `test`
and `jq` line for real against the local cloud (the state bucket included), the `$TF` lines recorded as
stood in for by the deployer."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.paths import REPO

SNAPSHOT = REPO / "sample_exports" / "snapshot"


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
    root = tmp_path_factory.mktemp("rehearse-terraform")
    plan, out = root / "plan", root / "out"
    made = _cli(
        *("plan", "--snapshot", str(SNAPSHOT), "--target", "terraform", "--start", "2026-12-07"),
        *("--out", str(plan)),
    )
    assert (plan / "plan.json").is_file(), made.stdout + made.stderr
    result = _cli(
        *("--output", "json", "rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(plan)),
        *("--target", "terraform", "--bundles", str(REPO / "proton_exodus" / "demo" / "bundles")),
        *("--out", str(out)),
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    doc = json.loads((out / "rehearsal.json").read_text(encoding="utf-8"))
    return {
        "code": result.returncode,
        "summary": json.loads(result.stdout),
        "doc": doc,
        "out": out,
        "plan": plan,
    }


def _imports(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for w in doc["waves"] for s in w["steps"] if s["action"] == "import"]


def test_the_hand_over_changes_no_resource_but_the_planned_pipeline_rewrites(
    rehearsal: dict[str, Any],
) -> None:
    summary, steps = rehearsal["summary"], _imports(rehearsal["doc"])
    plan = json.loads((rehearsal["plan"] / "plan.json").read_text(encoding="utf-8"))
    # the plan holds back the stack recorded in ROLLBACK_COMPLETE and the pipeline behind it (blocked)
    blocked = {
        s["stack"]
        for w in rehearsal["doc"]["waves"]
        for s in w["steps"]
        if s["outcome"] == "blocked" and s["action"] != "runbook"  # the runbook's lines on them too
    }
    planned = {r["stackName"] for w in plan["waves"] for r in w["resources"] if r.get("stackName")}
    assert len(blocked) == 2 and {s["stack"] for s in steps} == planned - blocked
    assert not [c for s in steps for c in s["changes"] if c["replacement"] in ("True", "Conditional")]
    assert summary["unplanned"] == 0 and summary["failed"] == 0
    assert rehearsal["code"] == 0 and summary["passed"] is True
    changed = [s for s in steps if s["changes"]]
    assert changed and all(c["planned"] for s in changed for c in s["changes"])
    pipelines = {
        r["stackName"] for w in plan["waves"] for r in w["resources"] if r["kind"] == "service_pipeline"
    }
    assert {s["stack"] for s in changed} == pipelines - blocked and len(pipelines) == 6
    assert sum(s["outcome"] == "no-op" for s in steps) >= 30
    assert all("-target=aws_cloudformation_stack." in s["command"] for s in steps)
    # the stacks on a shared template: UpdateStack stored it and changed no resource
    stored = [s for s in steps if "UpdateStack stored the configured template" in s["message"]]
    assert len(stored) >= 25 and all(s["outcome"] == "no-op" and not s["changes"] for s in stored)
    assert all("template_body" in s["message"] for s in stored)
    # what CloudFormation stored and read back is what the plan model said, for every stack
    assert not [
        s["message"] for s in steps if "unlike the model" in s["message"] or "from the model" in s["message"]
    ]


def test_the_own_plan_runbooks_run_with_the_deployer_standing_in_for_terraform(
    rehearsal: dict[str, Any],
) -> None:
    """The terraform plan's wave runbooks pass: their `aws`, `test -f` lines run (the state bucket's
    head-bucket check in each account included), every `$TF` line is recorded as the deployer's."""
    runbook = [s for w in rehearsal["doc"]["waves"] for s in w["steps"] if s["action"] == "runbook"]
    early = [s for s in runbook if s["wave"] in (1, 2)]
    assert not [s for s in runbook if s["outcome"] == "failed"], [
        (s["command"], s["message"]) for s in runbook if s["outcome"] == "failed"
    ][:5]
    assert sum(s["outcome"] == "ok" for s in early) > 40
    assert sum(s["outcome"] == "ok" and s["command"].startswith("test -f ") for s in early) >= 8
    buckets = [s for s in runbook if "s3api head-bucket" in s["command"]]
    assert {s["account"] for s in buckets} == {"111111111111", "222222222222"}
    assert all(s["outcome"] == "ok" for s in buckets)
    tf = [s for s in runbook if "$TF -chdir=" in s["command"]]
    assert len(tf) > 100 and all(s["outcome"] == "manual" for s in tf)
    assert all(
        "`terraform` is the target's own tool; the rehearsal's terraform deployer" in s["message"] for s in tf
    )
    assert {s["command"].split(" -chdir=", 1)[1].split(" ", 2)[1] for s in tf} >= {
        "init",
        "plan",
        "show",
        "apply",
    }


def test_secret_stacks_are_applied_after_staging_and_change_nothing(rehearsal: dict[str, Any]) -> None:
    staged = [s for s in _imports(rehearsal["doc"]) if "staged" in s["command"]]
    assert len(staged) >= 10
    assert all(s["outcome"] == "no-op" and s["changes"] == [] for s in staged)
    assert all("permanent NoEcho diff" in s["message"] for s in staged)


def test_day_2_goes_through_terraform_and_a_wave_rolls_back(rehearsal: dict[str, Any]) -> None:
    """Day 2 edits the terraform export as its users do (a parameter file; `exodus repo set`,
    `exodus repo upgrade`) and the deployer applies it: a new image, one more task, the next minor
    version; each changes only what it touched (a task definition is replaced as its new revision,
    nothing else); then the last wave goes back to CloudFormation."""
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
    # change-input and minor-version are `exodus repo` operations on the parameter file and
    # TEMPLATES.json; no .tf file is edited (each stack reads the files TEMPLATES.json names)
    assert steps["day2:change-input"]["message"].startswith("exodus repo set ")
    assert steps["day2:minor-version"]["message"].startswith("exodus repo upgrade ")
    for op in ("ship-image", "change-input", "minor-version"):
        edited = steps[f"day2:{op}"]["message"].split("; edited ", 1)[1].split("; ", 1)[0].split(", ")
        assert edited and not [f for f in edited if f.endswith(".tf")], edited
        assert any("/parameters/" in f for f in edited)
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
