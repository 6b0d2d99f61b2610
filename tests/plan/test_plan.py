"""plan_snapshot / write_plan on synthetic estates: placement, plan.json, runbooks, schedule."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from proton_exodus.errors import BadInput, ConflictError, UnknownExporter
from proton_exodus.graph import build_graph
from proton_exodus.plan import plan_files, plan_snapshot, plan_waves, wave_start, write_plan
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from tests.plan import BUILTIN_EXPORTERS

FAULTY = SyntheticSize(3, 4, 2, True, components=2, account_connections=1, repositories=True, faults=True)


@pytest.fixture(scope="module")
def faulty():
    return plan_snapshot(build_synthetic_snapshot(FAULTY), max_wave_size=5, pilot=["svc-00003"])


def test_placement_order(faulty) -> None:
    plan, _ = faulty
    waves = {r.label: w for w in plan.waves for r in w.resources}
    assert plan.waves[0].pilot and waves["svc-00003/dev-000-0"].pilot and waves["svc-00003/pipeline"].pilot
    assert waves["dev-000 (account 222222222222)"].number == 1  # connection before its environment
    assert waves["prod-002"].blocked and waves["prod-002"].number == len(plan.waves)
    assert "held back: blocked by E102, E110" in next(
        r.reason for r in waves["prod-002"].resources if r.label == "prod-002"
    )
    healthy = [w for w in plan.waves if not w.pilot and not w.blocked]
    assert [w.risk for w in healthy] == sorted(
        (w.risk for w in healthy), key=["non-production", "staging", "production"].index
    )
    assert any("blocked" in warning for warning in plan.warnings)


def test_plan_json_identifies_resources(faulty) -> None:
    plan, graph = faulty
    data = json.loads(plan_files(plan, graph)["plan.json"])
    assert data["format"] == "proton-exodus-plan" and data["counts"]["waves"] == len(data["waves"])
    resources = [r for w in data["waves"] for r in w["resources"]]
    assert len(resources) == 21 and {r["kind"] for r in resources} == {
        "environment",
        "service_instance",
        "service_pipeline",
        "component",
        "environment_account_connection",
    }
    inst = next(
        r
        for r in resources
        if r["kind"] == "service_instance" and r["name"] == "dev-000-0" and r["service"] == "svc-00003"
    )
    assert inst["environment"] == "dev-000" and inst["stackName"].startswith("AWSProton-svc-00003-dev-000-0")
    assert inst["stackAccount"] == "222222222222"
    assert next(r for r in resources if r["kind"] == "environment" and r["name"] == "dev-000")
    assert all("service" in r for r in resources if r["kind"] == "service_pipeline")
    assert all(
        {"id", "environment", "environmentAccount"} <= set(r)
        for r in resources
        if r["kind"] == "environment_account_connection"
    )
    assert data["waves"][0]["number"] == 1 and data["waves"][0]["pilot"] is True


def test_runbooks_have_every_section(faulty) -> None:
    plan, graph = faulty
    files = plan_files(plan, graph, snapshot_ref="snap", plan_ref="plan")
    assert set(files) == {"plan.json", "README.md"} | {
        f"wave-{i:02d}.md" for i in range(1, len(plan.waves) + 1)
    }
    first = files["wave-01.md"]
    for text in (
        "# Wave 1 of",
        "(pilot)",
        "```mermaid\nflowchart LR",
        "## Entry checks",
        "## Steps",
        "## Exit checks",
        "## Rollback",
        "## Sign-off",
        "exodus export --snapshot \"$SNAPSHOT\" --target cfn-git-sync",
        "--plan \"$PLAN\" --through-wave 1",
        "exodus verify --snapshot \"$SNAPSHOT\" --export \"$EXPORT\" --change-set",
        "aws codeconnections create-sync-configuration --resource-name AWSProton-",
        "aws cloudformation detect-stack-drift",
        "aws codeconnections delete-sync-configuration",
        "exodus wave start 1 --plan \"$PLAN\"",
        "exodus wave rollback 1",
    ):
        assert text in first, text
    every = "".join(text for name, text in sorted(files.items()) if name.startswith("wave-"))
    assert "aws codepipeline start-pipeline-execution" in every
    assert "aws proton delete-service-sync-config --service-name svc-00000" in every
    assert "create-service-sync-config" not in every  # rollback never returns to Proton
    last = files[f"wave-{len(plan.waves):02d}.md"]
    assert "**Blocked:**" in last and "E110" in last and "classDef earlier" in last
    assert "aws proton delete-template-sync-config --template-name syn-env" in files["README.md"]
    manual = next(text for name, text in files.items() if "tf-legacy" in text and name.startswith("wave-"))
    assert "is not handed over by a command: terraform provisioning" in manual


@pytest.mark.parametrize("target", BUILTIN_EXPORTERS)
def test_every_target_renders(target: str) -> None:
    plan, graph = plan_snapshot(build_synthetic_snapshot(SyntheticSize(2, 2, 1, True)), target=target)
    files = plan_files(plan, graph)
    assert f"--target {target}" in files["wave-01.md"]
    assert json.loads(files["plan.json"])["target"] == target


def test_schedule_defaults_and_warnings() -> None:
    snap = build_synthetic_snapshot(SyntheticSize(3, 6, 2, True))
    plan, _ = plan_snapshot(snap, max_wave_size=2)
    assert plan.schedule["start"] == "2026-01-01" and plan.schedule["deadline"] == "2026-10-07"
    assert not plan.schedule["late"] and not plan.warnings
    tight, _ = plan_snapshot(snap, max_wave_size=1, deadline=date(2026, 1, 7))
    assert tight.schedule["late"] and "fall on or after the deadline" in tight.warnings[0]
    late, _ = plan_snapshot(snap, max_wave_size=3, start=date(2026, 11, 23), deadline=date(2026, 10, 7))
    assert late.schedule["late"] and all(w.late for w in late.waves)
    assert "not before the deadline" in late.warnings[0]
    after, _ = plan_snapshot(
        snap, max_wave_size=3, start=date(2026, 11, 23)
    )  # after end of support: no deadline
    assert after.schedule["deadline"] is None and not after.schedule["late"] and not after.warnings


def test_bad_options() -> None:
    graph = build_graph(build_synthetic_snapshot(SyntheticSize(1, 1, 1, True)))
    with pytest.raises(BadInput, match="max-wave-size"):
        plan_waves(graph, max_wave_size=0)
    with pytest.raises(BadInput, match="--pilot 'nope'"):
        plan_waves(graph, pilot=["nope"])
    with pytest.raises(UnknownExporter, match="unknown export target 'pulumi'") as exc:
        plan_waves(graph, target="pulumi")  # (terraform is a built-in target now)
    assert "cfn-git-sync" in (exc.value.hint or "")


def test_write_plan_is_deterministic_and_keeps_its_journal(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(3, 4, 2, True))
    plan, graph = plan_snapshot(snap, max_wave_size=4)
    write_plan(plan, graph, tmp_path / "p", snapshot_ref="snap")
    before = {p.name: p.read_bytes() for p in (tmp_path / "p").iterdir()}
    wave_start(tmp_path / "p", 1)
    write_plan(plan, graph, tmp_path / "p", snapshot_ref="snap")  # same plan: the journal stays
    after = {p.name: p.read_bytes() for p in (tmp_path / "p").iterdir() if p.name != "journal.json"}
    assert {k: v for k, v in before.items()} == {k: v for k, v in after.items() if k in before}
    assert json.loads((tmp_path / "p" / "journal.json").read_text())["waves"]["1"]["state"] == "in_progress"
    other, graph2 = plan_snapshot(snap, max_wave_size=3)
    with pytest.raises(ConflictError, match="different plan"):
        write_plan(other, graph2, tmp_path / "p")
