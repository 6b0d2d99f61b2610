"""AWS::CodePipeline::Pipeline in the local cloud (engine/moto_codepipeline.py), after the resource
reference: `Ref` is the (generated) name of a real pipeline the CodePipeline API starts and describes,
with the action configuration as written; CreatePipeline's checks apply (a role CodePipeline may assume);
`Fn::GetAtt Version`."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.engine.stacks import deploy_stack

A, R = "111111111111", "us-east-1"
TRUST = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "codepipeline.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
}
SOURCE = {"Category": "Source", "Owner": "AWS", "Provider": "S3", "Version": "1"}
BUILD = {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"}
TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Pipeline": {
            "Type": "AWS::CodePipeline::Pipeline",
            "Properties": {
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "ArtifactStore": {"Type": "S3", "Location": {"Ref": "Bucket"}},
                "Stages": [
                    {
                        "Name": "Source",
                        "Actions": [
                            {
                                "Name": "S",
                                "ActionTypeId": SOURCE,
                                "Configuration": {"S3Bucket": {"Ref": "Bucket"}, "S3ObjectKey": "x.zip"},
                                "OutputArtifacts": [{"Name": "src"}],
                            }
                        ],
                    },
                    {
                        "Name": "Build",
                        "Actions": [
                            {
                                "Name": "B",
                                "ActionTypeId": BUILD,
                                "Configuration": {"ProjectName": "p"},
                                "InputArtifacts": [{"Name": "src"}],
                            }
                        ],
                    },
                ],
            },
        },
    },
    "Outputs": {
        "Name": {"Value": {"Ref": "Pipeline"}},
        "V": {"Value": {"Fn::GetAtt": ["Pipeline", "Version"]}},
    },
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[Any]:
    with LocalProtonServer(port=0, retired=True) as server:
        yield server


def test_a_stack_pipeline_is_a_real_pipeline(cloud: Any) -> None:
    cfn = cloud.clients.cloudformation(A, R)
    result = deploy_stack(cfn, "pipe", json.dumps(TEMPLATE), [], change_set="create", poll=0.0)
    assert result.ok, result.message
    out = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName="pipe")["Stacks"][0]["Outputs"]
    }
    assert out["Name"].startswith("pipe-Pipeline-") and out["V"] == "1"
    codepipeline = cloud.clients.client("codepipeline", A, R)
    assert codepipeline.start_pipeline_execution(name=out["Name"])["pipelineExecutionId"]
    stages = codepipeline.get_pipeline(name=out["Name"])["pipeline"]["stages"]
    assert [s["name"] for s in stages] == ["Source", "Build"]
    assert stages[0]["actions"][0]["configuration"]["S3ObjectKey"] == "x.zip"


def test_a_role_codepipeline_cannot_assume_fails_the_stack(cloud: Any) -> None:
    template = copy.deepcopy(TEMPLATE)
    trust = template["Resources"]["Role"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    trust["Principal"]["Service"] = "ec2.amazonaws.com"
    cfn = cloud.clients.cloudformation(A, R)
    result = deploy_stack(cfn, "untrusted", json.dumps(template), [], change_set="create", poll=0.0)
    assert not result.ok and "not authorized to perform AssumeRole" in (result.message or "")
