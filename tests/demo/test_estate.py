"""The demo estate is consistent, its bundles load,
and every render of it is valid CloudFormation (cfn-lint)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from proton_exodus.demo import (
    BUNDLES_DIR,
    SECRET_PREFIX,
    iter_instances,
    load_estate,
    planted_secrets,
    version_source_dir,
)
from proton_exodus.proton.bundle import Bundle, load_bundle, load_template_sync_repo
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    ServiceContext,
    render_component,
    render_environment,
    render_pipeline,
    render_service_instance,
)

ESTATE = load_estate()
ENVS = {e["name"]: e for e in ESTATE["environments"]}
SERVICES = {s["name"]: s for s in ESTATE["services"]}
ENV_TEMPLATES = {t["name"]: t for t in ESTATE["environmentTemplates"]}
SVC_TEMPLATES = {t["name"]: t for t in ESTATE["serviceTemplates"]}
# What a demo-vpc-ecs-env stack outputs (the shapes CloudFormation returns); customer-managed
# environments output their spec.
VPC_OUTPUTS = {
    "VpcId": "vpc-0a1b2c3d4e5f60718",
    "SubnetIds": "subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f",
    "ServiceSecurityGroupId": "sg-0123456789abcdef0",
    "ClusterName": "dev-cluster",
    "ClusterArn": "arn:aws:ecs:us-east-1:111111111111:cluster/dev-cluster",
    "ListenerArn": (
        "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/lb/"
        "0123456789abcdef/fedcba9876543210"
    ),
    "LoadBalancerDnsName": "lb-123.us-east-1.elb.amazonaws.com",
    "TaskExecutionRoleArn": "arn:aws:iam::111111111111:role/dev-TaskExecutionRole-ABC",
    "ServiceLogGroupName": "/exodus-demo/dev/services",
}
COMPONENT_OUTPUTS = {
    "AssetsBucketName": "orders-prod-assets-bucket",
    "AssetsBucketArn": "arn:aws:s3:::orders-prod-assets-bucket",
    "AssetsPolicyArn": "arn:aws:iam::111111111111:policy/orders-prod-assets",
}


def _versions(kind: str) -> list[tuple[str, dict[str, Any]]]:
    key = "environmentTemplates" if kind == "environment" else "serviceTemplates"
    return [(t["name"], v) for t in ESTATE[key] for v in t["versions"]]


@cache
def _bundle(template: str, major: str, minor: str) -> Bundle:
    templates = {**ENV_TEMPLATES, **SVC_TEMPLATES}
    version = next(v for v in templates[template]["versions"] if (v["major"], v["minor"]) == (major, minor))
    return load_bundle(version_source_dir(version), name=template)


def _spec(text: str) -> dict[str, Any]:
    return yaml.safe_load(text)


@cache
def _cfn_rules() -> object:
    """cfn-lint's default rules, loaded once per process (loading them is half of each lint call)."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(regions=["us-east-1"])).rules


def _cfn_lint(text: str, what: str) -> None:
    found = lint(text, rules=_cfn_rules(), config=ManualArgs(regions=["us-east-1"]))
    errors = [m for m in found if m.rule.id.startswith("E")]
    assert not errors, f"{what}: cfn-lint errors:\n" + "\n".join(str(m) for m in errors)


def _instance_minor(service: dict[str, Any], instance: str) -> str:
    return service.get("instanceMinorVersions", {}).get(instance, service["templateMinorVersion"])


def _env_context(env_name: str) -> EnvironmentContext:
    env = ENVS[env_name]
    if ENV_TEMPLATES[env["templateName"]].get("provisioning") == "CUSTOMER_MANAGED":
        outputs = _spec(env["spec"])["spec"]
    else:
        outputs = VPC_OUTPUTS
    return EnvironmentContext(name=env_name, account_id=env["account"], outputs=outputs)


def _service_context(service: dict[str, Any]) -> ServiceContext:
    return ServiceContext(
        name=service["name"],
        branch_name=service.get("branchName"),
        repository_id=service.get("repositoryId"),
        repository_connection_arn=service.get("repositoryConnectionArn"),
    )


# ---- bundles -----------------------------------------------------------------------------------


def test_template_sync_layout_loads_every_major() -> None:
    repo = load_template_sync_repo(BUNDLES_DIR)
    assert sorted(repo) == [
        ("demo-customer-managed-env", 1),
        ("demo-fargate-svc", 1),
        ("demo-lambda-svc", 1),
        ("demo-tf-env", 1),
        ("demo-vpc-ecs-env", 1),
    ]
    assert repo[("demo-fargate-svc", 1)].has_pipeline and not repo[("demo-lambda-svc", 1)].has_pipeline
    assert repo[("demo-tf-env", 1)].provisioning == "terraform"
    assert repo[("demo-customer-managed-env", 1)].provisioning == "customer-managed"


@pytest.mark.parametrize(
    ("template", "version"),
    _versions("environment") + _versions("service"),
    ids=lambda x: x if isinstance(x, str) else f"{x['major']}.{x['minor']}",
)
def test_every_version_bundle_loads_and_matches_the_estate(template: str, version: dict[str, Any]) -> None:
    bundle = _bundle(template, version["major"], version["minor"])
    if template in SVC_TEMPLATES:
        assert bundle.template_type == "service"
        assert bundle.has_pipeline == (
            SVC_TEMPLATES[template].get("pipelineProvisioning") != "CUSTOMER_MANAGED"
        )
        if version["bundle"] is not None:  # synced bundles carry .template-registration.yaml
            declared = {
                (c["templateName"], int(c["majorVersion"])) for c in version["compatibleEnvironmentTemplates"]
            }
            assert set(bundle.compatible_environments) == declared
            assert list(bundle.supported_component_sources) == version.get("supportedComponentSources", [])
    else:
        assert bundle.template_type == "environment"
        expected = (
            "customer-managed" if ENV_TEMPLATES[template].get("provisioning") == "CUSTOMER_MANAGED" else None
        )
        assert expected is None or bundle.provisioning == expected


def test_minor_versions_are_backward_compatible() -> None:
    from proton_exodus.proton.schema import check_minor_compatible

    for template, old, new in [
        ("demo-vpc-ecs-env", "0", "1"),
        ("demo-fargate-svc", "0", "1"),
        ("demo-lambda-svc", "0", "1"),
    ]:
        problems = check_minor_compatible(
            _bundle(template, "1", old).schema, _bundle(template, "1", new).schema
        )
        assert problems == [], f"{template} 1.{new}: {problems}"


def test_exactly_one_version_has_no_bundle() -> None:
    missing = [
        (t, f"{v['major']}.{v['minor']}")
        for t, v in _versions("service") + _versions("environment")
        if v["bundle"] is None
    ]
    assert missing == [("demo-lambda-svc", "1.0")]
    assert not (BUNDLES_DIR / "demo-lambda-svc" / "v1.0").exists()


# ---- estate consistency --------------------------------------------------------------------------


def test_every_instance_targets_an_existing_compatible_environment() -> None:
    for service, inst, _later in iter_instances(ESTATE):
        env = ENVS[inst["environment"]]
        template = SVC_TEMPLATES[service["templateName"]]
        minor = _instance_minor(service, inst["name"])
        version = next(
            v
            for v in template["versions"]
            if (v["major"], v["minor"]) == (service["templateMajorVersion"], minor)
        )
        compatible = {
            (c["templateName"], c["majorVersion"]) for c in version["compatibleEnvironmentTemplates"]
        }
        assert (env["templateName"], env["templateMajorVersion"]) in compatible, (
            service["name"],
            inst["name"],
        )
        assert (
            ENV_TEMPLATES[env["templateName"]]["name"] != "demo-tf-env"
        )  # no CFN services on self-managed envs


def test_services_and_pipelines_follow_their_template() -> None:
    for service in ESTATE["services"]:
        has_pipeline = (
            SVC_TEMPLATES[service["templateName"]].get("pipelineProvisioning") != "CUSTOMER_MANAGED"
        )
        spec = _spec(service["spec"])
        assert ("pipeline" in spec) == has_pipeline, service["name"]
        assert (
            all(k in service for k in ("repositoryConnectionArn", "repositoryId", "branchName"))
            == has_pipeline
        )
        names = [i["name"] for i in spec["instances"]]
        assert len(names) == len(set(names)), service["name"]


def test_environment_links_are_consistent() -> None:
    connections = {c["environmentAccountId"]: c for c in ESTATE["environmentAccountConnections"]}
    for env in ESTATE["environments"]:
        if "environmentAccountConnection" in env:
            conn = connections[env["environmentAccountConnection"]]
            assert conn["environmentName"] == env["name"] and env["account"] == conn["environmentAccountId"]
        if "provisioningRepository" in env:
            names = {r["name"] for r in ESTATE["repositories"]}
            assert env["provisioningRepository"]["name"] in names
    for comp in ESTATE["components"]:
        service = SERVICES[comp["serviceName"]]
        inst = next(
            i for i in _spec(service["spec"])["instances"] if i["name"] == comp["serviceInstanceName"]
        )
        assert "componentRoleArn" in ENVS[inst["environment"]]
        assert (
            "DIRECTLY_DEFINED"
            in SVC_TEMPLATES[service["templateName"]]["versions"][-1]["supportedComponentSources"]
        )


def test_only_the_planned_failure_reuses_a_listener_priority() -> None:
    """moto, like CloudFormation, refuses a second listener rule with the same priority (PriorityInUse)."""
    held: dict[tuple[str, int], str] = {}
    clashes = []
    for service, inst, later in iter_instances(ESTATE):
        if service["templateName"] != "demo-fargate-svc":
            continue
        key = (inst["environment"], inst["spec"]["listener_priority"])
        if key in held:
            clashes.append((service["name"], inst["name"], later))
        held.setdefault(key, service["name"])
    assert clashes == [("search-api", "staging", True)]


def test_expected_counts_match_the_description() -> None:
    counts = ESTATE["expectedCounts"]
    kinds = Counter(s["templateName"] for s in ESTATE["services"])
    assert counts["services"] == len(ESTATE["services"]) == 12
    assert counts["service_instances"] == len(list(iter_instances(ESTATE)))
    assert counts["service_pipelines"] == kinds["demo-fargate-svc"]
    assert counts["environments"] == len(ESTATE["environments"])
    assert counts["environment_template_versions"] == len(_versions("environment"))
    assert counts["service_template_versions"] == len(_versions("service"))
    assert counts["components"] == len(ESTATE["components"])
    assert counts["repositories"] == len(ESTATE["repositories"])


def test_planted_secrets_are_obviously_fake_and_sensitive_inputs() -> None:
    secrets = planted_secrets(ESTATE)
    assert len(secrets) == len(set(secrets)) >= 20
    assert all(s.startswith(SECRET_PREFIX) for s in secrets)


# ---- renders pass cfn-lint -----------------------------------------------------------------------

AWS_MANAGED_ENVS = [e["name"] for e in ESTATE["environments"] if e["templateName"] == "demo-vpc-ecs-env"]


@pytest.mark.parametrize("env_name", AWS_MANAGED_ENVS)
def test_environment_renders_lint_clean(env_name: str) -> None:
    env = ENVS[env_name]
    bundle = _bundle(env["templateName"], env["templateMajorVersion"], env["templateMinorVersion"])
    out = render_environment(
        bundle, name=env_name, inputs=_spec(env["spec"])["spec"], account_id=env["account"]
    )
    _cfn_lint(out.text, env_name)


def test_terraform_environment_renders_with_protons_files() -> None:
    env = ENVS["tf-sandbox"]
    out = render_environment(
        _bundle("demo-tf-env", "1", "0"),
        name="tf-sandbox",
        inputs=_spec(env["spec"])["spec"],
        account_id=env["account"],
    )
    assert out.language == "terraform"
    assert {"main.tf", "outputs.tf", "config.tf", "proton.auto.tfvars.json"} <= set(out.files)


INSTANCES = [(s["name"], i["name"]) for s, i, _ in iter_instances(ESTATE)]


@pytest.mark.parametrize(("service_name", "instance_name"), INSTANCES, ids=[f"{s}/{i}" for s, i in INSTANCES])
def test_instance_renders_lint_clean(service_name: str, instance_name: str) -> None:
    service = SERVICES[service_name]
    inst = next(i for s, i, _ in iter_instances(ESTATE) if s is service and i["name"] == instance_name)
    bundle = _bundle(
        service["templateName"], service["templateMajorVersion"], _instance_minor(service, instance_name)
    )
    attached = any(
        c["serviceName"] == service_name and c["serviceInstanceName"] == instance_name
        for c in ESTATE["components"]
    )
    out = render_service_instance(
        bundle,
        service=_service_context(service),
        instance_name=instance_name,
        inputs=inst["spec"],
        environment=_env_context(inst["environment"]),
        components=COMPONENT_OUTPUTS if attached else {},
        component_name="orders-prod-assets" if attached else None,
    )
    _cfn_lint(out.text, f"{service_name}/{instance_name}")
    if attached:
        assert COMPONENT_OUTPUTS["AssetsPolicyArn"] in out.text


@pytest.mark.parametrize("service_name", [s["name"] for s in ESTATE["services"] if "branchName" in s])
def test_pipeline_renders_lint_clean_and_calls_proton(service_name: str) -> None:
    service = SERVICES[service_name]
    spec = _spec(service["spec"])
    bundle = _bundle(service["templateName"], "1", service["templateMinorVersion"])
    instances = [
        InstanceContext(i["name"], i["spec"], {}, _env_context(i["environment"])) for i in spec["instances"]
    ]
    out = render_pipeline(
        bundle, service=_service_context(service), pipeline_inputs=spec["pipeline"], instances=instances
    )
    _cfn_lint(out.text, f"{service_name} pipeline")
    assert "aws proton" in out.text and "update-service-instance" in out.text and "get-service" in out.text
    assert out.text.count("update-service-instance") == len(instances)


def test_component_renders_lint_clean() -> None:
    comp = ESTATE["components"][0]
    folder = BUNDLES_DIR / comp["bundle"]
    service = SERVICES[comp["serviceName"]]
    out = render_component(
        (folder / "cloudformation.yaml").read_text(),
        (folder / "manifest.yaml").read_text(),
        name=comp["name"],
        environment=_env_context("prod"),
        service=_service_context(service),
        instance=comp["serviceInstanceName"],
        instance_inputs={},
    )
    _cfn_lint(out.text, comp["name"])
