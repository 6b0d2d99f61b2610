"""Verify tells the truth: it compares what CloudFormation compares (dynamic references as text, SSM
parameter types resolved, stack tags) and gives every difference its change-set effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proton_exodus.export import run_export
from proton_exodus.verify import verify_export
from tests.verify.demo_estate import demo_snapshot


@pytest.fixture(scope="module")
def snapshot():
    return demo_snapshot()  # built in a process of its own: no moto state of this worker can spoil it


def _export(snapshot, tmp: Path, **options: str) -> Path:
    run_export("cfn-git-sync", snapshot, tmp, options=options)
    return tmp


def test_dynamic_reference_export_reports_the_nine_task_definition_replacements(
    snapshot, tmp_path: Path
) -> None:
    """Today's export (secrets as Secrets Manager dynamic references): verify used to resolve them with
    secrets.json and say 0 differences; CloudFormation replaces 9 task definitions."""
    export = _export(snapshot, tmp_path / "dyn", secrets="dynamic-reference")
    (export / "PLANNED_CHANGES.json").unlink()  # as exported before planned changes existed
    report = verify_export(snapshot, export)
    replaced = sorted(
        {
            (d.stack, d.name)
            for d in report.differences
            if d.effect == "Replacement" and d.resource_type == "AWS::ECS::TaskDefinition"
        }
    )
    assert len(replaced) == 9
    lambdas = {(d.stack, d.name) for d in report.differences if d.resource_type == "AWS::Lambda::Function"}
    assert lambdas and all(
        d.effect == "Modify" for d in report.differences if d.resource_type == "AWS::Lambda::Function"
    )
    assert report.failed
    assert all(d["effect"] for d in report.as_dict()["differences"])


def test_planned_changes_are_reported_as_planned_not_failures(snapshot, tmp_path: Path) -> None:
    export = _export(snapshot, tmp_path / "dyn", secrets="dynamic-reference")
    planned = json.loads((export / "PLANNED_CHANGES.json").read_text())["changes"]
    assert sum(1 for c in planned if c["effect"] == "Replacement") == 9
    assert all(
        "rolling deployment of service" in c["description"]
        for c in planned
        if c["type"] == "AWS::ECS::TaskDefinition"
    )
    report = verify_export(snapshot, export)
    assert report.differences and all(d.planned for d in report.differences)
    assert not report.failed
    assert "Replacement" in (export / "PLANNED_CHANGES.md").read_text()


def test_default_export_first_deploy_is_a_no_op(snapshot, tmp_path: Path) -> None:
    export = _export(snapshot, tmp_path / "ssm")
    report = verify_export(snapshot, export)
    assert report.stacks == 39
    # only the rewritten service pipelines change (planned: Proton is retired); nothing from secrets
    assert report.unplanned == [] and not report.failed
    changes = json.loads((export / "PLANNED_CHANGES.json").read_text())["changes"]
    # ... and the general Description of stacks on a shared parameterised template (no resource)
    assert all(
        c["choice"].startswith("service pipelines rewritten")
        or (c["choice"] == "shared parameterised template" and c["effect"] == "NoResourceChange")
        for c in changes
    )


def test_a_new_stack_tag_is_a_difference_to_every_taggable_resource(snapshot, tmp_path: Path) -> None:
    export = _export(snapshot, tmp_path / "tag")
    deployment = next((export / "deployments").rglob("*.yaml"))
    text = deployment.read_text().replace("tags:\n", "tags:\n  exodus:migrated-from: proton\n", 1)
    deployment.write_text(text)
    report = verify_export(snapshot, export)
    assert [(d.section, d.name, d.effect) for d in report.unplanned] == [
        ("StackTags", "exodus:migrated-from", "TagAll")
    ]
    assert report.failed


def test_a_wrong_staged_value_is_a_change(snapshot, tmp_path: Path) -> None:
    export = _export(snapshot, tmp_path / "wrong")
    staged = json.loads((export / "PLANNED_CHANGES.json").read_text())["stage"]
    assert staged
    report = verify_export(snapshot, export, ssm_values={s["name"]: "not-the-value" for s in staged})
    assert any(d.effect == "Replacement" for d in report.differences)


def test_export_secrets_flag_reaches_the_exporter_options(tmp_path: Path, monkeypatch) -> None:
    from unittest import mock

    import proton_exodus.export as export_module
    from proton_exodus.cli import main

    fake = mock.MagicMock()
    monkeypatch.setattr(export_module, "run_export", fake)
    monkeypatch.setattr("proton_exodus.model.snapshot.load_snapshot", lambda path: "SNAP")
    with pytest.raises(SystemExit):
        main(
            [
                "export",
                "--snapshot",
                str(tmp_path),
                "--target",
                "cfn-git-sync",
                "--out",
                str(tmp_path / "o"),
                "--secrets",
                "dynamic-reference",
            ]
        )
    assert fake.call_args.kwargs["options"] == {"secrets": "dynamic-reference"}
