"""Every built-in target's deployer on the demo estate, rebuilt from its committed stacks snapshot with
Proton retired, through waves 1-2 (both tiers before production: 11 stacks, every kind of demo stack).
codepipeline and github-actions are rehearsed with the plan their users make (`exodus plan --target T`),
so every shell line of its wave runbooks runs too.

The first deploy of every stack is a no-op, the stacks whose secret leaves Git through an SSM parameter
included: PLANNED_CHANGES.md stages it before the first wave."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from exporters.argocd.rehearse import STACK_GROUP
from exporters.codepipeline.rehearse import Deploy, deploy_stack, pipeline_deploys
from proton_exodus.cli import cli
from proton_exodus.rehearse.model import FAILED, RehearsalContext, Step
from tests.support.paths import REPO

SNAPSHOT, PLAN = REPO / "sample_exports" / "snapshot", REPO / "sample_exports" / "plan"
EXPORTS = REPO / "sample_exports" / "exports"
BUNDLES = REPO / "proton_exodus" / "demo" / "bundles"
# Every target through waves 1-2. The GitHub Actions runner's `aws` calls go through the warm CLI
# (rehearse/warm_aws.py); a full 7-wave github-actions rehearsal with day 2 and a rollback passes on the
# demo but costs ~75 s of CPU (each job's `pip install` step ~1 s): run by benchmarks/rehearse.py, not here.
THROUGH: dict[str, int] = {}
PARTNER_PROD = "AWSProton-partner-prod-cloudformation--VSVDJDZXCBKVQID"  # account 222222222222


# Targets rehearsed with their own plan (`exodus plan --target T`), so the waves' runbooks run too.
OWN_PLAN = ("codepipeline", "github-actions")


def own_plan(target: str, out: Path) -> Path:
    """The plan a user of `target` makes: `exodus plan --target T` on the demo snapshot."""
    args = ["plan", "--snapshot", str(SNAPSHOT), "--target", target, "--start", "2026-12-07"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def rehearse(
    target: str, out: Path, *extra: str, plan: Path = PLAN
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        [
            "--output",
            "json",
            "rehearse",
            "--snapshot",
            str(SNAPSHOT),
            "--plan",
            str(plan),
            "--target",
            target,
            "--out",
            str(out),
            *extra,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return (
        result.exit_code,
        json.loads(result.output),
        json.loads((out / "rehearsal.json").read_text(encoding="utf-8")),
    )


def deploys(doc: dict[str, Any], action: str = "deploy") -> list[dict[str, Any]]:
    return [
        s
        for w in doc["waves"]
        for s in w["steps"]
        if s["action"].startswith(action) and s["outcome"] != "skipped"
    ]


def secret_parameter_stacks(export: Path) -> set[str]:
    """Stacks whose exported template takes a secret as an SSM parameter the runbook stages."""
    rows = json.loads((export / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    return {
        r["stack"]
        for r in rows
        if "AWS::SSM::Parameter::Value<String>" in (export / r["templateFile"]).read_text(encoding="utf-8")
    }


@pytest.fixture(scope="module", params=["codepipeline", "github-actions", "argocd"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("rehearse")
    out = base / request.param
    through = THROUGH.get(request.param, 2)
    plan = own_plan(request.param, base / "plan") if request.param in OWN_PLAN else PLAN
    code, summary, doc = rehearse(
        request.param, out, "--through-wave", str(through), "--bundles", str(BUNDLES), plan=plan
    )
    return {
        "target": request.param,
        "out": out,
        "code": code,
        "summary": summary,
        "doc": doc,
        "through": through,
        "plan": plan,
    }


def test_each_stack_of_the_waves_is_deployed_by_the_target(demo: dict[str, Any]) -> None:
    plan = json.loads((demo["plan"] / "plan.json").read_text(encoding="utf-8"))
    planned = {
        r["stackName"]
        for w in plan["waves"]
        if w["number"] <= demo["through"]
        for r in w["resources"]
        if r.get("stackName")
    }
    steps = deploys(demo["doc"])
    assert {s["stack"] for s in steps} == planned
    assert len(steps) == len(planned) == {1: 7, 2: 11}[demo["through"]]
    prefix = {
        "codepipeline": "codepipeline exodus-",
        "github-actions": "github actions ",
        "argocd": "argocd ",
    }
    assert all(s["command"].startswith(prefix[demo["target"]]) for s in steps), steps[0]["command"]
    assert demo["summary"]["waves"] == demo["through"]


def test_secrets_are_staged_as_written_before_the_first_wave(demo: dict[str, Any]) -> None:
    staged = [s for w in demo["doc"]["waves"] for s in w["steps"] if s["action"] == "stage"]
    planned = json.loads((demo["out"] / "export" / "PLANNED_CHANGES.json").read_text(encoding="utf-8"))
    assert len(staged) == len(planned["stage"]) == {1: 3, 2: 6}[demo["through"]]
    assert all(s["outcome"] == "ok" and s["command"].startswith("aws ssm put-parameter") for s in staged)
    assert {s["account"] for s in staged} == {p["account"] for p in planned["stage"]}
    assert all("no secrets.json" in s["message"] for s in staged)


def test_first_deploy_is_a_no_op(demo: dict[str, Any]) -> None:
    steps = deploys(demo["doc"])
    assert len(secret_parameter_stacks(EXPORTS / "codepipeline") & {s["stack"] for s in steps}) >= 3
    # argocd too: the bootstrap runs the provider with --skip-default-tags, so it adds no tags of its own
    assert all(s["outcome"] == "no-op" and s["changes"] == [] for s in steps), [
        (s["stack"], s["outcome"], s["message"], s["changes"]) for s in steps if s["outcome"] != "no-op"
    ]
    assert demo["summary"]["failed"] == demo["summary"]["unplanned"] == 0


def runbook_steps(demo: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for w in demo["doc"]["waves"] for s in w["steps"] if s["action"] == "runbook"]


def test_the_targets_own_wave_runbooks_pass(demo: dict[str, Any]) -> None:
    """A user of the target plans with it: every shell line of its wave runbooks runs (the real `aws`
    CLI, per-account profiles) or is recorded with what stands for it, and none fails."""
    if demo["target"] not in OWN_PLAN:
        pytest.skip("rehearsed with the cfn-git-sync plan")
    steps = runbook_steps(demo)
    failed = [(s["command"], s["message"]) for s in steps if s["outcome"] == "failed"]
    assert failed == [] and demo["summary"]["passed"] and demo["code"] == 0
    ran = [s for s in steps if s["outcome"] == "ok"]
    assert len(ran) >= 40  # stack status, hand-over, exit and drift checks of waves 1-2
    manual = [s for s in steps if s["outcome"] == "manual"]
    programs = {s["command"].split(" ", 1)[0] for s in manual}  # aws: the connection's handshake
    if demo["target"] == "codepipeline":  # nothing stands in for its own commands: all run
        assert programs == {"exodus", "git", "aws"}
        deploys_pipeline = [s for s in ran if "--template-file \"$EXPORT/pipelines/" in s["command"]]
        assert len(deploys_pipeline) == 2  # exodus-dev, exodus-staging
        checks = [s for s in ran if "list-pipeline-executions" in s["command"]]
        assert len(checks) == 2 and all(s["message"] == "printed Succeeded" for s in checks)
    else:
        from exporters.github_actions.rehearse import STAND_INS

        gh = [s for s in manual if s["command"].startswith("gh ")]
        # enable, run and run list per wave, and the rollback of wave 2 disables its workflow
        assert programs == {"exodus", "git", "aws", "gh"} and len(gh) == 7
        assert all(STAND_INS["gh"] in s["message"] for s in gh)
        roles = [s for s in ran if "--stack-name exodus-github-roles" in s["command"]]
        assert len(roles) == 4  # deployed and checked by each wave in 111111111111
        assert all(s["message"] in ("", "printed CREATE_COMPLETE") for s in roles)
    secrets_dir = demo["out"] / "work" / "runbook" / "secrets-dir"
    assert secrets_dir.is_dir() and secrets_dir.stat().st_mode & 0o777 == 0o700
    assert not (demo["out"] / "export" / "secrets-dir").exists()


def test_codepipeline_actions_run_where_their_role_lives() -> None:
    export = EXPORTS / "codepipeline"
    home = pipeline_deploys(export, "111111111111", "us-east-1")[PARTNER_PROD]
    assert home.action_role == "arn:aws:iam::222222222222:role/exodus-pipeline-action"
    assert home.approval == "01-partner-prod-Approve" and home.execute
    assert home.actions == ["01-partner-prod-ChangeSet", "01-partner-prod-Execute"]
    # deployed in the stack's own account, the condition drops the action role
    assert pipeline_deploys(export, "222222222222", "us-east-1")[PARTNER_PROD].action_role == ""


def _no_cloud(account: str, region: str) -> Any:
    raise AssertionError("a misrouted action must fail before any CloudFormation call")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"action_role": ""}, "the action runs in account 111111111111 but the stack lives in 222222222222"),
        (
            {"cfn_role": "arn:aws:iam::111111111111:role/exodus-demo-proton-service"},
            "CloudFormation accepts a service role of the stack's own account (222222222222) only",
        ),
    ],
)
def test_codepipeline_cross_account_mistakes_fail_the_step(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    export = EXPORTS / "codepipeline"
    deploy: Deploy = pipeline_deploys(export, "111111111111", "us-east-1")[PARTNER_PROD]
    for key, value in change.items():
        setattr(deploy, key, value)
    ctx = RehearsalContext(export, tmp_path, [], _no_cloud, home_account="111111111111")
    step = deploy_stack(
        ctx, export, "0" * 40, Step(4, "deploy", PARTNER_PROD, "222222222222", "us-east-1"), deploy
    )
    assert step.outcome == FAILED and message in step.message


def test_argocd_project_must_admit_the_namespace_the_sync_creates(tmp_path: Path) -> None:
    from exporters.argocd.rehearse import applications, project_denies

    apps, projects = applications(EXPORTS / "argocd")
    dev = next(a for a in apps if a.name == "env-dev")
    assert project_denies(dev, projects[dev.project]) == []
    narrowed = {
        **projects[dev.project],
        "clusterResourceWhitelist": [{"group": STACK_GROUP, "kind": "Stack"}],
    }
    assert project_denies(dev, narrowed) == [
        "resource :Namespace proton-dev is not permitted in project proton-111111111111"
    ]
    assert "does not exist" in project_denies(dev, None)[0]


def test_github_actions_run_steps_are_executed_by_bash(demo: dict[str, Any]) -> None:
    if demo["target"] != "github-actions":
        pytest.skip("github-actions only")
    jobs = demo["out"] / "work" / "github-actions" / "jobs"
    # each job ran in its own clone of the pushed commit, and the workflow's jq wrote its parameter file
    written = sorted(jobs.glob("run-*/deploy/workspace/exodus-parameters.json"))
    assert len(written) == {1: 7, 2: 11}[demo["through"]]  # one job per stack of the waves
    assert all(isinstance(json.loads(p.read_text(encoding="utf-8")), list) for p in written)


def test_a_doctored_reusable_workflow_fails_its_steps(tmp_path: Path) -> None:
    doctored = tmp_path / "export"
    shutil.copytree(EXPORTS / "github-actions", doctored)
    reusable = doctored / ".github" / "workflows" / "exodus-stack.yml"
    text = reusable.read_text(encoding="utf-8")
    assert "--change-set-type UPDATE" in text
    reusable.write_text(text.replace("--change-set-type UPDATE", "--change-set-type UPDATE --no-such-flag"))
    code, summary, doc = rehearse(
        "github-actions", tmp_path / "out", "--through-wave", "1", "--no-day2", "--export", str(doctored)
    )
    steps = deploys(doc)
    assert code == 1 and summary["failed"] == len(steps) == 7 and summary["day2"] is None
    assert all("job deploy: Create change set: exit" in s["message"] for s in steps)


def test_day_2_changes_only_what_it_should(demo: dict[str, Any]) -> None:
    day2 = demo["summary"]["day2"]
    ops = ["ship-image", "change-input"] + (["minor-version"] if demo["through"] >= 2 else [])
    for name in ops:
        assert day2[name]["outcome"] == "ok" and day2[name]["unplanned"] == 0, (name, day2[name])
    steps = {s["action"]: s for s in deploys(demo["doc"], "day2:")}
    image = steps["day2:ship-image"]
    assert [(c["action"], c["resource_type"], c["replacement"]) for c in image["changes"]] == [
        ("Modify", "AWS::ECS::TaskDefinition", "True")  # a new revision, as every image change is
    ]
    count = steps["day2:change-input"]
    assert [(c["resource_type"], c["properties"], c["replacement"]) for c in count["changes"]] == [
        ("AWS::ECS::Service", ["DesiredCount"], "False")
    ]
    if "minor-version" in ops:
        minor = steps["day2:minor-version"]
        assert minor["stack"] == "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"  # 1.0 -> 1.1
        assert {c["logical_id"]: c["properties"] for c in minor["changes"]} == {
            "TargetGroup": ["HealthCheckPath"],
            "TaskDefinition": ["ContainerDefinitions"],
        }
        if demo["target"] == "codepipeline":  # moved as cfn-git-sync is: to the shared 1.1 template
            assert "exodus repo upgrade payments-api/staging --to 1.1" in minor["message"]
            assert "pipelines/environments/staging.yaml" in minor["message"]  # the action reads its file
    replaced = [
        c for s in steps.values() for c in s["changes"] if c["replacement"] in ("True", "Conditional")
    ]
    assert {c["resource_type"] for c in replaced} == {"AWS::ECS::TaskDefinition"}


def test_a_wave_rolls_back_to_the_recorded_stacks(demo: dict[str, Any]) -> None:
    rollback = demo["summary"]["day2"]["rollback"]
    steps = deploys(demo["doc"], "rollback")
    assert (
        rollback["wave"] == demo["through"] and rollback["failed"] == 0 and len(steps) == rollback["stacks"]
    )
    assert all(s["status"].endswith("_COMPLETE") and "ROLLBACK" not in s["status"] for s in steps)
    for s in steps:
        resources = [c for c in s["changes"] if c["action"] != "Tags"]
        if "reverts the day-2 change" in s["message"]:
            assert resources and all(c["planned"] for c in resources)
        else:
            assert resources == []  # the first deploy changed nothing, so going back changes nothing
    tags = [c for s in steps for c in s["changes"] if c["action"] == "Tags"]
    assert tags == [] and demo["summary"]["passed"] and demo["code"] == 0
