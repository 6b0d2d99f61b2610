"""Each CloudFormation gap the local cloud patches (engine/moto_cfn_gaps.py), tested against CloudFormation's
documented behaviour."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from proton_exodus.engine.moto_cfn_gaps import coerce_properties
from proton_exodus.engine.stacks import deploy_stack


def deploy(region: str, template: str, name: str = "gaps") -> dict[str, str]:
    """Create stack `name` through a change set; its outputs (the create must succeed)."""
    result = deploy_stack(
        boto3.client("cloudformation", region_name=region), name, template, [], change_set="create", poll=0.0
    )
    assert result.ok, result.message
    return {o["key"]: o["valueString"] for o in result.outputs}


def outputs(resources: str, outs: dict[str, str]) -> str:
    lines = ["Resources:", resources.rstrip(), "Outputs:"]
    lines += [f"  {key}:\n    Value: {value}" for key, value in outs.items()]
    return "\n".join(lines) + "\n"


TOPIC = "  Topic:\n    Type: AWS::SNS::Topic\n"


def zones(region: str) -> list[str]:
    found = boto3.client("ec2", region_name=region).describe_availability_zones()["AvailabilityZones"]
    return sorted(z["ZoneName"] for z in found)


def test_get_azs_of_the_region_ref_and_of_empty_string(aws: dict[str, Any]) -> None:
    """`{"Ref": "AWS::Region"}` and "" both mean the stack's Region (Fn::GetAZs docs); zones alphabetical."""
    template = outputs(
        TOPIC
        + """  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: !Select [1, !GetAZs {Ref: "AWS::Region"}]
""",
        {
            "ByRef": '!Join [",", !GetAZs {Ref: "AWS::Region"}]',
            "ByEmpty": '!Join [",", !GetAZs ""]',
            "Named": '!Join [",", !GetAZs us-west-2]',
            "Subnet": "!Ref Subnet",
        },
    )
    out = deploy("eu-west-1", template)
    assert out["ByRef"] == out["ByEmpty"] == ",".join(zones("eu-west-1"))
    assert out["Named"] == ",".join(zones("us-west-2"))
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    subnet = ec2.describe_subnets(SubnetIds=[out["Subnet"]])["Subnets"][0]
    assert subnet["AvailabilityZone"] == zones("eu-west-1")[1] == "eu-west-1b"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # The Fn::Cidr docs' example: 6 CIDRs with a /27 mask from a /24.
        ('["192.168.0.0/24", 6, 5]', [f"192.168.0.{32 * i}/27" for i in range(6)]),
        ('["192.168.0.0/24", "6", "5"]', [f"192.168.0.{32 * i}/27" for i in range(6)]),
        ("[!GetAtt Vpc.CidrBlock, 2, 8]", ["10.1.0.0/24", "10.1.1.0/24"]),
        ('["2001:db8::/56", 2, 64]', ["2001:db8::/64", "2001:db8:0:1::/64"]),
    ],
)
def test_cidr_splits_the_block(aws: dict[str, Any], args: str, expected: list[str]) -> None:
    template = outputs(
        TOPIC + "  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.1.0.0/16}\n",
        {"Blocks": f'!Join [",", !Cidr {args}]'},
    )
    assert deploy("us-east-1", template)["Blocks"] == ",".join(expected)


def test_cidr_that_does_not_fit_fails_the_stack(aws: dict[str, Any]) -> None:
    template = outputs(
        TOPIC
        + """  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Select [0, !Cidr ["10.0.0.0/24", 3, 7]]
""",
        {"T": "!Ref Topic"},
    )
    result = deploy_stack(aws["cfn"], "too-many", template, [], change_set="create", poll=0.0)
    assert not result.ok and "Fn::Cidr cannot make 3 blocks" in (result.message or "")


def test_unnamed_ssm_parameter_and_ecr_repository_get_generated_names(aws: dict[str, Any]) -> None:
    """Name type: without a name CloudFormation generates `stackName-logicalId-RANDOM`; ECR's pattern
    wants lowercase and single separators (Proton's stack names hold `--`). SSM refuses names starting
    with `aws`, as every Proton stack name does, so a parameter gets `CFN-logicalId-RANDOM`."""
    stack = "AWSProton-web-cloudformation--ABCDEFGHIJKLMNO"
    template = outputs(
        TOPIC
        + """  Param:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: hello}
  Repo:
    Type: AWS::ECR::Repository
""",
        {"Param": "!Ref Param", "Repo": "!Ref Repo"},
    )
    out = deploy("us-east-1", template, stack)
    assert re.fullmatch(r"CFN-Param-[A-Z0-9]{12}", out["Param"])
    assert re.fullmatch(r"awsproton-web-cloudformation-abcdefghijklmno-repo-[a-z0-9]{12}", out["Repo"])
    ssm = boto3.client("ssm", region_name="us-east-1")
    assert ssm.get_parameter(Name=out["Param"])["Parameter"]["Value"] == "hello"
    ecr = boto3.client("ecr", region_name="us-east-1")
    assert ecr.describe_repositories(repositoryNames=[out["Repo"]])["repositories"]


def test_generated_names_are_functions_of_stack_and_logical_id(aws: dict[str, Any]) -> None:
    param = "  Param:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: v}\n"
    template = outputs(TOPIC + param, {"Param": "!Ref Param"})
    from moto.moto_api._internal import mock_random
    from moto.moto_api._internal.models import moto_api_backend

    first = deploy("us-east-1", template, "same")["Param"]
    moto_api_backend.reset()  # a fresh local cloud...
    mock_random.uuid4()  # ...whose generator is elsewhere
    assert deploy("us-east-1", template, "same")["Param"] == first


def test_hosted_zone_name_servers_and_id(aws: dict[str, Any]) -> None:
    """HostedZone: Ref and GetAtt Id give the zone id, GetAtt NameServers its delegation set."""
    template = outputs(
        "  Zone:\n    Type: AWS::Route53::HostedZone\n    Properties: {Name: example.com}\n",
        {"Ref": "!Ref Zone", "Id": "!GetAtt Zone.Id", "Ns": '!Join [",", !GetAtt Zone.NameServers]'},
    )
    out = deploy("us-east-1", template)
    zone = boto3.client("route53", region_name="us-east-1").get_hosted_zone(Id=out["Id"])
    assert out["Ref"] == out["Id"] == zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    assert out["Ns"].split(",") == zone["DelegationSet"]["NameServers"]


def test_cloudfront_distribution_domain_name(aws: dict[str, Any]) -> None:
    """Distribution: Ref gives the distribution id, GetAtt DomainName `d111111abcdef8.cloudfront.net`."""
    template = outputs(
        """  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        DefaultCacheBehavior: {TargetOriginId: o, ViewerProtocolPolicy: allow-all}
        Origins: [{Id: o, DomainName: example.com, CustomOriginConfig: {OriginProtocolPolicy: https-only}}]
""",
        {"Id": "!Ref Cdn", "Domain": "!GetAtt Cdn.DomainName", "Same": "!GetAtt Cdn.Id"},
    )
    out = deploy("us-east-1", template)
    assert re.fullmatch(r"E[A-Z0-9]{13}", out["Id"]) and out["Same"] == out["Id"]
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", out["Domain"])


def test_unemulated_type_answers_arn_and_refuses_unknown_attribute(aws: dict[str, Any]) -> None:
    template = outputs(
        "  Build:\n    Type: AWS::CodeBuild::Project\n    Properties: {Name: web-build}\n",
        {"Arn": "!GetAtt Build.Arn"},
    )
    out = deploy("us-east-1", template)
    assert out["Arn"].startswith("arn:aws:codebuild:us-east-1:123456789012:project/")
    bad = template.replace("Build.Arn", "Build.Colour")
    assert not deploy_stack(aws["cfn"], "bad-attr", bad, [], change_set="create", poll=0.0).ok


def test_yaml_short_forms_and_dates(aws: dict[str, Any]) -> None:
    """`!GetAtt [Queue, Arn]` as a sequence, nested short forms, and `Version: 2012-10-17` as a string."""
    template = outputs(
        """  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - {Effect: Allow, Principal: {Service: !Join ["", [ecs-tasks., !Ref "AWS::URLSuffix"]]},
             Action: "sts:AssumeRole"}
""",
        {"Arn": "!GetAtt [Queue, Arn]", "Role": "!GetAtt Role.Arn"},
    )
    out = deploy("us-east-1", template)
    assert out["Arn"].startswith("arn:aws:sqs:us-east-1:123456789012:")
    role = boto3.client("iam").get_role(RoleName=out["Role"].rsplit("/", 1)[-1])["Role"]
    assert role["AssumeRolePolicyDocument"]["Version"] == "2012-10-17"


def test_security_group_ingress_without_ports(aws: dict[str, Any]) -> None:
    template = outputs(
        """  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: all traffic
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{CidrIp: 0.0.0.0/0, IpProtocol: "-1"}]
""",
        {"Id": "!GetAtt Group.GroupId"},
    )
    group_id = deploy("us-east-1", template)["Id"]
    group = boto3.client("ec2", region_name="us-east-1").describe_security_groups(GroupIds=[group_id])
    assert group["SecurityGroups"][0]["IpPermissions"][0]["IpProtocol"] == "-1"


def test_string_typed_properties_take_their_schema_type() -> None:
    props = {"DesiredCount": "2", "EnableExecuteCommand": "true", "Cluster": "c", "PlatformVersion": "1.4"}
    coerce_properties("AWS::ECS::Service", props)
    assert props == {
        "DesiredCount": 2,
        "EnableExecuteCommand": True,
        "Cluster": "c",
        "PlatformVersion": "1.4",
    }  # a string in the schema stays one


def test_a_path_style_template_url_on_the_local_endpoint(aws: dict[str, Any]) -> None:
    """`aws cloudformation deploy --s3-bucket B` sends `TemplateURL=<endpoint>/B/<key>`; on the local
    endpoint (an IP address and a port) that is bucket B, key <key> (moto took `http://127` for the
    bucket). AWS-style URLs stay moto's to read."""
    from proton_exodus.engine.moto_cfn_gaps import template_url_parts

    assert template_url_parts("http://127.0.0.1:5000/b/portfolio/x.template") == ("b", "portfolio/x.template")
    assert template_url_parts("https://b.s3.us-east-1.amazonaws.com/k") is None
    assert template_url_parts("https://s3.amazonaws.com/b/k") is None
    bucket = "exodus-template-url"
    aws["s3"].create_bucket(Bucket=bucket)
    aws["s3"].put_object(Bucket=bucket, Key="t/one.yaml", Body=TOPIC.join(["Resources:\n", ""]).encode())
    aws["cfn"].create_stack(StackName="by-url", TemplateURL=f"http://127.0.0.1:5000/{bucket}/t/one.yaml")
    resources = aws["cfn"].describe_stack_resources(StackName="by-url")["StackResources"]
    assert [r["LogicalResourceId"] for r in resources] == ["Topic"]
