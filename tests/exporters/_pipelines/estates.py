"""Estates and validators shared by the pipeline exporter tests: synthetic estates, corpus-derived
stacks (every corpus CloudFormation service bundle with a pipeline, rendered by the render library),
actionlint over a workflow tree, the saved workflow schema, cfn-lint, and golden trees."""

from __future__ import annotations

import difflib
import functools
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import jsonschema
import networkx as nx
import yaml

from exporters import ExportContext
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from tests.conftest import CORPUS, REPO, SCHEMAS

CFN_CORPUS = CORPUS / "aws-samples__aws-proton-cloudformation-sample-templates"
ACTIONLINT = Path(sys.executable).parent / "actionlint"
GOLDENS = REPO / "tests" / "goldens"
ACCOUNT, REGION = "111111111111", "us-east-1"

_ENV_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
Outputs:
  ClusterName:
    Value: !Ref Cluster
"""


def synthetic_context(size: SyntheticSize | None = None, **options: str) -> ExportContext:
    snap = build_synthetic_snapshot(
        size or SyntheticSize(environments=3, services=2, instances_per_service=2)
    )
    return ExportContext(
        snapshot=snap, graph=nx.MultiDiGraph(), options=options, units=tuple(build_units(snap))
    )


def corpus_pipeline_bundles() -> list[Path]:
    """Every corpus CloudFormation service bundle (`.../v1`) with a pipeline_infrastructure folder."""
    return sorted(p.parent.parent for p in CFN_CORPUS.rglob("pipeline_infrastructure/manifest.yaml"))


def _unit(
    kind: str, name: str, env: str | None, service: str | None, template: str, depends: tuple[str, ...] = ()
) -> DeploymentUnit:
    arn = f"arn:aws:proton:{REGION}:{ACCOUNT}:" + (
        f"environment/{name}"
        if kind == "environment"
        else f"service/{service}/service-instance/{name}"
        if kind == "service_instance"
        else f"service/{service}/pipeline"
    )
    stack = f"AWSProton-{(service or '')[:12]}-{name}-cloudformation-CORPUS"[:100]
    return DeploymentUnit(
        kind=kind,
        name=name,
        arn=arn,
        account=ACCOUNT,
        region=REGION,
        environment=env,
        service=service,
        template_name="t",
        template_major="1",
        template_minor="0",
        provisioning="cloudformation",
        inputs={},
        stack_name=stack,
        deployed_template=template,
        tags={"proton:account": ACCOUNT},
        depends_on=depends,
        stack_status="UPDATE_COMPLETE",
    )


def _instance_outputs(bundle_dir: Path) -> dict[str, str]:
    """Outputs an instance of the bundle would have: inputs echoed as outputs take the schema default
    (e.g. LambdaRuntime, which lambda pipelines index with), the rest a placeholder."""
    schema = yaml.safe_load((bundle_dir / "schema" / "schema.yaml").read_text())["schema"]
    props = schema["types"][schema["service_input_type"]].get("properties", {})
    text = (bundle_dir / "instance_infrastructure" / "cloudformation.yaml").read_text()
    body = text.split("\nOutputs:", 1)[1] if "\nOutputs:" in text else ""
    outputs = {}
    for name, block in re.findall(r"^  (\w+):\n((?:    .*\n?)+)", body, re.M):
        echo = re.search(r"service_instance\.inputs\.(\w+)", block)
        outputs[name] = (
            str(props.get(echo.group(1), {}).get("default", "placeholder")) if echo else "placeholder"
        )
    return outputs


def _required_inputs(bundle_dir: Path) -> dict[str, object]:
    """Values for the instance inputs the schema requires without a default (the spec would give them)."""
    schema = yaml.safe_load((bundle_dir / "schema" / "schema.yaml").read_text())["schema"]
    kind = schema["types"][schema["service_input_type"]]
    props = kind.get("properties", {})
    return {
        k: (props[k].get("minimum", 1) if props[k].get("type") == "number" else "placeholder")
        for k in kind.get("required", [])
        if "default" not in props.get(k, {})
    }


@functools.cache
def corpus_context(bundle_dir: Path) -> ExportContext:
    """Two environments (prod-like `prod`, and `dev`), one instance in each, and the service's pipeline
    rendered from the corpus bundle with those instances (spec pipeline inputs, schema defaults)."""
    from proton_exodus.proton.bundle import load_bundle
    from proton_exodus.proton.render import (
        EnvironmentContext,
        InstanceContext,
        ServiceContext,
        render_pipeline,
    )

    service = bundle_dir.parent.name
    spec_file = bundle_dir.parent / "spec" / "spec.yaml"
    spec = yaml.safe_load(spec_file.read_text()) if spec_file.is_file() else {}
    envs = [_unit("environment", name, name, None, _ENV_TEMPLATE) for name in ("dev", "prod")]
    instances = [
        _unit("service_instance", f"{service[:20]}-{e.name}", e.name, service, _ENV_TEMPLATE, (e.arn,))
        for e in envs
    ]
    outputs = _instance_outputs(bundle_dir)
    ctx_instances = [
        InstanceContext(
            name=i.name,
            inputs=_required_inputs(bundle_dir),
            outputs=outputs,
            environment=EnvironmentContext(name=str(i.environment), account_id=ACCOUNT, outputs={}),
        )
        for i in instances
    ]
    rendered = render_pipeline(
        load_bundle(bundle_dir),
        service=ServiceContext(
            name=service,
            branch_name="main",
            repository_id=f"my-org/{service}",
            repository_connection_arn=f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/corpus",
        ),
        pipeline_inputs=(spec or {}).get("pipeline"),
        instances=ctx_instances,
    )
    pipeline = _unit(
        "service_pipeline", "pipeline", None, service, str(rendered.text), tuple(i.arn for i in instances)
    )
    snap = Snapshot(
        records={
            "services": [
                {
                    "name": service,
                    "branchName": "main",
                    "repositoryId": f"my-org/{service}",
                    "account": ACCOUNT,
                    "region": REGION,
                }
            ],
            "environments": [
                {
                    "name": e.name,
                    "account": ACCOUNT,
                    "region": REGION,
                    "protonServiceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/Proton",
                }
                for e in envs
            ],
        }
    )
    return ExportContext(snapshot=snap, graph=nx.MultiDiGraph(), units=(*envs, *instances, pipeline))


def actionlint(files: Mapping[str, str], tmp: Path) -> list[dict]:
    """actionlint findings for every workflow in `files`, run once over a throw-away Git repository."""
    paths = []
    for rel, text in sorted(files.items()):
        if "/.github/workflows/" in f"/{rel}":
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_text(text)
            paths.append(rel)
    subprocess.run(["git", "init", "-q", str(tmp)], check=True)
    proc = subprocess.run(
        [str(ACTIONLINT), "-format", "{{json .}}", *paths], cwd=tmp, capture_output=True, text=True
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout or "[]")


def workflow_schema_errors(files: Mapping[str, str]) -> list[str]:
    schema = json.loads((SCHEMAS / "github" / "github-workflow.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = []
    for rel, text in sorted(files.items()):
        if "/.github/workflows/" in f"/{rel}":
            errors += [f"{rel}: {e.message}" for e in validator.iter_errors(yaml.safe_load(text))]
    return errors


@functools.cache
def _cfn_rules():
    """cfn-lint's default rules, loaded once per process (loading them is half of each lint call)."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(regions=[REGION])).rules


def cfn_lint_errors(text: str) -> list[str]:
    """cfn-lint errors (E rules) of a template, default rules, one Region."""
    from cfnlint.api import ManualArgs, lint

    return [
        f"{m.rule.id} line {m.linenumber}: {m.message}"
        for m in lint(text, rules=_cfn_rules(), config=ManualArgs(regions=[REGION]))
        if m.rule.id.startswith("E")
    ]


def check_goldens(root: Path, files: Mapping[str, str], update: bool) -> None:
    """Compare `files` with the golden tree at `root` (or rewrite it with --update-goldens)."""
    if update:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        return
    assert root.is_dir(), f"no goldens at {root}; run pytest --update-goldens"
    have = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()
    }
    assert sorted(have) == sorted(files), "file set differs from the goldens"
    for rel in sorted(files):
        if have[rel] != files[rel]:
            diff = "".join(
                difflib.unified_diff(have[rel].splitlines(True), files[rel].splitlines(True), rel, rel)
            )
            raise AssertionError(f"golden {rel} differs:\n{diff[:4000]}")
