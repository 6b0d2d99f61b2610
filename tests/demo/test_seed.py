"""Seeding a LocalProtonServer with the demo estate: counts, real stacks, the old minor, the real failure."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from proton_exodus.demo import load_estate
from proton_exodus.demo.seed import SeedClients, clients_for_endpoint, seed_demo

server_mod = pytest.importorskip("proton_exodus.engine.server")
ESTATE = load_estate()
MGMT, PARTNER = "111111111111", "222222222222"


def _all(client: Any, op: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(op).paginate(**kwargs) for item in page[key]]


def _cfn(url: str, account: str) -> Any:
    client = boto3.client("cloudformation", endpoint_url=url, region_name="us-east-1")
    client.meta.events.register(
        "before-sign", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return client


def _stack(url: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    (res,) = [r for r in resources if r["provisioningEngine"] == "CLOUDFORMATION"]
    account = res["identifier"].split(":")[4]
    return _cfn(url, account).describe_stacks(StackName=res["identifier"])["Stacks"][0]


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[str, SeedClients, Any, float]]:
    with server_mod.LocalProtonServer(port=0) as srv:
        start = time.monotonic()
        report = seed_demo(srv)
        yield srv.url, clients_for_endpoint(srv.url), report, time.monotonic() - start


def test_seeded_estate(seeded: tuple[str, SeedClients, Any, float]) -> None:
    """One test on purpose: seeding takes seconds, and xdist would seed once per worker otherwise."""
    url, c, report, seconds = seeded
    print(f"demo seeded in {seconds:.1f}s")
    _check_counts(c, report)
    _check_every_aws_managed_resource_has_a_good_stack(url, c)
    _check_the_failed_deployment_failed_in_cloudformation(url, c, report)
    _check_versions_and_old_minor(c)
    _check_component_outputs_reach_the_instance(url, c)
    _check_self_managed_and_customer_managed(c)
    assert seed_demo(url).skipped  # a second seed leaves the account alone


def _check_counts(c: SeedClients, report: Any) -> None:
    p, want = c.proton, ESTATE["expectedCounts"]
    assert not report.skipped
    got = {
        "environment_templates": len(_all(p, "list_environment_templates", "templates")),
        "service_templates": len(_all(p, "list_service_templates", "templates")),
        "environments": len(_all(p, "list_environments", "environments")),
        "services": len(_all(p, "list_services", "services")),
        "service_instances": len(_all(p, "list_service_instances", "serviceInstances")),
        "components": len(_all(p, "list_components", "components")),
        "repositories": len(_all(p, "list_repositories", "repositories")),
        "environment_account_connections": len(
            _all(
                p,
                "list_environment_account_connections",
                "environmentAccountConnections",
                requestedBy="MANAGEMENT_ACCOUNT",
            )
        ),
        "environment_template_versions": sum(
            len(_all(p, "list_environment_template_versions", "templateVersions", templateName=t["name"]))
            for t in ESTATE["environmentTemplates"]
        ),
        "service_template_versions": sum(
            len(_all(p, "list_service_template_versions", "templateVersions", templateName=t["name"]))
            for t in ESTATE["serviceTemplates"]
        ),
        "service_pipelines": sum(
            1
            for s in _all(p, "list_services", "services")
            if p.get_service(name=s["name"])["service"].get("pipeline")
        ),
        "template_sync_configs": sum(
            1
            for t in ESTATE["templateSyncConfigs"]
            if p.get_template_sync_config(templateName=t["templateName"], templateType=t["templateType"]).get(
                "templateSyncConfig"
            )
        ),
        "service_sync_configs": sum(
            1
            for s in ESTATE["serviceSyncConfigs"]
            if p.get_service_sync_config(serviceName=s["serviceName"]).get("serviceSyncConfig")
        ),
    }
    assert got == want
    assert (
        p.get_account_settings()["accountSettings"]["pipelineServiceRoleArn"]
        == ESTATE["accountSettings"]["pipelineServiceRoleArn"]
    )


def _check_every_aws_managed_resource_has_a_good_stack(url: str, c: SeedClients) -> None:
    p, good = c.proton, ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    for env in ESTATE["environments"]:
        if env["templateName"] == "demo-vpc-ecs-env":
            stack = _stack(
                url,
                _all(
                    p,
                    "list_environment_provisioned_resources",
                    "provisionedResources",
                    environmentName=env["name"],
                ),
            )
            assert stack["StackStatus"] in good and stack["StackId"].split(":")[4] == env["account"], env[
                "name"
            ]
            assert {
                "Key": "proton:environment",
                "Value": f"arn:aws:proton:us-east-1:{MGMT}:environment/{env['name']}",
            } in stack["Tags"]
    for inst in _all(p, "list_service_instances", "serviceInstances"):
        if (inst["serviceName"], inst["name"]) == ("search-api", "staging"):
            continue
        assert inst["deploymentStatus"] == "SUCCEEDED", inst
        stack = _stack(
            url,
            _all(
                p,
                "list_service_instance_provisioned_resources",
                "provisionedResources",
                serviceName=inst["serviceName"],
                serviceInstanceName=inst["name"],
            ),
        )
        assert stack["StackStatus"] in good, (inst["serviceName"], inst["name"])
        env_account = next(
            e["account"] for e in ESTATE["environments"] if e["name"] == inst["environmentName"]
        )
        assert stack["StackId"].split(":")[4] == env_account
    for svc in ESTATE["services"]:
        if "branchName" in svc:
            stack = _stack(
                url,
                _all(
                    p,
                    "list_service_pipeline_provisioned_resources",
                    "provisionedResources",
                    serviceName=svc["name"],
                ),
            )
            assert (
                stack["StackStatus"] in good
                and "update-service-instance"
                in _cfn(url, MGMT).get_template(StackName=stack["StackId"])["TemplateBody"]
            )


def _check_the_failed_deployment_failed_in_cloudformation(url: str, c: SeedClients, report: Any) -> None:
    inst = c.proton.get_service_instance(serviceName="search-api", name="staging")["serviceInstance"]
    assert inst["deploymentStatus"] == "FAILED"
    assert "priority is in use" in inst["deploymentStatusMessage"].lower()
    assert report.failed and report.failed[0].startswith("search-api/staging")
    dep = c.proton.get_deployment(id=inst["lastAttemptedDeploymentId"])["deployment"]
    assert dep["deploymentStatus"] == "FAILED"
    stack = _stack(
        url,
        _all(
            c.proton,
            "list_service_instance_provisioned_resources",
            "provisionedResources",
            serviceName="search-api",
            serviceInstanceName="staging",
        ),
    )
    assert stack["StackStatus"] in ("ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED")
    events = _cfn(url, MGMT).describe_stack_events(StackName=stack["StackId"])["StackEvents"]
    assert any("priority is in use" in (e.get("ResourceStatusReason") or "").lower() for e in events)


def _check_versions_and_old_minor(c: SeedClients) -> None:
    p = c.proton
    for name in ("demo-fargate-svc", "demo-lambda-svc"):
        assert p.get_service_template(name=name)["serviceTemplate"]["recommendedVersion"] == "1.1"
    assert (
        p.get_environment_template(name="demo-vpc-ecs-env")["environmentTemplate"]["recommendedVersion"]
        == "1.1"
    )
    old = p.get_service_instance(serviceName="payments-api", name="staging")["serviceInstance"]
    assert (old["templateMajorVersion"], old["templateMinorVersion"]) == ("1", "0")
    for name in ("dev", "prod"):
        assert (
            p.get_service_instance(serviceName="payments-api", name=name)["serviceInstance"][
                "templateMinorVersion"
            ]
            == "1"
        )
    assert p.get_service(name="orders-api")["service"]["pipeline"]["templateMinorVersion"] == "1"
    assert p.get_environment(name="staging")["environment"]["templateMinorVersion"] == "0"
    assert p.get_environment(name="prod")["environment"]["templateMinorVersion"] == "1"
    assert (
        p.get_service_template(name="demo-lambda-svc")["serviceTemplate"].get("pipelineProvisioning")
        == "CUSTOMER_MANAGED"
    )
    # the version without a bundle: its S3 object is gone
    keys = [o["Key"] for o in c.s3.list_objects_v2(Bucket=ESTATE["bundleBucket"]).get("Contents", [])]
    assert "service/demo-lambda-svc/1.0.tar.gz" not in keys and "service/demo-lambda-svc/1.1.tar.gz" in keys


def _check_component_outputs_reach_the_instance(url: str, c: SeedClients) -> None:
    p = c.proton
    comp = p.get_component(name="orders-prod-assets")["component"]
    assert comp["deploymentStatus"] == "SUCCEEDED" and comp["environmentName"] == "prod"
    outputs = {
        o["key"]: o["valueString"]
        for o in _all(p, "list_component_outputs", "outputs", componentName="orders-prod-assets")
    }
    stack = _stack(
        url,
        _all(
            p,
            "list_service_instance_provisioned_resources",
            "provisionedResources",
            serviceName="orders-api",
            serviceInstanceName="prod",
        ),
    )
    body = _cfn(url, MGMT).get_template(StackName=stack["StackId"])["TemplateBody"]
    assert outputs["AssetsPolicyArn"] in body and outputs["AssetsBucketName"] in body


def _check_self_managed_and_customer_managed(c: SeedClients) -> None:
    p = c.proton
    tf = {
        o["key"]: o["valueString"]
        for o in _all(p, "list_environment_outputs", "outputs", environmentName="tf-sandbox")
    }
    assert tf["VpcId"] == "vpc-05e0d1c2b3a4f5e60"
    assert (
        p.get_environment(name="tf-sandbox")["environment"]["provisioningRepository"]["name"]
        == "exodus-demo/proton-provisioning"
    )
    legacy = {
        o["key"]: o["valueString"]
        for o in _all(p, "list_environment_outputs", "outputs", environmentName="legacy-network")
    }
    assert legacy["VpcId"] == "vpc-0c1d2e3f4a5b6c7d8"
    partner = p.get_environment(name="partner-prod")["environment"]
    assert partner["environmentAccountId"] == PARTNER and partner.get("environmentAccountConnectionId")
