"""The local cloud's ids are functions of the resource: the same template in the same stack gets the same
StackId and physical ids whatever ran before it, and different stacks, logical ids or accounts differ."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.moto_api._internal import mock_random

from proton_exodus.engine.cloud_ids import derived_uuid, resource_scope
from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs

REGION = "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def template(extra: str = "") -> str:
    """VPC, subnet, security group, an unnamed bucket and role: ids and name suffixes moto draws."""
    resources: dict[str, Any] = {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24"},
        },
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "web", "VpcId": {"Ref": "Vpc"}},
        },
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
    }
    if extra:
        resources[extra] = {"Type": "AWS::S3::Bucket"}
    return json.dumps(
        {"Resources": resources, "Outputs": {"RoleId": {"Value": {"Fn::GetAtt": ["Role", "RoleId"]}}}}
    )


@pytest.fixture(autouse=True)
def patched() -> None:
    patch_moto_change_set_outputs()  # what the local cloud applies (change-set outputs, then the ids)


def deploy(
    name: str, *, change_set: bool = False, body: str | None = None, account: str | None = None
) -> dict[str, str]:
    """Create stack `name`; its StackId, each logical id's physical id, and the role's RoleId."""
    cfn = boto3.client("cloudformation", region_name=REGION)
    if account:

        def pin_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        cfn.meta.events.register("before-sign", pin_account)
    body = body or template()
    if change_set:
        cfn.create_change_set(
            StackName=name,
            ChangeSetName="create",
            ChangeSetType="CREATE",
            TemplateBody=body,
            Capabilities=["CAPABILITY_IAM"],
        )
        cfn.execute_change_set(ChangeSetName="create", StackName=name)
    else:
        cfn.create_stack(StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    ids = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
    }
    return {"StackId": stack["StackId"], **ids, "RoleId": stack["Outputs"][0]["OutputValue"]}


def draw_noise() -> None:
    """Unrelated draws on moto's generator, as other requests and other moto releases make."""
    for _ in range(37):
        mock_random.uuid4()
    mock_random.get_random_hex(13)


def run(*steps: Callable[[], Any]) -> dict[str, str]:
    with mock_aws():
        for step in steps[:-1]:
            step()
        return steps[-1]()


def test_ids_do_not_depend_on_what_ran_before() -> None:
    alone = run(lambda: deploy("app"))
    crowded = run(
        lambda: deploy("first"),
        draw_noise,
        lambda: deploy("second", change_set=True),
        draw_noise,
        lambda: deploy("app"),
    )
    assert crowded == alone
    assert (
        alone["Vpc"].startswith("vpc-")
        and alone["Sg"].startswith("sg-")
        and alone["Subnet"].startswith("subnet-")
    )


def test_ids_do_not_depend_on_the_moto_seed_or_on_change_sets() -> None:
    mock_random.seed(1)
    first = run(lambda: deploy("app"))
    mock_random.seed(2)
    second = run(draw_noise, lambda: deploy("app", change_set=True))
    assert first == second


def test_ids_do_not_depend_on_other_resources_in_the_template() -> None:
    plain = run(lambda: deploy("app"))
    extended = run(lambda: deploy("app", body=template(extra="Aaa")))
    assert {k: v for k, v in extended.items() if k != "Aaa"} == plain


def test_different_stacks_logical_ids_and_accounts_get_different_ids() -> None:
    one, other, elsewhere = run(
        lambda: (deploy("app"), deploy("other"), deploy("app", account="222222222222"))
    )
    for key in ("StackId", "Vpc", "Subnet", "Sg", "Bucket", "Role", "RoleId"):
        assert len({one[key], other[key], elsewhere[key]}) == 3, key
    assert len({one["Vpc"], one["Subnet"], one["Sg"], one["Role"]}) == 4


def test_a_recreated_stack_gets_new_ids_and_the_same_sequence_again() -> None:
    def twice() -> tuple[dict[str, str], dict[str, str]]:
        first = deploy("app")
        boto3.client("cloudformation", region_name=REGION).delete_stack(StackName="app")
        return first, deploy("app")

    first, again = run(twice)
    assert first["StackId"] != again["StackId"] and first["Vpc"] != again["Vpc"]
    assert run(twice) == (first, again)


def test_draws_outside_a_resource_keep_motos_generator() -> None:
    mock_random.seed(5)
    expected = [mock_random.uuid4() for _ in range(2)]
    mock_random.seed(5)
    with resource_scope("a", "b"):
        scoped = mock_random.uuid4()
    assert [mock_random.uuid4() for _ in range(2)] == expected  # the scope took nothing from moto's generator
    assert scoped not in expected


def test_a_scope_belongs_to_its_thread() -> None:
    with resource_scope("stack", "Vpc", "0"):
        here = mock_random.get_random_hex(16)
        there: list[str] = []
        worker = threading.Thread(target=lambda: there.append(mock_random.get_random_hex(16)))
        worker.start()
        worker.join()
    with resource_scope("stack", "Vpc", "0"):
        assert mock_random.get_random_hex(16) == here
    assert there[0] != here


def test_derived_uuid_is_stable_and_version_4() -> None:
    value = derived_uuid("123456789012", REGION, "stack", "app", "0")
    assert value == derived_uuid("123456789012", REGION, "stack", "app", "0")
    assert value.version == 4 and value != derived_uuid("123456789012", REGION, "stack", "app", "1")
