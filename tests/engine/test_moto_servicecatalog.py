"""The Service Catalog operations the local cloud adds to moto (engine/moto_servicecatalog.py), against the
Service Catalog API Reference: artifacts read from S3, associations and launch constraints, and
ImportAsProvisionedProduct's rules (stack status, template match, duplicates, idempotency)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from proton_exodus.engine.stacks import deploy_stack
from tests.engine.conftest import BUCKET

TEMPLATE = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n  Arn:\n    Value: !Ref Topic\n"
OTHER = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
URL = f"https://{BUCKET}.s3.us-east-1.amazonaws.com/artifacts/topic.yaml"


def _stack(name: str, template: str = TEMPLATE) -> str:
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    result = deploy_stack(cfn, name, template, [], change_set="create", poll=0.0)
    assert result.ok, result.message
    return cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]


def _product(aws: dict[str, Any]) -> tuple[Any, str, str]:
    aws["s3"].put_object(Bucket=BUCKET, Key="artifacts/topic.yaml", Body=TEMPLATE.encode())
    sc = boto3.client("servicecatalog", region_name="us-east-1")
    made = sc.create_product(
        Name="topic",
        Owner="platform",
        ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={"Name": "1.0", "Info": {"LoadTemplateFromURL": URL}},
        IdempotencyToken="t1",
    )
    product_id = made["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    assert made["ProvisioningArtifactDetail"]["Name"] == "1.0"
    return sc, product_id, made["ProvisioningArtifactDetail"]["Id"]


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Code"]


def test_create_product_makes_its_artifact_from_the_s3_template(aws: dict[str, Any]) -> None:
    sc, product_id, artifact_id = _product(aws)
    aws["s3"].put_object(Bucket=BUCKET, Key="artifacts/queue.yaml", Body=OTHER.encode())
    second = sc.create_provisioning_artifact(
        ProductId=product_id,
        Parameters={"Name": "1.1", "Info": {"LoadTemplateFromURL": URL.replace("topic", "queue")}},
        IdempotencyToken="t2",
    )["ProvisioningArtifactDetail"]
    listed = sc.list_provisioning_artifacts(ProductId=product_id)["ProvisioningArtifactDetails"]
    assert [(a["Id"], a["Name"]) for a in listed] == [(artifact_id, "1.0"), (second["Id"], "1.1")]
    with pytest.raises(ClientError) as err:  # the template is read on creation: a missing object is refused
        sc.create_provisioning_artifact(
            ProductId=product_id,
            Parameters={"Name": "2.0", "Info": {"LoadTemplateFromURL": URL.replace("topic", "missing")}},
            IdempotencyToken="t3",
        )
    assert _code(err) == "InvalidParametersException"
    with pytest.raises(ClientError) as err:
        sc.create_provisioning_artifact(
            ProductId="prod-nope",
            Parameters={"Name": "x", "Info": {"LoadTemplateFromURL": URL}},
            IdempotencyToken="t4",
        )
    assert _code(err) == "ResourceNotFoundException"


def test_launch_constraint_needs_the_association_and_is_one_per_product(aws: dict[str, Any]) -> None:
    sc, product_id, _ = _product(aws)
    portfolio = sc.create_portfolio(DisplayName="p", ProviderName="platform", IdempotencyToken="p")
    portfolio_id = portfolio["PortfolioDetail"]["Id"]
    role = '{"RoleArn": "arn:aws:iam::123456789012:role/launch"}'
    with pytest.raises(ClientError) as err:
        sc.create_constraint(
            PortfolioId=portfolio_id,
            ProductId=product_id,
            Type="LAUNCH",
            Parameters=role,
            IdempotencyToken="c",
        )
    assert _code(err) == "ResourceNotFoundException"
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    made = sc.create_constraint(
        PortfolioId=portfolio_id, ProductId=product_id, Type="LAUNCH", Parameters=role, IdempotencyToken="c"
    )
    assert made["ConstraintDetail"]["Type"] == "LAUNCH"
    with pytest.raises(ClientError) as err:
        sc.create_constraint(
            PortfolioId=portfolio_id,
            ProductId=product_id,
            Type="LAUNCH",
            Parameters=role,
            IdempotencyToken="d",
        )
    assert _code(err) == "DuplicateResourceException"


def test_import_adopts_a_matching_stack_and_changes_nothing(aws: dict[str, Any]) -> None:
    sc, product_id, artifact_id = _product(aws)
    stack_id = _stack("adopted")
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    before = cfn.describe_stacks(StackName="adopted")["Stacks"][0]
    record = sc.import_as_provisioned_product(
        ProductId=product_id,
        ProvisioningArtifactId=artifact_id,
        ProvisionedProductName="adopted",
        PhysicalId=stack_id,
        IdempotencyToken="adopted",
    )["RecordDetail"]
    assert record["Status"] == "SUCCEEDED" and record["ProvisionedProductType"] == "CFN_STACK"
    again = sc.import_as_provisioned_product(  # same token: the same record, no second product
        ProductId=product_id,
        ProvisioningArtifactId=artifact_id,
        ProvisionedProductName="adopted",
        PhysicalId=stack_id,
        IdempotencyToken="adopted",
    )["RecordDetail"]
    assert again["RecordId"] == record["RecordId"]
    detail = sc.describe_provisioned_product(Name="adopted")["ProvisionedProductDetail"]
    assert detail["Arn"] == stack_id and detail["Status"] == "AVAILABLE" and detail["Type"] == "CFN_STACK"
    assert sc.describe_record(Id=record["RecordId"])["RecordDetail"]["ProvisionedProductName"] == "adopted"
    assert len(sc.scan_provisioned_products()["ProvisionedProducts"]) == 1
    after = cfn.describe_stacks(StackName="adopted")["Stacks"][0]
    assert after == before  # the import touches nothing of the stack
    with pytest.raises(ClientError) as err:  # the same stack twice
        sc.import_as_provisioned_product(
            ProductId=product_id,
            ProvisioningArtifactId=artifact_id,
            ProvisionedProductName="adopted-2",
            PhysicalId=stack_id,
            IdempotencyToken="other",
        )
    assert _code(err) == "DuplicateResourceException"
    # the runbook's rollback: Service Catalog lets the stack go and keeps it
    done = sc.terminate_provisioned_product(
        ProvisionedProductName="adopted", TerminateToken="t", RetainPhysicalResources=True
    )["RecordDetail"]
    assert done["RecordType"] == "TERMINATE_PROVISIONED_PRODUCT" and done["Status"] == "SUCCEEDED"
    assert sc.scan_provisioned_products()["ProvisionedProducts"] == []
    assert cfn.describe_stacks(StackName="adopted")["Stacks"][0] == before
    again = sc.import_as_provisioned_product(  # and it can be adopted again
        ProductId=product_id,
        ProvisioningArtifactId=artifact_id,
        ProvisionedProductName="adopted",
        PhysicalId=stack_id,
        IdempotencyToken="adopted-again",
    )["RecordDetail"]
    assert again["Status"] == "SUCCEEDED"
    sc.terminate_provisioned_product(ProvisionedProductName="adopted", TerminateToken="u")
    with pytest.raises(ClientError):  # without RetainPhysicalResources the stack is deleted
        cfn.describe_stacks(StackName="adopted")
    with pytest.raises(ClientError) as err:  # a deleted stack cannot be imported
        sc.import_as_provisioned_product(
            ProductId=product_id,
            ProvisioningArtifactId=artifact_id,
            ProvisionedProductName="adopted-2",
            PhysicalId=stack_id,
            IdempotencyToken="other-2",
        )
    assert _code(err) == "ResourceNotFoundException"


def test_import_refuses_a_template_that_differs_and_a_bad_status(aws: dict[str, Any]) -> None:
    sc, product_id, artifact_id = _product(aws)
    other = _stack("other", OTHER)
    with pytest.raises(ClientError) as err:
        sc.import_as_provisioned_product(
            ProductId=product_id,
            ProvisioningArtifactId=artifact_id,
            ProvisionedProductName="other",
            PhysicalId=other,
            IdempotencyToken="o",
        )
    assert _code(err) == "InvalidParametersException" and "does not match" in str(err.value)
    broken = _stack("broken")
    from moto.cloudformation.models import cloudformation_backends

    next(
        s for s in cloudformation_backends["123456789012"]["us-east-1"].stacks.values() if s.name == "broken"
    ).status = "UPDATE_ROLLBACK_FAILED"
    with pytest.raises(ClientError) as err:
        sc.import_as_provisioned_product(
            ProductId=product_id,
            ProvisioningArtifactId=artifact_id,
            ProvisionedProductName="broken",
            PhysicalId=broken,
            IdempotencyToken="b",
        )
    assert _code(err) == "InvalidStateException"
    with pytest.raises(ClientError) as err:
        sc.import_as_provisioned_product(
            ProductId=product_id,
            ProvisioningArtifactId=artifact_id,
            ProvisionedProductName="bucket",
            PhysicalId=f"arn:aws:s3:::{BUCKET}",
            IdempotencyToken="s",
        )
    assert _code(err) == "InvalidParametersException"


PORTFOLIO = f"""
Resources:
  Portfolio:
    Type: AWS::ServiceCatalog::Portfolio
    Properties: {{DisplayName: estate, ProviderName: platform}}
  Product:
    Type: AWS::ServiceCatalog::CloudFormationProduct
    Properties:
      Name: topic
      Owner: platform
      ProvisioningArtifactParameters:
        - {{Name: "1.0", Info: {{LoadTemplateFromURL: "{URL}"}}}}
  Association:
    Type: AWS::ServiceCatalog::PortfolioProductAssociation
    Properties: {{PortfolioId: !Ref Portfolio, ProductId: !Ref Product}}
  Launch:
    Type: AWS::ServiceCatalog::LaunchRoleConstraint
    DependsOn: Association
    Properties:
      PortfolioId: !Ref Portfolio
      ProductId: !Ref Product
      RoleArn: arn:aws:iam::123456789012:role/launch
  Option:
    Type: AWS::ServiceCatalog::TagOption
    Properties: {{Key: team, Value: payments}}
  OptionLink:
    Type: AWS::ServiceCatalog::TagOptionAssociation
    Properties: {{ResourceId: !Ref Portfolio, TagOptionId: !Ref Option}}
Outputs:
  ProductId: {{Value: !Ref Product}}
  Artifacts: {{Value: !GetAtt Product.ProvisioningArtifactIds}}
"""


def test_the_cloudformation_types_build_the_same_state(aws: dict[str, Any]) -> None:
    aws["s3"].put_object(Bucket=BUCKET, Key="artifacts/topic.yaml", Body=TEMPLATE.encode())
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    result = deploy_stack(cfn, "portfolio", PORTFOLIO, [], change_set="create", poll=0.0)
    assert result.ok, result.message
    outs = {o["key"]: o["valueString"] for o in result.outputs}
    sc = boto3.client("servicecatalog", region_name="us-east-1")
    artifacts = sc.list_provisioning_artifacts(ProductId=outs["ProductId"])["ProvisioningArtifactDetails"]
    assert [a["Id"] for a in artifacts] == [outs["Artifacts"]]
    portfolio_id = sc.list_portfolios()["PortfolioDetails"][0]["Id"]
    constraints = sc.list_constraints_for_portfolio(PortfolioId=portfolio_id)["ConstraintDetails"]
    assert [c["Type"] for c in constraints] == ["LAUNCH"]
    stack_id = _stack("adopted")
    record = sc.import_as_provisioned_product(
        ProductId=outs["ProductId"],
        ProvisioningArtifactId=outs["Artifacts"],
        ProvisionedProductName="adopted",
        PhysicalId=stack_id,
        IdempotencyToken="a",
    )["RecordDetail"]
    assert record["Status"] == "SUCCEEDED"


# ------------------------------------------------------------------------------------------ day 2

PARAMETERISED = (
    "Parameters:\n  Display:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    "    Properties:\n      DisplayName: !Ref Display\n"
)
WITH_QUEUE = PARAMETERISED + "  Queue:\n    Type: AWS::SQS::Queue\n"
RENAMED = PARAMETERISED + "      TopicName: renamed-topic\n"  # TopicName is create-only: a replacement


def _artifact(sc: Any, aws: dict[str, Any], product_id: str, name: str, template: str) -> str:
    key = f"artifacts/{name}.yaml"
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=template.encode())
    return sc.create_provisioning_artifact(
        ProductId=product_id,
        Parameters={
            "Name": name,
            "Info": {"LoadTemplateFromURL": f"https://{BUCKET}.s3.us-east-1.amazonaws.com/{key}"},
            "Type": "CLOUD_FORMATION_TEMPLATE",
        },
        IdempotencyToken=name,
    )["ProvisioningArtifactDetail"]["Id"]


def _adopted(aws: dict[str, Any]) -> tuple[Any, Any, str, str]:
    """A stack on PARAMETERISED (Display=one) adopted as provisioned product `svc` on artifact 1.0."""
    aws["s3"].put_object(Bucket=BUCKET, Key="artifacts/1.0.yaml", Body=PARAMETERISED.encode())
    sc = boto3.client("servicecatalog", region_name="us-east-1")
    product_id = sc.create_product(
        Name="svc",
        Owner="platform",
        ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={
            "Name": "1.0",
            "Info": {
                "LoadTemplateFromURL": f"https://{BUCKET}.s3.us-east-1.amazonaws.com/artifacts/1.0.yaml"
            },
        },
        IdempotencyToken="svc",
    )["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    artifact_id = sc.list_provisioning_artifacts(ProductId=product_id)["ProvisioningArtifactDetails"][0]["Id"]
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    stack_id = cfn.create_stack(
        StackName="svc",
        TemplateBody=PARAMETERISED,
        Parameters=[{"ParameterKey": "Display", "ParameterValue": "one"}],
    )["StackId"]
    sc.import_as_provisioned_product(
        ProductId=product_id,
        ProvisioningArtifactId=artifact_id,
        ProvisionedProductName="svc",
        PhysicalId=stack_id,
        IdempotencyToken="svc",
    )
    return sc, cfn, product_id, artifact_id


def _physical(cfn: Any) -> dict[str, str]:
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName="svc")["StackResources"]
    }


def test_update_provisioned_product_changes_the_stack_through_a_change_set(aws: dict[str, Any]) -> None:
    """A new input on the same artifact: the stack's parameter changes and its resource has the new
    value, the record says UPDATE_PROVISIONED_PRODUCT; the same UpdateToken is the same record;
    UsePreviousValue keeps the stack's value; a parameter the artifact does not declare is refused."""
    sc, cfn, product_id, artifact_id = _adopted(aws)
    record = sc.update_provisioned_product(
        ProvisionedProductName="svc",
        ProvisioningArtifactId=artifact_id,
        ProvisioningParameters=[{"Key": "Display", "Value": "two"}],
        UpdateToken="u1",
    )["RecordDetail"]
    assert record["RecordType"] == "UPDATE_PROVISIONED_PRODUCT" and record["Status"] == "SUCCEEDED"
    stack = cfn.describe_stacks(StackName="svc")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["Parameters"] == [{"ParameterKey": "Display", "ParameterValue": "two"}]
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.get_topic_attributes(TopicArn=_physical(cfn)["Topic"])["Attributes"]
    assert topic["DisplayName"] == "two"  # the resource has the new input
    again = sc.update_provisioned_product(
        ProvisionedProductName="svc",
        ProvisioningParameters=[{"Key": "Display", "Value": "x"}],
        UpdateToken="u1",
    )["RecordDetail"]
    assert again["RecordId"] == record["RecordId"]
    assert cfn.describe_stacks(StackName="svc")["Stacks"][0]["Parameters"][0]["ParameterValue"] == "two"
    kept = sc.update_provisioned_product(
        ProvisionedProductName="svc",
        ProvisioningParameters=[{"Key": "Display", "UsePreviousValue": True}],
        UpdateToken="u2",
    )["RecordDetail"]
    assert kept["Status"] == "SUCCEEDED"
    assert cfn.describe_stacks(StackName="svc")["Stacks"][0]["Parameters"][0]["ParameterValue"] == "two"
    detail = sc.describe_provisioned_product(Name="svc")["ProvisionedProductDetail"]
    assert detail["ProvisioningArtifactId"] == artifact_id and detail["LastRecordId"] == kept["RecordId"]
    with pytest.raises(ClientError) as err:
        sc.update_provisioned_product(
            ProvisionedProductName="svc",
            ProvisioningParameters=[{"Key": "Nope", "Value": "x"}],
            UpdateToken="u3",
        )
    assert _code(err) == "InvalidParametersException"
    with pytest.raises(ClientError) as err:
        sc.update_provisioned_product(ProvisionedProductName="missing", UpdateToken="u4")
    assert _code(err) == "ResourceNotFoundException"


def test_a_new_version_is_a_new_artifact_and_its_plan_is_described_before_it_runs(
    aws: dict[str, Any],
) -> None:
    """A minor version: CreateProvisioningArtifact, then a plan (a change set on the stack) whose
    ResourceChanges name what it adds, modifies and replaces, in Service Catalog's words, before anything
    changes; executing it moves the provisioned product to the new artifact. One plan per product at a
    time; a deleted plan leaves the stack as it was."""
    sc, cfn, product_id, _ = _adopted(aws)
    minor = _artifact(sc, aws, product_id, "1.1", WITH_QUEUE)
    plan = sc.create_provisioned_product_plan(
        PlanName="to-1.1",
        PlanType="CLOUDFORMATION",
        ProductId=product_id,
        ProvisionedProductName="svc",
        ProvisioningArtifactId=minor,
        ProvisioningParameters=[{"Key": "Display", "Value": "one"}],
        IdempotencyToken="plan-1",
    )
    described = sc.describe_provisioned_product_plan(PlanId=plan["PlanId"])
    assert described["ProvisionedProductPlanDetails"]["Status"] == "CREATE_SUCCESS"
    assert [
        (c["Action"], c["LogicalResourceId"], c["ResourceType"]) for c in described["ResourceChanges"]
    ] == [("ADD", "Queue", "AWS::SQS::Queue")]
    assert set(_physical(cfn)) == {"Topic"}  # nothing ran yet
    with pytest.raises(ClientError) as err:  # one plan per provisioned product
        sc.create_provisioned_product_plan(
            PlanName="again",
            PlanType="CLOUDFORMATION",
            ProductId=product_id,
            ProvisionedProductName="svc",
            ProvisioningArtifactId=minor,
            IdempotencyToken="plan-2",
        )
    assert _code(err) == "InvalidStateException"
    record = sc.execute_provisioned_product_plan(PlanId=plan["PlanId"], IdempotencyToken="x1")["RecordDetail"]
    assert record["Status"] == "SUCCEEDED" and record["ProvisioningArtifactId"] == minor
    assert set(_physical(cfn)) == {"Topic", "Queue"}
    assert (
        sc.describe_provisioned_product(Name="svc")["ProvisionedProductDetail"]["ProvisioningArtifactId"]
        == minor
    )
    status = sc.describe_provisioned_product_plan(PlanId=plan["PlanId"])["ProvisionedProductPlanDetails"]
    assert status["Status"] == "EXECUTE_SUCCESS"
    # a create-only property: the plan says the resource is replaced, and a deleted plan changes nothing
    renamed = _artifact(sc, aws, product_id, "1.2", RENAMED)
    plan = sc.create_provisioned_product_plan(
        PlanName="to-1.2",
        PlanType="CLOUDFORMATION",
        ProductId=product_id,
        ProvisionedProductName="svc",
        ProvisioningArtifactId=renamed,
        ProvisioningParameters=[{"Key": "Display", "Value": "one"}],
        IdempotencyToken="plan-3",
    )
    changes = sc.describe_provisioned_product_plan(PlanId=plan["PlanId"])["ResourceChanges"]
    topic = next(c for c in changes if c["LogicalResourceId"] == "Topic")
    assert topic["Action"] == "MODIFY" and topic["Replacement"] == "TRUE"
    assert [d["Target"]["Name"] for d in topic["Details"]] == ["TopicName"]
    assert topic["Details"][0]["Target"]["RequiresRecreation"] == "ALWAYS"
    before = _physical(cfn)
    sc.delete_provisioned_product_plan(PlanId=plan["PlanId"])
    assert _physical(cfn) == before
    names = [c["ChangeSetName"] for c in cfn.list_change_sets(StackName="svc")["Summaries"]]
    assert f"servicecatalog-{plan['PlanId']}" not in names  # the deleted plan took its change set


def test_a_plan_cloudformation_refuses_fails_and_the_update_is_refused(aws: dict[str, Any]) -> None:
    """An artifact whose SSM-typed parameter names a Parameter Store entry that does not exist: the change
    set is refused (CloudFormation's ValidationError), so the plan is CREATE_FAILED with its reason and
    UpdateProvisionedProduct onto it is refused; the stack and the provisioned product stay as they were."""
    sc, cfn, product_id, artifact_id = _adopted(aws)
    ssm = PARAMETERISED.replace(
        "Parameters:\n",
        "Parameters:\n  Secret:\n    Type: AWS::SSM::Parameter::Value<String>\n"
        "    Default: /missing/secret\n",
    )
    bad = _artifact(sc, aws, product_id, "1.1", ssm)
    plan = sc.create_provisioned_product_plan(
        PlanName="bad",
        PlanType="CLOUDFORMATION",
        ProductId=product_id,
        ProvisionedProductName="svc",
        ProvisioningArtifactId=bad,
        ProvisioningParameters=[{"Key": "Display", "Value": "one"}],
        IdempotencyToken="bad",
    )
    detail = sc.describe_provisioned_product_plan(PlanId=plan["PlanId"])["ProvisionedProductPlanDetails"]
    assert detail["Status"] == "CREATE_FAILED" and "/missing/secret" in detail["StatusMessage"]
    with pytest.raises(ClientError) as err:
        sc.execute_provisioned_product_plan(PlanId=plan["PlanId"], IdempotencyToken="y")
    assert _code(err) == "InvalidStateException"
    with pytest.raises(ClientError) as err:
        sc.update_provisioned_product(
            ProvisionedProductName="svc", ProvisioningArtifactId=bad, UpdateToken="bad-update"
        )
    assert _code(err) == "InvalidParametersException"
    pp = sc.describe_provisioned_product(Name="svc")["ProvisionedProductDetail"]
    assert pp["ProvisioningArtifactId"] == artifact_id and pp["Status"] == "AVAILABLE"
    assert cfn.describe_stacks(StackName="svc")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
