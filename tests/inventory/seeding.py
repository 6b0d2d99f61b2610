"""Seed a local Proton with an estate of a chosen size, through boto3 calls only (like a user would)."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

DEMO = Path(__file__).resolve().parents[2] / "proton_exodus" / "demo" / "bundles"
BUCKET = "exodus-inventory-tests"
CONNECTION_ARN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0e9f8c52-1b7e-4c47-9d55-3f2e9c1a0b11"
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


def _tar(folder: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buf.getvalue()


def _upload(s3: Any) -> None:
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="env.tar.gz", Body=_tar(DEMO / "demo-vpc-ecs-env" / "v1"))
    s3.put_object(Bucket=BUCKET, Key="svc.tar.gz", Body=_tar(DEMO / "demo-fargate-svc" / "v1"))


def _templates(proton: Any) -> None:
    proton.create_environment_template(name="env-tpl", displayName="Env", tags=[{"key": "owner", "value": "platform"}])
    proton.create_service_template(name="svc-tpl", description="Service")
    for minor in ("0", "1"):
        proton.create_environment_template_version(templateName="env-tpl", majorVersion="1",
                                                   source={"s3": {"bucket": BUCKET, "key": "env.tar.gz"}},
                                                   description=f"1.{minor}")
        proton.get_waiter("environment_template_version_registered").wait(
            templateName="env-tpl", majorVersion="1", minorVersion=minor, WaiterConfig=FAST)
        proton.update_environment_template_version(templateName="env-tpl", majorVersion="1", minorVersion=minor,
                                                   status="PUBLISHED")
    proton.create_service_template_version(
        templateName="svc-tpl", majorVersion="1", source={"s3": {"bucket": BUCKET, "key": "svc.tar.gz"}},
        compatibleEnvironmentTemplates=[{"templateName": "env-tpl", "majorVersion": "1"}],
        supportedComponentSources=["DIRECTLY_DEFINED"], tags=[{"key": "tier", "value": "web"}])
    proton.get_waiter("service_template_version_registered").wait(
        templateName="svc-tpl", majorVersion="1", minorVersion="0", WaiterConfig=FAST)
    proton.update_service_template_version(templateName="svc-tpl", majorVersion="1", minorVersion="0",
                                           status="PUBLISHED")


def _env_spec(i: int) -> str:
    return f"proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.{i}.0.0/16\n  container_insights: {str(i % 2 == 0).lower()}\n"


def _service_spec(j: int, envs: list[str], count: int) -> str:
    lines = ["proton: ServiceSpec", "pipeline:", f"  service_dir: services/s{j}", "instances:"]
    for k in range(count):
        lines += [f"  - name: i{k}", f"    environment: {envs[(j + k) % len(envs)]}", "    spec:",
                  f"      path_pattern: /s{j}/i{k}/*", f"      listener_priority: {j * 10 + k + 1}",
                  f"      db_password: s3cret-password-{j}-{k}"]
    return "\n".join(lines) + "\n"


def seed_estate(url: str, size: EstateSize) -> None:
    """Templates (2 env minors, 1 service), a repository with sync configs, account settings,
    `environments` environments, `services` services of `instances` instances each, a component
    per service and, optionally, one environment in account 222222222222 through a connection."""
    proton, s3 = client(url, "proton"), client(url, "s3")
    _upload(s3)
    proton.update_account_settings(pipelineServiceRoleArn=ROLE)
    proton.create_repository(provider="GITHUB", name="org/templates", connectionArn=CONNECTION_ARN,
                             tags=[{"key": "team", "value": "platform"}])
    _templates(proton)
    proton.create_template_sync_config(templateName="env-tpl", templateType="ENVIRONMENT",
                                       repositoryName="org/templates", repositoryProvider="GITHUB", branch="main")
    envs = [f"env-{i}" for i in range(size.environments)]
    for i, name in enumerate(envs):
        proton.create_environment(name=name, templateName="env-tpl", templateMajorVersion="1", spec=_env_spec(i),
                                  protonServiceRoleArn=ROLE, componentRoleArn=ROLE,
                                  tags=[{"key": "stage", "value": name}])
    for name in envs:
        proton.get_waiter("environment_deployed").wait(name=name, WaiterConfig=FAST)
    if size.connection:
        envs.append(_remote_environment(url, proton))
    for j in range(size.services):
        proton.create_service(name=f"svc-{j}", templateName="svc-tpl", templateMajorVersion="1",
                              spec=_service_spec(j, envs, size.instances), repositoryConnectionArn=CONNECTION_ARN,
                              repositoryId="org/app", branchName="main", tags=[{"key": "svc", "value": str(j)}])
    for j in range(size.services):
        proton.get_waiter("service_created").wait(name=f"svc-{j}", WaiterConfig=FAST)
    proton.create_service_sync_config(serviceName="svc-0", repositoryName="org/templates",
                                      repositoryProvider="GITHUB", branch="main", filePath="proton-ops.yaml")
    if size.components:
        _components(proton, size)


def _components(proton: Any, size: EstateSize) -> None:
    folder = DEMO / "components" / "demo-s3-component"
    for j in range(size.services):
        proton.create_component(name=f"comp-{j}", serviceName=f"svc-{j}", serviceInstanceName="i0",
                                templateFile=(folder / "cloudformation.yaml").read_text(),
                                manifest=(folder / "manifest.yaml").read_text(),
                                tags=[{"key": "comp", "value": str(j)}])
    for j in range(size.services):
        proton.get_waiter("component_deployed").wait(name=f"comp-{j}", WaiterConfig=FAST)


def _remote_environment(url: str, proton: Any) -> str:
    """An environment provisioned in account 222222222222 through an accepted connection."""
    sts = client(url, "sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/seed", RoleSessionName="seed")["Credentials"]
    remote = client(url, "proton", aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    conn = remote.create_environment_account_connection(
        managementAccountId="123456789012", environmentName="remote-env",
        roleArn="arn:aws:iam::222222222222:role/proton-env", componentRoleArn="arn:aws:iam::222222222222:role/comp",
        tags=[{"key": "partner", "value": "acme"}])["environmentAccountConnection"]
    proton.accept_environment_account_connection(id=conn["id"])
    proton.create_environment(name="remote-env", templateName="env-tpl", templateMajorVersion="1", spec=_env_spec(99),
                              environmentAccountConnectionId=conn["id"])
    proton.get_waiter("environment_deployed").wait(name="remote-env", WaiterConfig=FAST)
    return "remote-env"
