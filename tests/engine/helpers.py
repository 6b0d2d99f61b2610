"""Steps shared by the engine tests: register, publish, create, and run the queue."""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.backend import ProtonBackend
from tests.engine import bundles as B
from tests.engine.conftest import COMPONENT_ROLE, ROLE, upload

CONN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc"


def env_spec(**inputs: Any) -> str:
    body = "".join(f"\n  {k}: {v}" for k, v in inputs.items()) or " {}"
    return f"proton: EnvironmentSpec\nspec:{body}\n"


def svc_spec(instances: dict[str, tuple[str, dict[str, Any]]], pipeline: dict[str, Any] | None = None) -> str:
    lines = ["proton: ServiceSpec"]
    if pipeline is not None:
        lines += (
            ["pipeline:"] + [f"  {k}: {v}" for k, v in pipeline.items()] if pipeline else ["pipeline: {}"]
        )
    lines.append("instances:")
    for name, (env, inputs) in instances.items():
        lines += [f"  - name: {name}", f"    environment: {env}"]
        if inputs:
            lines += ["    spec:"] + [f"      {k}: {v}" for k, v in inputs.items()]
    return "\n".join(lines) + "\n"


def register(
    backend: ProtonBackend,
    aws: dict[str, Any],
    kind: str,
    template: str,
    files: dict[str, str],
    *,
    major: str | None = None,
    publish: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """Create a version from `files`, let registration finish, optionally publish; returns the version."""
    key = f"{template}/{major or 'new'}/{len(backend.store.keys('bundle'))}.tar.gz"
    args = {"templateName": template, "source": upload(aws, key, files), **extra}
    if major is not None:
        args["majorVersion"] = major
    out_key = f"{kind}TemplateVersion"
    created = getattr(backend, f"create_{kind}_template_version")(**args)[out_key]
    assert created["status"] == "REGISTRATION_IN_PROGRESS"
    backend.run_pending()
    getter = getattr(backend, f"get_{kind}_template_version")
    version = getter(
        templateName=template, majorVersion=created["majorVersion"], minorVersion=created["minorVersion"]
    )[out_key]
    if publish and version["status"] == "DRAFT":
        getattr(backend, f"update_{kind}_template_version")(
            templateName=template,
            majorVersion=version["majorVersion"],
            minorVersion=version["minorVersion"],
            status="PUBLISHED",
        )
        version = getter(
            templateName=template, majorVersion=version["majorVersion"], minorVersion=version["minorVersion"]
        )[out_key]
    return version


def compatible(major: str = "1", template: str = "env-tpl") -> list[dict[str, str]]:
    return [{"templateName": template, "majorVersion": major}]


def setup_environment(
    backend: ProtonBackend, aws: dict[str, Any], name: str = "prod", **inputs: Any
) -> dict[str, Any]:
    """env-tpl 1.0 published and environment `name` deployed."""
    if not backend.store.exists("etemplate", "env-tpl"):
        backend.create_environment_template(name="env-tpl")
        register(backend, aws, "environment", "env-tpl", B.env_bundle())
    backend.create_environment(
        name=name,
        templateName="env-tpl",
        templateMajorVersion="1",
        spec=env_spec(**inputs),
        protonServiceRoleArn=ROLE,
        componentRoleArn=COMPONENT_ROLE,
    )
    backend.run_pending()
    return backend.get_environment(name=name)["environment"]


def setup_service_template(
    backend: ProtonBackend, aws: dict[str, Any], *, pipeline: bool = True
) -> dict[str, Any]:
    backend.update_account_settings(pipelineServiceRoleArn=ROLE)
    backend.create_service_template(
        name="svc-tpl", **({} if pipeline else {"pipelineProvisioning": "CUSTOMER_MANAGED"})
    )
    return register(
        backend,
        aws,
        "service",
        "svc-tpl",
        B.svc_bundle(pipeline=pipeline),
        compatibleEnvironmentTemplates=compatible(),
        supportedComponentSources=["DIRECTLY_DEFINED"],
    )


def create_service(
    backend: ProtonBackend,
    name: str,
    instances: dict[str, tuple[str, dict[str, Any]]],
    *,
    pipeline: dict[str, Any] | None = None,
    with_pipeline: bool = True,
) -> dict[str, Any]:
    repo = (
        {"repositoryConnectionArn": CONN, "repositoryId": "org/web", "branchName": "main"}
        if with_pipeline
        else {}
    )
    backend.create_service(
        name=name,
        templateName="svc-tpl",
        templateMajorVersion="1",
        spec=svc_spec(instances, pipeline if with_pipeline else None),
        **repo,
    )
    backend.run_pending()
    return backend.get_service(name=name)["service"]


def stack_template(aws: dict[str, Any], stack_name: str) -> str:
    return aws["cfn"].get_template(StackName=stack_name)["TemplateBody"]


def outputs(items: list[dict[str, str]]) -> dict[str, str]:
    return {o["key"]: o["valueString"] for o in items}
