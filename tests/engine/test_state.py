"""Idempotent retries (PROTON.md §4.10), atomic operations, persistence and tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proton_exodus.engine.backend import ProtonBackend
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException
from tests.engine import bundles as B
from tests.engine.conftest import ROLE, make_backend, upload
from tests.engine.helpers import create_service, env_spec, register, setup_environment, setup_service_template


def test_name_keyed_create_retries(backend: ProtonBackend) -> None:
    first = backend.create_environment_template(name="t", description="d")
    assert backend.create_environment_template(name="t", description="d") == first
    with pytest.raises(ValidationException, match="Idempotent parameter mismatch"):
        backend.create_environment_template(name="t", description="other")
    backend.update_environment_template(name="t", description="changed")
    with pytest.raises(ConflictException, match="modified"):
        backend.create_environment_template(name="t", description="d")


def test_environment_create_retry_starts_no_second_deployment(
    backend: ProtonBackend, aws: dict[str, Any]
) -> None:
    env = setup_environment(backend, aws)
    again = backend.create_environment(
        name="prod",
        templateName="env-tpl",
        templateMajorVersion="1",
        spec=env_spec(),
        protonServiceRoleArn=ROLE,
        componentRoleArn="arn:aws:iam::123456789012:role/proton-components",
    )
    assert again["environment"]["lastAttemptedDeploymentId"] == env["lastAttemptedDeploymentId"]
    assert len(backend.list_deployments(environmentName="prod")["deployments"]) == 1


def test_client_token_retries(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    backend.create_environment_template(name="t")
    source = upload(aws, "b.tar.gz", B.env_bundle())
    one = backend.create_environment_template_version(templateName="t", source=source, clientToken="tok")
    two = backend.create_environment_template_version(templateName="t", source=source, clientToken="tok")
    assert one == two
    assert len(backend.list_environment_template_versions(templateName="t")["templateVersions"]) == 1
    with pytest.raises(ValidationException, match="clientToken reused"):
        backend.create_environment_template_version(
            templateName="t", source=source, clientToken="tok", description="different"
        )


def test_delete_retries(backend: ProtonBackend) -> None:
    backend.create_environment_template(name="t")
    assert backend.delete_environment_template(name="t")["environmentTemplate"]["name"] == "t"
    assert backend.delete_environment_template(name="t") == {}
    with pytest.raises(ResourceNotFoundException):
        backend.delete_environment_template(name="never")


def test_failed_operation_changes_nothing(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    setup_environment(backend, aws)
    setup_service_template(backend, aws)
    before = {
        kind: backend.store.values(kind) for kind in ("service", "instance", "deployment", "job", "meta")
    }
    with pytest.raises(
        ValidationException
    ):  # the second instance is invalid: nothing of the first may remain
        backend.create_service(
            name="s",
            templateName="svc-tpl",
            templateMajorVersion="1",
            spec="proton: ServiceSpec\npipeline: {}\ninstances:\n- name: a\n  environment: prod\n"
            "- name: b\n  environment: prod\n  spec:\n    port: [1]\n",
            repositoryConnectionArn="arn:aws:codestar-connections:us-east-1:1:connection/x",
            repositoryId="o/r",
            branchName="main",
        )
    assert {kind: backend.store.values(kind) for kind in before} == before


def test_state_survives_restart(aws: dict[str, Any], tmp_path: Path) -> None:
    backend = make_backend(aws, tmp_path)
    setup_environment(backend, aws)
    setup_service_template(backend, aws)
    create_service(backend, "web", {"a": ("prod", {"port": 5})}, pipeline={})
    backend.update_service_instance(
        serviceName="web", name="a", deploymentType="CURRENT_VERSION"
    )  # left queued
    backend.tag_resource(resourceArn=backend.arn("service/web"), tags=[{"key": "team", "value": "x"}])
    snapshot = {
        op: getattr(backend, op)()
        for op in (
            "list_environments",
            "list_services",
            "list_deployments",
            "list_service_instances",
            "get_resources_summary",
        )
    }
    backend.close()
    reloaded = make_backend(aws, tmp_path)
    try:
        assert {op: getattr(reloaded, op)() for op in snapshot} == snapshot
        assert {"key": "team", "value": "x"} in reloaded.list_tags_for_resource(
            resourceArn=reloaded.arn("service/web")
        )["tags"]
        assert reloaded.run_pending() == 1  # the queued deployment resumes
        inst = reloaded.get_service_instance(serviceName="web", name="a")["serviceInstance"]
        assert inst["deploymentStatus"] == "SUCCEEDED"
        # ids keep coming from the persisted counter: no collision with earlier deployments
        ids = [d["id"] for d in reloaded.list_deployments()["deployments"]]
        assert len(ids) == len(set(ids))
    finally:
        reloaded.close()


def test_tags_and_managed_tags(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    backend.create_environment_template(name="t", tags=[{"key": "team", "value": "a"}])
    version = register(backend, aws, "environment", "t", B.env_bundle())
    tags = {t["key"]: t["value"] for t in backend.list_tags_for_resource(resourceArn=version["arn"])["tags"]}
    assert tags["team"] == "a"  # customer tags propagate from template to new versions
    assert tags["aws:proton:template"] == backend.arn("environment-template/t")
    backend.untag_resource(resourceArn=version["arn"], tagKeys=["team"])
    assert "team" not in {
        t["key"] for t in backend.list_tags_for_resource(resourceArn=version["arn"])["tags"]
    }
    with pytest.raises(ValidationException, match="reserved"):
        backend.tag_resource(resourceArn=version["arn"], tags=[{"key": "aws:x", "value": "y"}])
