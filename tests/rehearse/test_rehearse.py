"""`exodus rehearse` on the demo estate, rebuilt from its committed stacks snapshot with Proton retired:
cfn-git-sync through every wave, one step per stack; and a doctored export whose create-only change is
reported as a replacement (exit 1).

The committed snapshot has no secrets.json: the rebuilt stacks hold the secret placeholders, and the
rehearsal stages that same stand-in text in Parameter Store, where the export's SSM parameters read it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from proton_exodus.cli import cli
from tests.support.paths import REPO

SNAPSHOT, PLAN = REPO / "sample_exports" / "snapshot", REPO / "sample_exports" / "plan"
DEV_ENV = "AWSProton-dev-cloudformation--GBNKOTGQCWAPLIV"
ROLLED_BACK = "AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE"  # recorded ROLLBACK_COMPLETE


def _rehearse(out: Path, *extra: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        [
            "--output",
            "json",
            "rehearse",
            "--snapshot",
            str(SNAPSHOT),
            "--plan",
            str(PLAN),
            "--target",
            "cfn-git-sync",
            "--out",
            str(out),
            *extra,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    summary = json.loads(result.output)
    return result.exit_code, summary, json.loads((out / "rehearsal.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("rehearse") / "all"
    code, summary, doc = _rehearse(out)
    return {"out": out, "code": code, "summary": summary, "doc": doc}


def _steps(doc: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for w in doc["waves"] for s in w["steps"] if s["action"] == action]


def test_every_stack_is_rebuilt_from_the_snapshot_in_its_account(demo: dict[str, Any]) -> None:
    rebuilt = _steps(demo["doc"], "reproduce")
    index = json.loads((SNAPSHOT / "stacks" / "index.json").read_text(encoding="utf-8"))
    assert sorted((s["account"], s["stack"]) for s in rebuilt) == sorted(
        (s["account"], s["StackName"]) for s in index
    )
    assert {s["account"] for s in rebuilt} == {"111111111111", "222222222222"}
    assert [s["stack"] for s in rebuilt if s["outcome"] != "ok"] == []
    rolled_back = next(s for s in rebuilt if s["stack"] == ROLLED_BACK)
    assert rolled_back["status"] == "ROLLBACK_COMPLETE"  # as recorded: the local cloud fails it too


def test_cfn_git_sync_runs_every_wave_and_reports_each_stack(demo: dict[str, Any]) -> None:
    """The first deploy of every demo stack is a no-op except the changes PLANNED_CHANGES.json names (the
    rewritten service pipelines), resource by resource; the secrets staged first, as the runbook says.
    Before staging, the 9 task definitions and 13 functions read an unstaged Parameter Store value: 9
    replacements and 13 modifications nothing planned. The rehearsal passes (exit 0)."""
    summary, doc = demo["summary"], demo["doc"]
    plan = json.loads((PLAN / "plan.json").read_text(encoding="utf-8"))
    planned_doc = json.loads((demo["out"] / "export" / "PLANNED_CHANGES.json").read_text(encoding="utf-8"))
    planned = {r["stackName"] for w in plan["waves"] for r in w["resources"] if r.get("stackName")}
    blocked = {r["stackName"] for w in plan["waves"] for r in w["resources"] if r.get("blockedBy")}
    deploys = _steps(doc, "deploy")
    assert {s["stack"] for s in deploys if s["outcome"] not in ("skipped", "blocked")} == planned - blocked
    assert summary["waves"] == len(plan["waves"]) == 7
    staged = _steps(doc, "stage")
    assert {s["stack"] for s in staged} == {"PLANNED_CHANGES.md"}  # its commands, run as written
    commands = " ".join(s["command"] for s in staged)
    assert all(e["name"] in commands for e in planned_doc["stage"])
    assert len(staged) == summary["staged"] >= 22 and all(s["outcome"] == "ok" for s in staged)
    later = [s for w in doc["waves"] for s in w["steps"] if s["action"].startswith(("day2:", "rollback"))]
    assert summary["steps"] == len(_steps(doc, "reproduce")) + len(staged) + len(deploys) + len(later) + len(
        _steps(doc, "runbook")
    ) + len(_steps(doc, "remedy"))
    assert all(
        s["command"].startswith("git sync deployments/")
        for s in deploys
        if s["outcome"] != "skipped" and s["outcome"] != "blocked"
    )
    # Every change is one PLANNED_CHANGES.json names: same stack, resource and property.
    named = {
        (c["stack"], c["resource"], c["property"].removeprefix("Properties.")) for c in planned_doc["changes"]
    }
    changed = {
        (s["stack"], c["logical_id"], p) for s in deploys for c in s["changes"] for p in c["properties"]
    }
    assert changed and changed <= named
    assert all(c["planned"] for s in deploys for c in s["changes"])
    assert not any(c["replacement"] == "True" for s in deploys for c in s["changes"])
    pipelines = {c["stack"] for c in planned_doc["changes"]}
    assert {s["stack"] for s in deploys if s["changes"]} <= pipelines - blocked
    assert all(s["outcome"] == "no-op" for s in deploys if s["stack"] in planned - pipelines - blocked)
    assert summary["failed"] == 0 and summary["unplanned"] == 0
    assert summary["passed"] is True and demo["code"] == 0
    text = (demo["out"] / "REHEARSAL.md").read_text(encoding="utf-8")
    assert "## Wave 5" in text and f"`{DEV_ENV}`" in text and "Result: **passed**." in text


def test_a_unit_the_plan_blocks_is_reported_blocked_and_never_deployed(demo: dict[str, Any]) -> None:
    """search-api/staging failed its create (ROLLBACK_COMPLETE, E114) and the plan holds its wave back
    with its pipeline: the rehearsal reports both `blocked` with the plan's reason, runs no remedy on them
    and hands them to no deployer, and that does not fail it."""
    summary, doc = demo["summary"], demo["doc"]
    plan = json.loads((PLAN / "plan.json").read_text(encoding="utf-8"))
    held = {
        r["stackName"]: r["blockedBy"] for w in plan["waves"] for r in w["resources"] if r.get("blockedBy")
    }
    assert ROLLED_BACK in held and len(held) == 2
    on_held = [
        s for w in doc["waves"] for s in w["steps"] if s["stack"] in held and s["action"] != "reproduce"
    ]
    # the wave runbooks (run by default) name them too: those commands are not run either
    assert all(s["outcome"] == "blocked" for s in on_held if s["action"] == "runbook")
    steps = [s for s in on_held if s["action"] != "runbook"]
    assert sorted(s["stack"] for s in steps) == sorted(held)
    assert all(s["action"] == "deploy" and s["outcome"] == "blocked" and not s["changes"] for s in steps)
    for step in steps:
        assert (
            "held back by the plan" in step["message"] and ", ".join(held[step["stack"]]) in step["message"]
        )
    assert _steps(doc, "remedy") == [] and summary["remedies"] == 0
    assert summary["blocked"] == 2 and {b["unit"] for b in summary["blockedUnits"]} == set(held)
    text = (demo["out"] / "REHEARSAL.md").read_text(encoding="utf-8")
    assert "- blocked: 2 unit(s) the plan holds back, not deployed: wave 3 search-api/staging" in text
    assert f"- blocked `{ROLLED_BACK}`" in text


def test_day2_in_git_sync_changes_what_each_edit_touches_and_a_wave_rolls_back(demo: dict[str, Any]) -> None:
    """Day 2 as a team does it on the parameterised export: a new Image parameter (the task definition's
    expected new revision), `exodus repo set` of desired_count (one parameter, the service's count), and
    payments-api/staging moved to 1.1 by naming the shared 1.1 template in its deployment file (its health
    check path and the task definition's new revision). Nothing unplanned; the rollback changes nothing."""
    day2, doc = demo["summary"]["day2"], demo["doc"]
    assert {k: v["outcome"] for k, v in day2.items() if k != "rollback"} == {
        "ship-image": "ok",
        "change-input": "ok",
        "minor-version": "ok",
    }
    assert all(v["unplanned"] == 0 and v["failed"] == 0 for v in day2.values())

    def step(action: str) -> dict[str, Any]:
        (found,) = [s for w in doc["waves"] for s in w["steps"] if s["action"] == action]
        return found

    def changes(s: dict[str, Any]) -> list[tuple[str, str, str, list[str]]]:
        return sorted((c["action"], c["logical_id"], c["replacement"], c["properties"]) for c in s["changes"])

    ship = step("day2:ship-image")
    assert changes(ship) == [("Modify", "TaskDefinition", "True", ["ContainerDefinitions"])]
    assert "expected new task definition revision" in ship["message"]
    count = step("day2:change-input")
    assert changes(count) == [("Modify", "Service", "False", ["DesiredCount"])]
    assert "exodus repo set" in count["message"] and "DesiredCount 1 -> 2" in count["message"]
    minor = step("day2:minor-version")
    assert minor["stack"] == "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"
    assert changes(minor) == [
        ("Modify", "TargetGroup", "False", ["HealthCheckPath"]),
        ("Modify", "TaskDefinition", "True", ["ContainerDefinitions"]),
    ]
    assert "1.0 -> 1.1" in minor["message"] and "expected new task definition revision" in minor["message"]
    edited = demo["out"] / "work" / "cfn-git-sync-day2" / "export"
    index = json.loads((edited / ".exodus-repo" / "index.json").read_text(encoding="utf-8"))
    by_name = {i["name"]: i for i in index["instances"]}
    moved = by_name["payments-api/staging"]
    assert (
        moved["version"] == "1.1" and moved["template_file"] == by_name["payments-api/dev"]["template_file"]
    )
    deployment = (edited / moved["parameters_file"]).read_text(encoding="utf-8")
    assert f"template-file-path: {moved['template_file']}" in deployment
    assert day2["rollback"]["stacks"] >= 1 and day2["rollback"]["failed"] == 0
    assert demo["summary"]["replacements"] == 2  # the two new revisions, both planned


def test_the_export_is_deployed_from_a_real_git_commit(demo: dict[str, Any]) -> None:
    checkout = demo["out"] / "work" / "cfn-git-sync" / "git-sync-checkout"
    assert (checkout / ".git").is_dir() and (checkout / "deployments").is_dir()


def test_a_create_only_change_in_the_export_is_a_replacement_and_fails(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    doctored = tmp_path / "doctored"
    shutil.copytree(demo["out"] / "export", doctored)
    deployment = doctored / "deployments" / "111111111111" / "us-east-1" / f"{DEV_ENV}.yaml"
    template = doctored / next(
        line.split(": ", 1)[1]
        for line in deployment.read_text().splitlines()
        if line.startswith("template-file-path")
    )
    text = template.read_text(encoding="utf-8")
    old = "'/exodus-demo/${EnvironmentName}/services'"
    assert old in text  # a shared template: the dev environment's deployment file gets its own copy
    own = template.with_name("dev-doctored.yaml")
    own.write_text(text.replace(old, "'/exodus-demo/${EnvironmentName}/services-v2'"), encoding="utf-8")
    deployment.write_text(
        deployment.read_text(encoding="utf-8").replace(
            str(template.relative_to(doctored)), str(own.relative_to(doctored))
        ),
        encoding="utf-8",
    )
    code, summary, doc = _rehearse(
        tmp_path / "out", "--through-wave", "2", "--no-day2", "--export", str(doctored)
    )
    assert code == 1 and summary["replacements"] == 1
    (step,) = [s for s in _steps(doc, "deploy") if s["stack"] == DEV_ENV]
    replaced = [c for c in step["changes"] if c["action"] == "Modify"]
    assert replaced == [
        {
            "action": "Modify",
            "logical_id": "ServiceLogGroup",
            "resource_type": "AWS::Logs::LogGroup",
            "replacement": "True",
            "properties": ["LogGroupName"],
            "planned": False,
        }
    ]


def test_plan_waves_carry_the_plans_own_reason_for_a_blocked_unit() -> None:
    """What blocks a unit is read from plan.json (blockedBy, the `held back:` part of its reason), never
    re-derived; an unblocked unit carries no reason."""
    from proton_exodus.rehearse.run import plan_waves

    plan = {
        "waves": [
            {
                "number": 1,
                "resources": [
                    {"stackName": "a", "kind": "service_instance", "label": "svc/a", "blockedBy": []},
                    {
                        "stackName": "b",
                        "kind": "service_instance",
                        "label": "svc/b",
                        "blockedBy": ["E114"],
                        "reason": "staging tier; held back: blocked by E114 until fixed; 0 dependant(s)",
                    },
                    {
                        "kind": "service_pipeline",
                        "label": "svc/pipeline",
                        "blockedBy": ["E114"],
                        "reason": "",
                    },
                ],
            }
        ]
    }
    ((number, (a, b, pipeline)),) = plan_waves(plan, None)
    assert number == 1 and a.blocked == ""
    assert b.blocked.startswith("held back by the plan: blocked by E114 until fixed; not deployed")
    assert pipeline.blocked.startswith("held back by the plan: blocked by E114; not deployed")


@pytest.mark.parametrize("action", ["deploy", "import", "run", "adopt"])
def test_the_summary_counts_waves_and_no_ops_whatever_the_deployer_calls_its_steps(action: str) -> None:
    """terraform imports, spacelift runs, service-catalog adopts: their waves and no-op hand-overs count
    as cfn-git-sync's deploys do (the summary said "3 waves, 0 no-op deploys" for a passed terraform
    run of 7); runbook lines, day 2 and the rollback are not hand-overs."""
    from proton_exodus.rehearse.model import NO_OP, OK, Step
    from proton_exodus.rehearse.run import Rehearsal

    r = Rehearsal("t", 2, "local")
    r.steps = [
        Step(0, "reproduce", "a"),
        Step(1, action, "a", outcome=NO_OP),
        Step(1, "runbook", "a", outcome=OK),
        Step(2, action, "b", outcome=OK),
        Step(2, action, "c", outcome=NO_OP),
        Step(3, "day2:ship-image", "b", outcome=OK),
        Step(4, "rollback", "b", outcome=NO_OP),
    ]
    r.day2_wave, r.rollback_wave = 3, 4
    summary = r.summary()
    assert summary["waves"] == 2 and summary["noOps"] == 2
