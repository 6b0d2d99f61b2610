"""A wave runbook (plan/wave-NN.md) run as a person runs it, with the real aws CLI against the local cloud:
indented ```sh blocks per section (entry checks and steps before the deployer, exit checks after), the
operator's settings replaced by the rehearsal's, `NAME=$(aws ...)` carried to later lines, `--profile`
credentials per account, `exodus`/`git` lines recorded as manual steps; a failing command or a check that
prints a bad state is a failed step (the cross-account mistake of issue 21 §5 fails here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.rehearse.model import FAILED, OK, StackTarget
from proton_exodus.rehearse.runbook import MANUAL, run_wave_runbooks, wave_runbook

A, B, R = "111111111111", "222222222222", "us-east-1"
ROLE = """Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
        - Effect: Allow
          Principal: {Service: cloudformation.sync.codeconnections.amazonaws.com}
          Action: sts:AssumeRole
  Link:
    Type: AWS::CodeStarConnections::RepositoryLink
    Properties:
      ConnectionArn: !Ref ConnectionArn
      OwnerId: !Ref OwnerId
      RepositoryName: !Ref RepositoryName
Parameters:
  ConnectionArn: {Type: String}
  OwnerId: {Type: String}
  RepositoryName: {Type: String}
Outputs:
  RoleArn: {Value: !GetAtt Role.Arn}
  RepositoryLinkId: {Value: !GetAtt Link.RepositoryLinkId}
"""


def _wave(account_of_sync: str, config: str) -> str:
    """A runbook in the plan's shape (data/wave-01.md): settings, entry check, bootstrap and sync with
    credentials chosen per line (the sync in `account_of_sync`), exit check."""
    text = (Path(__file__).parent / "data" / "wave-01.md").read_text(encoding="utf-8")
    return text.replace("@A@", A).replace("@SYNC@", account_of_sync).replace("@CONFIG@", config)


@pytest.fixture(scope="module")
def cloud() -> Iterator[Any]:
    with LocalProtonServer(port=0, retired=True) as server:
        yield server


def _export(tmp: Path) -> Path:
    export = tmp / "export"
    (export / "deployments").mkdir(parents=True)
    (export / "templates").mkdir()
    (export / "role.yaml").write_text(ROLE, encoding="utf-8")
    (export / "deployments" / "app.yaml").write_text("template-file-path: templates/app.yaml\n")
    (export / "templates" / "app.yaml").write_text("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    return export


def _run(cloud: Any, tmp: Path, markdown: str, phase: str) -> list[Any]:
    plan = tmp / "plan"
    plan.mkdir(exist_ok=True)
    (plan / "wave-01.md").write_text(markdown, encoding="utf-8")
    waves = [(1, [StackTarget(A, R, "app"), StackTarget(B, R, "other")])]
    return run_wave_runbooks(
        plan, phase, waves, _export(tmp) if phase == "before" else tmp / "export", tmp / "work", cloud.url
    )


def test_sections_by_phase_include_indented_blocks() -> None:
    md = _wave(A, "deployments/app.yaml")
    before = [(name, len(lines)) for name, lines in wave_runbook(md, "before")]
    assert before == [("setup", 4), ("Entry checks", 3), ("Steps", 6)]
    assert [name for name, _ in wave_runbook(md, "after")] == ["setup", "Exit checks"]
    assert [(name, len(lines)) for name, lines in wave_runbook(md, "rollback")] == [
        ("setup", 4),
        ("Rollback", 3),
    ]


def test_a_wave_runs_as_written_and_its_checks_judge_the_effect(cloud: Any, tmp_path: Path) -> None:
    cfn = cloud.clients.cloudformation(A, R)
    cfn.create_stack(StackName="base", TemplateBody="Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    before = _run(cloud, tmp_path, _wave(A, "deployments/app.yaml"), "before")
    outcomes = [(s.outcome, s.account, s.command.split(" ")[0:3]) for s in before]
    assert [o for o, _, _ in outcomes] == [MANUAL, MANUAL, OK, MANUAL, OK, OK, OK, OK, OK], before
    assert before[-1].stack == "app" and before[-1].account == A
    # the sync configuration points at a deployment file that exists: the stack does not yet (INITIATED)
    after = _run(cloud, tmp_path, _wave(A, "deployments/app.yaml"), "after")
    assert [(s.outcome, s.message) for s in after] == [(FAILED, "Exit checks: printed INITIATED")]
    cfn.create_stack(StackName="app", TemplateBody="Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    after = _run(cloud, tmp_path, _wave(A, "deployments/app.yaml"), "after")
    assert [(s.outcome, s.message) for s in after] == [(OK, "printed SUCCEEDED")]
    # the runbook's rollback stops the sync (the revert is the operator's git): once, then it is gone
    back = _run(cloud, tmp_path, _wave(A, "deployments/app.yaml"), "rollback")
    assert [s.outcome for s in back] == [OK, MANUAL]
    again = _run(cloud, tmp_path, _wave(A, "deployments/app.yaml"), "rollback")
    assert again[0].outcome == FAILED and "ResourceNotFoundException" in again[0].message


def test_the_wrong_accounts_credentials_fail_the_step(cloud: Any, tmp_path: Path) -> None:
    # account B's profile with account A's link and role: CodeConnections refuses (issue 21 §5)
    md = (
        _wave(B, "deployments/app.yaml")
        .replace("sync-role", "sync-role-b")
        .replace("--resource-name app", "--resource-name app-b")
    )
    before = _run(cloud, tmp_path, md, "before")
    last = before[-1]
    assert (last.outcome, last.account) == (FAILED, B)
    assert "ResourceNotFoundException" in last.message or "InvalidInputException" in last.message


def test_settings_expand_and_the_targets_own_tools_are_recorded_not_run(cloud: Any, tmp_path: Path) -> None:
    """`ADOPTION="$EXPORT/..."` takes the value the person's shell gives it; a line whose program (after
    `NAME=value` prefixes, or through `$TF`) is one the target's deployer stands in for is recorded with
    what stands for it; the target's settings hook fills the operator's `...` values."""
    md = "\n".join(
        [
            "## Steps",
            "",
            "```sh",
            "TF=terraform",
            'FILE="$EXPORT/deployments/app.yaml"',
            "BUCKET=...",
            'test -f "$FILE"',
            'test "$BUCKET" = "bucket-of-$EXPORT_NAME"',
            'AWS_PROFILE="exodus-111111111111" $TF -chdir="$EXPORT" init -input=false',
            "kubectl apply -f app.yaml",
            "```",
            "",
        ]
    )
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "wave-01.md").write_text(md, encoding="utf-8")
    seen: list[Any] = []

    def settings(places: Any, export_dir: Path, url: str, **_: Path) -> dict[str, str]:
        seen.append((places, url))
        return {"BUCKET": f"bucket-of-{export_dir.name}", "EXPORT_NAME": export_dir.name}

    steps = run_wave_runbooks(
        plan,
        "before",
        [(1, [StackTarget(A, R, "app")])],
        _export(tmp_path),
        tmp_path / "work",
        cloud.url,
        stand_ins={"terraform": "the terraform deployer runs it", "kubectl": "the sync emulation"},
        settings=settings,
    )
    ran = [(s.outcome, s.command.split(" ")[0]) for s in steps if s.action == "runbook" and s.wave == 1]
    assert ran == [
        (OK, "test"),
        (OK, "test"),
        (MANUAL, 'AWS_PROFILE="exodus-111111111111"'),
        (MANUAL, "kubectl"),
    ]
    assert "the terraform deployer runs it" in steps[-2].message and seen == [([(A, R)], cloud.url)]
