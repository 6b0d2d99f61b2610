"""Small bundle layouts for the render tests (build them with tests.support.bundles)."""

from __future__ import annotations

from tests.support.bundles import environment_layout, schema_file, service_layout

ENV_SCHEMA = schema_file(
    environment="EnvInput",
    types="""\
    EnvInput:
      type: object
      properties:
        vpc_cidr:
          type: string
          default: 10.0.0.0/16
          pattern: ([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|24))
""",
)
SVC_SCHEMA = schema_file(
    service="SvcInput",
    pipeline="PipeInput",
    types="""\
    SvcInput:
      type: object
      required: [image]
      properties:
        image: {type: string, minLength: 1, maxLength: 20}
        desired_count: {type: number, default: 1, minimum: 1, maximum: 50}
        size: {type: string, enum: [small, large], default: small}
        name_tag: {type: string, pattern: "^[a-z]+$"}
        ports: {type: array, items: {type: number}, minItems: 1, maxItems: 2}
        optional_thing: {type: string}
        scaling:
          type: object
          properties:
            max: {type: number, default: 4, maximum: 10}
    PipeInput:
      type: object
      properties:
        unit_test_command: {type: string, default: make test}
""",
)
ENV_CFN = """Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: '{{ environment.inputs.vpc_cidr }}'
"""
SVC_CFN = """Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '{{ service.name }}-{{ service_instance.name }}'
"""
PIPE_CFN = """Resources:
{%- for service_instance in service_instances %}
  Topic{{ loop.index }}:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: '{{ service_instance.name }}-{{ service_instance.environment.account_id }}'
{%- endfor %}
"""


def env_bundle(template: str = ENV_CFN, **extra: str | bytes) -> dict[str, str | bytes]:
    return {**environment_layout(ENV_SCHEMA, template), **extra}


def svc_bundle(
    instance: str = SVC_CFN, pipeline: str = PIPE_CFN, **extra: str | bytes
) -> dict[str, str | bytes]:
    return {**service_layout(SVC_SCHEMA, instance, pipeline), **extra}
