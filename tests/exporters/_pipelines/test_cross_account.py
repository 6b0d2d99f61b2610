"""Stacks in another account than the one that ran Proton (the demo's partner-prod, account 222222222222):
the CodePipeline actions on them assume a role in that account and the artifacts are encrypted with a
customer-managed KMS key; GitHub previews assume that account's plan role, in a named environment."""

from __future__ import annotations

from functools import cache

import networkx as nx
import yaml
from cfnlint.api import ManualArgs, lint

from exporters import ExportContext
from exporters.codepipeline import exporter as codepipeline
from exporters.codepipeline.cross_account import BOOTSTRAP_PATH
from exporters.github_actions import exporter as github_actions
from proton_exodus.cfn.text import load_template
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units
from tests.conftest import REPO

REMOTE = "222222222222"


@cache
def _files(target: str) -> dict[str, str]:
    snap = load_snapshot(REPO / "sample_exports" / "snapshot")
    ctx = ExportContext(snapshot=snap, graph=nx.MultiDiGraph(), options={}, units=tuple(build_units(snap)))
    return dict((codepipeline if target == "codepipeline" else github_actions).export(ctx).files)


def test_codepipeline_actions_in_another_account_assume_its_role_and_share_a_kms_key() -> None:
    files = _files("codepipeline")
    text = files["pipelines/environments/partner-prod.yaml"]
    tree = load_template(text)
    deploys = [
        a
        for s in tree["Resources"]["Pipeline"]["Properties"]["Stages"]
        for a in s["Actions"]
        if a["ActionTypeId"]["Provider"] == "CloudFormation"
    ]
    assert deploys and all(
        a["RoleArn"]
        == {"Fn::If": [f"Remote{REMOTE}", {"Ref": f"ActionRoleArn{REMOTE}"}, {"Ref": "AWS::NoValue"}]}
        for a in deploys
    )
    assert (
        tree["Parameters"][f"ActionRoleArn{REMOTE}"]["Default"]
        == f"arn:aws:iam::{REMOTE}:role/exodus-pipeline-action"
    )
    key = tree["Resources"]["Pipeline"]["Properties"]["ArtifactStore"]["EncryptionKey"]
    assert key["Fn::If"][1] == {"Id": {"Fn::GetAtt": ["ArtifactKey", "Arn"]}, "Type": "KMS"}
    assert tree["Resources"]["ArtifactKey"]["Type"] == "AWS::KMS::Key"
    assert BOOTSTRAP_PATH in files
    # same-account pipelines are unchanged
    assert "ArtifactKey" not in load_template(files["pipelines/environments/prod.yaml"])["Resources"]
    for path in ("pipelines/environments/partner-prod.yaml", BOOTSTRAP_PATH):
        assert lint(files[path], ManualArgs(regions=["us-east-1"])) == [], path
    role = load_template(files[BOOTSTRAP_PATH])["Resources"]["ActionRole"]["Properties"]
    assert role["RoleName"] == "exodus-pipeline-action"


def test_github_previews_use_the_stacks_accounts_plan_role_in_a_named_environment() -> None:
    files = _files("github-actions")
    reusable = yaml.safe_load(files[".github/workflows/exodus-stack.yml"])["jobs"]["preview"]
    assert reusable["environment"] == "${{ inputs.environment }}-plan"
    creds = next(s for s in reusable["steps"] if s.get("name") == "Assume the AWS role (OIDC)")
    assert creds["with"]["role-to-assume"] == "${{ inputs.plan-role-arn }}"
    for path in (
        ".github/workflows/environments-partner-prod.yml",
        ".github/workflows/environments-prod.yml",
    ):
        account = REMOTE if "partner" in path else "111111111111"
        jobs = yaml.safe_load(files[path])["jobs"]
        previews = [j for name, j in jobs.items() if name.startswith("preview-")]
        assert previews and {j["with"]["plan-role-arn"] for j in previews} == {
            f"arn:aws:iam::{account}:role/exodus-github-plan"
        }
