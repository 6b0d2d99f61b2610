"""Every refusal rule of PROTON.md §4.6 and the validation the service does beyond botocore (§6.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proton_exodus.engine.backend import ProtonBackend
from proton_exodus.engine.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from tests.engine import bundles as B
from tests.engine.conftest import ROLE, make_backend
from tests.engine.helpers import (
    CONN,
    compatible,
    create_service,
    env_spec,
    register,
    setup_environment,
    setup_service_template,
    svc_spec,
)


@pytest.fixture
def estate(backend: ProtonBackend, aws: dict[str, Any]) -> ProtonBackend:
    """prod environment, svc-tpl 1.0, service web (a, b) with pipeline, component attached to a."""
    setup_environment(backend, aws)
    setup_service_template(backend, aws)
    create_service(backend, "web", {"a": ("prod", {"port": 1}), "b": ("prod", {"port": 2})}, pipeline={})
    backend.create_component(
        name="comp",
        serviceName="web",
        serviceInstanceName="a",
        manifest=B.CFN_MANIFEST,
        templateFile=B.COMPONENT_CFN,
    )
    backend.run_pending()
    return backend


def test_update_service_refusals(estate: ProtonBackend) -> None:
    with pytest.raises(ConflictException, match="attached component"):
        estate.update_service(name="web", spec=svc_spec({"b": ("prod", {"port": 2})}, {}))
    with pytest.raises(ValidationException, match="at least one instance"):
        estate.update_service(name="web", spec="proton: ServiceSpec\npipeline: {}\ninstances: []\n")
    with pytest.raises(ValidationException, match="cannot change existing instance b"):
        estate.update_service(
            name="web", spec=svc_spec({"a": ("prod", {"port": 1}), "b": ("prod", {"port": 9})}, {})
        )
    estate.update_service_instance(serviceName="web", name="b", deploymentType="CURRENT_VERSION")
    with pytest.raises(ConflictException, match="in progress"):
        estate.update_service(name="web", spec=svc_spec({"a": ("prod", {"port": 1})}, {}))
    with pytest.raises(ConflictException, match="IN_PROGRESS"):
        estate.update_service_instance(serviceName="web", name="b", deploymentType="CURRENT_VERSION")


def test_component_refusals(estate: ProtonBackend, aws: dict[str, Any]) -> None:
    create_service(estate, "api", {"x": ("prod", {})}, pipeline={})
    with pytest.raises(ConflictException, match="detach it first"):
        estate.update_component(
            name="comp", deploymentType="CURRENT_VERSION", serviceName="api", serviceInstanceName="x"
        )
    with pytest.raises(ValidationException, match="NONE may change only description"):
        estate.update_component(name="comp", deploymentType="NONE", templateFile=B.COMPONENT_CFN)
    with pytest.raises(ConflictException, match="already has component"):
        estate.create_component(
            name="comp2",
            serviceName="web",
            serviceInstanceName="a",
            manifest=B.CFN_MANIFEST,
            templateFile=B.COMPONENT_CFN,
        )
    with pytest.raises(ConflictException, match="already exists"):
        estate.create_component(
            name="comp", environmentName="prod", manifest=B.CFN_MANIFEST, templateFile=B.COMPONENT_CFN
        )
    estate.create_environment(
        name="bare",
        templateName="env-tpl",
        templateMajorVersion="1",
        spec=env_spec(),
        protonServiceRoleArn=ROLE,
    )
    with pytest.raises(ValidationException, match="no componentRoleArn"):
        estate.create_component(
            name="c3", environmentName="bare", manifest=B.CFN_MANIFEST, templateFile=B.COMPONENT_CFN
        )


def test_components_need_directly_defined(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    setup_environment(backend, aws)
    backend.update_account_settings(pipelineServiceRoleArn=ROLE)
    backend.create_service_template(name="svc-tpl")
    register(backend, aws, "service", "svc-tpl", B.svc_bundle(), compatibleEnvironmentTemplates=compatible())
    create_service(backend, "web", {"a": ("prod", {})}, pipeline={})
    with pytest.raises(ValidationException, match="does not support components"):
        backend.create_component(
            name="c",
            serviceName="web",
            serviceInstanceName="a",
            manifest=B.CFN_MANIFEST,
            templateFile=B.COMPONENT_CFN,
        )


def test_version_rules(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    backend.create_environment_template(name="env-tpl")
    draft = register(backend, aws, "environment", "env-tpl", B.env_bundle(), publish=False)
    with pytest.raises(ValidationException, match="only DRAFT to PUBLISHED"):
        backend.update_environment_template_version(
            templateName="env-tpl", majorVersion="1", minorVersion="0", status="REGISTRATION_IN_PROGRESS"
        )
    with pytest.raises(ValidationException, match="does not exist"):
        register(backend, aws, "environment", "env-tpl", B.env_bundle(), major="7")
    with pytest.raises(ValidationException, match="no published version"):
        backend.create_environment(
            name="e",
            templateName="env-tpl",
            templateMajorVersion="1",
            spec=env_spec(),
            protonServiceRoleArn=ROLE,
        )
    assert draft["status"] == "DRAFT"
    broken = register(
        backend, aws, "environment", "env-tpl", {"schema/schema.yaml": "not: [a schema"}, publish=False
    )
    assert broken["status"] == "REGISTRATION_FAILED" and broken["statusMessage"]
    breaking = B.env_bundle(extra_schema="      required: [owner]\n").copy()
    breaking["schema/schema.yaml"] = breaking["schema/schema.yaml"].replace(
        "        size:", "        owner:\n          type: string\n        size:"
    )
    minor = register(backend, aws, "environment", "env-tpl", breaking, major="1", publish=False)
    assert minor["status"] == "REGISTRATION_FAILED" and "not backward compatible" in minor["statusMessage"]


def test_deployment_type_rules(estate: ProtonBackend) -> None:
    with pytest.raises(ValidationException, match="keeps the current version"):
        estate.update_environment(name="prod", deploymentType="CURRENT_VERSION", templateMinorVersion="5")
    with pytest.raises(ValidationException, match="no recommended version|higher than"):
        estate.update_environment(name="prod", deploymentType="MAJOR_VERSION")
    with pytest.raises(ValidationException, match="cannot change the major"):
        estate.update_service_instance(
            serviceName="web", name="a", deploymentType="MINOR_VERSION", templateMajorVersion="2"
        )
    with pytest.raises(ValidationException, match="greater than the maximum|maximum"):
        estate.update_environment(name="prod", deploymentType="CURRENT_VERSION", spec=env_spec(size=99))
    with pytest.raises(ConflictException, match="no deployment in progress"):
        estate.cancel_environment_deployment(environmentName="prod")


def test_environment_wiring_rules(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    setup_environment(backend, aws)
    backend.create_environment_account_connection(
        managementAccountId="123456789012",
        environmentName="prod",
        roleArn="arn:aws:iam::222222222222:role/env",
    )
    conn = backend.list_environment_account_connections(requestedBy="MANAGEMENT_ACCOUNT")[
        "environmentAccountConnections"
    ][0]
    backend.accept_environment_account_connection(id=conn["id"])
    with pytest.raises(ValidationException, match="cannot both change"):
        backend.update_environment(
            name="prod",
            deploymentType="NONE",
            environmentAccountConnectionId=conn["id"],
            protonServiceRoleArn="arn:aws:iam::123456789012:role/other",
        )
    with pytest.raises(ValidationException, match="from account 123456789012"):
        backend.update_environment(
            name="prod", deploymentType="NONE", environmentAccountConnectionId=conn["id"]
        )
    with pytest.raises(ValidationException, match="needs protonServiceRoleArn"):
        backend.create_environment(
            name="e2", templateName="env-tpl", templateMajorVersion="1", spec=env_spec()
        )
    with pytest.raises(ValidationException, match="only for self-managed"):
        backend.create_environment(
            name="e2",
            templateName="env-tpl",
            templateMajorVersion="1",
            spec=env_spec(),
            protonServiceRoleArn=ROLE,
            provisioningRepository={"provider": "GITHUB", "name": "o/r", "branch": "main"},
        )


def test_connection_rules(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    make = backend.create_environment_account_connection
    first = make(
        managementAccountId="123456789012",
        environmentName="prod",
        roleArn="arn:aws:iam::222222222222:role/env",
    )["environmentAccountConnection"]
    assert first["status"] == "PENDING" and first["environmentAccountId"] == "222222222222"
    backend.reject_environment_account_connection(id=first["id"])
    with pytest.raises(ConflictException, match="rejected"):
        backend.accept_environment_account_connection(id=first["id"])
    second = make(
        managementAccountId="123456789012",
        environmentName="prod",
        roleArn="arn:aws:iam::222222222222:role/env",
    )["environmentAccountConnection"]
    backend.accept_environment_account_connection(id=second["id"])
    backend.create_environment_template(name="env-tpl")
    register(backend, aws, "environment", "env-tpl", B.env_bundle())
    backend.create_environment(
        name="prod",
        templateName="env-tpl",
        templateMajorVersion="1",
        spec=env_spec(),
        environmentAccountConnectionId=second["id"],
    )
    with pytest.raises(ConflictException, match="used by environment"):
        backend.reject_environment_account_connection(id=second["id"])
    with pytest.raises(ConflictException, match="used by environment"):
        backend.delete_environment_account_connection(id=second["id"])
    with pytest.raises(ValidationException, match="two different accounts"):
        make(
            managementAccountId="222222222222",
            environmentName="x",
            roleArn="arn:aws:iam::222222222222:role/r",
        )


def test_service_creation_rules(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    setup_environment(backend, aws)
    setup_service_template(backend, aws)
    spec = svc_spec({"a": ("prod", {})}, {})
    with pytest.raises(ValidationException, match="needs repositoryConnectionArn"):
        backend.create_service(name="s", templateName="svc-tpl", templateMajorVersion="1", spec=spec)
    with pytest.raises(ResourceNotFoundException, match="Environment nowhere"):
        backend.create_service(
            name="s",
            templateName="svc-tpl",
            templateMajorVersion="1",
            spec=svc_spec({"a": ("nowhere", {})}, {}),
            repositoryConnectionArn=CONN,
            repositoryId="o/r",
            branchName="main",
        )
    with pytest.raises(ValidationException, match="port"):
        backend.create_service(
            name="s",
            templateName="svc-tpl",
            templateMajorVersion="1",
            spec=svc_spec({"a": ("prod", {"port": "'eighty'"})}, {}),
            repositoryConnectionArn=CONN,
            repositoryId="o/r",
            branchName="main",
        )
    backend.create_service_template(name="nopipe", pipelineProvisioning="CUSTOMER_MANAGED")
    register(
        backend,
        aws,
        "service",
        "nopipe",
        B.svc_bundle(pipeline=False),
        compatibleEnvironmentTemplates=compatible(),
    )
    with pytest.raises(ValidationException, match="must be left out"):
        backend.create_service(
            name="s",
            templateName="nopipe",
            templateMajorVersion="1",
            spec=svc_spec({"a": ("prod", {})}),
            repositoryConnectionArn=CONN,
            repositoryId="o/r",
            branchName="main",
        )
    with pytest.raises(ValidationException, match="Unknown parameter pipelineProvisioning"):
        backend.update_service_template(name="nopipe", pipelineProvisioning="CUSTOMER_MANAGED")


def test_input_validation_beyond_botocore(backend: ProtonBackend) -> None:
    with pytest.raises(ValidationException, match="at most 100"):
        backend.create_environment_template(name="x" * 101)
    with pytest.raises(ValidationException, match="pattern"):
        backend.create_environment_template(name="bad$name")
    with pytest.raises(ValidationException, match="is not one of"):
        backend.create_environment_template(name="ok", provisioning="SOMETIMES")
    with pytest.raises(ValidationException, match="aws: prefix"):
        backend.create_environment_template(name="ok", tags=[{"key": "aws:proton:x", "value": "v"}])
    with pytest.raises(ResourceNotFoundException):
        backend.get_environment(name="missing")
    with pytest.raises(ResourceNotFoundException):
        backend.list_tags_for_resource(
            resourceArn="arn:aws:proton:us-east-1:123456789012:environment/missing"
        )


def test_quotas(aws: dict[str, Any], tmp_path: Path) -> None:
    backend = make_backend(aws, tmp_path, quotas={"environments": 1, "templates": 1})
    try:
        setup_environment(backend, aws, "one")
        with pytest.raises(ServiceQuotaExceededException, match="environments"):
            backend.create_environment(
                name="two",
                templateName="env-tpl",
                templateMajorVersion="1",
                spec=env_spec(),
                protonServiceRoleArn=ROLE,
            )
        with pytest.raises(ServiceQuotaExceededException, match="templates"):
            backend.create_service_template(name="svc")
    finally:
        backend.close()


def test_repository_in_use(backend: ProtonBackend) -> None:
    backend.create_repository(provider="GITHUB", name="org/infra", connectionArn=CONN)
    with pytest.raises(ConflictException, match="already linked"):
        backend.create_repository(provider="GITHUB", name="org/infra", connectionArn=CONN)
    backend.update_account_settings(
        pipelineProvisioningRepository={"provider": "GITHUB", "name": "org/infra", "branch": "main"}
    )
    with pytest.raises(ConflictException, match="account settings"):
        backend.delete_repository(provider="GITHUB", name="org/infra")
    settings = backend.get_account_settings()["accountSettings"]
    assert settings["pipelineProvisioningRepository"]["arn"].endswith(":repository/github:org/infra")


def test_environment_major_update_needs_compatible_instances(
    estate: ProtonBackend, aws: dict[str, Any]
) -> None:
    register(estate, aws, "environment", "env-tpl", B.env_bundle())  # env-tpl 2.0
    with pytest.raises(ValidationException, match="web/a .* not compatible with env-tpl major version 2"):
        estate.update_environment(name="prod", deploymentType="MAJOR_VERSION")
    estate.update_service_template_version(
        templateName="svc-tpl",
        majorVersion="1",
        minorVersion="0",
        compatibleEnvironmentTemplates=compatible("1") + compatible("2"),
    )
    estate.update_environment(name="prod", deploymentType="MAJOR_VERSION")
    estate.run_pending()
    env = estate.get_environment(name="prod")["environment"]
    assert (env["deploymentStatus"], env["templateMajorVersion"]) == ("SUCCEEDED", "2")
