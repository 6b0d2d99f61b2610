"""Provisioning methods other than plain CloudFormation, failures, cancel, and the auto-complete worker."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from proton_exodus.engine.backend import ProtonBackend
from tests.engine import bundles as B
from tests.engine.conftest import make_backend
from tests.engine.helpers import (
    compatible,
    env_spec,
    outputs,
    register,
    setup_environment,
    stack_template,
    svc_spec,
)

REPO = {"provider": "GITHUB", "name": "org/infra", "branch": "main"}
CONN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc"


def test_failed_update_keeps_previous_state(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    env = setup_environment(backend, aws, vpc_name="blue")
    before = backend.list_environment_outputs(environmentName="prod")["outputs"]
    (stack,) = backend.list_environment_provisioned_resources(environmentName="prod")["provisionedResources"]
    template_before = stack_template(aws, stack["name"])
    broken = B.ENV_CFN.replace("Value: !Ref Topic", "Value: !Ref NoSuchResource")
    register(backend, aws, "environment", "env-tpl", B.env_bundle(template=broken), major="1")
    backend.update_environment(name="prod", deploymentType="MINOR_VERSION", spec=env_spec(vpc_name="green"))
    backend.run_pending()
    after = backend.get_environment(name="prod")["environment"]
    assert after["deploymentStatus"] == "FAILED" and "NoSuchResource" in after["deploymentStatusMessage"]
    assert (after["templateMinorVersion"], after["spec"]) == ("0", env["spec"])
    assert after["lastSucceededDeploymentId"] == env["lastSucceededDeploymentId"]
    assert backend.list_environment_outputs(environmentName="prod")["outputs"] == before
    assert stack_template(aws, stack["name"]) == template_before
    failed = backend.get_deployment(id=after["lastAttemptedDeploymentId"])["deployment"]
    assert failed["deploymentStatus"] == "FAILED"
    assert failed["initialState"]["environment"]["templateMinorVersion"] == "0"
    # the previous deployment's outputs stay readable by id
    assert (
        backend.list_environment_outputs(
            environmentName="prod", deploymentId=env["lastSucceededDeploymentId"]
        )["outputs"]
        == before
    )


def test_self_managed_terraform(backend: ProtonBackend, aws: dict[str, Any], tmp_path: Path) -> None:
    backend.create_repository(provider="GITHUB", name="org/infra", connectionArn=CONN)
    backend.create_environment_template(name="tf-env")
    register(backend, aws, "environment", "tf-env", B.tf_env_bundle())
    env = backend.create_environment(
        name="tfprod",
        templateName="tf-env",
        templateMajorVersion="1",
        spec=env_spec(vpc_name="v"),
        provisioningRepository=REPO,
    )["environment"]
    backend.run_pending()
    folder = tmp_path / "repos" / "org" / "infra" / "tfprod"
    assert backend.get_environment(name="tfprod")["environment"]["deploymentStatus"] == "IN_PROGRESS"
    meta = json.loads((folder / ".proton" / "deployment-metadata.json").read_text())
    assert (
        meta["deploymentId"]
        == backend.get_environment(name="tfprod")["environment"]["lastAttemptedDeploymentId"]
    )
    assert meta["resourceMetadata"]["arn"] == env["arn"] and meta["isResourceDeleted"] is False
    tfvars = json.loads((folder / "proton.auto.tfvars.json").read_text())
    assert tfvars["environment"]["inputs"]["vpc_name"] == "v" and tfvars["//"] == env["arn"]
    assert "This file is managed by AWS Proton" in (folder / "main.tf").read_text()
    backend.notify_resource_deployment_status_change(
        resourceArn=env["arn"], status="SUCCEEDED", outputs=[{"key": "vpc", "valueString": "vpc-1"}]
    )
    done = backend.get_environment(name="tfprod")["environment"]
    assert done["deploymentStatus"] == "SUCCEEDED"
    assert outputs(backend.list_environment_outputs(environmentName="tfprod")["outputs"]) == {"vpc": "vpc-1"}
    (res,) = backend.list_environment_provisioned_resources(environmentName="tfprod")["provisionedResources"]
    assert res["provisioningEngine"] == "TERRAFORM"
    backend.delete_environment(name="tfprod")
    backend.run_pending()
    meta = json.loads((folder / ".proton" / "deployment-metadata.json").read_text())
    assert meta["isResourceDeleted"] is True
    backend.notify_resource_deployment_status_change(resourceArn=env["arn"], status="SUCCEEDED")
    assert backend.delete_environment(name="tfprod") == {}


def test_customer_managed_environment(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    backend.create_environment_template(name="byo", provisioning="CUSTOMER_MANAGED")
    register(backend, aws, "environment", "byo", B.customer_managed_bundle())
    backend.create_environment(
        name="byo-env", templateName="byo", templateMajorVersion="1", spec=env_spec(vpc_id="vpc-123")
    )
    backend.run_pending()
    env = backend.get_environment(name="byo-env")["environment"]
    assert (env["deploymentStatus"], env["provisioning"]) == ("SUCCEEDED", "CUSTOMER_MANAGED")
    assert outputs(backend.list_environment_outputs(environmentName="byo-env")["outputs"]) == {
        "vpc_id": "vpc-123"
    }
    assert (
        backend.list_environment_provisioned_resources(environmentName="byo-env")["provisionedResources"]
        == []
    )


def test_codebuild_environment(backend: ProtonBackend, aws: dict[str, Any], tmp_path: Path) -> None:
    files = {
        "schema/schema.yaml": B.ENV_SCHEMA.format(extra=""),
        "infrastructure/manifest.yaml": "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n"
        "      settings:\n        image: aws/codebuild/standard:7.0\n"
        "        provision: [./deploy.sh]\n        deprovision: [./destroy.sh]\n",
        "infrastructure/deploy.sh": "#!/bin/sh\necho deploy\n",
    }
    backend.create_environment_template(name="cb")
    register(backend, aws, "environment", "cb", files)
    env = backend.create_environment(
        name="cbenv",
        templateName="cb",
        templateMajorVersion="1",
        spec=env_spec(vpc_name="x"),
        codebuildRoleArn="arn:aws:iam::123456789012:role/cb",
    )["environment"]
    backend.run_pending()
    folder = tmp_path / "repos" / "codebuild" / "cbenv"
    assert json.loads((folder / "proton-inputs.json").read_text())["environment"]["inputs"]["vpc_name"] == "x"
    assert "provision" in (folder / "manifest.yaml").read_text()
    assert backend.get_environment(name="cbenv")["environment"]["deploymentStatus"] == "IN_PROGRESS"
    backend.notify_resource_deployment_status_change(
        resourceArn=env["arn"], outputs=[{"key": "k", "valueString": "v"}]
    )
    backend.notify_resource_deployment_status_change(resourceArn=env["arn"], status="SUCCEEDED")
    assert outputs(backend.list_environment_outputs(environmentName="cbenv")["outputs"]) == {"k": "v"}


def test_cross_account_uses_connection_role(aws: dict[str, Any], tmp_path: Path) -> None:
    calls: list[tuple[str, str, str | None]] = []

    def factory(account: str, region: str, role: str | None) -> Any:
        calls.append((account, region, role))
        return boto3.client("cloudformation", region_name=region)

    backend = make_backend(aws, tmp_path, cloudformation=factory)
    try:
        role = "arn:aws:iam::222222222222:role/proton-env"
        conn = backend.create_environment_account_connection(
            managementAccountId="123456789012", environmentName="remote", roleArn=role
        )
        conn_id = conn["environmentAccountConnection"]["id"]
        backend.accept_environment_account_connection(id=conn_id)
        backend.create_environment_template(name="env-tpl")
        register(backend, aws, "environment", "env-tpl", B.env_bundle())
        backend.create_environment(
            name="remote",
            templateName="env-tpl",
            templateMajorVersion="1",
            spec=env_spec(),
            environmentAccountConnectionId=conn_id,
        )
        backend.run_pending()
        env = backend.get_environment(name="remote")["environment"]
        assert (env["deploymentStatus"], env["environmentAccountId"]) == ("SUCCEEDED", "222222222222")
        assert calls == [("222222222222", "us-east-1", role)]
    finally:
        backend.close()


def test_cancel_before_the_deployment_runs(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    setup_environment(backend, aws)
    backend.update_environment(name="prod", deploymentType="CURRENT_VERSION", spec=env_spec(vpc_name="x"))
    assert (
        backend.cancel_environment_deployment(environmentName="prod")["environment"]["deploymentStatus"]
        == "CANCELLING"
    )
    backend.run_pending()
    env = backend.get_environment(name="prod")["environment"]
    assert env["deploymentStatus"] == "CANCELLED" and "vpc_name: x" not in env["spec"]


def test_auto_complete_worker(aws: dict[str, Any], tmp_path: Path) -> None:
    backend = make_backend(aws, tmp_path, auto_complete=True, complete_delay=0.05)
    try:
        backend.create_environment_template(name="env-tpl")
        version = backend.create_environment_template_version(templateName="env-tpl", source=_upload(aws))[
            "environmentTemplateVersion"
        ]
        assert version["status"] == "REGISTRATION_IN_PROGRESS"
        _wait(
            lambda: backend.get_environment_template_version(
                templateName="env-tpl", majorVersion="1", minorVersion="0"
            )["environmentTemplateVersion"]["status"],
            "DRAFT",
        )
    finally:
        backend.close()


def test_terraform_service_instance_folder(
    backend: ProtonBackend, aws: dict[str, Any], tmp_path: Path
) -> None:
    backend.create_repository(provider="GITHUB", name="org/infra", connectionArn=CONN)
    backend.create_environment_template(name="tf-env")
    register(backend, aws, "environment", "tf-env", B.tf_env_bundle())
    env = backend.create_environment(
        name="tfe",
        templateName="tf-env",
        templateMajorVersion="1",
        spec=env_spec(),
        provisioningRepository=REPO,
    )["environment"]
    backend.run_pending()
    backend.notify_resource_deployment_status_change(
        resourceArn=env["arn"], status="SUCCEEDED", outputs=[{"key": "vpc", "valueString": "vpc-9"}]
    )
    files = {
        "schema/schema.yaml": B.SVC_SCHEMA.format(extra="")
        .split("    PipeInput:")[0]
        .replace('  pipeline_input_type: "PipeInput"\n', ""),
        "instance_infrastructure/manifest.yaml": B.TF_MANIFEST,
        "instance_infrastructure/main.tf": 'resource "null_resource" "x" {}\n',
    }
    backend.create_service_template(name="tf-svc", pipelineProvisioning="CUSTOMER_MANAGED")
    register(
        backend, aws, "service", "tf-svc", files, compatibleEnvironmentTemplates=compatible(template="tf-env")
    )
    backend.create_service(
        name="api",
        templateName="tf-svc",
        templateMajorVersion="1",
        spec=svc_spec({"one": ("tfe", {"port": 9})}),
    )
    backend.run_pending()
    folder = tmp_path / "repos" / "org" / "infra" / "tfe" / "api-one"
    tfvars = json.loads((folder / "proton.auto.tfvars.json").read_text())
    assert tfvars["environment"]["outputs"] == {"vpc": "vpc-9"}
    assert tfvars["service_instance"]["inputs"]["port"] in (9, "9")
    meta = json.loads((folder / ".proton" / "deployment-metadata.json").read_text())
    assert meta["resourceMetadata"]["environmentArn"] == env["arn"]


def _upload(aws: dict[str, Any]) -> dict[str, Any]:
    from tests.engine.conftest import upload

    return upload(aws, "auto.tar.gz", B.env_bundle())


def _wait(fetch: Any, expected: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (value := fetch()) != expected:
        if time.monotonic() > deadline:
            pytest.fail(f"still {value} after {timeout}s")
        time.sleep(0.05)
