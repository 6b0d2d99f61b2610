"""Small, real Proton bundles (tar.gz) for the API tests, uploaded to the local cloud's S3."""

from __future__ import annotations

from typing import Any

from tests.support.bundles import (
    CFN_MANIFEST,
    TF_MANIFEST,
    environment_layout,
    schema_file,
    service_layout,
    tar_gz,
)

ENV_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Description: exodus test environment
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: "{{ environment.name }}-{{ environment.inputs.topic_suffix }}"
Outputs:
  TopicArn:
    Value: !Ref Topic
"""

ENV_SCHEMA = schema_file(
    environment="EnvironmentInput",
    types="""\
    EnvironmentInput:
      type: object
      properties:
        topic_suffix:
          type: string
          default: events
""",
)

INSTANCE_TEMPLATE = """Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: "{{ service.name }}-{{ service_instance.name }}-{{ service_instance.inputs.size }}"
Outputs:
  QueueUrl:
    Value: !Ref Queue
  EnvironmentTopic:
    Value: "{{ environment.outputs.TopicArn }}"
  Size:
    Value: "{{ service_instance.inputs.size }}"
"""

PIPELINE_TEMPLATE = """Resources:
  Artifacts:
    Type: AWS::S3::Bucket
Outputs:
  ArtifactBucket:
    Value: !Ref Artifacts
  Stage:
    Value: "{{ pipeline.inputs.stage }}"
"""

SERVICE_SCHEMA = schema_file(
    service="ServiceInput",
    pipeline="PipelineInput",
    types="""\
    ServiceInput:
      type: object
      properties:
        size:
          type: string
          default: small
    PipelineInput:
      type: object
      properties:
        stage:
          type: string
          default: build
""",
)

COMPONENT_MANIFEST = CFN_MANIFEST
COMPONENT_TEMPLATE = """Resources:
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  BucketName:
    Value: !Ref Bucket
"""


def environment_bundle() -> bytes:
    return tar_gz(environment_layout(ENV_SCHEMA, ENV_TEMPLATE))


def service_bundle() -> bytes:
    return tar_gz(service_layout(SERVICE_SCHEMA, INSTANCE_TEMPLATE, PIPELINE_TEMPLATE))


def upload_bundles(s3: Any, bucket: str) -> dict[str, dict[str, str]]:
    """Put both bundles in `bucket`; returns the `source` arguments for the template version calls."""
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="env/v1.tar.gz", Body=environment_bundle())
    s3.put_object(Bucket=bucket, Key="svc/v1.tar.gz", Body=service_bundle())
    return {
        "env": {"s3": {"bucket": bucket, "key": "env/v1.tar.gz"}},
        "svc": {"s3": {"bucket": bucket, "key": "svc/v1.tar.gz"}},
    }


def service_spec(instances: list[tuple[str, str]], size: str = "small") -> str:
    lines = ["proton: ServiceSpec", "pipeline:", "  stage: build", "instances:"]
    for name, env in instances:
        lines += [f"  - name: {name}", f"    environment: {env}", "    spec:", f"      size: {size}"]
    return "\n".join(lines) + "\n"


ENV_SPEC = "proton: EnvironmentSpec\nspec:\n  topic_suffix: events\n"


TF_MAIN = """variable "environment" {
  type = object({ inputs = map(string), name = string })
}

output "topic_suffix" {
  value = var.environment.inputs.topic_suffix
}
"""


def terraform_environment_bundle() -> bytes:
    return tar_gz(environment_layout(ENV_SCHEMA, TF_MAIN, manifest=TF_MANIFEST))


def broken(template: str) -> str:
    """The same template with an output that refers to no resource: CloudFormation rejects it."""
    return template.replace("Value: !Ref", "Value: !Ref NoSuchResource #", 1)


def upload_broken_bundles(s3: Any, bucket: str) -> dict[str, dict[str, str]]:
    """Bundles whose deployments fail in the local cloud (registration succeeds: the Jinja is fine)."""
    s3.put_object(
        Bucket=bucket,
        Key="env/broken.tar.gz",
        Body=tar_gz(
            {
                "infrastructure/manifest.yaml": CFN_MANIFEST,
                "infrastructure/cloudformation.yaml": broken(ENV_TEMPLATE),
                "schema/schema.yaml": ENV_SCHEMA,
            }
        ),
    )
    s3.put_object(
        Bucket=bucket,
        Key="svc/broken.tar.gz",
        Body=tar_gz(
            {
                "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
                "instance_infrastructure/cloudformation.yaml": broken(INSTANCE_TEMPLATE),
                "pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
                "pipeline_infrastructure/cloudformation.yaml": broken(PIPELINE_TEMPLATE),
                "schema/schema.yaml": SERVICE_SCHEMA,
            }
        ),
    )
    return {
        "env": {"s3": {"bucket": bucket, "key": "env/broken.tar.gz"}},
        "svc": {"s3": {"bucket": bucket, "key": "svc/broken.tar.gz"}},
    }
