"""The roles a `github-actions` export's workflows assume, one template per account
(`bootstrap/<account>/github-roles.yaml`, stack `exodus-github-roles`): the deploy role
(`exodus-github-deploy`, what `vars.AWS_DEPLOY_ROLE_ARN` names) trusted for the repository's GitHub
environments whose stacks live in the account, and the preview role (`exodus-github-plan`, change sets
only) trusted for their `<environment>-plan` environments. Both trust GitHub's OIDC provider in the
account, which the runbook creates when the account has none (other repositories may share it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from exporters._pipelines import StackArtefact, dump_yaml, slug

DEPLOY_ROLE = "exodus-github-deploy"
PLAN_ROLE = "exodus-github-plan"
ROLES_STACK = "exodus-github-roles"
OIDC_HOST = "token.actions.githubusercontent.com"
_PROVIDER = f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{OIDC_HOST}"
_STACKS = "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/AWSProton-*/*"
_CHANGE_SETS = [
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStacks",
]


def bootstrap_path(account: str) -> str:
    return f"bootstrap/{account}/github-roles.yaml"


def account_of(path: str) -> str:
    """The account of a `bootstrap/<account>/github-roles.yaml` path ("" for another file)."""
    parts = path.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "bootstrap" else ""


def github_environment(art: StackArtefact) -> str:
    """The GitHub environment a stack's deploy job runs in (its preview job: `<this>-plan`)."""
    return slug(art.unit.environment or art.group.split("/", 1)[1])


def _trust(environments: Sequence[str], suffix: str) -> dict[str, Any]:
    subjects = [{"Fn::Sub": f"repo:${{Repository}}:environment:{e}{suffix}"} for e in environments]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": {"Fn::Sub": _PROVIDER}},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{OIDC_HOST}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{OIDC_HOST}:sub": subjects},
                },
            }
        ],
    }


def _policy(actions: list[str], roles: Sequence[str]) -> dict[str, Any]:
    """Change sets on the account's Proton stacks (they keep their names), passing their service roles
    (CloudFormation reuses a stack's role), reading the SSM parameters the templates resolve."""
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": actions,
            "Resource": {"Fn::Sub": _STACKS},
        },
        {
            "Effect": "Allow",
            "Action": ["ssm:GetParameters", "ssm:GetParameter"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/*"},
        },
    ]
    if roles:
        statements.append(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": list(roles),
                "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def roles_template(environments: Sequence[str], service_roles: Sequence[str]) -> dict[str, Any]:
    """The account's deploy and preview roles, trusted for `environments` of the `Repository`."""

    def role(name: str, suffix: str, actions: list[str], what: str) -> dict[str, Any]:
        return {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": name,
                "Description": f"exodus: GitHub Actions {what} for the Proton stacks of this account",
                "AssumeRolePolicyDocument": _trust(environments, suffix),
                "Policies": [{"PolicyName": "stacks", "PolicyDocument": _policy(actions, service_roles)}],
            },
        }

    deploy = [*_CHANGE_SETS, "cloudformation:ExecuteChangeSet", "cloudformation:DescribeStackEvents"]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "exodus: the roles the GitHub Actions workflows assume in this account (OIDC)",
        "Parameters": {
            "Repository": {
                "Type": "String",
                "AllowedPattern": r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
                "Description": "OWNER/REPO of the GitHub repository holding the export",
            }
        },
        "Resources": {
            "DeployRole": role(DEPLOY_ROLE, "", deploy, "deploys (AWS_DEPLOY_ROLE_ARN)"),
            "PlanRole": role(PLAN_ROLE, "-plan", list(_CHANGE_SETS), "previews (change sets only)"),
        },
        "Outputs": {
            "DeployRoleArn": {"Value": {"Fn::GetAtt": ["DeployRole", "Arn"]}},
            "PlanRoleArn": {"Value": {"Fn::GetAtt": ["PlanRole", "Arn"]}},
        },
    }


def bootstrap_files(stacks: Iterable[StackArtefact]) -> dict[str, str]:
    """One roles template per account of `stacks`."""
    by_account: dict[str, list[StackArtefact]] = {}
    for art in stacks:
        by_account.setdefault(art.unit.account, []).append(art)
    return {
        bootstrap_path(account): dump_yaml(
            roles_template(
                sorted({github_environment(a) for a in arts}),
                sorted({a.role_arn for a in arts if a.role_arn}),
            )
        )
        for account, arts in sorted(by_account.items())
        if account
    }
