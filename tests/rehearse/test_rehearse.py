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
    replacements and 13 modifications nothing planned."""
    summary, doc = demo["summary"], demo["doc"]
    plan = json.loads((PLAN / "plan.json").read_text(encoding="utf-8"))
    planned_doc = json.loads((demo["out"] / "export" / "PLANNED_CHANGES.json").read_text(encoding="utf-8"))
    planned = {r["stackName"] for w in plan["waves"] for r in w["resources"] if r.get("stackName")}
    deploys = _steps(doc, "deploy")
    assert {s["stack"] for s in deploys if s["outcome"] != "skipped"} == planned
    assert summary["waves"] == len(plan["waves"]) == 7
    staged = _steps(doc, "stage")
    assert sorted(s["stack"] for s in staged) == sorted(e["name"] for e in planned_doc["stage"])
    assert len(staged) == summary["staged"] >= 22 and all(s["outcome"] == "ok" for s in staged)
    assert summary["steps"] == len(_steps(doc, "reproduce")) + len(staged) + len(deploys)
    assert summary["day2"] is None and summary["replacements"] == 0 and summary["unplanned"] == 0
    assert all(s["command"].startswith("git sync deployments/") for s in deploys if s["outcome"] != "skipped")
    # Every change is one PLANNED_CHANGES.json names: same stack, resource and property.
    named = {
        (c["stack"], c["resource"], c["property"].removeprefix("Properties.")) for c in planned_doc["changes"]
    }
    changed = {
        (s["stack"], c["logical_id"], p) for s in deploys for c in s["changes"] for p in c["properties"]
    }
    assert changed and changed <= named
    assert all(c["planned"] for s in deploys for c in s["changes"])
    assert summary["modifications"] == summary["planned"] == sum(len(s["changes"]) for s in deploys)
    pipelines = {c["stack"] for c in planned_doc["changes"]}
    assert {s["stack"] for s in deploys if s["changes"]} == pipelines
    assert all(s["outcome"] == "no-op" for s in deploys if s["stack"] in planned - pipelines - {ROLLED_BACK})
    # The stack recorded ROLLBACK_COMPLETE cannot be updated: the one failure, by name.
    failed = {s["stack"]: s["message"] for s in deploys if s["outcome"] == "failed"}
    assert list(failed) == [ROLLED_BACK]
    assert failed[ROLLED_BACK].endswith("is in ROLLBACK_COMPLETE state and can not be updated.")
    assert summary["failed"] == 1 and demo["code"] == 1
    text = (demo["out"] / "REHEARSAL.md").read_text(encoding="utf-8")
    assert "## Wave 5" in text and f"`{DEV_ENV}`" in text and "**failed**" in text


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
    assert '"/exodus-demo/dev/services"' in text
    template.write_text(text.replace('"/exodus-demo/dev/services"', '"/exodus-demo/dev/services-v2"'))
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
