"""Every corpus case renders through the CLI (`exodus local render`), not only through the library.

Environments, every instance of every sample spec, every pipeline (with the repository values Proton took
from CreateService passed as options) and the directly defined components; CloudFormation, Terraform and
CodeBuild. A CloudFormation render must equal the library's render of the same case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from proton_exodus.cli import main
from proton_exodus.proton.spec import ServiceSpec, parse_spec
from tests.proton.render.corpus_cases import (
    ACCOUNT,
    CORPUS,
    Case,
    build_cases,
    discover_components,
    env_outputs_for,
    instance_outputs,
    loaded,
    render_case,
    service_context,
)

CASES = build_cases()
REPO_OPTIONS = [
    "--repository-id",
    "my-org/my-repo",
    "--branch-name",
    "main",
    "--repository-connection-arn",
    f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/placeholder",
]


def run(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--region", "us-east-1", "local", "render", "--account-id", ACCOUNT, *map(str, args)])
    out, err = capsys.readouterr()
    return int(exit_.value.code), out, err


def outputs_json(case: Case) -> dict:
    """What Proton knew at render time, in `--outputs` form: the same placeholders the library tests use."""
    if case.target == "environment":
        return {}
    env = env_outputs_for(case.bundle)
    spec = parse_spec(case.spec.read_text(), source=str(case.spec))
    assert isinstance(spec, ServiceSpec)
    doc = {
        "environment": env,
        "environments": {i.environment or "env": env for i in spec.instances},
        "components": {},
    }
    if case.target == "pipeline":
        doc["service_instances"] = instance_outputs(loaded(case.bundle), case.bundle, spec)
    return doc


def case_args(case: Case, tmp_path: Path) -> list[str]:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(outputs_json(case)))
    args = ["--bundle", case.bundle, "--spec", case.spec, "--outputs", outputs]
    if case.target == "environment":
        return [*args, "--name", "my-env"]
    args += ["--name", service_context(loaded(case.bundle)).name]
    if case.target == "pipeline":
        return [*args, "--pipeline", *REPO_OPTIONS]
    return [*args, "--instance", case.target.split(":", 1)[1]]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_corpus_case_renders_through_the_cli(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = case_args(case, tmp_path)
    if case.bundle.name.startswith("invalid_"):  # AWS's template-checker must-fail samples
        code, out, err = run(capsys, args)
        assert (code, out) == (2, "") and err.startswith("Error: ") and "Traceback" not in err
        return
    library = render_case(case)
    if library.language == "cloudformation":
        code, out, err = run(capsys, args)
        assert (code, err) == (0, ""), err
        assert out == library.text + ("" if library.text.endswith("\n") else "\n")  # echo ends the line
        return
    code, out, err = run(capsys, [*args, "--out", tmp_path / "wd"])
    assert (code, out, err) == (0, "", ""), err
    written = {p.relative_to(tmp_path / "wd").as_posix() for p in (tmp_path / "wd").rglob("*") if p.is_file()}
    # With --account-id and --region the CLI knows the resource ARN, so Terraform gets its metadata file.
    assert written - {".proton/deployment-metadata.json"} == set(library.files)


@pytest.mark.parametrize("component", discover_components(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_component_renders_through_the_cli(
    component: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = component / "manifest.yaml"
    file = yaml.safe_load(manifest.read_text())["infrastructure"]["templates"][0]["file"]
    spec = tmp_path / "spec.yaml"
    spec.write_text("proton: EnvironmentSpec\n")
    code, out, err = run(
        capsys,
        [
            "--bundle",
            component,
            "--spec",
            spec,
            "--component",
            "bucket",
            "--template-file",
            component / file,
            "--manifest",
            manifest,
            "--out",
            tmp_path / "out",
        ],
    )
    assert (code, out, err) == (0, "", ""), err
    assert (tmp_path / "out").exists()
