"""cfn.effects: create-only properties from cfn-lint's schemas, and which changes replace a resource."""

from __future__ import annotations

import pytest

from proton_exodus.cfn.effects import create_only_properties, predict_replacement


@pytest.mark.parametrize(
    ("rtype", "path", "expected"),
    [
        ("AWS::S3::Bucket", "Properties.BucketName", "True"),
        ("AWS::EC2::VPC", "Properties.CidrBlock", "True"),
        ("AWS::EC2::VPC", "Properties.Tags[0].Value", "False"),
        ("AWS::Logs::LogGroup", "Properties.RetentionInDays", "False"),
        ("AWS::ECS::Cluster", "Type", "True"),
        ("Custom::Thing", "Properties.X", "False"),
        ("AWS::Not::AType", "Properties.X", "Unknown"),
    ],
)
def test_replacement_prediction_from_cfn_lint_schemas(rtype: str, path: str, expected: str) -> None:
    assert predict_replacement(rtype, path) == expected


def test_create_only_properties_are_top_level_names_for_any_known_type() -> None:
    assert "BucketName" in create_only_properties("AWS::S3::Bucket")
    assert "CidrBlock" in create_only_properties("AWS::EC2::VPC")
    assert "RetentionInDays" not in create_only_properties("AWS::Logs::LogGroup")
    assert create_only_properties("AWS::Not::AType") == frozenset()
    # cfn-lint reads Custom::* as AWS::CloudFormation::CustomResource (ServiceToken is create-only) for the
    # change-set details, where predict_replacement says a custom resource is updated, not replaced.
    assert create_only_properties("Custom::Thing") == frozenset({"ServiceToken"})
    assert predict_replacement("Custom::Thing", "Properties.ServiceToken") == "False"
