"""Cross-account deploys of a `codepipeline` export: a pipeline in the account that ran Proton deploys
stacks in other accounts (environment account connections). A CloudFormation action in another account
needs an action `RoleArn` of a role in that account, and the artifact store encrypted with a
customer-managed KMS key that account can use (S3-managed keys cannot be shared). This module adds
both to a pipeline template, and writes the bootstrap template of the role in the target account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exporters._pipelines import StackArtefact

ACTION_ROLE = "exodus-pipeline-action"
BOOTSTRAP_PATH = "bootstrap/cross-account-action-role.yaml"
# What the pipeline and the action roles in the stacks' accounts do with the artifact key.
ARTIFACT_KEY_USE = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


def pipeline_account(stacks: Sequence[StackArtefact]) -> str:
    """The account that ran Proton for these stacks (the account in their Proton ARNs)."""
    return sorted({a.unit.arn.split(":")[4] for a in stacks})[0]


def remote_accounts(stacks: Sequence[StackArtefact]) -> list[str]:
    home = pipeline_account(stacks)
    return sorted({a.unit.account for a in stacks if a.unit.account and a.unit.account != home})


def role_parameter(account: str) -> str:
    return f"ActionRoleArn{account}"


def condition(account: str) -> str:
    return f"Remote{account}"


def add_cross_account(template: dict[str, Any], stacks: Sequence[StackArtefact]) -> None:
    """Action roles, a customer-managed artifact key and the grants they need, for the stacks of
    `template`'s pipeline in other accounts (conditional: none of it applies when the pipeline is
    deployed in the stacks' own account)."""
    remote = remote_accounts(stacks)
    if not remote:
        return
    params, conditions = template["Parameters"], template.setdefault("Conditions", {})
    for account in remote:
        params[role_parameter(account)] = {
            "Type": "String",
            "Default": f"arn:aws:iam::{account}:role/{ACTION_ROLE}",
            "Description": f"role CodePipeline assumes for the actions on account {account}'s stacks "
            f"({BOOTSTRAP_PATH}, deployed in that account)",
        }
        conditions[condition(account)] = {"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::AccountId"}, account]}]}
    any_remote = (
        {"Fn::Or": [{"Condition": condition(a)} for a in remote]}
        if len(remote) > 1
        else {"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::AccountId"}, remote[0]]}]}
    )
    conditions["CrossAccount"] = any_remote
    resources = template["Resources"]
    by_stack = {a.stack_name: a.unit.account for a in stacks}
    for stage in resources["Pipeline"]["Properties"]["Stages"]:
        for action in stage["Actions"]:
            account = by_stack.get((action.get("Configuration") or {}).get("StackName", ""))
            if account in remote:
                action["RoleArn"] = {
                    "Fn::If": [condition(account), {"Ref": role_parameter(account)}, {"Ref": "AWS::NoValue"}]
                }
    roles = [{"Ref": role_parameter(a)} for a in remote]
    resources["ArtifactKey"] = {
        "Type": "AWS::KMS::Key",
        "Condition": "CrossAccount",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": "exodus pipeline artifacts, readable by the action roles in the stacks' accounts",
            "EnableKeyRotation": True,
            "KeyPolicy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountAdmin",
                        "Effect": "Allow",
                        "Action": "kms:*",
                        "Resource": "*",
                        "Principal": {
                            "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
                        },
                    },
                    {
                        "Sid": "ActionRoles",
                        "Effect": "Allow",
                        "Principal": {"AWS": roles},
                        "Resource": "*",
                        "Action": list(ARTIFACT_KEY_USE),
                    },
                ],
            },
        },
    }
    resources["ArtifactBucketPolicy"] = {
        "Type": "AWS::S3::BucketPolicy",
        "Condition": "CrossAccount",
        "Properties": {
            "Bucket": {"Ref": "ArtifactBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ActionRolesReadArtifacts",
                        "Effect": "Allow",
                        "Principal": {"AWS": roles},
                        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                        "Resource": {"Fn::Sub": "${ArtifactBucket.Arn}/*"},
                    },
                    {
                        "Sid": "ActionRolesList",
                        "Effect": "Allow",
                        "Principal": {"AWS": roles},
                        "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                        "Resource": {"Fn::GetAtt": ["ArtifactBucket", "Arn"]},
                    },
                ],
            },
        },
    }
    store = resources["Pipeline"]["Properties"]["ArtifactStore"]
    store["EncryptionKey"] = {
        "Fn::If": [
            "CrossAccount",
            {"Id": {"Fn::GetAtt": ["ArtifactKey", "Arn"]}, "Type": "KMS"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    statements = resources["PipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    statements.append(
        {
            "Fn::If": [
                "CrossAccount",
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": roles},
                {"Ref": "AWS::NoValue"},
            ]
        }
    )
    statements.append(
        {
            "Fn::If": [
                "CrossAccount",
                {
                    "Effect": "Allow",
                    "Action": list(ARTIFACT_KEY_USE),
                    "Resource": {"Fn::GetAtt": ["ArtifactKey", "Arn"]},
                },
                {"Ref": "AWS::NoValue"},
            ]
        }
    )
    template.setdefault("Outputs", {})["ArtifactKeyArn"] = {
        "Condition": "CrossAccount",
        "Value": {"Fn::GetAtt": ["ArtifactKey", "Arn"]},
    }


def bootstrap_role_template() -> dict[str, Any]:
    """The action role, deployed once in each account whose stacks a pipeline in another account deploys."""
    change_sets = [
        "cloudformation:CreateChangeSet",
        "cloudformation:DeleteChangeSet",
        "cloudformation:DescribeChangeSet",
        "cloudformation:DescribeStacks",
        "cloudformation:ExecuteChangeSet",
    ]
    proton_stacks = "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/AWSProton-*/*"
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            "exodus: role a CodePipeline pipeline in PipelineAccountId assumes to deploy this account's "
            "stacks (change sets only), reading artifacts encrypted with that account's KMS key"
        ),
        "Parameters": {
            "PipelineAccountId": {
                "Type": "String",
                "AllowedPattern": r"^\d{12}$",
                "Description": "the account the pipelines run in (the one that ran Proton)",
            },
            "CloudFormationRoleArns": {
                "Type": "CommaDelimitedList",
                "Description": "the stacks' CloudFormation service roles in this account",
            },
        },
        "Resources": {
            "ActionRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": ACTION_ROLE,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "sts:AssumeRole",
                                "Principal": {
                                    "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${PipelineAccountId}:root"}
                                },
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": "deploy-stacks",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": change_sets,
                                        "Resource": {"Fn::Sub": proton_stacks},
                                    },
                                    {
                                        "Effect": "Allow",
                                        "Action": "iam:PassRole",
                                        "Resource": {"Ref": "CloudFormationRoleArns"},
                                        "Condition": {
                                            "StringEquals": {
                                                "iam:PassedToService": "cloudformation.amazonaws.com"
                                            }
                                        },
                                    },
                                    {
                                        "Effect": "Allow",
                                        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                                        "Resource": "arn:aws:s3:::*/*",
                                        "Condition": {
                                            "StringEquals": {
                                                "s3:ResourceAccount": {"Ref": "PipelineAccountId"}
                                            }
                                        },
                                    },
                                    {
                                        "Effect": "Allow",
                                        "Action": list(ARTIFACT_KEY_USE),
                                        "Resource": {
                                            "Fn::Sub": (
                                                "arn:${AWS::Partition}:kms:*:${PipelineAccountId}:key/*"
                                            )
                                        },
                                    },
                                ],
                            },
                        }
                    ],
                },
            }
        },
        "Outputs": {"ActionRoleArn": {"Value": {"Fn::GetAtt": ["ActionRole", "Arn"]}}},
    }
