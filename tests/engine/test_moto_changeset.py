"""The local cloud's change sets add and remove the resources a template's Conditions keep, as
CloudFormation does (moto compared the templates' keys: a resource a false Condition leaves out looked
added on every update of the stack)."""

from __future__ import annotations

from typing import Any

import boto3
import yaml


def _item(i: int) -> dict[str, Any]:
    padded = {"Fn::Join": ["", [{"Fn::Join": [",", {"Ref": "Names"}]}, ","]]}
    return {"Fn::Select": [str(i), {"Fn::Split": [",", padded]}]}


TEMPLATE = {
    "Parameters": {"Names": {"Type": "CommaDelimitedList"}},
    "Conditions": {"HasThird": {"Fn::Not": [{"Fn::Equals": [_item(2), ""]}]}},
    "Resources": {
        "First": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Select": ["0", {"Ref": "Names"}]}},
        },
        "Third": {
            "Type": "AWS::SQS::Queue",
            "Condition": "HasThird",
            "Properties": {"QueueName": {"Fn::Select": ["2", {"Ref": "Names"}]}},
        },
    },
}


def _change_set(cfn: Any, name: str, names: str) -> list[tuple[str, str]]:
    created = cfn.create_change_set(
        StackName="conditional",
        ChangeSetName=name,
        ChangeSetType="UPDATE",
        TemplateBody=yaml.safe_dump(TEMPLATE),
        Parameters=[{"ParameterKey": "Names", "ParameterValue": names}],
    )
    described = cfn.describe_change_set(ChangeSetName=created["Id"], StackName="conditional")
    cfn.execute_change_set(ChangeSetName=created["Id"], StackName="conditional")
    return sorted(
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
        for c in described["Changes"]
    )


def _queues() -> list[str]:
    """The queues that exist (moto's ListStackResources also lists a conditioned-out resource, unnamed)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    return sorted(url.rsplit("/", 1)[-1] for url in sqs.list_queues().get("QueueUrls", []))


def test_conditioned_resources_are_added_and_removed_as_their_condition_turns(aws: dict[str, Any]) -> None:
    cfn = aws["cfn"]
    rendered = {"Parameters": TEMPLATE["Parameters"], "Resources": {"First": TEMPLATE["Resources"]["First"]}}
    cfn.create_stack(  # as a render for two names deployed it: no third queue in the template at all
        StackName="conditional",
        TemplateBody=yaml.safe_dump(rendered),
        Parameters=[{"ParameterKey": "Names", "ParameterValue": "a,b"}],
    )
    assert _queues() == ["a"]
    assert _change_set(cfn, "shared", "a,b") == []  # the shared template, its Condition false: no change
    assert _change_set(cfn, "same", "a,b") == []
    assert _change_set(cfn, "three", "a,b,c") == [("Add", "Third")]
    assert _queues() == ["a", "c"]
    assert _change_set(cfn, "two", "a,b") == [("Remove", "Third")]
    assert _queues() == ["a"]
