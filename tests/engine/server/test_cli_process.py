"""`exodus local serve` as a process: the AWS CLI drives it, SIGTERM stops it,
`--state` survives a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.engine.server.bundles import ENV_SPEC, service_spec, upload_bundles
from tests.engine.server.conftest import make_client, port_is_closed
from tests.engine.server.scenario import CONNECTION, FAST, SERVICE_ROLE
from tests.engine.server.test_server import start_cli, stop_cli

AWS = Path(sys.executable).with_name("aws")


def aws(url: str, *args: str) -> dict[str, Any]:
    """`aws proton ARGS --output json` against the local endpoint, with the test's fake credentials."""
    env = {**os.environ, "AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
    done = subprocess.run(
        [str(AWS), "proton", *args, "--output", "json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def build_estate_with_the_aws_cli(url: str) -> None:
    sources = upload_bundles(make_client(url, "s3"), "cli-bundles")
    proton = make_client(url)
    aws(url, "update-account-settings", "--pipeline-service-role-arn", SERVICE_ROLE)
    aws(url, "create-environment-template", "--name", "cli-env", "--display-name", "CLI environment")
    created = aws(
        url,
        "create-environment-template-version",
        "--template-name",
        "cli-env",
        "--source",
        json.dumps(sources["env"]),
    )
    assert created["environmentTemplateVersion"]["status"] == "REGISTRATION_IN_PROGRESS"
    proton.get_waiter("environment_template_version_registered").wait(
        templateName="cli-env", majorVersion="1", minorVersion="0", WaiterConfig=FAST
    )
    aws(
        url,
        "update-environment-template-version",
        "--template-name",
        "cli-env",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    )
    aws(url, "create-service-template", "--name", "cli-svc")
    aws(
        url,
        "create-service-template-version",
        "--template-name",
        "cli-svc",
        "--source",
        json.dumps(sources["svc"]),
        "--compatible-environment-templates",
        "templateName=cli-env,majorVersion=1",
    )
    proton.get_waiter("service_template_version_registered").wait(
        templateName="cli-svc", majorVersion="1", minorVersion="0", WaiterConfig=FAST
    )
    aws(
        url,
        "update-service-template-version",
        "--template-name",
        "cli-svc",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    )
    aws(
        url,
        "create-environment",
        "--name",
        "cli-env-1",
        "--template-name",
        "cli-env",
        "--template-major-version",
        "1",
        "--spec",
        ENV_SPEC,
        "--proton-service-role-arn",
        SERVICE_ROLE,
    )
    proton.get_waiter("environment_deployed").wait(name="cli-env-1", WaiterConfig=FAST)
    aws(
        url,
        "create-service",
        "--name",
        "cli-app",
        "--template-name",
        "cli-svc",
        "--template-major-version",
        "1",
        "--spec",
        service_spec([("web", "cli-env-1"), ("worker", "cli-env-1")]),
        "--repository-connection-arn",
        CONNECTION,
        "--repository-id",
        "org/app",
        "--branch-name",
        "main",
    )
    proton.get_waiter("service_created").wait(name="cli-app", WaiterConfig=FAST)
    listed = aws(url, "list-service-instances", "--service-name", "cli-app")
    assert sorted(i["name"] for i in listed["serviceInstances"]) == ["web", "worker"]
    assert {i["deploymentStatus"] for i in listed["serviceInstances"]} == {"SUCCEEDED"}


def estate_view(url: str) -> dict[str, Any]:
    """What a restart must keep: Proton resources, their outputs and the stacks behind them."""
    proton, cfn = make_client(url), make_client(url, "cloudformation")
    envs = proton.list_environments()["environments"]
    return {
        "templates": [t["name"] for t in proton.list_environment_templates()["templates"]],
        "environments": [(e["name"], e["deploymentStatus"], e["lastSucceededDeploymentId"]) for e in envs],
        "instances": [
            (i["name"], i["deploymentStatus"]) for i in proton.list_service_instances()["serviceInstances"]
        ],
        "outputs": proton.list_service_instance_outputs(serviceName="cli-app", serviceInstanceName="web")[
            "outputs"
        ],
        "stacks": sorted((s["StackName"], s["StackStatus"]) for s in cfn.describe_stacks()["Stacks"]),
        "deployments": len(proton.list_deployments()["deployments"]),
    }


def test_aws_cli_smoke_then_restart_with_state_keeps_everything(tmp_path: Path) -> None:
    state = tmp_path / "local.json"
    proc, url = start_cli("--state", str(state))
    try:
        build_estate_with_the_aws_cli(url)
        before = estate_view(url)
    finally:
        assert stop_cli(proc) == 0
    assert port_is_closed(int(url.rsplit(":", 1)[1]))
    assert len(before["stacks"]) == 4 and before["outputs"]  # environment, two instances, pipeline
    proc, url = start_cli("--state", str(state))
    try:
        assert estate_view(url) == before
        proton = make_client(url)
        history = len(proton.list_deployments(environmentName="cli-env-1")["deployments"])
        proton.update_environment(name="cli-env-1", deploymentType="CURRENT_VERSION")
        proton.get_waiter("environment_deployed").wait(name="cli-env-1", WaiterConfig=FAST)
        assert len(proton.list_deployments(environmentName="cli-env-1")["deployments"]) == history + 1
    finally:
        assert stop_cli(proc) == 0


def test_seed_demo_is_loaded_before_the_listening_line_and_visible_with_plain_credentials(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    proc, url = start_cli("--seed", "demo", "--state", str(tmp_path / "demo.json"))
    try:
        assert time.monotonic() - started < 45  # ~15 s alone; the issue asks 30 s, slack for a loaded CI
        proton = make_client(url)  # unknown test keys land in the demo's management account
        envs = proton.list_environments()["environments"]
        assert envs and {e["deploymentStatus"] for e in envs} <= {"SUCCEEDED", "FAILED"}
        stacks = make_client(url, "cloudformation").describe_stacks()["Stacks"]
        managed = [
            e
            for e in envs
            if not e.get("provisioningRepository") and not e.get("environmentAccountConnectionId")
        ]
        assert len(stacks) >= len(managed) and proton.list_service_instances()["serviceInstances"]
    finally:
        assert stop_cli(proc) == 0
    proc, url = start_cli("--state", str(tmp_path / "demo.json"))  # no --seed: same account, same estate
    try:
        assert make_client(url).list_environments()["environments"] == envs
        assert len(make_client(url, "cloudformation").describe_stacks()["Stacks"]) == len(stacks)
    finally:
        assert stop_cli(proc) == 0
