"""What the synthetic estate builders and the tests share: Proton bundle texts and layouts (the manifests,
a schema file's frame, which file goes where), the synthetic templates, and the stack names Proton gives
their deployments (synthetic.py builds the estate, synthetic_extras.py its options). Tests pack archives
with tests/support/bundles.py."""

from __future__ import annotations

import hashlib

CFN_MANIFEST = """infrastructure:
  templates:
    - file: "cloudformation.yaml"
      rendering_engine: jinja
      template_language: cloudformation
"""
TF_MANIFEST = """infrastructure:
  templates:
    - file: "*"
      rendering_engine: hcl
      template_language: terraform
"""

Layout = dict[str, str]


def schema_file(types: str, **input_types: str) -> str:
    """A Proton schema file (OpenAPI 3.0.0): `input_types` names the input type of each of environment,
    service and pipeline; `types` is the YAML under `types:` (indented by four). The frame is Proton's, the
    types are each test's own."""
    heads = "".join(f'  {kind}_input_type: "{name}"\n' for kind, name in input_types.items())
    return f'schema:\n  format:\n    openapi: "3.0.0"\n{heads}  types:\n{types}'


def environment_layout(schema: str, template: str, *, manifest: str = CFN_MANIFEST) -> Layout:
    """An environment bundle's files: schema, manifest and template (main.tf under the Terraform manifest)."""
    name = "main.tf" if manifest == TF_MANIFEST else "cloudformation.yaml"
    return {
        "schema/schema.yaml": schema,
        "infrastructure/manifest.yaml": manifest,
        f"infrastructure/{name}": template,
    }


def service_layout(schema: str, instance: str, pipeline: str | None = None) -> Layout:
    """A service bundle's files: schema, the instance template and, unless None, the pipeline template."""
    files = {
        "schema/schema.yaml": schema,
        "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
        "instance_infrastructure/cloudformation.yaml": instance,
    }
    if pipeline is not None:
        files["pipeline_infrastructure/manifest.yaml"] = CFN_MANIFEST
        files["pipeline_infrastructure/cloudformation.yaml"] = pipeline
    return files


ENV_SCHEMA = schema_file(
    environment="EnvInput",
    types="""\
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
""",
)

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

SVC_SCHEMA = schema_file(
    service="SvcInput",
    pipeline="PipelineInput",
    types="""\
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
""",
)

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


def environment_bundle_files() -> dict[str, bytes]:
    """The synthetic environment template's bundle, {relative path: bytes}."""
    return {rel: text.encode() for rel, text in environment_layout(ENV_SCHEMA, ENV_CFN).items()}


def service_bundle_files(pipeline_cfn: str = PIPELINE_CFN) -> dict[str, bytes]:
    """The synthetic service template's bundle, with `pipeline_cfn` as its pipeline template."""
    return {rel: text.encode() for rel, text in service_layout(SVC_SCHEMA, SVC_CFN, pipeline_cfn).items()}


def _stack_suffix(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:15])


def stack_name_for(*parts: str) -> str:
    """A Proton-style stack name: AWSProton-<names, truncated>-cloudformation-<15 letters>."""
    base = "-".join(parts)[:30]
    return f"AWSProton-{base}-cloudformation-{_stack_suffix('/'.join(parts))}"
