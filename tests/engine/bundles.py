"""Tiny inline template bundles for the engine tests: a file tree in, .tar.gz bytes out."""

from __future__ import annotations

import textwrap

from tests.support.bundles import (
    CFN_MANIFEST,
    TF_MANIFEST,
    environment_layout,
    schema_file,
    service_layout,
    tar_gz,
)

ENV_SCHEMA = schema_file(
    environment="EnvInput",
    types="""\
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
{extra}""",
)

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

SVC_SCHEMA = schema_file(
    service="SvcInput",
    pipeline="PipeInput",
    types="""\
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
""",
)

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
    return environment_layout(ENV_SCHEMA.format(extra=extra_schema), template)


def svc_bundle(
    version: str = "1.0",
    *,
    pipeline: bool = True,
    extra_schema: str = "",
    instance_template: str | None = None,
) -> dict[str, str]:
    instance = instance_template or SVC_CFN.replace("{version}", version)
    files = service_layout(SVC_SCHEMA.format(extra=extra_schema), instance, PIPE_CFN if pipeline else None)
    if not pipeline:
        schema = files["schema/schema.yaml"]
        files["schema/schema.yaml"] = schema[: schema.index("    PipeInput:")].replace(
            '  pipeline_input_type: "PipeInput"\n', ""
        )
    return files


def tf_env_bundle() -> dict[str, str]:
    main = 'resource "null_resource" "env" {}\noutput "vpc" { value = var.environment.inputs.vpc_name }\n'
    return environment_layout(ENV_SCHEMA.format(extra=""), main, manifest=TF_MANIFEST)


def customer_managed_bundle() -> dict[str, str]:
    return {
        "schema/schema.yaml": schema_file(
            environment="Outputs",
            types="""\
    Outputs:
      type: object
      properties:
        vpc_id:
          type: string
      required: [vpc_id]
""",
        )
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
