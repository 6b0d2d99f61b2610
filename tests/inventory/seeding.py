"""Seed a local Proton with an estate of a chosen size, through boto3 calls only (like a user would)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tests.support.bundles import build_file_tree, tar_gz

BUCKET = "exodus-inventory-tests"
CONNECTION_ARN = (
    "arn:aws:codestar-connections:us-east-1:123456789012:connection/0e9f8c52-1b7e-4c47-9d55-3f2e9c1a0b11"
)
ROLE = "arn:aws:iam::123456789012:role/proton-service"
FAST = {"Delay": 1, "MaxAttempts": 120}


@dataclass(frozen=True)
class EstateSize:
    environments: int
    services: int
    instances: int  # per service
    components: bool = True
    connection: bool = False  # one environment in a second account through a connection


def client(url: str, service: str, **creds: Any) -> Any:
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", **creds)


MANIFEST = (
    "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n"
    "      template_language: cloudformation\n"
)
ENV_BUNDLE = {
    "schema/schema.yaml": """schema:
  format:
    openapi: "3.0.0"
  environment_input_type: EnvInput
  types:
    EnvInput:
      type: object
      properties:
        cidr: {type: string, default: 10.0.0.0/16}
        insights: {type: boolean, default: false}
""",
    "infrastructure/manifest.yaml": MANIFEST,
    "infrastructure/cloudformation.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: "{{ environment.name }}-events"
Outputs:
  TopicArn:
    Value: !Ref Topic
  Cidr:
    Value: "{{ environment.inputs.cidr }}"
""",
}
SVC_BUNDLE = {
    "schema/schema.yaml": """schema:
  format:
    openapi: "3.0.0"
  service_input_type: SvcInput
  pipeline_input_type: PipeInput
  types:
    SvcInput:
      type: object
      properties:
        port: {type: number, default: 8080}
        db_password: {type: string, minLength: 8}
    PipeInput:
      type: object
      properties:
        service_dir: {type: string, default: "."}
""",
    ".template-registration.yaml": (
        "compatible_environments:\n  - env-tpl:1\nsupported_component_sources:\n  - DIRECTLY_DEFINED\n"
    ),
    "instance_infrastructure/manifest.yaml": MANIFEST,
    "instance_infrastructure/cloudformation.yaml": """AWSTemplateFormatVersion: "2010-09-09"
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
""",
    "pipeline_infrastructure/manifest.yaml": MANIFEST,
    "pipeline_infrastructure/cloudformation.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Artifacts:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: "{{ service.name }}-pipeline"
Outputs:
  ArtifactsTopic:
    Value: !Ref Artifacts
""",
}
COMPONENT = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  BucketName:
    Value: !Ref Bucket
"""
COMPONENT_MANIFEST = MANIFEST


def write_bundles(root: Path) -> Path:
    """The seeded templates as a template-sync checkout (`<name>/v1/`) under `root`."""
    for name, files in (("env-tpl", ENV_BUNDLE), ("svc-tpl", SVC_BUNDLE)):
        build_file_tree(root / name / "v1", files)
    (root / "proton-ops.yaml").write_text("sync:\n  services: {}\n")
    return root


def _upload(s3: Any) -> None:
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="env.tar.gz", Body=tar_gz(ENV_BUNDLE))
    s3.put_object(Bucket=BUCKET, Key="svc.tar.gz", Body=tar_gz(SVC_BUNDLE))


def _templates(proton: Any) -> None:
    proton.create_environment_template(
        name="env-tpl", displayName="Env", tags=[{"key": "owner", "value": "platform"}]
    )
    proton.create_service_template(name="svc-tpl", description="Service")
    for minor in ("0", "1"):
        major = {"majorVersion": "1"} if minor != "0" else {}  # the first version creates major 1
        proton.create_environment_template_version(
            templateName="env-tpl",
            **major,
            source={"s3": {"bucket": BUCKET, "key": "env.tar.gz"}},
            description=f"1.{minor}",
        )
        proton.get_waiter("environment_template_version_registered").wait(
            templateName="env-tpl", majorVersion="1", minorVersion=minor, WaiterConfig=FAST
        )
        proton.update_environment_template_version(
            templateName="env-tpl", majorVersion="1", minorVersion=minor, status="PUBLISHED"
        )
    proton.create_service_template_version(
        templateName="svc-tpl",
        source={"s3": {"bucket": BUCKET, "key": "svc.tar.gz"}},
        compatibleEnvironmentTemplates=[{"templateName": "env-tpl", "majorVersion": "1"}],
        supportedComponentSources=["DIRECTLY_DEFINED"],
        tags=[{"key": "tier", "value": "web"}],
    )
    proton.get_waiter("service_template_version_registered").wait(
        templateName="svc-tpl", majorVersion="1", minorVersion="0", WaiterConfig=FAST
    )
    proton.update_service_template_version(
        templateName="svc-tpl", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )


def _env_spec(i: int) -> str:
    return f"proton: EnvironmentSpec\nspec:\n  cidr: 10.{i}.0.0/16\n  insights: {str(i % 2 == 0).lower()}\n"


def _service_spec(j: int, envs: list[str], count: int) -> str:
    lines = ["proton: ServiceSpec", "pipeline:", f"  service_dir: services/s{j}", "instances:"]
    for k in range(count):
        lines += [
            f"  - name: i{k}",
            f"    environment: {envs[(j + k) % len(envs)]}",
            "    spec:",
            f"      port: {8000 + k}",
            f"      db_password: s3cret-password-{j}-{k}",
        ]
    return "\n".join(lines) + "\n"


def seed_estate(url: str, size: EstateSize) -> None:
    """Templates (2 env minors, 1 service), a repository with sync configs, account settings,
    `environments` environments, `services` services of `instances` instances each, a component
    per service and, optionally, one environment in account 222222222222 through a connection."""
    proton, s3 = client(url, "proton"), client(url, "s3")
    _upload(s3)
    proton.update_account_settings(pipelineServiceRoleArn=ROLE)
    proton.create_repository(
        provider="GITHUB",
        name="org/templates",
        connectionArn=CONNECTION_ARN,
        tags=[{"key": "team", "value": "platform"}],
    )
    _templates(proton)
    proton.create_template_sync_config(
        templateName="env-tpl",
        templateType="ENVIRONMENT",
        repositoryName="org/templates",
        repositoryProvider="GITHUB",
        branch="main",
    )
    envs = [f"env-{i}" for i in range(size.environments)]
    for i, name in enumerate(envs):
        proton.create_environment(
            name=name,
            templateName="env-tpl",
            templateMajorVersion="1",
            spec=_env_spec(i),
            protonServiceRoleArn=ROLE,
            componentRoleArn=ROLE,
            tags=[{"key": "stage", "value": name}],
        )
    for name in envs:
        proton.get_waiter("environment_deployed").wait(name=name, WaiterConfig=FAST)
    if size.connection:
        envs.append(_remote_environment(url, proton))
    for j in range(size.services):
        proton.create_service(
            name=f"svc-{j}",
            templateName="svc-tpl",
            templateMajorVersion="1",
            spec=_service_spec(j, envs, size.instances),
            repositoryConnectionArn=CONNECTION_ARN,
            repositoryId="org/app",
            branchName="main",
            tags=[{"key": "svc", "value": str(j)}],
        )
    for j in range(size.services):
        proton.get_waiter("service_created").wait(name=f"svc-{j}", WaiterConfig=FAST)
    proton.create_service_sync_config(
        serviceName="svc-0",
        repositoryName="org/templates",
        repositoryProvider="GITHUB",
        branch="main",
        filePath="proton-ops.yaml",
    )
    if size.components:
        _components(proton, size)


def _components(proton: Any, size: EstateSize) -> None:
    for j in range(size.services):
        proton.create_component(
            name=f"comp-{j}",
            serviceName=f"svc-{j}",
            serviceInstanceName="i0",
            templateFile=COMPONENT,
            manifest=COMPONENT_MANIFEST,
            tags=[{"key": "comp", "value": str(j)}],
        )
    for j in range(size.services):
        proton.get_waiter("component_deployed").wait(name=f"comp-{j}", WaiterConfig=FAST)


def _remote_environment(url: str, proton: Any) -> str:
    """An environment provisioned in account 222222222222 through an accepted connection.

    The local engine keeps both sides of a connection in one store (engine/connections.py), so the
    request is made where the crawler looks: the management account.
    """
    conn = proton.create_environment_account_connection(
        managementAccountId="123456789012",
        environmentName="remote-env",
        roleArn="arn:aws:iam::222222222222:role/proton-env",
        componentRoleArn="arn:aws:iam::222222222222:role/comp",
        tags=[{"key": "partner", "value": "acme"}],
    )["environmentAccountConnection"]
    proton.accept_environment_account_connection(id=conn["id"])
    proton.create_environment(
        name="remote-env",
        templateName="env-tpl",
        templateMajorVersion="1",
        spec=_env_spec(99),
        environmentAccountConnectionId=conn["id"],
    )
    proton.get_waiter("environment_deployed").wait(name="remote-env", WaiterConfig=FAST)
    return "remote-env"
