"""Git sync bootstrap: the sync role, the repository link and one sync configuration per stack, as
CloudFormation templates and as the equivalent `aws codeconnections` commands (TARGETS.md §1.2, §1.3)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from exporters._pipelines.cfn_blocks import trust_policy
from exporters.cfn_git_sync.runbook import connection_lookup, deploy_role_stack, role_stack_output, where
from exporters.cfn_git_sync.yamltext import dump_yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_template(tree: dict[str, Any]) -> str:
    """Long-form CloudFormation YAML (no short tags, so libyaml's fast emitter can write it)."""
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)


SYNC_PRINCIPAL = "cloudformation.sync.codeconnections.amazonaws.com"
CFN_ACTIONS = [
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:GetTemplate",
    "cloudformation:ListChangeSets",
    "cloudformation:ListStacks",
    "cloudformation:ValidateTemplate",
]
CHUNK = 100  # sync configurations per template: keeps each file far below the 51,200-byte TemplateBody limit


def role_template(options: Mapping[str, str], account: str = "") -> str:
    """The sync role (documented trust and permissions) and the repository link, for one account/Region.
    The connection option is a default only in its own account (a link needs the account's connection)."""
    owner, _, repo = options.get("repository", "").partition("/")
    arn = options.get("connection-arn", "")
    tree: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "exodus: CloudFormation Git sync role and repository link for the Proton stacks",
        "Parameters": {
            "ConnectionArn": {
                "Type": "String",
                "Description": "CodeConnections connection (AVAILABLE)",
                **({"Default": arn} if arn and f":{account}:" in arn else {}),
            },
            "OwnerId": {"Type": "String", **({"Default": owner} if owner else {})},
            "RepositoryName": {"Type": "String", **({"Default": repo} if repo else {})},
            "ResourcePolicyArn": {
                "Type": "String",
                "Default": "",
                "Description": (
                    "Managed policy for the stacks' resources (needed when a stack has no service role)"
                ),
            },
        },
        "Conditions": {
            "HasResourcePolicy": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ResourcePolicyArn"}, ""]}]}
        },
        "Resources": {
            "GitSyncRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": trust_policy({"Service": SYNC_PRINCIPAL}),
                    "ManagedPolicyArns": {
                        "Fn::If": [
                            "HasResourcePolicy",
                            [{"Ref": "ResourcePolicyArn"}],
                            {"Ref": "AWS::NoValue"},
                        ]
                    },
                    "Policies": [
                        {
                            "PolicyName": "git-sync",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Sid": "SyncStacks",
                                        "Effect": "Allow",
                                        "Action": CFN_ACTIONS,
                                        "Resource": "*",
                                    },
                                    {
                                        "Sid": "SyncEvents",
                                        "Effect": "Allow",
                                        "Action": ["events:PutRule", "events:PutTargets"],
                                        "Resource": "*",
                                        "Condition": {"StringEquals": {"events:ManagedBy": SYNC_PRINCIPAL}},
                                    },
                                    {
                                        "Sid": "DescribeRule",
                                        "Effect": "Allow",
                                        "Action": "events:DescribeRule",
                                        "Resource": "*",
                                    },
                                ],
                            },
                        }
                    ],
                },
            },
            "RepositoryLink": {
                "Type": "AWS::CodeStarConnections::RepositoryLink",
                "Properties": {
                    "ConnectionArn": {"Ref": "ConnectionArn"},
                    "OwnerId": {"Ref": "OwnerId"},
                    "RepositoryName": {"Ref": "RepositoryName"},
                },
            },
        },
        "Outputs": {
            "RoleArn": {"Value": {"Fn::GetAtt": ["GitSyncRole", "Arn"]}},
            "RepositoryLinkId": {"Value": {"Fn::GetAtt": ["RepositoryLink", "RepositoryLinkId"]}},
        },
    }
    return dump_template(tree)


def _logical_id(stack: str, taken: set[str]) -> str:
    base = "Sync" + re.sub(r"[^0-9A-Za-z]", "", stack)[:200]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def sync_templates(stacks: Sequence[tuple[str, str]], options: Mapping[str, str]) -> list[str]:
    """Templates of `AWS::CodeStarConnections::SyncConfiguration`s, CHUNK per file; stacks = (name,
    config file)."""
    out = []
    for start in range(0, len(stacks), CHUNK):
        taken: set[str] = set()
        resources = {
            _logical_id(name, taken): {
                "Type": "AWS::CodeStarConnections::SyncConfiguration",
                "Properties": {
                    "Branch": {"Ref": "Branch"},
                    "ConfigFile": config,
                    "RepositoryLinkId": {"Ref": "RepositoryLinkId"},
                    "ResourceName": name,
                    "RoleArn": {"Ref": "RoleArn"},
                    "SyncType": "CFN_STACK_SYNC",
                    "PublishDeploymentStatus": options.get("publish-deployment-status", "ENABLED"),
                    "TriggerResourceUpdateOn": options.get("trigger-resource-update-on", "FILE_CHANGE"),
                },
            }
            for name, config in stacks[start : start + CHUNK]
        }
        out.append(
            dump_yaml(
                {
                    "AWSTemplateFormatVersion": "2010-09-09",
                    "Description": f"exodus: Git sync configurations {start + 1}-{start + len(resources)} "
                    "(deploy only after `exodus verify --change-set` passes)",
                    "Parameters": {
                        "RoleArn": {"Type": "String"},
                        "RepositoryLinkId": {"Type": "String"},
                        "Branch": {"Type": "String", "Default": options.get("branch", "main")},
                    },
                    "Resources": resources,
                }
            )
        )
    return out


def commands(account: str, region: str, stacks: Sequence[tuple[str, str]], options: Mapping[str, str]) -> str:
    """The same bootstrap as `aws` CLI commands, with the account's credentials (profile
    ${PROFILE_PREFIX}<account>): git-sync-role.yaml creates the sync role and the repository link once,
    and every sync configuration reads both back from that stack's outputs."""
    owner, _, repo = (options.get("repository") or "OWNER/REPOSITORY").partition("/")
    arn = options.get("connection-arn", "")
    q = shlex.quote
    lines = [
        "#!/bin/sh",
        f"# exodus: Git sync for the Proton stacks of account {account}, Region {region}.",
        "# Run only after `exodus verify --change-set` reports no difference and no replacement.",
        f"# Every command runs as account {account}: AWS CLI profile ${{PROFILE_PREFIX}}{account}.",
        "set -eu",
        "PROFILE_PREFIX=${PROFILE_PREFIX:-exodus-}",
        f"BRANCH=${{BRANCH:-{options.get('branch', 'main')}}}",
        f"REPO_OWNER=${{REPO_OWNER:-{owner}}}",
        f"REPO_NAME=${{REPO_NAME:-{repo}}}",
        "CONNECTION_NAME=${CONNECTION_NAME:-exodus}  # the connection's name in this account (status "
        "AVAILABLE)",
    ]
    if f":{account}:" in arn:
        lines.append(f"CONNECTION_ARN=${{CONNECTION_ARN:-{arn}}}")
    else:
        lines.append(f'CONNECTION_ARN=${{CONNECTION_ARN:-$({connection_lookup(account, region)})}}')
    lines += [
        "",
        "# the sync role and the repository link (created here once; never again by hand)",
        deploy_role_stack('"$(dirname "$0")/git-sync-role.yaml"', account, region),
        f"LINK_ID=$({role_stack_output('RepositoryLinkId', account, region)})",
        f"SYNC_ROLE_ARN=$({role_stack_output('RoleArn', account, region)})",
        "",
    ]
    for name, config in stacks:
        lines += [
            "aws codeconnections create-sync-configuration --sync-type CFN_STACK_SYNC \\",
            f"  --resource-name {q(name)} --config-file {q(config)} --branch \"$BRANCH\" \\",
            "  --repository-link-id \"$LINK_ID\" --role-arn \"$SYNC_ROLE_ARN\" \\",
            f"  --publish-deployment-status {options.get('publish-deployment-status', 'ENABLED')} "
            f"--trigger-resource-update-on {options.get('trigger-resource-update-on', 'FILE_CHANGE')} \\",
            f"  {where(account, region)}",
        ]
    return "\n".join(lines) + "\n"
