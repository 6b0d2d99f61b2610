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
