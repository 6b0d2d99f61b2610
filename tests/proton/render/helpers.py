"""Small in-memory bundles for negative tests: `build_file_tree({path: text})` and ready-made layouts."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

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
          pattern: ([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|24))
"""
SVC_SCHEMA = """schema:
  format:
    openapi: "3.0.0"
  service_input_type: "SvcInput"
  pipeline_input_type: "PipeInput"
  types:
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
"""
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


def build_file_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: content} under root and return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def env_bundle(template: str = ENV_CFN, **extra: str | bytes) -> dict[str, str | bytes]:
    return {"schema/schema.yaml": ENV_SCHEMA, "infrastructure/manifest.yaml": CFN_MANIFEST,
            "infrastructure/cloudformation.yaml": template, **extra}


def svc_bundle(instance: str = SVC_CFN, pipeline: str = PIPE_CFN, **extra: str | bytes) -> dict[str, str | bytes]:
    return {"schema/schema.yaml": SVC_SCHEMA, "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
            "instance_infrastructure/cloudformation.yaml": instance,
            "pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
            "pipeline_infrastructure/cloudformation.yaml": pipeline, **extra}


def tar_gz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return buf.getvalue()


def tar_of(files: dict[str, str | bytes], prefix: str = "") -> bytes:
    return tar_gz([(tarfile.TarInfo(prefix + name), v if isinstance(v, bytes) else v.encode())
                   for name, v in files.items()])
