"""The CodeBuild-based equivalent of Proton's CodeBuild provisioning (PROTON.md §3.4): one CodeBuild
project per resource running its manifest's `provision` commands (retired calls removed) in its folder,
driven by a CodePipeline V2 pipeline in dependency order, with approvals for production-like resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from exporters._pipelines.cfn_blocks import approval_action, artifact_bucket, source_stage, trust_policy
from exporters._pipelines.estate import slug
from exporters._pipelines.yamlout import dump_yaml
from proton_exodus.model.units import DeploymentUnit

Row = tuple[DeploymentUnit, str, list[str], Mapping[str, Any], bool]
DEFAULT_IMAGE = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"


def _buildspec(
    folder: str, commands: Sequence[str], settings: Mapping[str, Any], unit: DeploymentUnit
) -> str:
    variables = {str(k): str(v) for k, v in ((settings.get("env") or {}).get("variables") or {}).items()}
    variables["RESOURCE_ARN"] = unit.arn  # Proton set it; commands may still read it (PROTON.md §2.5)
    phases: dict[str, Any] = {}
    if settings.get("runtimes"):
        phases["install"] = {"runtime-versions": {str(k): str(v) for k, v in settings["runtimes"].items()}}
    phases["build"] = {"commands": [f'cd "$CODEBUILD_SRC_DIR/{folder}"', *commands]}
    return dump_yaml(
        {"version": 0.2, "env": {"variables": dict(sorted(variables.items()))}, "phases": phases}
    )


def codebuild_pipeline_template(rows: Sequence[Row], options: Mapping[str, str]) -> dict[str, Any]:
    """CloudFormation (as data): CodeBuild projects and the pipeline that runs them in order."""
    resources: dict[str, Any] = {}
    stages: list[dict[str, Any]] = [source_stage("SourceOutput")]
    projects = []
    for index, (unit, folder, commands, settings, production) in enumerate(rows, start=1):
        logical = f"Project{index}"
        projects.append(logical)
        resources[logical] = {
            "Type": "AWS::CodeBuild::Project",
            "Properties": {
                "Name": f"exodus-{slug(folder.split('/', 1)[1], 90)}",
                "ServiceRole": {"Ref": "CodeBuildRoleArn"},
                "Artifacts": {"Type": "CODEPIPELINE"},
                "Source": {"Type": "CODEPIPELINE", "BuildSpec": _buildspec(folder, commands, settings, unit)},
                "Environment": {
                    "Type": "LINUX_CONTAINER",
                    "ComputeType": "BUILD_GENERAL1_SMALL",
                    "Image": str(settings.get("image") or DEFAULT_IMAGE),
                },
            },
        }
        actions: list[dict[str, Any]] = []
        if production:
            note = f"Approve provisioning of {unit.kind} {unit.name} (production-like)"
            actions.append(approval_action("Approve", 1, note))
        actions.append(
            {
                "Name": "Provision",
                "RunOrder": len(actions) + 1,
                "InputArtifacts": [{"Name": "SourceOutput"}],
                "ActionTypeId": {
                    "Category": "Build",
                    "Owner": "AWS",
                    "Provider": "CodeBuild",
                    "Version": "1",
                },
                "Configuration": {"ProjectName": {"Ref": logical}},
            }
        )
        stages.append({"Name": f"{index:02d}-{slug(folder.split('/', 1)[1], 80)}", "Actions": actions})
    resources["ArtifactBucket"] = artifact_bucket()
    resources["PipelineRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": trust_policy({"Service": "codepipeline.amazonaws.com"}),
            "Policies": [
                {
                    "PolicyName": "run-provisioning",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                                "Resource": {"Fn::Sub": "${ArtifactBucket.Arn}/*"},
                            },
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "codeconnections:UseConnection",
                                    "codestar-connections:UseConnection",
                                ],
                                "Resource": {"Ref": "ConnectionArn"},
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
                                "Resource": [{"Fn::GetAtt": [p, "Arn"]} for p in projects],
                            },
                        ],
                    },
                }
            ],
        },
    }
    resources["Pipeline"] = {
        "Type": "AWS::CodePipeline::Pipeline",
        "Properties": {
            "Name": "exodus-codebuild-provisioning",
            "PipelineType": "V2",
            "ExecutionMode": "QUEUED",
            "RoleArn": {"Fn::GetAtt": ["PipelineRole", "Arn"]},
            "ArtifactStore": {"Type": "S3", "Location": {"Ref": "ArtifactBucket"}},
            "Stages": stages,
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "exodus: CodeBuild provisioning formerly started by AWS Proton",
        "Parameters": {
            "ConnectionArn": {"Type": "String"},
            "FullRepositoryId": {
                "Type": "String",
                "Default": options.get("repository", "my-org/proton-stacks"),
            },
            "BranchName": {"Type": "String", "Default": options.get("branch", "main")},
            "CodeBuildRoleArn": {
                "Type": "String",
                "Description": "role the provisioning commands run as (Proton's codebuildRoleArn)",
            },
        },
        "Resources": resources,
    }
