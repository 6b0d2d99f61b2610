"""Every CloudFormation template of the shared corpus deploys on the local cloud (moto + engine patches).

Each case (environment, service instance, pipeline, component) is rendered with the library and created
through a change set, as the engine does (engine/stacks.py); a service instance gets the real outputs of
its compatible environment, deployed first on the same local cloud. One test per kind goes through the
local Proton API end to end. A case that hits a documented gap (docs/engine-coverage.md) is a strict xfail.
The Terraform and CodeBuild bundles are not provisioned by CloudFormation: they are out of scope here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs
from proton_exodus.engine.stacks import deploy_stack
from proton_exodus.proton.render import EnvironmentContext, ResourceMetadata, render_component
from proton_exodus.proton.spec import EnvironmentSpec, parse_spec
from tests.proton.render.corpus_cases import (
    ACCOUNT,
    CORPUS,
    Case,
    build_cases,
    discover_components,
    env_outputs_for,
    environment_bundles,
    find_specs,
    loaded,
    render_case,
    repo_of,
    service_context,
)

COMPONENT_ARN = f"arn:aws:proton:us-east-1:{ACCOUNT}:component/bucket"
SAMPLES = CORPUS / "aws-samples__aws-proton-cloudformation-sample-templates"
_FOLDER = {
    "environment": "infrastructure",
    "pipeline": "pipeline_infrastructure",
    "instance": "instance_infrastructure",
}

# Documented gaps (docs/engine-coverage.md, "CloudFormation gaps the local cloud still lacks"):
# a part of the case id -> why.
_TG_NAME = (
    "template error AWS refuses too: the target group Name `<service>--zzz` holds `--`, which "
    "ELBv2 rejects (moto reproduces AWS's validation)"
)
_NO_ENV = (
    "no environment in the corpus provides the outputs of the template checker's sample-outputs.yaml "
    "(`Cluster`, ...): its ECS service names a cluster that does not exist, as it would on AWS"
)
GAPS = {
    "valid_svc_template[spec.yaml:instance:load-balanced-fargate-svc-prod]": _NO_ENV,
    "loadbalanced-fargate-svc/v1[svc-spec.yaml:instance:frontend-dev]": _TG_NAME,
    "loadbalanced-public-svc/v1[svc-private-spec.yaml:instance:backend-dev]": _TG_NAME,
    "loadbalanced-public-svc/v1[svc-public-spec.yaml:instance:frontend-dev]": _TG_NAME,
}


def _kind(case: Case) -> str:
    return case.target.split(":", 1)[0]


def _cloudformation_cases() -> list[Case]:
    return [
        c
        for c in build_cases()
        if not c.bundle.name.startswith("invalid_")
        and loaded(c.bundle).manifests[_FOLDER[_kind(c)]].language == "cloudformation"
    ]


CASES = _cloudformation_cases()
COMPONENTS = [p for p in discover_components() if "cloudformation" in (p / "manifest.yaml").read_text()]


def _marks(case_id: str) -> list[Any]:
    reason = next((why for part, why in GAPS.items() if part in case_id), None)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


class LocalCloud:
    """moto's CloudFormation with the engine's patches; compatible environments deployed once each."""

    def __init__(self) -> None:
        self.cfn = boto3.client("cloudformation", region_name="us-east-1")
        self._names = itertools.count()
        self._env_outputs: dict[Path, dict[str, str]] = {}

    def deploy(self, template: str) -> Any:
        name = f"corpus-{next(self._names)}"
        return deploy_stack(self.cfn, name, template, [], change_set="deploy", poll=0.0)

    def environment_outputs(self, service_bundle: Path) -> dict[str, str]:
        """The outputs of the deployed environment a service bundle is compatible with (placeholders for
        keys it lacks, e.g. those of the template checker's sample-outputs.yaml)."""
        envs = environment_bundles(repo_of(service_bundle))
        wanted = loaded(service_bundle).compatible_environments or [(name, 1) for name in envs]
        path = next(
            (
                envs[name]
                for name, _ in wanted
                if name in envs and loaded(envs[name]).provisioning == "cloudformation"
            ),
            None,
        )
        outputs = dict(env_outputs_for(service_bundle))
        if path is not None:
            if path not in self._env_outputs:
                spec = find_specs(path, EnvironmentSpec)[0]
                result = self.deploy(render_case(Case(path, spec, "environment")).text)
                assert result.ok, result.message
                self._env_outputs[path] = {o["key"]: o["valueString"] for o in result.outputs}
            outputs.update(self._env_outputs[path])
        return outputs


@pytest.fixture(scope="class")
def cloud() -> Iterator[LocalCloud]:
    """One local cloud for the class's cases (its mock ends before the end-to-end test, which needs
    the server's own)."""
    patch_moto_change_set_outputs()
    with mock_aws():
        yield LocalCloud()


def _render(case: Case, cloud: LocalCloud) -> str:
    if _kind(case) != "instance":
        return render_case(case).text
    from proton_exodus.proton.render import render_service_instance

    bundle, spec = loaded(case.bundle), parse_spec(case.spec.read_text())
    inst = spec.instance(case.target.split(":", 1)[1])
    env = EnvironmentContext(inst.environment or "env", ACCOUNT, cloud.environment_outputs(case.bundle))
    return render_service_instance(
        bundle,
        service=service_context(bundle),
        instance_name=inst.name,
        inputs=inst.spec,
        path=f"instances[{spec.instance_index(inst.name)}].spec",
        environment=env,
        components={},
    ).text


def _component_text(path: Path) -> tuple[str, str]:
    manifest = (path / "manifest.yaml").read_text()
    return (path / yaml.safe_load(manifest)["infrastructure"]["templates"][0]["file"]).read_text(), manifest


class TestCorpusDeploys:
    """Each CloudFormation case of the corpus, rendered and created through a change set."""

    @pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c.id)) for c in CASES])
    def test_template_deploys(self, case: Case, cloud: LocalCloud) -> None:
        result = cloud.deploy(_render(case, cloud))
        assert result.ok, result.message
        status = cloud.cfn.describe_stacks(StackName=result.stack_id)["Stacks"][0]["StackStatus"]
        assert status == "CREATE_COMPLETE"

    @pytest.mark.parametrize("path", COMPONENTS, ids=lambda p: p.relative_to(CORPUS).as_posix())
    def test_component_deploys(self, path: Path, cloud: LocalCloud) -> None:
        template, manifest = _component_text(path)
        rendered = render_component(
            template,
            manifest,
            name="bucket",
            environment=EnvironmentContext("env", ACCOUNT, {}),
            metadata=ResourceMetadata(COMPONENT_ARN),
        )
        result = cloud.deploy(rendered.text)
        assert result.ok, result.message


def test_kinds_are_all_covered() -> None:
    kinds = {_kind(c) for c in CASES}
    assert kinds == {"environment", "instance", "pipeline"} and COMPONENTS
    assert len(CASES) >= 48


# ---- end to end through the local Proton API ----
FAST = {"Delay": 0.1, "MaxAttempts": 600}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/proton-service"
CONNECTION = f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/corpus"
BUCKET = "corpus-bundles"


def _upload(s3: Any, bundle: Path) -> dict[str, Any]:
    from tests.engine.bundles import tar_bundle

    files = {
        p.relative_to(bundle).as_posix(): p.read_text() for p in sorted(bundle.rglob("*")) if p.is_file()
    }
    key = re.sub(r"[^a-z0-9]+", "-", bundle.relative_to(CORPUS).as_posix().lower()) + ".tar.gz"
    s3.put_object(Bucket=BUCKET, Key=key, Body=tar_bundle(files))
    return {"s3": {"bucket": BUCKET, "key": key}}


def _register(proton: Any, s3: Any, kind: str, name: str, bundle: Path, **extra: Any) -> None:
    getattr(proton, f"create_{kind}_template")(name=name)
    getattr(proton, f"create_{kind}_template_version")(templateName=name, source=_upload(s3, bundle), **extra)
    proton.get_waiter(f"{kind}_template_version_registered").wait(
        templateName=name, majorVersion="1", minorVersion="0", WaiterConfig=FAST
    )
    getattr(proton, f"update_{kind}_template_version")(
        templateName=name, majorVersion="1", minorVersion="0", status="PUBLISHED"
    )


def _wait(proton: Any, waiter: str, **names: str) -> None:
    """Wait; on failure, show Proton's status messages of everything deployed (why it failed)."""
    from botocore.exceptions import WaiterError

    try:
        proton.get_waiter(waiter).wait(**names, WaiterConfig=FAST)
    except WaiterError:
        messages = [
            d.get("deploymentStatusMessage") or d.get("statusMessage")
            for d in proton.list_deployments()["deployments"]
            if d.get("deploymentStatus") == "FAILED"
        ]
        messages += [
            proton.get_deployment(id=d["id"])["deployment"].get("deploymentStatusMessage")
            for d in proton.list_deployments()["deployments"]
        ]
        pytest.fail(f"{waiter} {names}: {messages}")


def test_corpus_estate_deploys_through_local_proton(tmp_path: Path) -> None:
    """fargate-env, load-balanced-fargate-svc (instance + pipeline) and the s3-bucket component, created
    with boto3 against a LocalProtonServer: every deployment SUCCEEDED and every stack CREATE_COMPLETE
    (or UPDATE_COMPLETE once the component's outputs reach the instance)."""
    from proton_exodus.engine.server import LocalProtonServer
    from tests.engine.server.conftest import make_client

    env_dir = SAMPLES / "environment-templates/fargate-env"
    svc_dir = SAMPLES / "service-templates/load-balanced-fargate-svc"
    with LocalProtonServer(port=0, state_path=tmp_path / "state", backend_options={"cfn_poll": 0.05}) as srv:
        proton, s3, cfn = (make_client(srv.url, name) for name in ("proton", "s3", "cloudformation"))
        s3.create_bucket(Bucket=BUCKET)
        proton.update_account_settings(pipelineServiceRoleArn=ROLE)
        _register(proton, s3, "environment", "fargate-env", env_dir / "v1")
        _register(
            proton,
            s3,
            "service",
            "load-balanced-fargate-svc",
            svc_dir / "v1",
            compatibleEnvironmentTemplates=[{"templateName": "fargate-env", "majorVersion": "1"}],
            supportedComponentSources=["DIRECTLY_DEFINED"],
        )
        proton.create_environment(
            name="fargate-env-prod",
            templateName="fargate-env",
            templateMajorVersion="1",
            spec=(env_dir / "spec/spec.yaml").read_text(),
            protonServiceRoleArn=ROLE,
            componentRoleArn=ROLE,
        )
        _wait(proton, "environment_deployed", name="fargate-env-prod")
        proton.create_service(
            name="web",
            templateName="load-balanced-fargate-svc",
            templateMajorVersion="1",
            spec=(svc_dir / "spec/spec.yaml").read_text(),
            repositoryConnectionArn=CONNECTION,
            repositoryId="org/web",
            branchName="main",
        )
        _wait(proton, "service_created", name="web")
        template, manifest = _component_text(SAMPLES / "component-templates/s3-bucket-component")
        proton.create_component(
            name="bucket",
            serviceName="web",
            serviceInstanceName="load-balanced-fargate-svc-prod",
            templateFile=template,
            manifest=manifest,
        )
        _wait(proton, "component_deployed", name="bucket")
        _wait(proton, "service_instance_deployed", name="load-balanced-fargate-svc-prod", serviceName="web")
        assert proton.get_service(name="web")["service"]["pipeline"]["deploymentStatus"] == "SUCCEEDED"
        stacks = [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"].startswith("AWSProton-")]
        assert len(stacks) == 4
        assert {s["StackStatus"] for s in stacks} <= {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
