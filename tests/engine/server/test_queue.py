"""The engine's job queue through boto3: a failed job fails its deployment and leaves the queue.

A job that raises must not stay at the head of the queue, where every later job (template registration
included) would wait behind it for ever.
"""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.server import LocalProtonServer
from tests.engine.server import scenario
from tests.engine.server.bundles import (
    CFN_MANIFEST,
    ENV_SPEC,
    INSTANCE_TEMPLATE,
    PIPELINE_TEMPLATE,
    SERVICE_SCHEMA,
    service_spec,
    tar_gz,
    upload_bundles,
)
from tests.engine.server.conftest import make_client

QUICK = {"cfn_poll": 0.02, "complete_delay": 0.05}
BROKEN_PIPELINE = PIPELINE_TEMPLATE.replace("Value: !Ref Artifacts", "Value: !Ref NoSuchResource")


def _estate(url: str) -> tuple[Any, dict[str, Any]]:
    """env-tmpl 1.0 and env-a; svc-tmpl 1.0 whose pipeline template fails in the local cloud."""
    p = make_client(url)
    s3 = make_client(url, "s3")
    sources = upload_bundles(s3, "exodus-queue-bundles")
    s3.put_object(
        Bucket="exodus-queue-bundles",
        Key="svc/broken.tar.gz",
        Body=tar_gz(
            {
                "instance_infrastructure/manifest.yaml": CFN_MANIFEST,
                "instance_infrastructure/cloudformation.yaml": INSTANCE_TEMPLATE,
                "pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
                "pipeline_infrastructure/cloudformation.yaml": BROKEN_PIPELINE,
                "schema/schema.yaml": SERVICE_SCHEMA,
            }
        ),
    )
    sources["broken"] = {"s3": {"bucket": "exodus-queue-bundles", "key": "svc/broken.tar.gz"}}
    p.update_account_settings(pipelineServiceRoleArn=scenario.SERVICE_ROLE)
    p.create_environment_template(name="env-tmpl")
    p.create_environment_template_version(templateName="env-tmpl", source=sources["env"])
    _wait(
        p,
        "environment_template_version_registered",
        templateName="env-tmpl",
        majorVersion="1",
        minorVersion="0",
    )
    p.update_environment_template_version(
        templateName="env-tmpl", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    p.create_environment(
        name="env-a",
        templateName="env-tmpl",
        templateMajorVersion="1",
        spec=ENV_SPEC,
        protonServiceRoleArn=scenario.SERVICE_ROLE,
    )
    _wait(p, "environment_deployed", name="env-a")
    p.create_service_template(name="svc-tmpl")
    p.create_service_template_version(
        templateName="svc-tmpl",
        source=sources["broken"],
        compatibleEnvironmentTemplates=[{"templateName": "env-tmpl", "majorVersion": "1"}],
    )
    _wait(
        p, "service_template_version_registered", templateName="svc-tmpl", majorVersion="1", minorVersion="0"
    )
    p.update_service_template_version(
        templateName="svc-tmpl", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    return p, sources


def _wait(p: Any, waiter: str, **kwargs: Any) -> None:
    p.get_waiter(waiter).wait(**kwargs, WaiterConfig={"Delay": 0.1, "MaxAttempts": 150})


def test_deleting_a_service_whose_pipeline_failed_does_not_jam_the_queue() -> None:
    with LocalProtonServer(port=0, backend_options=QUICK) as server:
        p, sources = _estate(server.url)
        p.create_service(
            name="svc-a",
            templateName="svc-tmpl",
            templateMajorVersion="1",
            spec=service_spec([("inst-1", "env-a")]),
            repositoryId="org/app",
            branchName="main",
            repositoryConnectionArn=scenario.CONNECTION,
        )
        _wait(p, "service_instance_deployed", name="inst-1", serviceName="svc-a")
        pipeline = _settled(p, lambda: p.get_service(name="svc-a")["service"]["pipeline"])
        assert pipeline["deploymentStatus"] == "FAILED", pipeline
        assert "NoSuchResource" in pipeline["deploymentStatusMessage"]
        p.delete_service(name="svc-a")
        _wait(p, "service_deleted", name="svc-a")
        # Later jobs run: a new template version registers and a new environment deploys.
        p.create_environment_template_version(
            templateName="env-tmpl", majorVersion="1", source=sources["env"]
        )
        _wait(
            p,
            "environment_template_version_registered",
            templateName="env-tmpl",
            majorVersion="1",
            minorVersion="1",
        )
        p.create_environment(
            name="env-b",
            templateName="env-tmpl",
            templateMajorVersion="1",
            spec=ENV_SPEC,
            protonServiceRoleArn=scenario.SERVICE_ROLE,
        )
        _wait(p, "environment_deployed", name="env-b")
        assert server.backend().pending_jobs() == 0


def test_a_job_that_raises_fails_its_deployment_and_leaves_the_queue() -> None:
    with LocalProtonServer(port=0, backend_options=QUICK) as server:
        p, sources = _estate(server.url)
        backend = server.backend()
        original = backend.render_target

        def poisoned(dep: dict[str, Any]) -> dict[str, Any]:
            if dep["targetResourceType"] == "ENVIRONMENT" and dep["_key"] == "env-poison":
                raise KeyError("templateName")  # a bug in one job, not a Proton failure
            return original(dep)

        backend.render_target = poisoned  # type: ignore[method-assign]
        p.create_environment(
            name="env-poison",
            templateName="env-tmpl",
            templateMajorVersion="1",
            spec=ENV_SPEC,
            protonServiceRoleArn=scenario.SERVICE_ROLE,
        )
        p.create_environment(
            name="env-b",
            templateName="env-tmpl",
            templateMajorVersion="1",
            spec=ENV_SPEC,
            protonServiceRoleArn=scenario.SERVICE_ROLE,
        )
        _wait(p, "environment_deployed", name="env-b")
        env = _settled(p, lambda: p.get_environment(name="env-poison")["environment"])
        assert env["deploymentStatus"] == "FAILED"
        assert "templateName" in env["deploymentStatusMessage"]
        dep = p.get_deployment(id=env["lastAttemptedDeploymentId"])["deployment"]
        assert dep["deploymentStatus"] == "FAILED"
        assert dep["deploymentStatusMessage"] == env["deploymentStatusMessage"]
        p.create_environment_template_version(
            templateName="env-tmpl", majorVersion="1", source=sources["env"]
        )
        _wait(
            p,
            "environment_template_version_registered",
            templateName="env-tmpl",
            majorVersion="1",
            minorVersion="1",
        )
        assert backend.pending_jobs() == 0


def test_a_registration_job_that_raises_fails_the_version() -> None:
    with LocalProtonServer(port=0, backend_options=QUICK) as server:
        p, sources = _estate(server.url)
        backend = server.backend()
        original = backend.register_version

        def poisoned(kind: str, key: str) -> None:
            if key.endswith("/000001/000001"):
                raise RuntimeError("registration bug")
            original(kind, key)

        backend.register_version = poisoned  # type: ignore[method-assign]
        p.create_environment_template_version(
            templateName="env-tmpl", majorVersion="1", source=sources["env"]
        )
        p.create_environment(
            name="env-b",
            templateName="env-tmpl",
            templateMajorVersion="1",
            spec=ENV_SPEC,
            protonServiceRoleArn=scenario.SERVICE_ROLE,
        )
        _wait(p, "environment_deployed", name="env-b")
        version = _settled(
            p,
            lambda: p.get_environment_template_version(
                templateName="env-tmpl", majorVersion="1", minorVersion="1"
            )["environmentTemplateVersion"],
            busy=("REGISTRATION_IN_PROGRESS",),
            member="status",
        )
        assert version["status"] == "REGISTRATION_FAILED" and "registration bug" in version["statusMessage"]
        assert backend.pending_jobs() == 0


def _settled(
    p: Any,
    fetch: Any,
    busy: tuple[str, ...] = ("IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING"),
    member: str = "deploymentStatus",
) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 20
    while (doc := fetch())[member] in busy:
        assert time.monotonic() < deadline, doc
        time.sleep(0.05)
    return doc
