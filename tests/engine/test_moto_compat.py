"""The local cloud's change sets say whether a Modify replaces the resource, as CloudFormation does."""

from __future__ import annotations

from typing import Any

import yaml

TEMPLATE = {
    "Resources": {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": "exodus-moto-compat-a", "Tags": [{"Key": "team", "Value": "a"}]},
        },
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "exodus-moto-compat-q"}},
    }
}


def _changes(cfn: Any, template: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    created = cfn.create_change_set(
        StackName="compat", ChangeSetName=name, ChangeSetType="UPDATE", TemplateBody=yaml.safe_dump(template)
    )
    described = cfn.describe_change_set(ChangeSetName=created["Id"], StackName="compat")
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}


def test_modify_reports_replacement_from_create_only_properties(aws: dict[str, Any]) -> None:
    cfn = aws["cfn"]
    cfn.create_stack(StackName="compat", TemplateBody=yaml.safe_dump(TEMPLATE))
    retagged = yaml.safe_load(yaml.safe_dump(TEMPLATE))
    retagged["Resources"]["Bucket"]["Properties"]["Tags"][0]["Value"] = "b"
    change = _changes(cfn, retagged, "retag")["Bucket"]
    assert change["Action"] == "Modify" and change["Replacement"] == "False"
    assert change["Scope"] == ["Properties"]
    assert change["Details"][0]["Target"] == {
        "Attribute": "Properties",
        "Name": "Tags",
        "RequiresRecreation": "Never",
    }

    renamed = yaml.safe_load(yaml.safe_dump(TEMPLATE))
    renamed["Resources"]["Bucket"]["Properties"]["BucketName"] = "exodus-moto-compat-b"
    renamed["Resources"]["Queue"]["Properties"]["QueueName"] = "exodus-moto-compat-r"
    changes = _changes(cfn, renamed, "rename")
    assert {k: c["Replacement"] for k, c in changes.items()} == {"Bucket": "True", "Queue": "True"}
    assert changes["Bucket"]["Details"][0]["Target"]["RequiresRecreation"] == "Always"


def test_describe_stacks_shows_a_list_parameter_as_given(aws: dict[str, Any]) -> None:
    """CloudFormation's DescribeStacks shows a CommaDelimitedList value as it was given, `a,b`; so does
    the local cloud, before and after an update (a deployer reading parameters back compares them)."""
    cfn = aws["cfn"]
    template = {
        "Parameters": {"Cidrs": {"Type": "CommaDelimitedList"}, "Name": {"Type": "String"}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}},
    }
    given = [
        {"ParameterKey": "Cidrs", "ParameterValue": "10.0.0.0/24,10.0.1.0/24"},
        {"ParameterKey": "Name", "ParameterValue": "exodus-moto-compat-list"},
    ]
    cfn.create_stack(StackName="listed", TemplateBody=yaml.safe_dump(template), Parameters=given)

    def shown() -> dict[str, str]:
        stack = cfn.describe_stacks(StackName="listed")["Stacks"][0]
        return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}

    assert shown() == {"Cidrs": "10.0.0.0/24,10.0.1.0/24", "Name": "exodus-moto-compat-list"}
    template["Outputs"] = {"Q": {"Value": {"Ref": "Queue"}}}
    created = cfn.create_change_set(
        StackName="listed", ChangeSetName="outputs", TemplateBody=yaml.safe_dump(template), Parameters=given
    )
    cfn.execute_change_set(ChangeSetName=created["Id"], StackName="listed")
    assert shown()["Cidrs"] == "10.0.0.0/24,10.0.1.0/24"
