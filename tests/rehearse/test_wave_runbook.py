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
    Properties: {ConnectionArn: !Ref ConnectionArn, OwnerId: !Ref OwnerId, RepositoryName: !Ref RepositoryName}
Parameters:
  ConnectionArn: {Type: String}
  OwnerId: {Type: String}
  RepositoryName: {Type: String}
Outputs:
  RoleArn: {Value: !GetAtt Role.Arn}
  RepositoryLinkId: {Value: !GetAtt Link.RepositoryLinkId}
"""
P = '--region us-east-1 --profile "${PROFILE_PREFIX}%s"'


def _wave(account_of_sync: str, config: str) -> str:
    """A runbook in the plan's shape: settings, entry check, bootstrap and sync in account A with
    credentials chosen per line, exit checks."""
    return f"""# Wave 1 of 1

```sh
EXPORT=./exodus-export           # checkout of the target repository
PROFILE_PREFIX=exodus-           # profile per account
CONNECTION_NAME=...              # connection
REPO_OWNER=... REPO_NAME=...     # the repository holding the export
```

## Entry checks

- [ ] stacks:
  ```sh
  # with credentials for account {A}
  aws cloudformation describe-stacks --stack-name base --region us-east-1 --query 'Stacks[0].StackStatus' --output text
  exodus audit --snapshot "$SNAPSHOT" --output json > audit.json
  ```

## Steps

1. Hand over:
   - `app`
     ```sh
     # stack app: account {A}, Region us-east-1
     CONNECTION_ARN=$(aws codeconnections list-connections {P % A} --query "Connections[?ConnectionName=='$CONNECTION_NAME'].ConnectionArn | [0]" --output text)
     aws cloudformation deploy --template-file "$EXPORT/role.yaml" --stack-name sync-role --capabilities CAPABILITY_NAMED_IAM --parameter-overrides ConnectionArn="$CONNECTION_ARN" OwnerId="$REPO_OWNER" RepositoryName="$REPO_NAME" {P % A}
     LINK_ID=$(aws cloudformation describe-stacks --stack-name sync-role {P % A} --query "Stacks[0].Outputs[?OutputKey=='RepositoryLinkId'].OutputValue" --output text)
     SYNC_ROLE_ARN=$(aws cloudformation describe-stacks --stack-name sync-role {P % A} --query "Stacks[0].Outputs[?OutputKey=='RoleArn'].OutputValue" --output text)
     aws codeconnections create-sync-configuration --resource-name app --sync-type CFN_STACK_SYNC --branch main --config-file {config} --repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" {P % account_of_sync}
     ```

## Exit checks

- [ ] synced:
  ```sh
  aws codeconnections get-resource-sync-status --resource-name app --sync-type CFN_STACK_SYNC {P % account_of_sync} --query 'LatestSync.Status'
  ```
"""


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
