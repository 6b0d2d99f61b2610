"""verify: comparing an export with the deployed stacks, and the change-set gate
(boto3 against moto's CloudFormation on 127.0.0.1:0, and botocore's Stubber for Replacement: True)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from exporters import Registry
from exporters.cfn_git_sync import exporter as gitsync
from proton_exodus.cli import main
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import write_snapshot
from proton_exodus.model.units import build_units
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from proton_exodus.verify import load_deployments, verify_export
from proton_exodus.verify.changeset import check_change_set

REG = Registry({"cfn-git-sync": lambda: gitsync})


def _export(tmp_path: Path, size: SyntheticSize):
    snap = build_synthetic_snapshot(size)
    out = tmp_path / "export"
    run_export("cfn-git-sync", snap, out, registry=REG)
    return snap, out


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap, out = _export(tmp_path, SyntheticSize(1, 1, 1))
    write_snapshot(snap, tmp_path / "snap")
    with pytest.raises(SystemExit) as ok:
        main(["verify", "--snapshot", str(tmp_path / "snap"), "--export", str(out)])
    assert ok.value.code == 0 and "OK: 3 stack(s), 0 unplanned difference(s)" in capsys.readouterr().out
    # the instance deploys a shared parameterised template (TEMPLATES.json says which)
    stacks = json.loads((out / "TEMPLATES.json").read_text())["stacks"]
    template = out / next(s["templateFile"] for s in stacks if "dev-000-0" in s["stack"])
    template.write_text(template.read_text().replace("RetentionInDays: 14", "RetentionInDays: 30"))
    with pytest.raises(SystemExit) as bad:
        main(["verify", "--snapshot", str(tmp_path / "snap"), "--export", str(out)])
    text = capsys.readouterr().out
    assert bad.value.code == 1 and "LogGroup Properties.RetentionInDays" in text and "[Modify]" in text


def test_missing_deployment_file_is_a_difference(tmp_path: Path) -> None:
    snap, out = _export(tmp_path, SyntheticSize(2, 0, 1))
    next((out / "deployments").rglob("*.yaml")).unlink()
    report = verify_export(snap, out)
    assert report.failed and report.unplanned[0].exported == "<no deployment file>"


@pytest.fixture
def moto_cfn():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_change_set_mode_against_local_cloudformation(tmp_path: Path, moto_cfn: str) -> None:
    snap, out = _export(tmp_path, SyntheticSize(1, 0, 1))
    # moto keeps one global state per process: an account of this test's own keeps other tests'
    # stacks (same deterministic names, default account) out of it.
    session = boto3.session.Session(region_name="us-east-1")
    session.events.register(
        "before-sign.cloudformation",
        lambda request, **_: request.headers.__setitem__("x-moto-account-id", "304912567890"),
    )
    cfn = session.client("cloudformation", endpoint_url=moto_cfn)
    for unit in build_units(snap):
        cfn.create_stack(StackName=unit.stack_name, TemplateBody=unit.deployed_template)
    report = verify_export(snap, out, change_set=True, session=session, endpoint_url=moto_cfn)
    assert report.change_sets and not any(c["replacements"] or c["removals"] for c in report.change_sets)
    for unit in build_units(snap):  # every change set was deleted again
        assert cfn.list_change_sets(StackName=unit.stack_name)["Summaries"] == []


def test_change_set_replacement_true_is_reported_and_the_change_set_deleted(tmp_path: Path) -> None:
    snap, out = _export(tmp_path, SyntheticSize(1, 0, 1))
    (unit,) = build_units(snap)
    dep = next(iter(load_deployments(out).values()))
    client = boto3.client("cloudformation", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("create_change_set", {"Id": "arn:cs", "StackId": "arn:stack"})
    stub.add_response(
        "describe_change_set",
        {
            "Status": "CREATE_COMPLETE",
            "Changes": [
                {
                    "Type": "Resource",
                    "ResourceChange": {
                        "Action": "Modify",
                        "LogicalResourceId": "VPC",
                        "ResourceType": "AWS::EC2::VPC",
                        "Replacement": "True",
                    },
                }
            ],
        },
    )
    stub.add_response("delete_change_set", {})

    class _Session:
        def client(self, *args, **kwargs):
            return client

    with stub:
        result = check_change_set(unit, dep, session=_Session())
    stub.assert_no_pending_responses()
    assert result["replacements"] == ["Modify VPC (AWS::EC2::VPC) Replacement: True"]


def test_change_set_gate_catches_a_replacement_in_the_local_cloud(tmp_path: Path, moto_cfn: str) -> None:
    """With the local cloud's change-set details (moto_compat), a live stack whose create-only
    property differs from the export (a VPC's CidrBlock) makes the gate report a replacement."""
    import re

    from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs

    patch_moto_change_set_outputs()
    snap, out = _export(tmp_path, SyntheticSize(1, 0, 1))
    session = boto3.session.Session(region_name="us-east-1")
    session.events.register(
        "before-sign.cloudformation",
        lambda request, **_: request.headers.__setitem__("x-moto-account-id", "304912567891"),
    )
    cfn = session.client("cloudformation", endpoint_url=moto_cfn)
    (unit,) = build_units(snap)
    live, count = re.subn(r"(CidrBlock:\s*['\"]?)10\.", r"\g<1>172.", unit.deployed_template, count=1)
    assert count == 1, "the synthetic environment has a VPC CidrBlock"
    cfn.create_stack(StackName=unit.stack_name, TemplateBody=live)
    report = verify_export(snap, out, change_set=True, session=session, endpoint_url=moto_cfn)
    (result,) = report.change_sets
    assert any("Replacement: True" in line and "AWS::EC2::VPC" in line for line in result["replacements"])
    assert cfn.list_change_sets(StackName=unit.stack_name)["Summaries"] == []


def test_a_wave_export_verifies_the_stacks_of_its_waves_and_nothing_compared_is_no_ok(
    tmp_path: Path,
) -> None:
    """A runbook's `exodus export --through-wave N` records "waves 1-N" as its selection, which names no
    environment or service: verify compares the stacks the export deploys, never "OK: 0 stack(s)"
    (what it said before); a report that compared no stack fails."""
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.verify import VerifyReport
    from tests.support.paths import REPO

    snap = load_snapshot(REPO / "sample_exports" / "snapshot")
    plan = json.loads((REPO / "sample_exports" / "plan" / "plan.json").read_text(encoding="utf-8"))
    run_export("cfn-git-sync", snap, tmp_path / "wave1", registry=REG, plan=plan, through_wave=1)
    deployed = load_deployments(tmp_path / "wave1", registry=REG)
    report = verify_export(snap, tmp_path / "wave1", registry=REG)
    assert report.stacks == len(deployed) >= 5 and not report.failed, report.summary_text()[-500:]
    assert not report.notes
    assert VerifyReport().failed and "none compared" in VerifyReport().summary_text()
