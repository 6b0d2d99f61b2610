"""cfn-git-sync on synthetic estates and on stacks rendered from every corpus environment bundle:
cfn-lint clean, verify finds zero differences, deliberate changes are caught, output is deterministic."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from exporters import Registry
from exporters.cfn_git_sync import exporter as gitsync
from proton_exodus.cfn.text import load_template
from proton_exodus.errors import RenderError
from proton_exodus.export import run_export
from proton_exodus.output.writer import render_tree
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from proton_exodus.verify import verify_export
from tests.exporters.cfn_helpers import corpus_environment_snapshot, corpus_service_snapshot
from tests.proton.render.corpus_cases import build_cases

REG = Registry({"cfn-git-sync": lambda: gitsync})
GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
ENV_CASES = sorted(
    {
        (c.bundle, c.spec)
        for c in build_cases()
        if c.target == "environment"
        and (c.bundle / "infrastructure" / "manifest.yaml").read_text().count("cloudformation")
    },
    key=str,
)


@functools.cache
def _errors(text: str) -> list[str]:
    return [
        f"{m.rule.id} {m.message}"
        for m in lint(text, config=ManualArgs(regions=["us-east-1"]))
        if m.rule.id.startswith("E")
    ]


def _lint_tree(out: Path, inherited: set[str]) -> None:
    """0 cfn-lint errors, apart from rules the deployed templates themselves already break
    (e.g. E2533 deprecated Lambda runtimes in 2022 corpus templates): the export adds none."""
    for path in sorted(out.rglob("*.yaml")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith(("templates/", "bootstrap/")):
            assert [e for e in _errors(path.read_text()) if e.split()[0] not in inherited] == [], rel


def _export_and_verify(snap, out: Path) -> None:
    run_export("cfn-git-sync", snap, out, registry=REG)
    inherited = {e.split()[0] for e in _errors(min(snap.templates.values()))}
    _lint_tree(out, inherited)
    report = verify_export(snap, out)
    assert not report.failed, report.summary_text()
    assert report.stacks == len(snap.stacks)


def test_synthetic_estate_round_trip(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(3, 3, 2))
    _export_and_verify(snap, tmp_path / "a")
    again = run_export("cfn-git-sync", snap, tmp_path / "a", registry=REG)
    assert not again.write.changed
    run_export("cfn-git-sync", snap, tmp_path / "b", registry=REG)
    assert render_tree(tmp_path / "a") == render_tree(tmp_path / "b")
    dep = yaml.safe_load(next((tmp_path / "a" / "deployments").rglob("*.yaml")).read_text())
    # The stack's own tags exactly: a marker stack tag would reach every taggable resource.
    assert "exodus:migrated-from" not in dep["tags"] and any(k.startswith("proton:") for k in dep["tags"])


@pytest.mark.parametrize(("bundle", "spec"), ENV_CASES, ids=lambda v: "/".join(Path(v).parts[-3:]))
def test_corpus_environment_bundles(bundle: Path, spec: Path, tmp_path: Path) -> None:
    snap = corpus_environment_snapshot(bundle, spec, ["alpha", "beta"])
    _export_and_verify(snap, tmp_path / "out")
    summary = (tmp_path / "out" / "TEMPLATES.md").read_text()
    assert "parameterised: 2" in summary or "deployed" in summary


def test_parameterised_template_is_shared_and_lints_with_deployment_files(tmp_path: Path) -> None:
    bundle = next(b for b, _ in ENV_CASES if b.parts[-2] == "vpc-env")
    snap = corpus_environment_snapshot(bundle, bundle.parent / "spec" / "spec.yaml", ["alpha", "beta"])
    out = tmp_path / "out"
    _export_and_verify(snap, out)
    shared = out / "templates/environment/vpc-env/v1/environment.yaml"
    assert "EnvironmentName" in load_template(shared.read_text())["Parameters"]
    deps = sorted(str(p.relative_to(out)) for p in (out / "deployments").rglob("*.yaml"))
    run = subprocess.run(
        [str(Path(__import__("sys").executable).parent / "cfn-lint"), "--deployment-files", *deps],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 4), run.stdout + run.stderr  # 4 = warnings only


def test_deliberate_change_is_caught_with_replacement(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(1, 1, 1))
    out = tmp_path / "out"
    run_export("cfn-git-sync", snap, out, registry=REG)
    # the CIDR is a parameter of the shared template: its value lives in the deployment file
    (held,) = [p for p in (out / "deployments").rglob("*.yaml") if "10.0.0.0/16" in p.read_text()]
    held.write_text(held.read_text().replace("10.0.0.0/16", "10.9.0.0/16"))
    report = verify_export(snap, out)
    assert report.failed
    (diff,) = report.unplanned
    assert (diff.name, diff.path, diff.replacement) == ("VPC", "Properties.CidrBlock", "True")


def test_blocked_stacks_become_findings(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(2, 1, 1))
    snap.stacks[0]["StackStatus"] = "UPDATE_ROLLBACK_FAILED"
    report = run_export("cfn-git-sync", snap, tmp_path / "out", registry=REG)
    assert any(f.code == "E-GITSYNC-STATUS" for f in report.findings)
    sync = "".join(
        p.read_text() for p in (tmp_path / "out" / "bootstrap").rglob("sync-configurations-*.yaml")
    )
    assert snap.stacks[0]["StackName"] not in sync and snap.stacks[1]["StackName"] in sync


def test_golden_synthetic(tmp_path: Path, update_goldens: bool) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(2, 2, 1))
    run_export("cfn-git-sync", snap, tmp_path / "out", registry=REG)
    tree = render_tree(tmp_path / "out")
    golden = GOLDENS / "synthetic_small" / "cfn-git-sync"
    if update_goldens:
        import shutil

        shutil.rmtree(golden, ignore_errors=True)
        for rel, text in tree.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_text(text)
    assert render_tree(golden) == tree


@pytest.mark.parametrize("mode", ["ssm-parameter", "dynamic-reference"])
def test_sensitive_inputs_leave_the_template(tmp_path: Path, mode: str) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(1, 0, 1))
    env, stack = snap.records["environments"][0], snap.stacks[0]
    # Inventory keeps clear values in secrets.json and a placeholder in the spec.
    env["spec"] += "  db_password: '{{exodus:secret:0123456789abcdef}}'\n"
    snap.secrets = {"0123456789abcdef": "s3cr3t-value-123"}
    snap.templates[stack["templatePath"]] = snap.templates[stack["templatePath"]].replace(
        "Value: 'dev'", "Value: 's3cr3t-value-123'"
    )
    out = tmp_path / "out"
    report = run_export("cfn-git-sync", snap, out, registry=REG, options={"secrets": mode})
    assert "s3cr3t-value-123" not in "".join(render_tree(out).values())
    template = next((out / "templates/environment").rglob("*.yaml")).read_text()
    if mode == "dynamic-reference":
        assert "{{resolve:secretsmanager:exodus/" + stack["StackName"] + "/db_password}}" in template
        assert [f.code for f in report.findings].count("W-GITSYNC-SECRET") == 1
        return
    assert "AWS::SSM::Parameter::Value<String>" in template and "ExodusSecretDbPassword" in template
    deployment = next((out / "deployments").rglob(stack["StackName"] + ".yaml")).read_text()
    assert f"/exodus/{stack['StackName']}/db_password" in deployment
    assert [f.code for f in report.findings].count("W-GITSYNC-STAGE-SECRET") == 1
    assert "aws ssm put-parameter" in (out / "PLANNED_CHANGES.md").read_text()
    assert not verify_export(snap, out).failed  # resolved through secrets.json
    snap.secrets = {}  # a redacted snapshot cannot prove the secret's value
    assert verify_export(snap, out).failed


SVC_CASES = sorted(
    {
        (c.bundle, c.spec)
        for c in build_cases()
        if c.target.startswith("instance:")
        and "cloudformation" in (c.bundle / "instance_infrastructure" / "manifest.yaml").read_text()
    },
    key=str,
)


@pytest.mark.parametrize(("bundle", "spec"), SVC_CASES, ids=lambda v: "/".join(Path(v).parts[-3:]))
def test_corpus_service_bundles(bundle: Path, spec: Path, tmp_path: Path) -> None:
    try:
        snap = corpus_service_snapshot(bundle, spec)
    except RenderError as err:  # the template checker's deliberately broken samples never deployed
        pytest.skip(f"Proton could not have deployed it: {err}")
    _export_and_verify(snap, tmp_path / "out")


def test_demo_customer_managed_environment_is_not_called_a_cloudformation_one(tmp_path: Path) -> None:
    """Proton never deployed a customer-managed environment: nothing to hand over, and the stack, if
    any, is the customer's (the old wording said "provisioned by cloudformation, not a CloudFormation
    stack")."""
    from proton_exodus.model.snapshot import load_snapshot

    snap = load_snapshot(Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot")
    run_export("cfn-git-sync", snap, tmp_path, registry=REG)
    tasks = (tmp_path / "MANUAL_TASKS.md").read_text()
    assert "provisioned by cloudformation, not a CloudFormation stack" not in tasks
    line = next(x for x in tasks.splitlines() if "legacy-network" in x)
    assert "customer-managed: Proton never deployed it" in line and "is yours" in line
    assert "provisioned by terraform, not a CloudFormation stack" in tasks  # tf-sandbox keeps its warning
    # the service pipelines' templates deploy the instance stacks directly, and the findings say where
    pipelines = [
        p
        for p in (tmp_path / "templates" / "service").rglob("*.yaml")
        if "AWS::CodePipeline::Pipeline" in p.read_text()
    ]
    assert pipelines and all("execute-change-set" in p.read_text() for p in pipelines)
    assert all(p.relative_to(tmp_path).as_posix() in tasks for p in pipelines)


def test_demo_pipeline_rewrites_are_the_only_differences_and_each_is_named(tmp_path: Path) -> None:
    """Offline verify of the demo export differs only in the rewritten service pipelines, and every such
    difference is one of the planned changes the rewrite names (the PLANNED_CHANGES.json entries)."""
    from exporters._pipelines.service_pipeline import pipeline_planned_changes
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.model.units import build_units

    snap = load_snapshot(Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot")
    run_export("cfn-git-sync", snap, tmp_path, registry=REG)
    report = verify_export(snap, tmp_path)
    pipelines = {u.stack_name: u for u in build_units(snap) if u.kind == "service_pipeline"}
    planned = []
    for name, unit in pipelines.items():
        template = next((tmp_path / "templates").rglob(f"{name}.yaml")).read_text()
        planned += pipeline_planned_changes(
            name, unit.account, unit.region, str(unit.deployed_template), template
        )
    # besides them: the general Description of each stack on a shared template (planned, no resource)
    described = [d for d in report.differences if d.section == "Description"]
    assert described and all(d.planned and d.effect == "NoResourceChange" for d in described)
    differences = [d for d in report.differences if d.section != "Description"]
    assert differences and {d.stack for d in differences} <= set(pipelines)
    for d in differences:
        prop = d.path.split("[", 1)[0].split(".")
        prop = ".".join(prop[:2]) if prop[0] == "Properties" else prop[0]
        assert any(
            c["stack"] == d.stack and c["resource"] == d.name and c["property"] == prop for c in planned
        ), d
    assert all(c["effect"] == "Modify" for c in planned)
    tasks = (tmp_path / "MANUAL_TASKS.md").read_text()
    assert tasks.count("W-GITSYNC-PIPELINE-CHANGES") == len({c["stack"] for c in planned}) == 6
