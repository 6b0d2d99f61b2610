"""Renders compared with ground truth: AWS's template-checker expected outputs and Proton's own Terraform
PRs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    ResourceMetadata,
    ServiceContext,
    render_environment,
    render_pipeline,
    render_service_instance,
)
from proton_exodus.proton.render.cloudformation import check_cloudformation
from proton_exodus.proton.spec import parse_spec
from tests.proton.render.corpus_cases import CORPUS

CHECKER = CORPUS / "aws-samples__aws-proton-template-checker-action" / "test" / "sample_templates"
EXPECTED = sorted(CHECKER.glob("*/expected_*rendered_output.yaml"))
# The render context AWS's checker uses for names Proton would know (its README / expected outputs).
CHECKER_SERVICE = ServiceContext("sample-service", "main", "github/sample-repo", "arn:connection:dummy")
CHECKER_ACCOUNT, CHECKER_ENV = "11111111", "sample-env"


def _checker_render(expected: Path):
    bundle_dir = expected.parent
    bundle = load_bundle(bundle_dir)
    spec = parse_spec((bundle_dir / "spec" / "spec.yaml").read_text())
    outputs_file = bundle_dir / "spec" / "sample-outputs.yaml"
    outputs = yaml.safe_load(outputs_file.read_text()) if outputs_file.is_file() else {}
    if bundle.template_type == "environment":
        return render_environment(bundle, name=CHECKER_ENV, inputs=spec.spec)
    env = EnvironmentContext(CHECKER_ENV, CHECKER_ACCOUNT, outputs.get("environment") or {})
    if "pipeline" in expected.name:
        instances = [
            InstanceContext(i.name, i.spec, outputs.get("service") or {}, env) for i in spec.instances
        ]
        return render_pipeline(
            bundle, service=CHECKER_SERVICE, pipeline_inputs=spec.pipeline, instances=instances
        )
    inst = spec.instances[0]
    return render_service_instance(
        bundle, service=CHECKER_SERVICE, instance_name=inst.name, inputs=inst.spec, environment=env
    )


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_template_checker_expected_render(expected: Path) -> None:
    rendered = _checker_render(expected)
    want = check_cloudformation(expected.read_text(), source=expected.name)
    assert check_cloudformation(rendered.text, source="rendered") == want


def test_template_checker_expected_renders_found() -> None:
    assert len(EXPECTED) == 3


# --- Terraform: Proton's own PR output (racicot-amzn, aws-samples TF-GHA) --------------------------------

GENERATED = sorted(p.parent.parent for p in CORPUS.glob("*/**/.proton/deployment-metadata.json"))
TF_SAMPLES = CORPUS / "aws-samples__aws-proton-terraform-sample-templates"


def _source_bundle(template_arn: str, major: str) -> Path:
    name = template_arn.rsplit("/", 1)[-1]
    found = sorted(TF_SAMPLES.glob(f"**/{name}/v{major}/schema/schema.yaml"))
    assert found, f"no source bundle for {name} v{major}"
    return found[0].parent.parent


def _render_generated(out_dir: Path):
    meta_doc = json.loads((out_dir / ".proton" / "deployment-metadata.json").read_text())
    res = meta_doc["resourceMetadata"]
    meta = ResourceMetadata(
        res["arn"],
        res.get("templateArn"),
        res.get("templateMajorVersion"),
        res.get("templateMinorVersion"),
        meta_doc.get("deploymentId"),
        res.get("environmentArn"),
        meta_doc["isResourceDeleted"],
    )
    bundle = load_bundle(_source_bundle(res["templateArn"], res["templateMajorVersion"]))
    tfvars = json.loads((out_dir / "proton.auto.tfvars.json").read_text())
    svc = tfvars.get("service", {})
    service = ServiceContext(
        svc.get("name", ""),
        svc.get("branch_name"),
        svc.get("repository_id"),
        svc.get("repository_connection_arn"),
    )

    def env(doc: dict) -> EnvironmentContext:
        return EnvironmentContext(doc["name"], doc["account_id"], doc["outputs"])

    if "pipeline" in tfvars:
        instances = [
            InstanceContext(i["name"], i["inputs"], i["outputs"], env(i["environment"]))
            for i in tfvars["service_instances"]
        ]
        return render_pipeline(
            bundle,
            service=service,
            pipeline_inputs=tfvars["pipeline"]["inputs"],
            instances=instances,
            metadata=meta,
        ), tfvars
    if "service_instance" in tfvars:
        inst = tfvars["service_instance"]
        return render_service_instance(
            bundle,
            service=service,
            instance_name=inst["name"],
            inputs=inst["inputs"],
            environment=env(tfvars["environment"]),
            metadata=meta,
            components=inst.get("components"),
        ), tfvars
    return render_environment(
        bundle, name=tfvars["environment"]["name"], inputs=tfvars["environment"]["inputs"], metadata=meta
    ), tfvars


@pytest.mark.parametrize("out_dir", GENERATED, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_terraform_render_matches_proton_pr(out_dir: Path) -> None:
    rendered, _ = _render_generated(out_dir)
    files = rendered.files
    generated = {
        p.relative_to(out_dir).as_posix()
        for p in out_dir.rglob("*")
        if p.is_file() and p.parent == out_dir or p.parent.name == ".proton"
    }
    generated = {g for g in generated if "/" not in g or g.startswith(".proton/")}
    assert set(files) == generated
    for name in ("proton.auto.tfvars.json", ".proton/deployment-metadata.json"):
        assert json.loads(files[name]) == json.loads((out_dir / name).read_text()), name
    variables = next(n for n in files if n.endswith(".variables.tf"))
    assert files[variables].rstrip() == (out_dir / variables).read_text().rstrip()
    header = (out_dir / variables).read_text().split("*/\n\n", 1)[0]
    for name in files:
        if name.endswith(".tf"):
            assert files[name].startswith(header + "*/\n\n"), name


def test_tfvars_layout_is_jacksons() -> None:
    """Proton's tfvars are written by Jackson: `"k" : v`, `[ {`, `{ }` (byte-compare the newest sample)."""
    out_dir = (
        CORPUS
        / "racicot-amzn__aws-proton-terraform-github-actions-sample"
        / "backend-ecs-ec2-svc"
        / "pipeline"
    )
    rendered, _ = _render_generated(out_dir)
    text = rendered.files["proton.auto.tfvars.json"]
    assert '"service_instances" : [ {' in text and '"outputs" : { },' in text
    assert text == (out_dir / "proton.auto.tfvars.json").read_text()
