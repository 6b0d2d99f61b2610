"""Git sync bootstrap: the sync role, the repository link and one sync configuration per stack, as
CloudFormation templates and as the equivalent `aws codeconnections` commands (TARGETS.md §1.2, §1.3)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from exporters.cfn_git_sync.yamltext import dump_yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_template(tree: dict[str, Any]) -> str:
    """Long-form CloudFormation YAML (no short tags, so libyaml's fast emitter can write it)."""
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)

SYNC_PRINCIPAL = "cloudformation.sync.codeconnections.amazonaws.com"
CFN_ACTIONS = ["cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:DescribeChangeSet",
               "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks",
               "cloudformation:ExecuteChangeSet", "cloudformation:GetTemplate", "cloudformation:ListChangeSets",
               "cloudformation:ListStacks", "cloudformation:ValidateTemplate"]
CHUNK = 100  # sync configurations per template: keeps each file far below the 51,200-byte TemplateBody limit


def role_template(options: Mapping[str, str]) -> str:
    """The sync role (documented trust and permissions) and the repository link, for one account/Region."""
    owner, _, repo = options.get("repository", "").partition("/")
    tree: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "exodus: CloudFormation Git sync role and repository link for the Proton stacks",
        "Parameters": {
            "ConnectionArn": {"Type": "String", "Description": "CodeConnections connection (AVAILABLE)",
                              **({"Default": options["connection-arn"]} if options.get("connection-arn") else {})},
            "OwnerId": {"Type": "String", **({"Default": owner} if owner else {})},
            "RepositoryName": {"Type": "String", **({"Default": repo} if repo else {})},
            "ResourcePolicyArn": {"Type": "String", "Default": "", "Description":
                                  "Managed policy for the stacks' resources (needed when a stack has no service role)"},
        },
        "Conditions": {"HasResourcePolicy": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ResourcePolicyArn"}, ""]}]}},
        "Resources": {
            "GitSyncRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": SYNC_PRINCIPAL}, "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": {"Fn::If": ["HasResourcePolicy", [{"Ref": "ResourcePolicyArn"}],
                                                 {"Ref": "AWS::NoValue"}]},
                "Policies": [{"PolicyName": "git-sync", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "SyncStacks", "Effect": "Allow", "Action": CFN_ACTIONS, "Resource": "*"},
                    {"Sid": "SyncEvents", "Effect": "Allow", "Action": ["events:PutRule", "events:PutTargets"],
                     "Resource": "*", "Condition": {"StringEquals": {"events:ManagedBy": SYNC_PRINCIPAL}}},
                    {"Sid": "DescribeRule", "Effect": "Allow", "Action": "events:DescribeRule", "Resource": "*"},
                ]}}]}},
            "RepositoryLink": {"Type": "AWS::CodeStarConnections::RepositoryLink", "Properties": {
                "ConnectionArn": {"Ref": "ConnectionArn"}, "OwnerId": {"Ref": "OwnerId"},
                "RepositoryName": {"Ref": "RepositoryName"}}},
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["GitSyncRole", "Arn"]}},
                    "RepositoryLinkId": {"Value": {"Fn::GetAtt": ["RepositoryLink", "RepositoryLinkId"]}}},
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
    """Templates of `AWS::CodeStarConnections::SyncConfiguration`s, CHUNK per file; stacks = (name, config file)."""
    out = []
    for start in range(0, len(stacks), CHUNK):
        taken: set[str] = set()
        resources = {_logical_id(name, taken): {
            "Type": "AWS::CodeStarConnections::SyncConfiguration", "Properties": {
                "Branch": {"Ref": "Branch"}, "ConfigFile": config, "RepositoryLinkId": {"Ref": "RepositoryLinkId"},
                "ResourceName": name, "RoleArn": {"Ref": "RoleArn"}, "SyncType": "CFN_STACK_SYNC",
                "PublishDeploymentStatus": options.get("publish-deployment-status", "ENABLED"),
                "TriggerResourceUpdateOn": options.get("trigger-resource-update-on", "FILE_CHANGE")}}
            for name, config in stacks[start:start + CHUNK]}
        out.append(dump_yaml({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"exodus: Git sync configurations {start + 1}-{start + len(resources)} "
                           "(deploy only after `exodus verify --change-set` passes)",
            "Parameters": {"RoleArn": {"Type": "String"}, "RepositoryLinkId": {"Type": "String"},
                           "Branch": {"Type": "String", "Default": options.get("branch", "main")}},
            "Resources": resources}))
    return out


def commands(account: str, region: str, stacks: Sequence[tuple[str, str]], options: Mapping[str, str]) -> str:
    """The same bootstrap as `aws` CLI commands (the sync role itself comes from git-sync-role.yaml)."""
    owner, _, repo = options.get("repository", "OWNER/REPOSITORY").partition("/")
    q = shlex.quote
    lines = [
        "#!/bin/sh", f"# exodus: Git sync for the Proton stacks of account {account}, Region {region}.",
        "# Run only after `exodus verify --change-set` reports no difference and no replacement.", "set -eu",
        f"REGION={q(region)}", f"BRANCH={q(options.get('branch', 'main'))}",
        f"CONNECTION_ARN={q(options.get('connection-arn', 'arn:aws:codeconnections:REGION:ACCOUNT:connection/ID'))}",
        f"ROLE_ARN={q(options.get('role-arn', f'arn:aws:iam::{account}:role/GIT_SYNC_ROLE'))}", "",
        "LINK_ID=$(aws codeconnections create-repository-link --region \"$REGION\" \\",
        f"  --connection-arn \"$CONNECTION_ARN\" --owner-id {q(owner)} --repository-name {q(repo)} \\",
        "  --query RepositoryLinkInfo.RepositoryLinkId --output text)", "",
    ]
    for name, config in stacks:
        lines += ["aws codeconnections create-sync-configuration --region \"$REGION\" --sync-type CFN_STACK_SYNC \\",
                  f"  --resource-name {q(name)} --config-file {q(config)} --branch \"$BRANCH\" \\",
                  "  --repository-link-id \"$LINK_ID\" --role-arn \"$ROLE_ARN\" \\",
                  f"  --publish-deployment-status {options.get('publish-deployment-status', 'ENABLED')} "
                  f"--trigger-resource-update-on {options.get('trigger-resource-update-on', 'FILE_CHANGE')}"]
    return "\n".join(lines) + "\n"
