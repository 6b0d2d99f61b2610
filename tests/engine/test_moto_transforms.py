"""The local cloud expands the SAM transform as CloudFormation does (engine/moto_transforms.py): at change-set
creation, with AWS's translator, offline; GetTemplate's Original stage stays the submitted text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from proton_exodus.engine.backend import ProtonBackend
from proton_exodus.engine.moto_transforms import (
    LANGUAGE_EXTENSIONS,
    SAM,
    TransformError,
    declared_transforms,
    expand_language_extensions,
    expand_sam,
)
from proton_exodus.engine.stacks import deploy_stack
from tests.engine import bundles as B
from tests.engine.helpers import compatible, create_service, register, setup_environment

ACCOUNT = "123456789012"
SAM_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: python3.12
    MemorySize: {memory}
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "orders-${{Stage}}"
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {{"ok": True}}
      Policies:
        - AWSLambdaBasicExecutionRole
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt Topic.TopicName
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      Principal: sns.amazonaws.com
      FunctionName: !Ref Handler
      SourceArn: !Ref Topic
Outputs:
  FunctionArn:
    Value: !GetAtt Handler.Arn
  RoleArn:
    Value: !GetAtt HandlerRole.Arn
"""


def sam(memory: int = 128) -> str:
    return SAM_TEMPLATE.format(memory=memory)


def deploy(cfn: Any, template: str, name: str = "sam") -> Any:
    return deploy_stack(
        cfn, name, template, [], change_set=f"c{len(cfn.list_stacks()['StackSummaries'])}", poll=0.0
    )


def test_declared_transforms_reads_a_name_or_a_list() -> None:
    assert declared_transforms({"Transform": SAM}) == [SAM]
    assert declared_transforms({"Transform": ["AWS::LanguageExtensions", SAM]}) == [
        "AWS::LanguageExtensions",
        SAM,
    ]
    assert declared_transforms({"Resources": {}}) == [] == declared_transforms("not a template")


def test_expand_sam_is_offline_and_regional() -> None:
    """Managed policy names resolve from the translator's bundled map (no IAM call); the partition follows
    the Region."""
    from proton_exodus.cfn.text import parse_template

    template = parse_template(sam())
    for region, partition in (("us-east-1", "aws"), ("cn-north-1", "aws-cn")):
        processed = expand_sam(template, {}, region, ACCOUNT)
        role = processed["Resources"]["HandlerRole"]["Properties"]
        assert (
            f"arn:{partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            in role["ManagedPolicyArns"]
        )
        assert "Transform" not in processed and "Globals" not in processed
        assert processed["Resources"]["Handler"]["Properties"]["MemorySize"] == 128
    assert template["Transform"] == SAM  # the input is left as it was


def test_sam_template_deploys_real_resources(aws: dict[str, Any]) -> None:
    """The change set lists the processed resources, the stack creates a Lambda function and its role,
    GetTemplate Original is the submitted text and Processed the expansion (JSON, no Transform)."""
    cfn = aws["cfn"]
    result = deploy(cfn, sam())
    assert result.ok, result.message
    (summary,) = cfn.list_change_sets(StackName="sam")["Summaries"]
    changes = cfn.describe_change_set(ChangeSetName=summary["ChangeSetId"])["Changes"]
    assert sorted(c["ResourceChange"]["ResourceType"] for c in changes) == [
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::SNS::Topic",
    ]
    function = boto3.client("lambda", region_name="us-east-1").get_function(FunctionName="orders-dev")
    config = function["Configuration"]
    outs = {o["key"]: o["valueString"] for o in result.outputs}
    assert outs["FunctionArn"] == config["FunctionArn"] and config["Role"] == outs["RoleArn"]
    assert config["MemorySize"] == 128 and config["Runtime"] == "python3.12"
    assert cfn.get_template(StackName="sam")["TemplateBody"] == sam()
    assert cfn.get_template(StackName="sam", TemplateStage="Original")["TemplateBody"] == sam()
    processed = cfn.get_template(StackName="sam", TemplateStage="Processed")
    assert processed["StagesAvailable"] == ["Original", "Processed"]
    body = processed["TemplateBody"]  # botocore decodes a JSON body
    assert "Transform" not in body and body["Resources"]["Handler"]["Type"] == "AWS::Lambda::Function"


def test_same_sam_template_is_no_change_and_an_edit_modifies_the_function(aws: dict[str, Any]) -> None:
    cfn, lam = aws["cfn"], boto3.client("lambda", region_name="us-east-1")
    assert deploy(cfn, sam()).ok
    again = deploy(cfn, sam())
    assert again.ok and cfn.describe_stacks(StackName="sam")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    created = cfn.create_change_set(
        StackName="sam",
        TemplateBody=sam(256),
        ChangeSetName="bigger",
        ChangeSetType="UPDATE",
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    changes = cfn.describe_change_set(ChangeSetName=created["Id"])["Changes"]
    assert [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes] == [
        ("Modify", "Handler")
    ]
    cfn.execute_change_set(ChangeSetName=created["Id"])
    assert lam.get_function(FunctionName="orders-dev")["Configuration"]["MemorySize"] == 256


def test_template_without_transform_has_one_stage(aws: dict[str, Any]) -> None:
    cfn = aws["cfn"]
    text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    assert deploy(cfn, text, "plain").ok
    assert cfn.get_template(StackName="plain", TemplateStage="Processed")["TemplateBody"] == text


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ("      Handler: index.handler\n", "      Handler: index.handler\n      Colour: blue\n"),
        (
            "      InlineCode: |\n",
            "      Events:\n        Tick:\n          Type: Telepathy\n      InlineCode: |\n",
        ),
    ],
    ids=["unknown-property", "unknown-event-type"],
)
def test_a_template_sam_refuses_fails_its_change_set(aws: dict[str, Any], edit: str, reason: str) -> None:
    """CloudFormation's reason, naming the resource; nothing is created and the stack stays in review."""
    cfn = aws["cfn"]
    result = deploy(cfn, sam().replace(edit, reason))
    assert not result.ok
    assert result.message.startswith(
        f"Transform {SAM} failed with: Invalid Serverless Application Specification document."
    )
    assert "Resource with id [Handler] is invalid." in result.message
    assert cfn.describe_stacks(StackName="sam")["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert boto3.client("lambda", region_name="us-east-1").list_functions()["Functions"] == []


def test_expand_sam_raises_transform_error() -> None:
    with pytest.raises(TransformError, match=r"Resource with id \[F\] is invalid"):
        expand_sam(
            {"Transform": SAM, "Resources": {"F": {"Type": "AWS::Serverless::Function", "Properties": {}}}},
            {},
            "us-east-1",
            ACCOUNT,
        )


# Our own small SAM service bundle, deployed through the local Proton.
SAM_INSTANCE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: "{{ service.name }}-{{ service_instance.name }}"
      Runtime: python3.12
      Handler: index.handler
      MemorySize: {{ service_instance.inputs.port }}
      InlineCode: "def handler(event, context): return None"
      Environment:
        Variables:
          TOPIC: "{{ environment.outputs.TopicArn }}"
Outputs:
  WorkerArn:
    Value: !GetAtt Worker.Arn
"""


def test_sam_service_bundle_deploys_through_the_local_proton(
    backend: ProtonBackend, aws: dict[str, Any], tmp_path: Path
) -> None:
    setup_environment(backend, aws)
    backend.update_account_settings(pipelineServiceRoleArn="arn:aws:iam::123456789012:role/proton-service")
    backend.create_service_template(name="svc-tpl", pipelineProvisioning="CUSTOMER_MANAGED")
    register(
        backend,
        aws,
        "service",
        "svc-tpl",
        B.svc_bundle(pipeline=False, instance_template=SAM_INSTANCE),
        compatibleEnvironmentTemplates=compatible(),
    )
    create_service(backend, "jobs", {"worker": ("prod", {"port": 256})}, with_pipeline=False)
    instance = backend.get_service_instance(serviceName="jobs", name="worker")["serviceInstance"]
    assert instance["deploymentStatus"] == "SUCCEEDED", instance.get("deploymentStatusMessage")
    function = boto3.client("lambda", region_name="us-east-1").get_function(FunctionName="jobs-worker")
    assert function["Configuration"]["MemorySize"] == 256
    topic = backend.list_environment_outputs(environmentName="prod")["outputs"]
    assert function["Configuration"]["Environment"]["Variables"]["TOPIC"] == next(
        o["valueString"] for o in topic if o["key"] == "TopicArn"
    )
    outs = backend.list_service_instance_outputs(serviceName="jobs", serviceInstanceName="worker")["outputs"]
    assert [o["valueString"] for o in outs if o["key"] == "WorkerArn"] == [
        function["Configuration"]["FunctionArn"]
    ]
    (stack,) = backend.list_service_instance_provisioned_resources(
        serviceName="jobs", serviceInstanceName="worker"
    )["provisionedResources"]
    processed = aws["cfn"].get_template(StackName=stack["name"], TemplateStage="Processed")["TemplateBody"]
    assert processed["Resources"]["Worker"]["Type"] == "AWS::Lambda::Function"


# AWS::LanguageExtensions, through cfn-lint's implementation of the transform.
FOR_EACH = {
    "Transform": LANGUAGE_EXTENSIONS,
    "Parameters": {"Names": {"Type": "CommaDelimitedList"}, "Env": {"Type": "String", "Default": "dev"}},
    "Resources": {
        "Fn::ForEach::Queues": [
            "Name",
            {"Ref": "Names"},
            {
                "Queue${Name}": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"QueueName": {"Fn::Sub": "${Env}-${Name}"}},
                }
            },
        ],
        "Topic": {"Type": "AWS::SNS::Topic"},
    },
}


def test_expand_language_extensions_unrolls_for_each_with_the_stacks_values() -> None:
    out = expand_language_extensions(FOR_EACH, {"Names": "a,b"}, "us-east-1")
    assert "Transform" not in out and out["Parameters"] == FOR_EACH["Parameters"]  # declared, not as fed
    assert sorted(out["Resources"]) == ["Queuea", "Queueb", "Topic"]
    assert out["Resources"]["Queueb"]["Properties"]["QueueName"] == {"Fn::Sub": "${Env}-b"}
    both = {**FOR_EACH, "Transform": [LANGUAGE_EXTENSIONS, SAM]}
    assert expand_language_extensions(both, {"Names": "a"}, "us-east-1")["Transform"] == SAM


@pytest.mark.parametrize(
    ("template", "given", "reason"),
    [
        (FOR_EACH, {"Names": ""}, "Fn::ForEach::Queues: the local cloud expands a collection given as"),
        (
            {**FOR_EACH, "Resources": {"Fn::ForEach::Q": ["N", {"Ref": "AWS::NotificationARNs"}, {}]}},
            {},
            "Fn::ForEach::Q: the local cloud expands a collection given as",
        ),
        (
            {**FOR_EACH, "Outputs": {"N": {"Value": {"Fn::Length": {"Ref": "Names"}}}}},
            {"Names": "a"},
            "the local cloud does not evaluate Fn::Length",
        ),
    ],
    ids=["empty-list", "pseudo-parameter", "length"],
)
def test_expand_language_extensions_refuses_what_it_would_guess(
    template: Any, given: Any, reason: str
) -> None:
    """cfn-lint lints: it makes up names for a collection it cannot resolve; the local cloud refuses."""
    with pytest.raises(TransformError, match=reason):
        expand_language_extensions(template, given, "us-east-1")


def test_for_each_template_deploys_and_a_longer_list_adds_a_queue(aws: dict[str, Any]) -> None:
    """The change set lists the expanded resources; another item is one Add; GetTemplate Processed is
    the expansion."""
    cfn, sqs = aws["cfn"], boto3.client("sqs", region_name="us-east-1")
    body = json.dumps(FOR_EACH)

    def change_set(kind: str, names: str) -> list[tuple[str, str]]:
        created = cfn.create_change_set(
            StackName="each",
            ChangeSetName=f"c-{names.replace(',', '')}",
            ChangeSetType=kind,
            TemplateBody=body,
            Parameters=[{"ParameterKey": "Names", "ParameterValue": names}],
            Capabilities=["CAPABILITY_AUTO_EXPAND"],
        )
        described = cfn.describe_change_set(ChangeSetName=created["Id"])
        assert described["Status"] == "CREATE_COMPLETE", described.get("StatusReason")
        cfn.execute_change_set(ChangeSetName=created["Id"])
        return sorted(
            (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
            for c in described["Changes"]
        )

    assert change_set("CREATE", "a,b") == [("Add", "Queuea"), ("Add", "Queueb"), ("Add", "Topic")]
    assert change_set("UPDATE", "a,b,c") == [("Add", "Queuec")]
    queues = sorted(u.rsplit("/", 1)[-1] for u in sqs.list_queues()["QueueUrls"])
    assert queues == ["dev-a", "dev-b", "dev-c"]
    processed = cfn.get_template(StackName="each", TemplateStage="Processed")["TemplateBody"]
    assert sorted(processed["Resources"]) == ["Queuea", "Queueb", "Queuec", "Topic"]


def test_a_for_each_the_local_cloud_cannot_expand_fails_its_change_set(aws: dict[str, Any]) -> None:
    cfn = aws["cfn"]
    created = cfn.create_change_set(
        StackName="each",
        ChangeSetName="empty",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(FOR_EACH),
        Parameters=[{"ParameterKey": "Names", "ParameterValue": ""}],
        Capabilities=["CAPABILITY_AUTO_EXPAND"],
    )
    described = cfn.describe_change_set(ChangeSetName=created["Id"])
    assert described["Status"] == "FAILED"
    assert described["StatusReason"].startswith(f"Transform {LANGUAGE_EXTENSIONS}: Fn::ForEach::Queues")
