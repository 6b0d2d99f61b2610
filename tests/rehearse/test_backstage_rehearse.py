"""`exodus rehearse --target backstage` on the demo (rebuilt from its stacks, Proton retired): the waves are
deployed by the export the catalog points at (cfn-git-sync's own deployer), and day 2 goes through the
portal: the Software Template's form (checked as the scaffolder checks it), its skeleton rendered as
fetch:template renders it, a pull request merged in the export's real Git repository, Git sync deploying
the merge. Proton's four day-2 operations pass, then a wave rolls back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from exporters import Registry
from exporters.cfn_git_sync.exporter import CfnGitSyncExporter
from proton_exodus.cli import cli
from proton_exodus.errors import BadInput
from proton_exodus.rehearse.repo import git
from tests.support.paths import REPO

SNAPSHOT, PLAN = REPO / "sample_exports" / "snapshot", REPO / "sample_exports" / "plan"
BUNDLES = REPO / "proton_exodus" / "demo" / "bundles"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("backstage") / "out"
    plan = out.parent / "plan"  # backstage's own plan: its runbooks deploy the cfn-git-sync export
    made_plan = CliRunner().invoke(
        cli,
        [
            "plan",
            "--snapshot",
            str(SNAPSHOT),
            "--target",
            "backstage",
            "--start",
            "2026-12-07",
            "--out",
            str(plan),
        ],
    )
    assert made_plan.exit_code == 0, made_plan.output
    args = ["--snapshot", str(SNAPSHOT), "--plan", str(plan), "--target", "backstage"]
    made: list[str] = []
    real = CfnGitSyncExporter.export

    def counting(self: CfnGitSyncExporter, ctx: Any) -> Any:
        made.append("cfn-git-sync")
        return real(self, ctx)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CfnGitSyncExporter, "export", counting)
        result = CliRunner().invoke(
            cli, ["--output", "json", "rehearse", *args, "--bundles", str(BUNDLES), "--out", str(out)]
        )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    doc = json.loads((out / "rehearsal.json").read_text(encoding="utf-8"))
    steps = [s for w in doc["waves"] for s in w["steps"]]
    return {
        "code": result.exit_code,
        "summary": json.loads(result.output),
        "steps": steps,
        "out": out,
        "made": made,
        "plan": plan,
    }


def test_backstage_has_a_deployer_now() -> None:
    backstage = Registry.from_entry_points().load("backstage")
    assert callable(backstage.rehearse) and callable(backstage.day2)
    assert backstage.deploys_through({}) == ("cfn-git-sync", {})
    with pytest.raises(BadInput, match="export=none: no export deploys the stacks"):
        backstage.deploys_through({"export": "none"})


def test_rehearse_refuses_a_catalog_that_points_at_no_export(tmp_path: Path) -> None:
    """One line, non-zero exit, nothing written."""
    args = ["rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(PLAN), "--target", "backstage"]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*args, "--opt", "export=none", "--out", str(out)])
    assert result.exit_code != 0 and isinstance(result.exception, BadInput) and not out.exists()


def test_the_demo_passes_every_wave_day2_and_a_rollback(run: dict[str, Any]) -> None:
    summary = run["summary"]
    assert run["code"] == 0 and summary["passed"], summary
    assert summary["waves"] == 7 and summary["failed"] == 0 and summary["unplanned"] == 0
    assert summary["noOps"] >= 30 and summary["reproduced"] == 39
    day2 = summary["day2"]
    for name in ("change-input", "ship-image", "minor-version", "new-instance"):
        assert day2[name]["outcome"] == "ok" and day2[name]["unplanned"] == 0, (name, day2[name])
        assert day2[name]["changes"] >= 1, name
    assert day2["change-input"]["replacements"] == 0
    assert day2["rollback"]["stacks"] >= 1 and day2["rollback"]["failed"] == 0
    # the waves were deployed by cfn-git-sync's own deployer, from its export made beside the catalog
    deploys = [s for s in run["steps"] if s["action"] == "deploy" and s["outcome"] in ("ok", "no-op")]
    assert deploys and all(s["command"].startswith("git sync deployments/") for s in deploys)
    assert (run["out"] / "export-cfn-git-sync" / "TEMPLATES.json").is_file()
    assert run["made"] == ["cfn-git-sync"]  # once: the catalog's export took it from the run's siblings
    assert (run["out"] / "export" / "catalog-info.yaml").is_file()


def test_day2_goes_through_the_form_the_skeleton_and_a_merged_pull_request(run: dict[str, Any]) -> None:
    by = {s["action"]: s for s in run["steps"] if s["action"].startswith("day2:")}
    change = by["day2:change-input"]
    # the form refused an out-of-range value with the field and the rule before the accepted change
    assert "refused by the form: service_inputs.desired_count:" in change["message"]
    assert "(maximum)" in change["message"]
    assert [c["logical_id"] for c in change["changes"]] == ["Service"]
    for name in ("change-input", "ship-image", "minor-version", "new-instance"):
        message = by[f"day2:{name}"]["message"]
        assert "form accepted" in message and "fetch:template wrote deployments/" in message, name
        assert "pull request exodus/" in message and " merged as " in message, name
    # the pull requests are merge commits of branches in the export's real repository
    repository = next((run["out"] / "work").glob("*-day2/repository/export-repository"))
    merges = git(repository, "log", "--merges", "--format=%s", "main").splitlines()
    assert len(merges) == 4 and all(m.startswith("Merge pull request: ") for m in merges)


def test_a_new_instance_is_a_stack_git_sync_creates_with_its_secret_stored_first(run: dict[str, Any]) -> None:
    steps = [s for s in run["steps"] if s["action"] in ("day2:secret", "day2:new-instance")]
    secret, new = steps
    assert secret["outcome"] == "ok"
    assert secret["command"].startswith("aws ssm put-parameter --region us-east-1 --type String")
    assert "--name '/exodus/orders-api-day2/db_password' --value \"$DB_PASSWORD\"" in secret["command"]
    assert new["stack"] == "orders-api-day2" and new["status"] == "CREATE_COMPLETE"
    assert "Git sync created it" in new["message"]
    assert {c["action"] for c in new["changes"]} == {"Add"} and all(c["planned"] for c in new["changes"])
    file = run["out"] / "work"
    written = next(file.glob("*-day2/repository/export-repository/deployments/*/*/orders-api-day2.yaml"))
    text = written.read_text(encoding="utf-8")
    assert "/exodus/orders-api-day2/db_password" in text and "stand-in" not in text


def test_its_own_plans_runbooks_deploy_the_export_the_catalog_points_at(run: dict[str, Any]) -> None:
    """`exodus plan --target backstage` hands the stacks over with the cfn-git-sync export's commands (the
    catalog deploys nothing itself): its runbooks export both into one repository and the rehearsal runs
    every line as written, none failing; exodus/git lines are the rehearsal's own."""
    wave = (run["plan"] / "wave-01.md").read_text(encoding="utf-8")
    assert '--target cfn-git-sync --out "$EXPORT"' in wave
    assert '--target backstage --opt export=cfn-git-sync --out "$EXPORT/backstage"' in wave
    assert "aws codeconnections create-sync-configuration" in wave
    runbook = [s for s in run["steps"] if s["action"] == "runbook"]
    outcomes = {o: sum(1 for s in runbook if s["outcome"] == o) for o in {s["outcome"] for s in runbook}}
    assert outcomes.get("failed", 0) == 0 and outcomes.get("ok", 0) > 100, outcomes
    assert any("create-sync-configuration" in s["command"] and s["outcome"] == "ok" for s in runbook)
