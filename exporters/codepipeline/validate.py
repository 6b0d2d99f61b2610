"""The Validate stage of every CodePipeline: a CodeBuild project runs the export's `.exodus-repo/validate.py`
on the source artifact, so a parameter outside its template schema stops the pipeline before any
change set is created (Proton refused such an input at the API)."""

from __future__ import annotations

from typing import Any

from exporters._pipelines.validate import codebuild_buildspec

PROJECT = "ValidateProject"
ROLE = "ValidateRole"


def validate_stage(source: str) -> dict[str, Any]:
    """The stage, between Source and the first deploy stage."""
    return {
        "Name": "Validate",
        "Actions": [
            {
                "Name": "Schemas",
                "ActionTypeId": {
                    "Category": "Build",
                    "Owner": "AWS",
                    "Provider": "CodeBuild",
                    "Version": "1",
                },
                "Configuration": {"ProjectName": {"Ref": PROJECT}},
                "InputArtifacts": [{"Name": source}],
                "RunOrder": 1,
            }
        ],
    }


def pipeline_statement() -> dict[str, Any]:
    """What the pipeline role needs to run the stage's builds."""
    return {
        "Effect": "Allow",
        "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
        "Resource": {"Fn::GetAtt": [PROJECT, "Arn"]},
    }


def validate_resources(group: str) -> dict[str, Any]:
    """The CodeBuild project and its role (logs and the artifact bucket, nothing else)."""
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"CodeBuild role validating {group}'s inputs against their schemas",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "codebuild.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "validate",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogGroup",
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                ],
                                "Resource": {
                                    "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                                    ":log-group:/aws/codebuild/*"
                                },
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                                "Resource": {"Fn::Sub": "${ArtifactBucket.Arn}/*"},
                            },
                        ],
                    },
                }
            ],
        },
    }
    project = {
        "Type": "AWS::CodeBuild::Project",
        "Properties": {
            "Description": f"exodus: {group}'s inputs against their template schemas",
            "ServiceRole": {"Fn::GetAtt": [ROLE, "Arn"]},
            "Artifacts": {"Type": "CODEPIPELINE"},
            "Source": {"Type": "CODEPIPELINE", "BuildSpec": codebuild_buildspec()},
            "Environment": {
                "Type": "LINUX_CONTAINER",
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "Image": "aws/codebuild/standard:7.0",
            },
            "TimeoutInMinutes": 10,
        },
    }
    return {ROLE: role, PROJECT: project}
