"""The CodeConnections operations the local cloud adds (engine/moto_codeconnections.py), on the wire through
the local server, against the CodeConnections API Reference and the Git sync guide: a repository link only
on an AVAILABLE connection and once per repository; a sync configuration once per stack, only with the
caller's link and a role the Git sync principal may assume; the sync status read from the linked
repository (a missing deployment file fails the sync); drift detection on a stable stack."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from proton_exodus.engine import moto_codeconnections as cc
from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.engine.stacks import deploy_stack

A, B, REGION = "111111111111", "222222222222", "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": cc.SYNC_PRINCIPAL}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[Any]:
    with LocalProtonServer(port=0, retired=True) as server:
        yield server


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


def _link(cloud: Any, account: str, repo: str) -> tuple[Any, str]:
    client = cloud.clients.client("codeconnections", account, REGION)
    arn = client.create_connection(ConnectionName=f"c-{repo}", ProviderType="GitHub")["ConnectionArn"]
    assert client.get_connection(ConnectionArn=arn)["Connection"]["ConnectionStatus"] == "PENDING"
    with pytest.raises(ClientError) as err:  # the handshake is not done: no link yet
        client.create_repository_link(ConnectionArn=arn, OwnerId="org", RepositoryName=repo)
    assert _code(err) == "ResourceUnavailableException"
    cc.backend(account, REGION).complete_handshake(arn)
    info = client.create_repository_link(ConnectionArn=arn, OwnerId="org", RepositoryName=repo)
    with pytest.raises(ClientError) as err:
        client.create_repository_link(ConnectionArn=arn, OwnerId="org", RepositoryName=repo)
    assert _code(err) == "ResourceAlreadyExistsException"
    return client, info["RepositoryLinkInfo"]["RepositoryLinkId"]


def _role(cloud: Any, account: str, name: str, trust: dict[str, Any]) -> str:
    iam = cloud.clients.client("iam", account, REGION)
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def _repo(tmp: Path, files: dict[str, str]) -> Path:
    work = tmp / "src"
    work.mkdir()
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text, encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin", "HOME": str(tmp)}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True)
    return work


def test_sync_configuration_rules(cloud: Any, tmp_path: Path) -> None:
    client, link = _link(cloud, A, "rules")
    good = _role(cloud, A, "sync-role", TRUST)
    other = _role(
        cloud,
        A,
        "not-trusted",
        {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}]},
    )
    args = {"Branch": "main", "ConfigFile": "d/s.yaml", "ResourceName": "s1", "SyncType": "CFN_STACK_SYNC"}
    for role, code in (
        (other, "InvalidInputException"),
        (f"arn:aws:iam::{B}:role/sync-role", "InvalidInputException"),
    ):
        with pytest.raises(ClientError) as err:
            client.create_sync_configuration(**args, RepositoryLinkId=link, RoleArn=role)
        assert _code(err) == code
    made = client.create_sync_configuration(**args, RepositoryLinkId=link, RoleArn=good)["SyncConfiguration"]
    assert (made["RepositoryName"], made["OwnerId"], made["ConfigFile"]) == ("rules", "org", "d/s.yaml")
    with pytest.raises(ClientError) as err:
        client.create_sync_configuration(**args, RepositoryLinkId=link, RoleArn=good)
    assert _code(err) == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as err:  # a link is per account: account B cannot use A's
        cloud.clients.client("codeconnections", B, REGION).create_sync_configuration(
            **args, RepositoryLinkId=link, RoleArn=f"arn:aws:iam::{B}:role/x"
        )
    assert _code(err) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as err:
        client.delete_repository_link(RepositoryLinkId=link)
    assert _code(err) == "SyncConfigurationStillExistsException"
    client.delete_sync_configuration(ResourceName="s1", SyncType="CFN_STACK_SYNC")
    client.delete_repository_link(RepositoryLinkId=link)
    assert link not in [k["RepositoryLinkId"] for k in client.list_repository_links()["RepositoryLinks"]]


def test_sync_status_reads_the_linked_repository_and_the_stack(cloud: Any, tmp_path: Path) -> None:
    template = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    repo = _repo(tmp_path, {"d/s2.yaml": "template-file-path: t/s2.yaml\n", "t/s2.yaml": template})
    cc.serve_repository("org", "status", repo)
    client, link = _link(cloud, A, "status")
    role = _role(cloud, A, "status-role", TRUST)
    base = {"Branch": "main", "RepositoryLinkId": link, "RoleArn": role, "SyncType": "CFN_STACK_SYNC"}
    client.create_sync_configuration(**base, ResourceName="s2", ConfigFile="d/s2.yaml")
    client.create_sync_configuration(**base, ResourceName="s3", ConfigFile="d/missing.yaml")
    status = client.get_resource_sync_status(ResourceName="s2", SyncType="CFN_STACK_SYNC")
    assert status["LatestSync"]["Status"] == "INITIATED"  # Git sync creates the missing stack
    cfn = cloud.clients.cloudformation(A, REGION)
    assert deploy_stack(cfn, "s2", template, [], change_set="create", poll=0.0).ok
    status = client.get_resource_sync_status(ResourceName="s2", SyncType="CFN_STACK_SYNC")
    assert status["LatestSync"]["Status"] == "SUCCEEDED"
    assert len(status["LatestSync"]["TargetRevision"]["Sha"]) == 40
    missing = client.get_resource_sync_status(ResourceName="s3", SyncType="CFN_STACK_SYNC")["LatestSync"]
    assert missing["Status"] == "FAILED" and "d/missing.yaml not found" in missing["Events"][0]["Event"]
    drift = cfn.detect_stack_drift(StackName="s2")["StackDriftDetectionId"]
    found = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=drift)
    assert (found["StackDriftStatus"], found["DetectionStatus"]) == ("IN_SYNC", "DETECTION_COMPLETE")
    with pytest.raises(ClientError):
        cfn.detect_stack_drift(StackName="no-such-stack")


def test_bootstrap_template_creates_the_link_a_sync_configuration_uses(cloud: Any) -> None:
    client = cloud.clients.client("codeconnections", B, REGION)
    arn = client.create_connection(ConnectionName="boot", ProviderType="GitHub")["ConnectionArn"]
    cc.backend(B, REGION).complete_handshake(arn)
    template = {
        "Resources": {
            "Link": {
                "Type": "AWS::CodeStarConnections::RepositoryLink",
                "Properties": {"ConnectionArn": arn, "OwnerId": "org", "RepositoryName": "boot"},
            }
        },
        "Outputs": {"LinkId": {"Value": {"Fn::GetAtt": ["Link", "RepositoryLinkId"]}}},
    }
    cfn = cloud.clients.cloudformation(B, REGION)
    assert deploy_stack(cfn, "boot", json.dumps(template), [], change_set="create", poll=0.0).ok
    out = cfn.describe_stacks(StackName="boot")["Stacks"][0]["Outputs"]
    links = [
        k["RepositoryLinkId"]
        for k in client.list_repository_links()["RepositoryLinks"]
        if k["RepositoryName"] == "boot"
    ]
    assert [o["OutputValue"] for o in out] == links
