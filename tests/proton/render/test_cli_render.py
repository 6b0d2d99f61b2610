"""`exodus local render` end to end through the CLI error edge: stdout, stderr, exit codes, atomic --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proton_exodus.cli import main
from tests.proton.render.corpus_cases import CORPUS
from tests.proton.render.helpers import ENV_SCHEMA, env_bundle, svc_bundle
from tests.support.bundles import TF_MANIFEST, build_file_tree

LBF = (
    CORPUS
    / "aws-samples__aws-proton-cloudformation-sample-templates/service-templates/load-balanced-fargate-svc"
)
OUTPUTS = {
    "environment": {
        k: f"subnet-{i}"
        for i, k in enumerate(["PublicSubnet1", "PublicSubnet2", "PrivateSubnet1", "PrivateSubnet2"])
    }
    | {
        "VPC": "vpc-1",
        "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:t",
        "SNSRegion": "us-east-1",
        "ServiceTaskDefExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
        "Cluster": "c",
        "CloudMapNamespaceId": "ns-1",
    },
    "service": {
        "branch_name": "main",
        "repository_id": "o/r",
        "repository_connection_arn": "arn:aws:codestar-connections:us-east-1:123456789012:connection/x",
    },
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["local", "render", *map(str, args)])
    out, err = capsys.readouterr()
    return int(exit_.value.code), out, err


@pytest.fixture
def outputs_file(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(OUTPUTS))
    return path


def test_instance_to_stdout(capsys, outputs_file: Path) -> None:
    code, out, err = run(
        capsys,
        "--bundle",
        LBF / "v1",
        "--spec",
        LBF / "spec/spec.yaml",
        "--instance",
        "load-balanced-fargate-svc-prod",
        "--outputs",
        outputs_file,
        "--account-id",
        "123456789012",
    )
    assert (code, err) == (0, "")
    assert "Family: 'load-balanced-fargate-svc_load-balanced-fargate-svc-prod'" in out


def test_pipeline_to_file(capsys, tmp_path: Path, outputs_file: Path) -> None:
    target = tmp_path / "out" / "pipeline.yaml"
    code, out, _ = run(
        capsys,
        "--bundle",
        LBF / "v1",
        "--spec",
        LBF / "spec/spec.yaml",
        "--pipeline",
        "--outputs",
        outputs_file,
        "--account-id",
        "123456789012",
        "--out",
        target,
    )
    assert (code, out) == (0, "")
    assert "arn:aws:iam::123456789012:root" in target.read_text()


def test_undefined_name_is_one_line_exit_2_nothing_written(capsys, tmp_path: Path) -> None:
    target = tmp_path / "never.yaml"
    code, out, err = run(
        capsys,
        "--bundle",
        LBF / "v1",
        "--spec",
        LBF / "spec/spec.yaml",
        "--instance",
        "load-balanced-fargate-svc-prod",
        "--out",
        target,
    )
    assert (code, out) == (2, "")
    assert err == (
        "Error: instance_infrastructure/cloudformation.yaml line 37: "
        "'environment.outputs.PublicSubnet1' is undefined\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("files", "spec", "extra", "message"),
    [
        (
            svc_bundle(),
            "proton: ServiceSpec\ninstances:\n  - name: a\n    spec: {desired_count: 60}\n",
            ["--instance", "a"],
            "Error: instances[0].spec.desired_count: 60 is greater than the maximum of 50; "
            "instances[0].spec.image: is required but missing\n"
            "Hint: the inputs must satisfy SvcInput in schema/schema.yaml\n",
        ),
        (svc_bundle(), "proton: ServiceSpec\ninstances: [\n", ["--instance", "a"], "not valid YAML"),
        (
            svc_bundle(),
            "proton: ServiceSpec\ninstances: []\n",
            ["--instance", "a"],
            "Error: the spec has no instance named 'a' (instances: none)\n",
        ),
        (
            svc_bundle(),
            "proton: ServiceSpec\n",
            [],
            "Error: {spec}: a ServiceSpec needs --instance NAME or --pipeline\n",
        ),
        (
            env_bundle(template="Resources:\n  X: {{ environment.inputs.nope }}\n"),
            "proton: EnvironmentSpec\n",
            [],
            "Error: infrastructure/cloudformation.yaml line 2: 'environment.inputs.nope' is undefined\n",
        ),
        (
            {"schema/schema.yaml": ENV_SCHEMA.replace("          default: 10.0.0.0/16\n", "")},
            "proton: EnvironmentSpec\n",
            [],
            "Error: nothing to render: this customer-managed environment bundle holds only "
            "schema/schema.yaml",
        ),
        (
            {"infrastructure/manifest.yaml": "x: 1"},
            "proton: EnvironmentSpec\n",
            [],
            "Error: bundle has no schema/schema.yaml",
        ),
        (
            env_bundle(),
            "proton: EnvironmentSpec\n",
            ["--pipeline", "--instance", "a"],
            "Error: choose one target",
        ),
        (env_bundle(), "proton: Nope\n", [], "`proton:` must be EnvironmentSpec or ServiceSpec, not 'Nope'"),
    ],
)
def test_bad_input_exit_2(
    capsys, tmp_path: Path, files: dict, spec: str, extra: list[str], message: str
) -> None:
    bundle = build_file_tree(tmp_path / "bundle", files)
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(spec)
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "--bundle", bundle, "--spec", spec_file, *extra, "--out", out_dir)
    assert (code, out) == (2, "")
    assert message.format(spec=spec_file) in err and err.count("\n") <= 2
    assert not out_dir.exists()


def test_terraform_needs_out_and_writes_a_working_dir(capsys, tmp_path: Path) -> None:
    bundle = build_file_tree(
        tmp_path / "bundle",
        {
            "schema/schema.yaml": ENV_SCHEMA,
            "infrastructure/manifest.yaml": TF_MANIFEST,
            "infrastructure/main.tf": "# tf\n",
        },
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text("proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n")
    code, out, err = run(capsys, "--bundle", bundle, "--spec", spec)
    assert (code, out) == (2, "")
    assert err == "Error: a terraform render is a working directory, not one template: pass --out DIR\n"
    code, out, err = run(
        capsys,
        "--region",
        "eu-west-1",
        "--bundle",
        bundle,
        "--spec",
        spec,
        "--account-id",
        "123456789012",
        "--name",
        "my-env",
        "--out",
        tmp_path / "wd",
    )
    assert (code, out, err) == (0, "", "")
    tfvars = json.loads((tmp_path / "wd" / "proton.auto.tfvars.json").read_text())
    assert tfvars == {
        "environment": {"name": "my-env", "inputs": {"vpc_cidr": "10.1.0.0/16"}},
        "//": "arn:aws:proton:eu-west-1:123456789012:environment/my-env",
    }
    assert (tmp_path / "wd" / "main.tf").read_text().startswith("/*\nThis file is managed by AWS Proton.")


def test_component_from_files(capsys, tmp_path: Path) -> None:
    comp = (
        CORPUS
        / "aws-samples__aws-proton-cloudformation-sample-templates/component-templates/s3-bucket-component"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec: {image: x}\n"
    )
    bundle = build_file_tree(tmp_path / "bundle", svc_bundle())
    code, out, err = run(
        capsys,
        "--bundle",
        bundle,
        "--spec",
        spec,
        "--component",
        "bucket",
        "--instance",
        "a",
        "--template-file",
        comp / "cloudformation.yaml",
        "--manifest",
        comp / "manifest.yaml",
    )
    assert (code, err) == (0, "")
    assert "AWS::S3::Bucket" in out


REPO_PIPE = """Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Name: '{{ service.repository_id | replace("/", "-") }}-{{ service.branch_name }}'
      RoleArn: '{{ service.repository_connection_arn }}'
"""
ARN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/x"


def _pipeline(tmp_path: Path, pipeline: str = REPO_PIPE) -> list[str]:
    bundle = build_file_tree(tmp_path / "bundle", svc_bundle(pipeline=pipeline))
    spec = tmp_path / "spec.yaml"
    spec.write_text("proton: ServiceSpec\npipeline: {}\ninstances:\n  - name: a\n    spec: {image: x}\n")
    return ["--bundle", str(bundle), "--spec", str(spec), "--pipeline", "--name", "svc"]


def test_pipeline_repository_values_from_options(capsys, tmp_path: Path) -> None:
    code, out, err = run(
        capsys,
        *_pipeline(tmp_path),
        "--repository-id",
        "org/app",
        "--branch-name",
        "main",
        "--repository-connection-arn",
        ARN,
    )
    assert (code, err) == (0, "")
    assert "Name: 'org-app-main'" in out and f"RoleArn: '{ARN}'" in out


def test_missing_repository_value_names_the_option(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, *_pipeline(tmp_path), "--repository-id", "org/app", "--branch-name", "main")
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == (
        "Error: pipeline_infrastructure/cloudformation.yaml line 6: "
        "service.repository_connection_arn is undefined: pass "
        "--repository-connection-arn (Proton took it from CreateService)"
    )


def test_is_defined_renders_without_repository_values(capsys, tmp_path: Path) -> None:
    pipeline = (
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: "
        "'{% if service.repository_id is defined %}repo{% else %}no-repo{% endif %}'\n"
    )
    code, out, err = run(capsys, *_pipeline(tmp_path, pipeline))
    assert (code, err) == (0, "") and "TopicName: 'no-repo'" in out


def test_repository_values_from_a_snapshot_service_record(capsys, tmp_path: Path) -> None:
    snap = build_file_tree(
        tmp_path / "snap",
        {
            "snapshot.json": json.dumps({"format": "proton-exodus-snapshot", "formatVersion": 1}),
            "services.json": json.dumps(
                [
                    {
                        "name": "svc",
                        "repositoryId": "org/app",
                        "branchName": "release",
                        "repositoryConnectionArn": ARN,
                    }
                ]
            ),
        },
    )
    code, out, err = run(capsys, *_pipeline(tmp_path), "--snapshot", snap, "--branch-name", "main")
    assert (code, err) == (0, "")
    assert "Name: 'org-app-main'" in out and f"RoleArn: '{ARN}'" in out  # an option wins over the record
    code, out, err = run(capsys, *_pipeline(tmp_path), "--snapshot", snap, "--service", "other")
    assert code == 2 and "services.json has no service named 'other' (services: svc)" in err


def test_bundle_warnings_go_to_stderr(capsys, tmp_path: Path) -> None:
    import os

    args = _pipeline(tmp_path, "Resources:\n  T:\n    Type: AWS::SNS::Topic\n")
    os.symlink("/etc/passwd", tmp_path / "bundle" / "pipeline_infrastructure" / "Makefile")
    code, out, err = run(capsys, *args)
    assert code == 0 and "AWS::SNS::Topic" in out
    assert err == (
        "Warning: pipeline_infrastructure/Makefile is a symbolic link that points to /etc/passwd, "
        "an absolute path: not followed (exodus reads nothing outside the bundle)\n"
    )
