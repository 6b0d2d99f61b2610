"""Least-privilege IAM policies for exodus's commands, derived from the AWS calls the code makes.

Each command's actions are listed once, here, next to why it needs them; tests record the calls a
command really makes (botocore events) and fail if one is missing from its policy, so the list
cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from proton_exodus.errors import BadInput

# Every Proton read operation the crawler may call (botocore model names), as IAM actions.
_PROTON_READ = [
    "GetAccountSettings",
    "GetComponent",
    "GetDeployment",
    "GetEnvironment",
    "GetEnvironmentAccountConnection",
    "GetEnvironmentTemplate",
    "GetEnvironmentTemplateVersion",
    "GetRepository",
    "GetRepositorySyncStatus",
    "GetResourcesSummary",
    "GetService",
    "GetServiceInstance",
    "GetServiceInstanceSyncStatus",
    "GetServiceSyncBlockerSummary",
    "GetServiceSyncConfig",
    "GetServiceTemplate",
    "GetServiceTemplateVersion",
    "GetTemplateSyncConfig",
    "GetTemplateSyncStatus",
    "ListComponentOutputs",
    "ListComponentProvisionedResources",
    "ListComponents",
    "ListDeployments",
    "ListEnvironmentAccountConnections",
    "ListEnvironmentOutputs",
    "ListEnvironmentProvisionedResources",
    "ListEnvironmentTemplateVersions",
    "ListEnvironmentTemplates",
    "ListEnvironments",
    "ListRepositories",
    "ListRepositorySyncDefinitions",
    "ListServiceInstanceOutputs",
    "ListServiceInstanceProvisionedResources",
    "ListServiceInstances",
    "ListServicePipelineOutputs",
    "ListServicePipelineProvisionedResources",
    "ListServiceTemplateVersions",
    "ListServiceTemplates",
    "ListServices",
    "ListTagsForResource",
]

STATEMENTS: dict[str, list[dict[str, Any]]] = {
    "inventory": [
        {
            "Sid": "ReadProton",
            "Effect": "Allow",
            "Action": [f"proton:{op}" for op in _PROTON_READ],
            "Resource": "*",
        },
        {
            "Sid": "ReadProtonStacks",
            "Effect": "Allow",
            "Action": [
                "cloudformation:DescribeStacks",
                "cloudformation:GetTemplate",
                "cloudformation:ListStacks",
                "cloudformation:GetTemplateSummary",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ReadBundlesFromS3",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": "*",
        },
        {
            "Sid": "CrossAccount",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole", "sts:GetCallerIdentity", "organizations:ListAccounts"],
            "Resource": "*",
        },
    ],
    "verify": [
        {
            "Sid": "ReadStacks",
            "Effect": "Allow",
            "Action": ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"],
            "Resource": "*",
        },
        # Only with --change-set: preview change sets are created, described and deleted, never executed.
        {
            "Sid": "PreviewChangeSets",
            "Effect": "Allow",
            "Action": [
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DeleteChangeSet",
            ],
            "Resource": "arn:aws:cloudformation:*:*:stack/AWSProton-*/*",
        },
        {"Sid": "Identity", "Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"},
    ],
    "handover": [
        {
            "Sid": "ReadStacks",
            "Effect": "Allow",
            "Action": [
                "cloudformation:DescribeStacks",
                "cloudformation:GetTemplate",
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:DeleteChangeSet",
            ],
            "Resource": "*",
        },
        {
            "Sid": "GitSync",
            "Effect": "Allow",
            "Action": [
                "codeconnections:CreateRepositoryLink",
                "codeconnections:GetRepositoryLink",
                "codeconnections:ListRepositoryLinks",
                "codeconnections:CreateSyncConfiguration",
                "codeconnections:GetSyncConfiguration",
                "codeconnections:DeleteSyncConfiguration",
                "codeconnections:PassRepository",
                "codeconnections:UseConnection",
            ],
            "Resource": "*",
        },
        # Git sync needs its role passed to the Git sync service principal only (TARGETS.md §1.3).
        {
            "Sid": "PassGitSyncRole",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"iam:PassedToService": "cloudformation.sync.codeconnections.amazonaws.com"}
            },
        },
    ],
}


def iam_policy(command: str) -> dict[str, Any]:
    """The IAM policy document (Version 2012-10-17) that lets `command` do its work and nothing more."""
    if command not in STATEMENTS:
        raise BadInput(
            f"--for {command!r}: no policy for that command",
            hint="choose one of: " + ", ".join(sorted(STATEMENTS)),
        )
    return {"Version": "2012-10-17", "Statement": STATEMENTS[command]}


def allowed_actions(command: str) -> set[str]:
    """Every action the policy for `command` allows (lower-cased service prefix, as IAM compares)."""
    actions: set[str] = set()
    for statement in iam_policy(command)["Statement"]:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return actions
