"""Runbook shell lines run as written with the real aws CLI against the local cloud, with the credentials
of the account the block names; a failing command is a failed step; a stack whose create failed
(ROLLBACK_COMPLETE) is deleted as the plan's E114 remedy says, so the deployment file can create it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.rehearse.changeset import run_change_set, stack_or_none
from proton_exodus.rehearse.model import FAILED, OK, StackTarget
from proton_exodus.rehearse.run import remedy_failed_creates
from proton_exodus.rehearse.runbook import run_lines, shell_lines

LISTENER = "arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/gone/1/2"
BROKEN = json.dumps(
    {
        "Resources": {
            "Rule": {
                "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                "Properties": {
                    "ListenerArn": LISTENER,
                    "Priority": 10,
                    "Conditions": [{"Field": "path-pattern", "Values": ["/x/*"]}],
                    "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
                },
            }
        }
    }
)


@pytest.fixture(scope="module")
def cloud() -> Iterator[Any]:
    with LocalProtonServer(port=0, retired=True) as server:
        yield server


def test_lines_run_with_the_named_accounts_credentials(cloud: Any, tmp_path: Path) -> None:
    markdown = "\n".join(
        [
            "```sh",
            "SNAPSHOT=path/to/snapshot",
            "",
            "# account 222222222222, Region us-east-1: use credentials for this account",
            "aws ssm put-parameter --type String --overwrite --name /exodus/rb "
            "--value \"$(cat $SNAPSHOT/v)\"",
            "aws ssm get-parameter --name /exodus/missing",
            "```",
        ]
    )
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "v").write_text("hello", encoding="utf-8")
    steps = list(
        run_lines(
            shell_lines(markdown),
            source="RUNBOOK.md",
            endpoint_url=cloud.url,
            variables={"SNAPSHOT": str(tmp_path / "snap")},
            cwd=tmp_path / "work",
        )
    )
    assert [(s.account, s.outcome) for s in steps] == [("222222222222", OK), ("222222222222", FAILED)]
    assert "ParameterNotFound" in steps[1].message
    ssm = cloud.clients.client("ssm", "222222222222", "us-east-1")
    assert ssm.get_parameter(Name="/exodus/rb")["Parameter"]["Value"] == "hello"
    with pytest.raises(Exception, match="ParameterNotFound"):  # the other account has none
        cloud.clients.client("ssm", "111111111111", "us-east-1").get_parameter(Name="/exodus/rb")


def test_a_failed_create_is_deleted_before_its_wave(cloud: Any, tmp_path: Path) -> None:
    cfn = cloud.clients.cloudformation("222222222222", "us-east-1")
    run = run_change_set(cfn, "exodus-rb-broken", BROKEN, {}, {}, name="create")
    assert run.status == "ROLLBACK_COMPLETE"
    target = StackTarget("222222222222", "us-east-1", "exodus-rb-broken", "service_instance")
    steps = list(remedy_failed_creates([(3, [target])], cloud.clients.cloudformation, cloud.url, tmp_path))
    assert [(s.wave, s.action, s.outcome) for s in steps] == [(3, "remedy", OK), (3, "remedy", OK)]
    assert steps[0].command.startswith("aws cloudformation delete-stack --stack-name exodus-rb-broken")
    assert stack_or_none(cfn, "exodus-rb-broken") is None


def test_staging_refuses_placeholder_text_against_an_estate_it_did_not_build(tmp_path: Path) -> None:
    """Without secrets.json, stand-ins are staged only in a cloud the rehearsal rebuilt (they are what its
    stacks hold); against a given endpoint the step fails and runs nothing."""
    from proton_exodus.model.snapshot import Snapshot
    from proton_exodus.rehearse.run import stage_secrets

    export = tmp_path / "export"
    export.mkdir()
    stage = [{"account": "111111111111", "region": "us-east-1", "name": "/exodus/s/x", "secretId": "s1"}]
    (export / "PLANNED_CHANGES.json").write_text(
        json.dumps({"changes": [], "stage": stage}), encoding="utf-8"
    )
    (export / "PLANNED_CHANGES.md").write_text("```bash\nfalse\n```\n", encoding="utf-8")
    snapshot = Snapshot(meta={}, records={}, stacks=[], root=tmp_path / "no-secrets")
    steps = stage_secrets(snapshot, export, tmp_path / "work", "http://127.0.0.1:9", stand_ins=False)
    assert [(s.action, s.outcome) for s in steps] == [("stage", FAILED)]
    assert "no secrets.json" in steps[0].message
