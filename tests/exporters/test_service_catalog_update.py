"""The `service-catalog` export's day-2 command, `servicecatalog-update.sh`, run as written (bash, the aws
CLI, jq) against the local cloud: a stack adopted as a provisioned product on artifact 1.0 moves to an
instance's own copy of 1.1 (a template no artifact carries yet): the script creates the artifact from the
artifact bucket, prints the plan's resource changes before anything changes, and with `--execute` applies
them and follows the record."""

from __future__ import annotations

import hashlib
import json
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exporters.service_catalog import update
from exporters.service_catalog.rehearse import script_env, sibling_client

ACCOUNT, REGION, STACK = "111111111111", "us-east-1", "svc-stack"
BUCKET = f"exodus-sc-artifacts-{ACCOUNT}-{REGION}"
V10 = (
    "Parameters:\n  Display:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    "    Properties:\n      DisplayName: !Ref Display\n"
)
V11 = V10 + "  Queue:\n    Type: AWS::SQS::Queue\n"  # the new minor adds a queue
OWN_COPY = f"parameters/{ACCOUNT}/{REGION}/{STACK}.yaml"  # `exodus repo upgrade` gave the stack its own copy
PARAMS = f"parameters/{ACCOUNT}/{REGION}/{STACK}.json"


@pytest.fixture
def adopted(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The local cloud with STACK adopted on artifact 1.0 (Display=one), and a checkout whose TEMPLATES.json
    and parameters file move it to its own copy of 1.1 with Display=two."""
    from proton_exodus.engine.server import LocalProtonServer

    with LocalProtonServer(port=0, retired=True) as server:
        urllib.request.urlopen(
            urllib.request.Request(f"{server.url}/moto-api/reset", method="POST"), timeout=30
        )
        assert server.clients is not None
        cfn = server.clients.cloudformation(ACCOUNT, REGION)
        s3, sc = sibling_client(cfn, "s3", ACCOUNT), sibling_client(cfn, "servicecatalog", ACCOUNT)
        s3.create_bucket(Bucket=BUCKET)
        key = f"artifacts/{ACCOUNT}/{REGION}/svc/1.0.yaml"
        s3.put_object(Bucket=BUCKET, Key=key, Body=V10.encode())
        product = sc.create_product(
            Name="svc",
            Owner="platform",
            ProductType="CLOUD_FORMATION_TEMPLATE",
            ProvisioningArtifactParameters={
                "Name": "1.0",
                "Info": {"LoadTemplateFromURL": f"https://{BUCKET}.s3.{REGION}.amazonaws.com/{key}"},
            },
            IdempotencyToken="svc",
        )["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
        v10 = sc.list_provisioning_artifacts(ProductId=product)["ProvisioningArtifactDetails"][0]["Id"]
        stack_id = cfn.create_stack(
            StackName=STACK,
            TemplateBody=V10,
            Parameters=[{"ParameterKey": "Display", "ParameterValue": "one"}],
        )["StackId"]
        sc.import_as_provisioned_product(
            ProductId=product,
            ProvisioningArtifactId=v10,
            ProvisionedProductName=STACK,
            PhysicalId=stack_id,
            IdempotencyToken="adopt",
        )
        checkout = tmp_path / "checkout"
        (checkout / OWN_COPY).parent.mkdir(parents=True)
        (checkout / OWN_COPY).write_text(V11, encoding="utf-8")
        (checkout / PARAMS).write_text(json.dumps({"Parameters": {"Display": "two"}, "Tags": {}}) + "\n")
        row = {"stack": STACK, "account": ACCOUNT, "region": REGION, "version": "1.1"}
        listing = {"stacks": [{**row, "templateFile": OWN_COPY, "parameterFile": PARAMS, "shared": False}]}
        (checkout / "TEMPLATES.json").write_text(json.dumps(listing), encoding="utf-8")
        (checkout / update.SCRIPT).write_text(update.TEXT, encoding="utf-8")
        env = script_env(server.url, ACCOUNT, REGION, tmp_path / "home")
        yield {"cfn": cfn, "sc": sc, "checkout": checkout, "env": env, "v10": v10, "product": product}


def _run(adopted: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", update.SCRIPT, *args],
        cwd=adopted["checkout"],
        env=adopted["env"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _resources(cfn: Any) -> set[str]:
    return {r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName=STACK)["StackResources"]}


def test_the_update_script_plans_then_executes_onto_a_new_artifact(adopted: dict[str, Any]) -> None:
    cfn, sc = adopted["cfn"], adopted["sc"]
    name = "1.1-" + hashlib.sha256(V11.encode()).hexdigest()[:8]
    review = _run(adopted, STACK, BUCKET)
    assert review.returncode == 0, review.stderr
    assert (
        f"new provisioning artifact {name} " in review.stderr and "run again with --execute" in review.stderr
    )
    plan = json.loads(next(ln for ln in review.stdout.splitlines() if ln.startswith(update.PLAN_LINE)))
    assert plan["ProvisionedProductPlanDetails"]["Status"] == "CREATE_SUCCESS"
    assert {(c["Action"], c["LogicalResourceId"]) for c in plan["ResourceChanges"]} == {
        ("ADD", "Queue"),
        ("MODIFY", "Topic"),
    }
    assert _resources(cfn) == {"Topic"}  # reviewed, nothing changed yet
    assert (
        sc.describe_provisioned_product(Name=STACK)["ProvisionedProductDetail"]["ProvisioningArtifactId"]
        == (adopted["v10"])
    )
    applied = _run(adopted, STACK, BUCKET, "--execute")
    assert applied.returncode == 0, applied.stderr
    last = applied.stdout.strip().splitlines()[-1]
    assert last.startswith("record rec-") and last.endswith(
        f"UPDATE_PROVISIONED_PRODUCT SUCCEEDED (artifact {name})"
    )
    arts = {
        a["Name"]: a["Id"]
        for a in sc.list_provisioning_artifacts(ProductId=adopted["product"])["ProvisioningArtifactDetails"]
    }
    assert sorted(arts) == ["1.0", name]  # the second run found the artifact the first created
    detail = sc.describe_provisioned_product(Name=STACK)["ProvisionedProductDetail"]
    assert detail["ProvisioningArtifactId"] == arts[name] and detail["Status"] == "AVAILABLE"
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE" and _resources(cfn) == {"Topic", "Queue"}
    assert stack["Parameters"] == [{"ParameterKey": "Display", "ParameterValue": "two"}]


def test_the_update_script_names_a_stack_it_does_not_know(adopted: dict[str, Any]) -> None:
    run = _run(adopted, "no-such-stack", BUCKET)
    assert run.returncode == 2 and run.stderr.strip() == "TEMPLATES.json: no stack no-such-stack"
