"""Tiny inline template bundles for the engine tests: a file tree in, .tar.gz bytes out."""

from __future__ import annotations

import textwrap

from tests.support.bundles import CFN_MANIFEST, TF_MANIFEST, tar_gz

ENV_SCHEMA = """\
schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "EnvInput"
  types:
    EnvInput:
      type: object
      properties:
        vpc_name:
          type: string
          default: main
        size:
          type: number
          default: 1
          maximum: 10
{extra}"""

ENV_CFN = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: "{{ environment.name }}-{{ environment.inputs.vpc_name }}"
Outputs:
  TopicArn:
    Value: !Ref Topic
  VpcName:
    Value: "{{ environment.inputs.vpc_name }}"
  Size:
    Value: "{{ environment.inputs.size }}"
"""

SVC_SCHEMA = """\
schema:
  format:
    openapi: "3.0.0"
  service_input_type: "SvcInput"
  pipeline_input_type: "PipeInput"
  types:
    SvcInput:
      type: object
      properties:
        port:
          type: number
          default: 80
{extra}    PipeInput:
      type: object
      properties:
        build_cmd:
          type: string
          default: make
"""

SVC_CFN = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: "{{ service.name }}-{{ service_instance.name }}"
Outputs:
  QueueUrl:
    Value: !Ref Queue
  Port:
    Value: "{{ service_instance.inputs.port }}"
  EnvTopic:
    Value: "{{ environment.outputs.TopicArn }}"
  Version:
    Value: "{version}"
"""

PIPE_CFN = """\
Resources:
  Artifacts:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: "{{ service.name }}-pipeline"
Outputs:
  Instances:
    Value: "{% for i in service_instances %}{{ i.name }}:{{ i.outputs.Port }};{% endfor %}"
  BuildCmd:
    Value: "{{ pipeline.inputs.build_cmd }}"
"""


def tar_bundle(files: dict[str, str]) -> bytes:
    """A .tar.gz of `files` (relative path -> text, dedented), as uploaded to S3 for Proton."""
    return tar_gz({path: textwrap.dedent(text) for path, text in files.items()})


def env_bundle(extra_schema: str = "", template: str = ENV_CFN) -> dict[str, str]:
    return {
        "schema/schema.yaml": ENV_SCHEMA.format(extra=extra_schema),
        "infrastructure/manifest.yaml": CFN_MANIFEST,
        "infrastructure/cloudformation.yaml": template,
    }


def svc_bundle(
    version: str = "1.0",
    *,
    pipeline: bool = True,
    extra_schema: str = "",
    instance_template: str | None = None,
) -> dict[str, str]:
    files = {
        "schema/schema.yaml": SVC_SCHEMA.format(extra=extra_schema),
        "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
        "instance_infrastructure/cloudformation.yaml": instance_template
        or SVC_CFN.replace("{version}", version),
    }
    if pipeline:
        files["pipeline_infrastructure/manifest.yaml"] = CFN_MANIFEST
        files["pipeline_infrastructure/cloudformation.yaml"] = PIPE_CFN
    else:
        schema = files["schema/schema.yaml"]
        files["schema/schema.yaml"] = schema[: schema.index("    PipeInput:")].replace(
            '  pipeline_input_type: "PipeInput"\n', ""
        )
    return files


def tf_env_bundle() -> dict[str, str]:
    return {
        "schema/schema.yaml": ENV_SCHEMA.format(extra=""),
        "infrastructure/manifest.yaml": TF_MANIFEST,
        "infrastructure/main.tf": 'resource "null_resource" "env" {}\n'
        'output "vpc" { value = var.environment.inputs.vpc_name }\n',
    }


def customer_managed_bundle() -> dict[str, str]:
    return {
        "schema/schema.yaml": """\
schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "Outputs"
  types:
    Outputs:
      type: object
      properties:
        vpc_id:
          type: string
      required: [vpc_id]
"""
    }


COMPONENT_MANIFEST = CFN_MANIFEST
COMPONENT_CFN = """\
Resources:
  Bucket:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: "{{ component.name }}-{{ service_instance.name if service_instance is defined else \
'detached' }}"
Outputs:
  BucketName:
    Value: !GetAtt Bucket.TopicName
"""
