"""What both synthetic estate builders share: the synthetic templates' bundle texts and the stack
names Proton gives their deployments (synthetic.py builds the estate, synthetic_extras.py its options)."""

from __future__ import annotations

import hashlib

ENV_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "EnvInput"
  types:
    EnvInput:
      type: object
      properties:
        vpc_cidr:
          type: string
          default: 10.0.0.0/16
        tier:
          type: string
          enum: [dev, staging, prod]
          default: dev
"""

ENV_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Description: Synthetic environment {{ environment.name }}
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: '{{ environment.inputs.vpc_cidr }}'
      EnableDnsHostnames: true
      Tags:
        - Key: tier
          Value: '{{ environment.inputs.tier }}'
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: '{{ environment.name }}-cluster'
Outputs:
  VpcId:
    Value: !Ref VPC
  ClusterName:
    Value: !Ref Cluster
"""

SVC_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  service_input_type: "SvcInput"
  pipeline_input_type: "PipelineInput"
  types:
    SvcInput:
      type: object
      properties:
        port:
          type: number
          default: 80
          minimum: 1
          maximum: 65535
        desired_count:
          type: number
          default: 1
          minimum: 0
          maximum: 50
        image:
          type: string
          default: public.ecr.aws/nginx/nginx:latest
    PipelineInput:
      type: object
      properties:
        build_command:
          type: string
          default: make build
"""

SVC_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Description: Synthetic service {{ service.name }} instance {{ service_instance.name }}
Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: '/proton/{{ service.name }}/{{ service_instance.name }}'
      RetentionInDays: 14
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: '{{ service.name }}-{{ service_instance.name }}'
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: '256'
      Memory: '512'
      ContainerDefinitions:
        - Name: app
          Image: '{{ service_instance.inputs.image }}'
          PortMappings:
            - ContainerPort: {{ service_instance.inputs.port }}
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: '{{ environment.outputs.ClusterName }}'
      DesiredCount: {{ service_instance.inputs.desired_count }}
      LaunchType: FARGATE
      TaskDefinition: !Ref TaskDefinition
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: ['subnet-00000000']
Outputs:
  ServiceName:
    Value: !GetAtt Service.Name
"""

PIPELINE_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Description: Synthetic pipeline for {{ service.name }}
Resources:
  ArtifactBucket:
    Type: AWS::S3::Bucket
{%- for service_instance in service_instances %}
  DeployLog{{ loop.index }}:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: '/pipeline/{{ service.name }}/{{ service_instance.name }}'
{%- endfor %}
Outputs:
  BuildCommand:
    Value: '{{ pipeline.inputs.build_command }}'
"""

MANIFEST = """infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
"""


def environment_bundle_files() -> dict[str, bytes]:
    """The synthetic environment template's bundle, {relative path: bytes}."""
    return {
        "schema/schema.yaml": ENV_SCHEMA.encode(),
        "infrastructure/manifest.yaml": MANIFEST.encode(),
        "infrastructure/cloudformation.yaml": ENV_CFN.encode(),
    }


def service_bundle_files(pipeline_cfn: str = PIPELINE_CFN) -> dict[str, bytes]:
    """The synthetic service template's bundle, with `pipeline_cfn` as its pipeline template."""
    return {
        "schema/schema.yaml": SVC_SCHEMA.encode(),
        "instance_infrastructure/manifest.yaml": MANIFEST.encode(),
        "instance_infrastructure/cloudformation.yaml": SVC_CFN.encode(),
        "pipeline_infrastructure/manifest.yaml": MANIFEST.encode(),
        "pipeline_infrastructure/cloudformation.yaml": pipeline_cfn.encode(),
    }


def _stack_suffix(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:15])


def stack_name_for(*parts: str) -> str:
    """A Proton-style stack name: AWSProton-<names, truncated>-cloudformation-<15 letters>."""
    base = "-".join(parts)[:30]
    return f"AWSProton-{base}-cloudformation-{_stack_suffix('/'.join(parts))}"
