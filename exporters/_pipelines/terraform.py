"""Terraform self-managed and CodeBuild-provisioned estates (PROTON.md §2.4, §2.5, §3.3, §3.4): the
regenerated Proton input files, a GitHub workflow running `terraform plan` on PRs and `apply` on merge in
the existing provisioning repository (no notify step), and a CodeBuild-based equivalent of CodeBuild
provisioning. Rendering is the render library's job; this module only places and wires its output."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from exporters import ExportContext, Finding
from exporters._pipelines.estate import dependency_order, slug
from exporters._pipelines.production import is_production_like
from exporters._pipelines.retired_api import CommandContext
from exporters._pipelines.service_pipeline import rewrite_lines
from exporters._pipelines.yamlout import dump_yaml
from proton_exodus.model.units import DeploymentUnit

_PROTON_HEADER = re.compile(r"\A/\*.*?managed by AWS Proton.*?\*/\s*", re.S)
TF_VERSION = "1.9.8"


def working_dir(unit: DeploymentUnit) -> str:
    """The folder Proton wrote the unit's files to in the provisioning repository (PROTON.md §3.3)."""
    if unit.kind == "environment":
        return unit.name
    if unit.kind == "service_instance":
        return f"{unit.environment}/{unit.service}-{unit.name}"
    if unit.kind == "component":
        return f"{unit.environment}/{unit.name}"
    return f"{unit.service}/pipeline"


def _render(ctx: ExportContext, unit: DeploymentUnit, units: Sequence[DeploymentUnit]) -> Mapping[str, str]:
    """The unit's working directory as Proton rendered it (render library; raises if it cannot)."""
    from proton_exodus.proton import render
    from proton_exodus.proton.archive import pack_archive
    from proton_exodus.proton.bundle import load_bundle

    files = ctx.snapshot.bundle_files(str(unit.bundle)) or {}
    # Loaded as Proton loads the uploaded archive (same limits); a member that is not UTF-8 text raises.
    bundle = load_bundle(pack_archive({rel: data.decode().encode() for rel, data in sorted(files.items())}))
    meta = render.ResourceMetadata(arn=unit.arn, template_major_version=unit.template_major,
                                   template_minor_version=unit.template_minor)
    env = next((u for u in units if u.kind == "environment" and u.name == unit.environment), None)
    env_ctx = render.EnvironmentContext(name=unit.environment or "", account_id=unit.account,
                                        outputs=dict(env.outputs) if env else {})
    if unit.kind == "environment":
        out = render.render_environment(bundle, name=unit.name, inputs=unit.inputs, account_id=unit.account,
                                        metadata=meta)
    elif unit.kind == "service_instance":
        out = render.render_service_instance(bundle, service=render.ServiceContext(name=str(unit.service)),
                                             instance_name=unit.name, inputs=unit.inputs, environment=env_ctx,
                                             metadata=meta)
    else:
        raise NotImplementedError(f"{unit.kind} units are not re-rendered for Terraform/CodeBuild export")
    return out.files


def regenerated_files(ctx: ExportContext, unit: DeploymentUnit, units: Sequence[DeploymentUnit],
                      prefix: str) -> tuple[dict[str, str], list[Finding]]:
    """The unit's regenerated Proton files under `prefix`, without Proton's "managed by" header."""
    try:
        files = _render(ctx, unit, units)
    except Exception as err:  # noqa: BLE001 - reported as a finding, the rest of the export goes on
        return {}, [Finding("E-PIPE-RENDER", f"could not regenerate the Proton input files of {unit.kind} "
                            f"{unit.name}: {type(err).__name__}: {err}", unit.arn)]
    out: dict[str, str] = {}
    for rel, text in sorted(files.items()):
        if rel.startswith("proton.") or rel == "proton-inputs.json":
            text = _PROTON_HEADER.sub("", text)
            # Proton wrote tfvars without a final newline; exports are LF text with one (JSON ignores it).
            out[f"{prefix}/{rel}"] = text if text.endswith("\n") else text + "\n"
    return out, []


def _selected(ctx: ExportContext, units: Sequence[DeploymentUnit], provisioning: str) -> list[DeploymentUnit]:
    chosen = [u for u in dependency_order(units) if u.provisioning == provisioning]
    if ctx.only:
        chosen = [u for u in chosen if {u.environment, u.service, u.name} & set(ctx.only)]
    return chosen


def _production(ctx: ExportContext, unit: DeploymentUnit) -> bool:
    env = next((r for r in ctx.snapshot.kind("environments") if r.get("name") == unit.environment), {})
    return is_production_like(unit.environment or unit.service or "", env.get("tags"), unit.inputs)


def _aws_steps() -> list[dict[str, Any]]:
    return [{"uses": "actions/checkout@v5"},
            {"name": "Assume the deploy role (OIDC)", "uses": "aws-actions/configure-aws-credentials@v6",
             "with": {"role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}"}}]


def _tf_job(wdir: str, *, apply: bool, needs: list[str], environment: str | None) -> dict[str, Any]:
    """Plan on pull requests; plan and apply on merge, in the unit's GitHub environment."""
    steps = [*_aws_steps(),
             {"uses": "hashicorp/setup-terraform@v3", "with": {"terraform_version": TF_VERSION}},
             {"name": "terraform init", "env": {"TF_STATE_BUCKET": "${{ vars.TF_STATE_BUCKET }}"},
              "run": f'terraform init -input=false -backend-config="bucket=$TF_STATE_BUCKET" '
                     f'-backend-config="key={wdir}/terraform.tfstate" -backend-config="region=$AWS_REGION"'},
             {"name": "terraform fmt", "run": "terraform fmt -check -diff"},
             {"name": "terraform plan", "run": "terraform plan -input=false -out=tfplan"}]
    if apply:
        steps.append({"name": "terraform apply", "run": "terraform apply -input=false tfplan"})
    event = "push" if apply else "pull_request"
    job: dict[str, Any] = {"name": f"terraform {'apply' if apply else 'plan'} {wdir}", "runs-on": "ubuntu-latest",
                           "if": f"github.event_name == '{event}'"}
    if needs:
        job["needs"] = needs
    if environment:
        job["environment"] = environment
    job["concurrency"] = {"group": f"terraform-{slug(wdir.replace('/', '-'), 80)}", "cancel-in-progress": False}
    job["defaults"] = {"run": {"working-directory": wdir}}
    job["steps"] = steps
    return job


def terraform_workflow(ctx: ExportContext, units: Sequence[DeploymentUnit]) -> tuple[dict[str, str], list[Finding]]:
    """`.github/workflows/terraform.yml` for the provisioning repository, plus the regenerated files."""
    chosen = _selected(ctx, units, "terraform")
    if not chosen:
        return {}, []
    files: dict[str, str] = {}
    findings: list[Finding] = [Finding("W-PIPE-TF-STATE", "check that the backend bucket variable "
                                       "TF_STATE_BUCKET and the state keys <dir>/terraform.tfstate match the "
                                       "backend the Proton automation used", path="terraform/.github/workflows/terraform.yml")]
    jobs: dict[str, Any] = {}
    ids: dict[str, str] = {}
    for unit in chosen:
        wdir = working_dir(unit)
        more, found = regenerated_files(ctx, unit, units, f"terraform/{wdir}")
        files.update(more)
        findings.extend(found)
        name = slug(wdir.replace("/", "-"), 80)
        ids[unit.arn] = f"apply-{name}"
        jobs[f"plan-{name}"] = _tf_job(wdir, apply=False, needs=[], environment=None)
        needs = sorted(ids[d] for d in unit.depends_on if d in ids)
        jobs[f"apply-{name}"] = _tf_job(wdir, apply=True, needs=needs,
                                        environment=slug(unit.environment or unit.service or unit.name))
    paths = sorted({f"{working_dir(u)}/**" for u in chosen})
    workflow = {"name": "terraform (was Proton self-managed provisioning)",
                "on": {"pull_request": {"paths": paths}, "push": {"branches": ["main"], "paths": paths}},
                "permissions": {"id-token": "write", "contents": "read"}, "jobs": jobs}
    files["terraform/.github/workflows/terraform.yml"] = dump_yaml(workflow)
    return files, findings


def _provision_commands(unit: DeploymentUnit, settings: Mapping[str, Any], where: str) -> tuple[list[str], list[Finding]]:
    text = "\n".join(str(c) for c in settings.get("provision") or [])
    ctx = CommandContext(resource_stacks={}, where=where, resource=unit.arn)
    new, findings = rewrite_lines(text, ctx)
    return [c for c in new.split("\n") if c.strip()], findings


def _codebuild_settings(ctx: ExportContext, unit: DeploymentUnit) -> Mapping[str, Any]:
    import yaml

    folder = {"environment": "infrastructure", "service_instance": "instance_infrastructure",
              "service_pipeline": "pipeline_infrastructure"}.get(unit.kind, "")
    files = ctx.snapshot.bundle_files(unit.bundle) or {}
    manifest = yaml.safe_load(files.get(f"{folder}/manifest.yaml", b"") or b"") or {}
    templates = (manifest.get("infrastructure") or {}).get("templates") or [{}]
    return templates[0].get("settings") or {}


def codebuild_units(ctx: ExportContext, units: Sequence[DeploymentUnit]) -> list[tuple[DeploymentUnit, str, list[str], Mapping[str, Any], bool]]:
    """(unit, folder in the export, provision commands, settings, production-like) per CodeBuild unit."""
    out = []
    for unit in _selected(ctx, units, "codebuild"):
        settings = _codebuild_settings(ctx, unit)
        folder = f"codebuild/{working_dir(unit)}"
        commands, _ = _provision_commands(unit, settings, folder)
        out.append((unit, folder, commands, settings, _production(ctx, unit)))
    return out


def codebuild_files(ctx: ExportContext, units: Sequence[DeploymentUnit]) -> tuple[dict[str, str], list[Finding]]:
    """For CodeBuild-provisioned units: the bundle folder, regenerated proton-inputs.json, and a CloudFormation
    template defining a CodeBuild project per unit run by a CodePipeline V2 pipeline (CodeBuild-based equivalent)."""
    rows = codebuild_units(ctx, units)
    if not rows:
        return {}, []
    files: dict[str, str] = {}
    findings: list[Finding] = []
    for unit, folder, _cmds, settings, _prod in rows:
        _c, found = _provision_commands(unit, settings, folder)
        findings.extend(found)
        more, found = regenerated_files(ctx, unit, units, folder)
        files.update(more)
        findings.extend(found)
    from exporters._pipelines.codebuild import codebuild_pipeline_template

    files["pipelines/codebuild.yaml"] = dump_yaml(codebuild_pipeline_template(rows, ctx.options))
    return files, findings
