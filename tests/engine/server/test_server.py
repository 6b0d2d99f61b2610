"""The endpoint as a whole: admin routes, moto's cloud behind it, retirement, leaks, the CLI process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from proton_exodus.engine.server import RETIRED_ERROR_CODE, LocalProtonServer, looks_retired
from tests.engine.server.conftest import make_client, port_is_closed
from tests.engine.server.fakes import FakeBackend

EXODUS = Path(sys.executable).with_name("exodus")
LISTENING = "exodus local proton listening on http://127.0.0.1:"


def http(url: str, method: str = "GET", body: bytes | None = None) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method), timeout=10) as resp:
        return json.loads(resp.read())


def test_health_and_retire_routes(fake_server: LocalProtonServer) -> None:
    assert http(fake_server.url + "/_health") == {
        "status": "ok",
        "retired": False,
        "backends": [],
        "throttled": 0,
    }
    proton = make_client(fake_server.url)
    proton.create_environment_template(name="before")
    assert http(fake_server.url + "/_retire", "POST") == {"retired": True}
    with pytest.raises(ClientError) as exc:
        proton.list_environment_templates()
    error = exc.value.response["Error"]
    assert error["Code"] == RETIRED_ERROR_CODE == "AccessDeniedException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert looks_retired(error["Code"], error["Message"])
    assert not looks_retired(
        "AccessDeniedException", "User is not authorized to perform proton:ListEnvironments"
    )
    assert http(fake_server.url + "/_retire", "POST", b'{"retired": false}') == {"retired": False}
    assert [t["name"] for t in proton.list_environment_templates()["templates"]] == ["before"]


def test_one_endpoint_serves_every_boto3_client(
    fake_server: LocalProtonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", fake_server.url)  # no endpoint_url= anywhere below
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bundles-one-endpoint")
    s3.put_object(Bucket="bundles-one-endpoint", Key="env/v1.tar.gz", Body=b"bundle")
    assert fake_server.clients.s3_reader("123456789012")("bundles-one-endpoint", "env/v1.tar.gz") == b"bundle"
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName="one-endpoint",
        TemplateBody=json.dumps(
            {
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}},
            }
        ),
    )
    assert cfn.describe_stacks(StackName="one-endpoint")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    boto3.client("iam").create_role(RoleName="ProtonRole", AssumeRolePolicyDocument="{}")
    assert boto3.client("codepipeline").list_pipelines()["pipelines"] == []
    assert boto3.client("proton").list_environment_templates()["templates"] == []


def test_engine_clients_act_in_the_role_account(fake_server: LocalProtonServer) -> None:
    role = "arn:aws:iam::210987654321:role/ProtonEnvRole"
    cfn = fake_server.clients.cloudformation("123456789012", "eu-west-1", role)
    cfn.create_stack(
        StackName="cross-account",
        TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
    )
    stack_id = cfn.describe_stacks(StackName="cross-account")["Stacks"][0]["StackId"]
    assert stack_id.startswith("arn:aws:cloudformation:eu-west-1:210987654321:stack/cross-account/")
    mine = fake_server.clients.cloudformation("123456789012", "eu-west-1")
    assert "cross-account" not in [s["StackName"] for s in mine.describe_stacks()["Stacks"]]


def test_proton_state_is_per_account_and_region(fake_server: LocalProtonServer) -> None:
    sts = make_client(fake_server.url, "sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::444455556666:role/Admin", RoleSessionName="test")[
        "Credentials"
    ]
    other = make_client(
        fake_server.url,
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
    )
    other.create_environment_template(name="theirs")
    assert make_client(fake_server.url).list_environment_templates()["templates"] == []
    assert make_client(fake_server.url, region="eu-west-1").list_environment_templates()["templates"] == []
    arn = other.get_environment_template(name="theirs")["environmentTemplate"]["arn"]
    assert arn == "arn:aws:proton:us-east-1:444455556666:environment-template/theirs"


def test_stop_closes_keep_alive_connections_and_joins_threads() -> None:
    before = threading.active_count()
    server = LocalProtonServer(port=0, backend_factory=FakeBackend).start()
    port = server.port
    clients = [make_client(server.url) for _ in range(3)]
    for client in clients:  # each keeps a pooled keep-alive connection open to the server
        client.list_environments()
    assert threading.active_count() > before
    (backend,) = [b for _, b in server.backends()]
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert threading.active_count() == before and port_is_closed(port)
    assert backend.closed


def start_cli(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`exodus local serve --port 0 ARGS` in a subprocess; returns it once the listening line is out."""
    proc = subprocess.Popen(
        [str(EXODUS), "local", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = proc.stdout.readline()
    if not line.startswith(LISTENING):
        proc.kill()
        raise AssertionError(f"first line {line!r}; stderr: {proc.stderr.read()}")
    return proc, line.strip().removeprefix("exodus local proton listening on ")


def stop_cli(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=20)
    finally:
        proc.stdout.close()
        proc.stderr.close()


def test_cli_serves_until_sigterm_then_frees_the_port() -> None:
    proc, url = start_cli("--retired", "--page-size", "5")
    port = int(url.rsplit(":", 1)[1])
    try:
        with pytest.raises(ClientError) as exc:
            make_client(url).list_environments()
        assert exc.value.response["Error"]["Code"] == RETIRED_ERROR_CODE
        assert http(url + "/_health")["retired"] is True
        assert make_client(url, "s3").list_buckets()["Buckets"] == []  # the cloud still answers
    finally:
        code = stop_cli(proc)
    assert code == 0 and port_is_closed(port)


def test_cli_rejects_bad_knobs_and_missing_demo_seed(tmp_path: Path) -> None:
    bad = subprocess.run(
        [str(EXODUS), "local", "serve", "--port", "0", "--page-size", "500"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "--page-size" in bad.stderr and bad.stdout == ""
    unknown = subprocess.run(
        [str(EXODUS), "local", "serve", "--port", "0", "--seed", "other"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2 and "--seed" in unknown.stderr and unknown.stdout == ""


def test_cli_seeds_the_demo_then_retires_and_stays_quiet() -> None:
    """`--seed demo --retired`: the whole post-end-of-support rehearsal from one command. The seed
    runs before retirement; moto's notes about resource types it does not model are not printed."""
    proc, url = start_cli("--seed", "demo", "--retired")
    try:
        with pytest.raises(ClientError) as exc:
            make_client(url).list_environments()
        assert exc.value.response["Error"]["Code"] == RETIRED_ERROR_CODE
        names = [s["StackName"] for s in make_client(url, "cloudformation").describe_stacks()["Stacks"]]
        assert len(names) >= 30 and all(n.startswith("AWSProton-") for n in names)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "No Moto CloudFormation support" not in err
