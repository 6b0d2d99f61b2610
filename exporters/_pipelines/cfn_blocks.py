"""CloudFormation blocks the generated pipeline and bootstrap templates share (as data, in the key order
the files are written in): a role's trust policy, the source stage reading the repository through a
CodeConnections connection, and the artifact bucket."""

from __future__ import annotations

from typing import Any


def trust_policy(principal: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An `AssumeRolePolicyDocument` letting `principal` assume the role; `extra` (a Condition) follows."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    return {"Version": "2012-10-17", "Statement": [statement]}


def source_stage(artifact: str) -> dict[str, Any]:
    """The first stage: check out the `ConnectionArn`/`FullRepositoryId`/`BranchName` parameters' commit
    into `artifact` (DetectChanges off: the pipeline's own triggers decide when it runs)."""
    return {
        "Name": "Source",
        "Actions": [
            {
                "Name": "Checkout",
                "ActionTypeId": {
                    "Category": "Source",
                    "Owner": "AWS",
                    "Provider": "CodeStarSourceConnection",
                    "Version": "1",
                },
                "Configuration": {
                    "ConnectionArn": {"Ref": "ConnectionArn"},
                    "FullRepositoryId": {"Ref": "FullRepositoryId"},
                    "BranchName": {"Ref": "BranchName"},
                    "DetectChanges": "false",
                },
                "OutputArtifacts": [{"Name": artifact}],
                "RunOrder": 1,
            }
        ],
    }


def artifact_bucket(*, versioned: bool = False) -> dict[str, Any]:
    """The pipeline's artifact bucket: encrypted, private, kept when the stack goes."""
    properties: dict[str, Any] = {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ]
        },
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    }
    if versioned:
        properties["VersioningConfiguration"] = {"Status": "Enabled"}
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def approval_action(name: str, run_order: int, note: str) -> dict[str, Any]:
    """A manual approval action, `note` shown to the approver (production-like environments wait on one)."""
    return {
        "Name": name,
        "RunOrder": run_order,
        "ActionTypeId": {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"},
        "Configuration": {"CustomData": note},
    }
