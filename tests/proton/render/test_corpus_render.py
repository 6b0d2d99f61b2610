"""Data-driven: render every bundle of the shared corpus with its sample specs, as Proton did."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
import yaml

from proton_exodus.errors import BadInput, RenderError
from proton_exodus.proton.render.cloudformation import check_cloudformation
from tests.proton.render.corpus_cases import (
    CORPUS,
    build_cases,
    discover_bundles,
    discover_components,
    loaded,
    render_case,
)

CASES = build_cases()
GOOD = [c for c in CASES if not c.bundle.name.startswith("invalid_")]
# AWS's template checker names its must-fail samples `invalid_*` (corpus INDEX "Render ground truth").
INVALID = [c for c in CASES if c.bundle.name.startswith("invalid_")]
CFN = [
    c
    for c in GOOD
    if loaded(c.bundle)
    .manifests[
        "infrastructure"
        if c.target == "environment"
        else "pipeline_infrastructure"
        if c.target == "pipeline"
        else "instance_infrastructure"
    ]
    .language
    == "cloudformation"
]

# cfn-lint errors the samples themselves cause (not the renderer): the bundle path -> rule ids.
KNOWN_SAMPLE_ERRORS = {
    # Lambda runtimes the 2022/23 samples default to have since been retired (python3.6, nodejs12.x, ruby2.7).
    "aws-samples__aws-proton-cloudformation-sample-templates/environment-templates/ecs-ec2-env/v1": {"E2533"},
    "aws-samples__aws-proton-cloudformation-sample-templates/service-templates/apigw-lambda-svc/v1": {
        "E2533"
    },
    "aws-samples__aws-proton-cloudformation-sample-templates/service-templates/scheduled-lambda-svc/v1": {
        "E2533"
    },
    "aws-samples__aws-proton-cloudformation-sample-templates/service-templates/worker-lambda-svc/v1": {
        "E2533"
    },
    "aws-samples__aws-proton-template-checker-action/test/sample_templates/valid_svc_pipeline_template": {
        "E2531"
    },
    # ECS on EC2 with dynamic host port 0 behind a target group without HealthCheckPort traffic-port.
    (
        "aws-samples__aws-proton-cloudformation-sample-templates/"
        "service-templates/load-balanced-ecs-ec2-svc/v1"
    ): {"E3049"},
}


@cache
def lint(text: str) -> tuple[tuple[str, int, str], ...]:
    """cfn-lint once per distinct rendered text (several cases render identically)."""
    import cfnlint.api

    return tuple((m.rule.id, m.linenumber, m.message) for m in cfnlint.api.lint(text, regions=["us-east-1"]))


def test_discovery_finds_every_kind_of_bundle() -> None:
    bundles = discover_bundles()
    kinds = {(loaded(b).template_type, loaded(b).provisioning) for b in bundles}
    assert len(bundles) >= 50
    assert {
        ("environment", "cloudformation"),
        ("service", "cloudformation"),
        ("environment", "terraform"),
        ("service", "terraform"),
        ("environment", "codebuild"),
        ("service", "codebuild"),
    } <= kinds
    assert {c.bundle for c in CASES} == set(bundles), "every bundle needs a spec (tests/proton/render/specs/)"
    assert len(discover_components()) == 2


@pytest.mark.parametrize("case", GOOD, ids=lambda c: c.id)
def test_corpus_bundle_renders(case) -> None:
    rendered = render_case(case)
    assert rendered.files
    if rendered.language == "cloudformation":
        assert check_cloudformation(rendered.text, source=case.id)["Resources"]
    elif rendered.language == "terraform":
        assert any(name.startswith("proton.") and name.endswith(".variables.tf") for name in rendered.files)
        assert "proton.auto.tfvars.json" in rendered.files
    else:
        assert "proton-inputs.json" in rendered.files and "manifest.yaml" in rendered.files


@pytest.mark.parametrize("case", CFN, ids=lambda c: c.id)
def test_rendered_cloudformation_passes_cfn_lint(case) -> None:
    text = render_case(case).text
    known = KNOWN_SAMPLE_ERRORS.get(case.bundle.relative_to(CORPUS).as_posix(), set())
    errors = [m for m in lint(text) if m[0].startswith("E") and m[0] not in known]
    assert not errors, f"{case.id} (sha {hashlib.sha256(text.encode()).hexdigest()[:8]}): {errors}"


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c.id)
def test_template_checker_invalid_samples_fail(case) -> None:
    with pytest.raises(RenderError) as err:
        render_case(case)
    assert "cloudformation.yaml line " in err.value.message


def test_template_checker_bundle_without_schema_fails() -> None:
    from proton_exodus.proton.bundle import load_bundle

    bad = (
        CORPUS
        / "aws-samples__aws-proton-template-checker-action/test/sample_templates/invalid_template_bundle"
    )
    with pytest.raises(BadInput, match="no schema/schema.yaml"):
        load_bundle(bad)


@pytest.mark.parametrize("component", discover_components(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_components_render(component) -> None:
    from proton_exodus.proton.render import EnvironmentContext, ResourceMetadata, render_component

    manifest = (component / "manifest.yaml").read_text()
    file = yaml.safe_load(manifest)["infrastructure"]["templates"][0]["file"]
    meta = ResourceMetadata("arn:aws:proton:us-east-1:123456789012:component/bucket")
    rendered = render_component(
        (component / file).read_text(),
        manifest,
        name="bucket",
        environment=EnvironmentContext("env", "123456789012", {}),
        metadata=meta,
    )
    if rendered.language == "cloudformation":
        assert not [m for m in lint(rendered.text) if m[0].startswith("E")]
    else:
        assert rendered.files[file].startswith("/*\nThis file is managed by AWS Proton.")
        assert "proton.component.variables.tf" in rendered.files
