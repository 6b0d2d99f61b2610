"""Pure assembly: records from parts, stack locations, provisioning folders, merges, redaction."""

from __future__ import annotations

from proton_exodus.inventory import assemble
from proton_exodus.inventory.stacks import parse_stack_identifier

MGMT, ENV_ACCT = "111111111111", "222222222222"


def _records() -> dict[str, list[dict]]:
    base = {"account": MGMT, "region": "us-east-1"}
    return {
        "environments": [
            {
                **base,
                "name": "local",
                "arn": "arn:aws:proton:us-east-1:111111111111:environment/local",
                "provisionedResources": [
                    {
                        "identifier": "AWSProton-local-cfn",
                        "name": "AWSProton-local-cfn",
                        "provisioningEngine": "CLOUDFORMATION",
                    }
                ],
            },
            {
                **base,
                "name": "remote",
                "arn": "arn:aws:proton:us-east-1:111111111111:environment/remote",
                "environmentAccountId": ENV_ACCT,
                "environmentAccountConnectionId": "c1",
                "provisionedResources": [
                    {
                        "identifier": (
                            "arn:aws:cloudformation:us-west-2:222222222222:stack/AWSProton-remote/x"
                        ),
                        "name": "AWSProton-remote",
                        "provisioningEngine": "CLOUDFORMATION",
                    }
                ],
            },
            {
                **base,
                "name": "tf",
                "arn": "arn:aws:proton:us-east-1:111111111111:environment/tf",
                "provisioningRepository": {"name": "org/infra", "provider": "GITHUB", "branch": "main"},
                "provisionedResources": [{"identifier": "x", "name": "x", "provisioningEngine": "TERRAFORM"}],
            },
        ],
        "service_instances": [
            {
                **base,
                "serviceName": "api",
                "name": "prod",
                "environmentName": "remote",
                "arn": "arn:aws:proton:us-east-1:111111111111:service/api/service-instance/prod",
                "provisionedResources": [
                    {
                        "identifier": "AWSProton-api-prod",
                        "name": "AWSProton-api-prod",
                        "provisioningEngine": "CLOUDFORMATION",
                    }
                ],
            },
            {
                **base,
                "serviceName": "api",
                "name": "tfi",
                "environmentName": "tf",
                "arn": "arn:aws:proton:us-east-1:111111111111:service/api/service-instance/tfi",
                "provisionedResources": [],
            },
        ],
        "service_pipelines": [
            {
                **base,
                "serviceName": "api",
                "arn": "arn:aws:proton:us-east-1:111111111111:service/api/pipeline",
                "provisionedResources": [{"identifier": "AWSProton-api-pipe", "name": "AWSProton-api-pipe"}],
            }
        ],
        "environment_account_connections": [
            {
                **base,
                "id": "c1",
                "roleArn": "arn:aws:iam::222222222222:role/conn",
                "managementAccountId": MGMT,
            }
        ],
        "account_settings": [{**base, "pipelineProvisioningRepository": {"name": "org/pipes"}}],
    }


def test_build_records_overlays_detail_and_drops_vanished() -> None:
    parts = {
        ("environments", ("a",)): {
            "summary": {"name": "a", "x": 1},
            "detail": {"name": "a", "spec": "s"},
            "tags": {"k": "v"},
            "outputs": {},
            "provisionedResources": [],
        },
        ("environments", ("gone",)): {"summary": {"name": "gone"}, "detail": None},
    }
    warnings: list[str] = []
    out = assemble.build_records(parts, MGMT, "us-east-1", warnings)
    assert out["environments"] == [
        {
            "name": "a",
            "x": 1,
            "spec": "s",
            "tags": {"k": "v"},
            "outputs": {},
            "provisionedResources": [],
            "account": MGMT,
            "region": "us-east-1",
            "provenance": "proton-api",
        }
    ]
    assert "gone" in warnings[0]


def test_stack_refs_locate_stacks_and_roles() -> None:
    records = _records()
    refs = {r.name: r for r in assemble.stack_refs(records)}
    assert set(refs) == {
        "AWSProton-local-cfn",
        "AWSProton-remote",
        "AWSProton-api-prod",
        "AWSProton-api-pipe",
    }
    assert (refs["AWSProton-local-cfn"].account, refs["AWSProton-local-cfn"].role_arn) == (MGMT, None)
    remote = refs["AWSProton-remote"]
    assert (remote.account, remote.region, remote.role_arn) == (
        ENV_ACCT,
        "us-west-2",
        "arn:aws:iam::222222222222:role/conn",
    )
    assert refs["AWSProton-api-prod"].account == ENV_ACCT  # instances live in their environment's account
    assert (
        refs["AWSProton-api-pipe"].account == MGMT
        and refs["AWSProton-api-pipe"].resource_kind == "service_pipeline"
    )
    assert records["environments"][1]["stackName"] == "AWSProton-remote"


def test_provisioning_folders_follow_protons_layout() -> None:
    records = _records()
    assemble.add_provisioning(records)
    envs = {e["name"]: e["provisioning"] for e in records["environments"]}
    assert envs["local"]["engine"] == "cloudformation"
    assert envs["tf"] == {
        "engine": "terraform",
        "folder": "tf",
        "repository": {"name": "org/infra", "provider": "GITHUB", "branch": "main"},
    }
    inst = {i["name"]: i["provisioning"] for i in records["service_instances"]}
    assert inst["tfi"]["folder"] == "tf/api-tfi" and inst["prod"]["folder"] is None
    assert records["service_pipelines"][0]["provisioning"]["folder"] == "api/pipeline"


def test_connections_crawled_from_both_accounts_merge_to_the_management_side() -> None:
    mgmt = {"id": "c1", "account": MGMT, "managementAccountId": MGMT}
    env = {"id": "c1", "account": ENV_ACCT, "managementAccountId": MGMT}
    for order in ([env, mgmt], [mgmt, env]):
        records = {"environment_account_connections": list(order)}
        assemble.merge_connections(records)
        assert records["environment_account_connections"] == [mgmt]


def test_redact_records_covers_specs_pipelines_and_deployment_states() -> None:
    spec = "proton: ServiceSpec\npipeline:\n  token: t0ps3cret\n"
    records = {
        "services": [
            {"account": MGMT, "region": "r", "name": "api", "spec": spec, "pipeline": {"spec": spec}}
        ],
        "service_pipelines": [{"account": MGMT, "region": "r", "serviceName": "api", "spec": spec}],
        "deployments": [
            {"account": MGMT, "region": "r", "id": "d1", "targetState": {"servicePipeline": {"spec": spec}}}
        ],
    }
    secrets = assemble.redact_records(records)
    assert "t0ps3cret" not in repr(records)
    assert set(secrets.values()) == {"t0ps3cret"}
    # the pipeline spec inside the service and the pipeline record share one placeholder
    assert records["services"][0]["pipeline"]["spec"] == records["service_pipelines"][0]["spec"]
    # one id per clear value, everywhere it is held (deployments included)
    assert len(secrets) == 1
    (secret_id,) = secrets
    assert (
        records["deployments"][0]["targetState"]["servicePipeline"]["spec"]
        == records["service_pipelines"][0]["spec"]
        and secret_id in records["services"][0]["spec"]
    )


def test_parse_stack_identifier() -> None:
    assert parse_stack_identifier("arn:aws:cloudformation:eu-west-1:333333333333:stack/AWSProton-x/abc") == (
        "333333333333",
        "eu-west-1",
        "AWSProton-x",
    )
    assert parse_stack_identifier("AWSProton-y") == (None, None, "AWSProton-y")
