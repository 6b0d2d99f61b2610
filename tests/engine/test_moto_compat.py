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
