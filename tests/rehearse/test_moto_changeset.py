"""The local cloud's change sets compare resources after resolving parameters, as CloudFormation does:
a literal moved into a parameter of the same value is no change; a parameter-only change is a Modify;
a dynamic reference is compared as text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from proton_exodus.engine.moto_changeset import resolve_parameter_refs
from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs

LITERAL = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "exodus-cs-q", "DelaySeconds": 5}}
    }
}
PARAMETERISED = {
    "Parameters": {"Name": {"Type": "String"}, "Delay": {"Type": "Number", "Default": "5"}},
    "Resources": {
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Ref": "Name"}, "DelaySeconds": {"Ref": "Delay"}},
        }
    },
}


@pytest.fixture
def cfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for var, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(var, value)
    patch_moto_change_set_outputs()
    with mock_aws():
        client = boto3.client("cloudformation", region_name="us-east-1")
        client.create_stack(StackName="cs", TemplateBody=yaml.safe_dump(LITERAL))
        yield client


def _changes(cfn: Any, template: dict[str, Any], params: dict[str, str], name: str) -> list[dict[str, Any]]:
    created = cfn.create_change_set(
        StackName="cs",
        ChangeSetName=name,
        ChangeSetType="UPDATE",
        TemplateBody=yaml.safe_dump(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
    )
    return [
        c["ResourceChange"]
        for c in cfn.describe_change_set(ChangeSetName=created["Id"], StackName="cs")["Changes"]
    ]


def test_same_values_through_parameters_are_no_change(cfn: Any) -> None:
    assert _changes(cfn, PARAMETERISED, {"Name": "exodus-cs-q"}, "same") == []


def test_a_parameter_value_that_differs_is_a_modify_with_its_effect(cfn: Any) -> None:
    (change,) = _changes(cfn, PARAMETERISED, {"Name": "exodus-cs-q", "Delay": "7"}, "delay")
    assert (change["Action"], change["Replacement"]) == ("Modify", "False")
    assert [d["Target"]["Name"] for d in change["Details"]] == ["DelaySeconds"]
    (renamed,) = _changes(cfn, PARAMETERISED, {"Name": "exodus-cs-other"}, "rename")
    assert renamed["Replacement"] == "True"


def test_parameter_only_change_on_the_same_template_is_a_modify(cfn: Any) -> None:
    cfn.update_stack(
        StackName="cs",
        TemplateBody=yaml.safe_dump(PARAMETERISED),
        Parameters=[{"ParameterKey": "Name", "ParameterValue": "exodus-cs-q"}],
    )
    (change,) = _changes(cfn, PARAMETERISED, {"Name": "exodus-cs-q", "Delay": "9"}, "param-only")
    assert change["Action"] == "Modify" and change["Replacement"] == "False"


def test_dynamic_references_are_compared_as_text(cfn: Any) -> None:
    ref = yaml.safe_load(yaml.safe_dump(LITERAL))
    ref["Resources"]["Queue"]["Properties"]["QueueName"] = "{{resolve:ssm:/queue/name}}"
    (change,) = _changes(cfn, ref, {}, "dynref")
    assert change["Action"] == "Modify" and change["Replacement"] == "True"


def test_resolve_parameter_refs_fills_ref_and_sub_and_leaves_the_rest() -> None:
    values = {"Env": "prod", "Port": 80}
    node = {
        "A": {"Ref": "Env"},
        "B": {"Fn::Sub": "svc-${Env}-${AWS::Region}"},
        "C": {"Fn::Sub": "x-${Env}"},
        "D": {"Ref": "Bucket"},
        "E": {"Fn::Sub": ["${Env}-${N}", {"N": {"Ref": "Port"}}]},
        "F": "{{resolve:secretsmanager:s}}",
    }
    assert resolve_parameter_refs(node, values) == {
        "A": "prod",
        "B": {"Fn::Sub": "svc-prod-${AWS::Region}"},
        "C": "x-prod",
        "D": {"Ref": "Bucket"},
        "E": {"Fn::Sub": ["prod-${N}", {"N": 80}]},
        "F": "{{resolve:secretsmanager:s}}",
    }


SSM_READ = {
    "Parameters": {"Name": {"Type": "AWS::SSM::Parameter::Value<String>"}},
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}, "DelaySeconds": 5}}
    },
}


def test_an_unstaged_ssm_parameter_is_refused_when_the_change_set_is_created(cfn: Any) -> None:
    """CloudFormation refuses the change set (moto accepted it, then failed the stack with an
    AttributeError); once the parameter is staged with the deployed value, nothing changes."""
    with pytest.raises(
        cfn.exceptions.ClientError, match=r"Parameters: \[/exodus/cs/name\] cannot be found\."
    ):
        _changes(cfn, SSM_READ, {"Name": "/exodus/cs/name"}, "unstaged")
    boto3.client("ssm", region_name="us-east-1").put_parameter(
        Name="/exodus/cs/name", Value="exodus-cs-q", Type="String"
    )
    assert _changes(cfn, SSM_READ, {"Name": "/exodus/cs/name"}, "staged") == []


def test_deleting_a_missing_change_set_is_change_set_not_found(cfn: Any) -> None:
    cfn.create_stack(StackName="exodus-cs-missing", TemplateBody=yaml.safe_dump(LITERAL))
    with pytest.raises(
        cfn.exceptions.ChangeSetNotFoundException, match="ChangeSet \\[nope\\] does not exist"
    ):
        cfn.delete_change_set(StackName="exodus-cs-missing", ChangeSetName="nope")


def test_an_update_may_drop_a_parameter_of_the_stack(cfn: Any) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/exodus/cs/name", Value="exodus-cs-q", Type="String")
    staged = {
        "Parameters": {"Name": {"Type": "AWS::SSM::Parameter::Value<String>"}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}},
    }
    cfn.create_stack(
        StackName="exodus-cs-drop",
        TemplateBody=yaml.safe_dump(staged),
        Parameters=[{"ParameterKey": "Name", "ParameterValue": "/exodus/cs/name"}],
    )
    literal = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "exodus-cs-q"}}}
    }
    cs = cfn.create_change_set(
        StackName="exodus-cs-drop",
        ChangeSetName="back",
        ChangeSetType="UPDATE",
        TemplateBody=yaml.safe_dump(literal),
    )
    cfn.execute_change_set(ChangeSetName=cs["Id"])
    stack = cfn.describe_stacks(StackName="exodus-cs-drop")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE" and not stack.get("Parameters")
