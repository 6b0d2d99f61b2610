"""Terraform self-managed and CodeBuild-provisioned estates (PROTON.md §2.4, §2.5, §3.3, §3.4): the
regenerated Proton input files, a GitHub workflow running `terraform plan` on PRs and `apply` on merge in
the existing provisioning repository (no notify step), and a CodeBuild-based equivalent of CodeBuild
provisioning. Rendering is the render library's job; this module only places and wires its output."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from exporters import ExportContext, Finding
from exporters._pipelines.estate import dependency_order, slug
from exporters._pipelines.production import is_production_like
from exporters._pipelines.retired_api import CommandContext
from exporters._pipelines.service_pipeline import rewrite_lines
from exporters._pipelines.yamlout import dump_yaml
from proton_exodus.model.secrets import PLACEHOLDER_RE
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
    meta = render.ResourceMetadata(
        arn=unit.arn, template_major_version=unit.template_major, template_minor_version=unit.template_minor
    )
    env = next((u for u in units if u.kind == "environment" and u.name == unit.environment), None)
    env_ctx = render.EnvironmentContext(
        name=unit.environment or "", account_id=unit.account, outputs=dict(env.outputs) if env else {}
    )
    if unit.kind == "environment":
        out = render.render_environment(
            bundle, name=unit.name, inputs=unit.inputs, account_id=unit.account, metadata=meta
        )
    elif unit.kind == "service_instance":
        out = render.render_service_instance(
            bundle,
            service=render.ServiceContext(name=str(unit.service)),
            instance_name=unit.name,
            inputs=unit.inputs,
            environment=env_ctx,
            metadata=meta,
        )
    else:
        raise NotImplementedError(f"{unit.kind} units are not re-rendered for Terraform/CodeBuild export")
    return out.files


_NAMESPACE = {"environment": "environment", "service_instance": "service_instance", "component": "component"}
_PROTON_TAGS_TF = 'variable "proton_tags" {\n  type    = map(string)\n  default = null\n}\n'


def proton_tags(unit: DeploymentUnit) -> dict[str, str]:
    """The `proton_tags` Proton passed to self-managed provisioning (PROTON.md §2.5), for default_tags."""
    prefix = unit.arn.split(":environment/")[0].split(":service/")[0]
    kind = "environment-template" if unit.kind == "environment" else "service-template"
    tags = {"proton:account": unit.account, "proton:template": f"{prefix}:{kind}/{unit.template_name}"}
    if unit.environment:
        tags["proton:environment"] = f"{prefix}:environment/{unit.environment}"
    if unit.service:
        tags["proton:service"] = f"{prefix}:service/{unit.service}"
    if unit.kind == "service_instance":
        tags["proton:service-instance"] = unit.arn
    if unit.kind == "component":
        tags["proton:component"] = unit.arn
    tags.update({k: str(v) for k, v in unit.tags.items() if k.startswith("proton:")})
    return dict(sorted((k, v) for k, v in tags.items() if v))


def secret_env_name(wdir: str, input_name: str) -> str:
    """The CI secret holding one secret Proton input of one working directory."""
    return "EXODUS_" + re.sub(r"[^A-Z0-9]+", "_", f"{wdir}_{input_name}".upper()).strip("_")


def secret_inputs(unit: DeploymentUnit) -> list[str]:
    """The unit's inputs that are secrets (never written to a file; supplied by the CI secret store)."""
    return sorted(
        k for k, v in unit.inputs.items() if k in unit.sensitive_inputs or PLACEHOLDER_RE.search(str(v))
    )


def _without_secrets(text: str, unit: DeploymentUnit, *, tfvars: bool) -> str:
    """Proton's input file without the secret inputs (and, for Terraform, with `proton_tags`)."""
    from proton_exodus.proton.render.terraform import jackson_json

    doc = json.loads(text)
    space = doc.get(_NAMESPACE.get(unit.kind, ""))
    inputs = space.get("inputs") if isinstance(space, dict) else None
    if isinstance(inputs, dict):
        for name in secret_inputs(unit):
            inputs.pop(name, None)
    if tfvars:
        arn = doc.pop("//", None)
        doc["proton_tags"] = proton_tags(unit)
        if arn is not None:
            doc["//"] = arn
    return jackson_json(doc)


def regenerated_files(
    ctx: ExportContext, unit: DeploymentUnit, units: Sequence[DeploymentUnit], prefix: str
) -> tuple[dict[str, str], list[Finding]]:
    """The unit's regenerated Proton files under `prefix`, without Proton's "managed by" header, without
    secret inputs (the workflow supplies them from the CI secret store), declaring `proton_tags`."""
    try:
        files = _render(ctx, unit, units)
    except Exception as err:  # noqa: BLE001 - reported as a finding, the rest of the export goes on
        return {}, [
            Finding(
                "E-PIPE-RENDER",
                f"could not regenerate the Proton input files of {unit.kind} "
                f"{unit.name}: {type(err).__name__}: {err}",
                unit.arn,
            )
        ]
    out: dict[str, str] = {}
    for rel, text in sorted(files.items()):
        if rel.startswith("proton.") or rel == "proton-inputs.json":
            text = _PROTON_HEADER.sub("", text)
            if rel in ("proton.auto.tfvars.json", "proton-inputs.json"):
                text = _without_secrets(text, unit, tfvars=rel.endswith(".tfvars.json"))
            elif rel.endswith(".variables.tf") and 'variable "proton_tags"' not in text:
                text = text.rstrip("\n") + "\n\n" + _PROTON_TAGS_TF
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


def _aws_steps(role: str) -> list[dict[str, Any]]:
    return [
        {"uses": "actions/checkout@v5"},
        {
            "name": "Assume the AWS role (OIDC)",
            "uses": "aws-actions/configure-aws-credentials@v6",
            "with": {"role-to-assume": role, "aws-region": "${{ vars.AWS_REGION }}"},
        },
    ]


def _secret_var_file(namespace: str, secrets: Mapping[str, str]) -> str:
    """Shell writing the secret inputs into a var file outside the repository (read from the environment,
    so no value is on a command line); -var-file takes precedence over proton.auto.tfvars.json."""
    sets = " | ".join(f".inputs.{name} = env.EXODUS_INPUT_{name.upper()}" for name in sorted(secrets))
    return (
        f"jq '{{{namespace}: (.{namespace} | {sets})}}' proton.auto.tfvars.json "
        '> "$RUNNER_TEMP/exodus-secrets.tfvars.json"\n'
    )


def _tf_job(
    wdir: str,
    *,
    apply: bool,
    needs: list[str],
    environment: str,
    namespace: str = "environment",
    secrets: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Plan on pull requests (in `<environment>-plan`, with a read-only role); plan and apply on merge, in
    the unit's GitHub environment. Secret inputs come from the CI secret store (`secrets` maps each input
    to its secret's name), never from a file."""
    role = "${{ vars.AWS_DEPLOY_ROLE_ARN }}" if apply else "${{ vars.AWS_PLAN_ROLE_ARN }}"
    plan: dict[str, Any] = {"name": "terraform plan", "run": "terraform plan -input=false -out=tfplan"}
    if secrets:
        plan["env"] = {
            f"EXODUS_INPUT_{k.upper()}": "${{ secrets." + v + " }}" for k, v in sorted(secrets.items())
        }
        plan["run"] = (
            _secret_var_file(namespace, secrets) + "terraform plan -input=false "
            '-var-file="$RUNNER_TEMP/exodus-secrets.tfvars.json" -out=tfplan'
        )
    steps = [
        *_aws_steps(role),
        {"uses": "hashicorp/setup-terraform@v3", "with": {"terraform_version": TF_VERSION}},
        {
            "name": "terraform init",
            "env": {"TF_STATE_BUCKET": "${{ vars.TF_STATE_BUCKET }}"},
            "run": f'terraform init -input=false -backend-config="bucket=$TF_STATE_BUCKET" '
            f'-backend-config="key={wdir}/terraform.tfstate" -backend-config="region=$AWS_REGION"',
        },
        {"name": "terraform fmt", "run": "terraform fmt -check -diff"},
        plan,
    ]
    if apply:
        steps.append({"name": "terraform apply", "run": "terraform apply -input=false tfplan"})
    event = "push" if apply else "pull_request"
    job: dict[str, Any] = {
        "name": f"terraform {'apply' if apply else 'plan'} {wdir}",
        "runs-on": "ubuntu-latest",
        "if": f"github.event_name == '{event}'",
    }
    if needs:
        job["needs"] = needs
    # The OIDC subject is repo:ORG/REPO:environment:NAME only in a job that names its environment.
    job["environment"] = environment if apply else f"{environment}-plan"
    job["concurrency"] = {
        "group": f"terraform-{slug(wdir.replace('/', '-'), 80)}",
        "cancel-in-progress": False,
    }
    job["defaults"] = {"run": {"working-directory": wdir}}
    job["steps"] = steps
    return job


def terraform_workflow(
    ctx: ExportContext, units: Sequence[DeploymentUnit]
) -> tuple[dict[str, str], list[Finding]]:
    """`.github/workflows/terraform.yml` for the provisioning repository, plus the regenerated files."""
    chosen = _selected(ctx, units, "terraform")
    if not chosen:
        return {}, []
    files: dict[str, str] = {}
    findings: list[Finding] = [
        Finding(
            "W-PIPE-TF-STATE",
            "check that the backend bucket variable "
            "TF_STATE_BUCKET and the state keys <dir>/terraform.tfstate match the "
            "backend the Proton automation used",
            path="terraform/.github/workflows/terraform.yml",
        )
    ]
    jobs: dict[str, Any] = {}
    ids: dict[str, str] = {}
    for unit in chosen:
        wdir = working_dir(unit)
        more, found = regenerated_files(ctx, unit, units, f"terraform/{wdir}")
        files.update(more)
        findings.extend(found)
        name = slug(wdir.replace("/", "-"), 80)
        ids[unit.arn] = f"apply-{name}"
        environment = slug(unit.environment or unit.service or unit.name)
        secrets = {k: secret_env_name(wdir, k) for k in secret_inputs(unit)}
        space = _NAMESPACE.get(unit.kind, "environment")
        jobs[f"plan-{name}"] = _tf_job(
            wdir, apply=False, needs=[], environment=environment, namespace=space, secrets=secrets
        )
        needs = sorted(ids[d] for d in unit.depends_on if d in ids)
        jobs[f"apply-{name}"] = _tf_job(
            wdir, apply=True, needs=needs, environment=environment, namespace=space, secrets=secrets
        )
        findings.extend(
            Finding(
                "W-PIPE-TF-SECRET",
                f"create GitHub secret {v} (environments {environment} and "
                f"{environment}-plan) holding Proton input {k} of {unit.kind} {unit.name}; "
                "it is no longer in proton.auto.tfvars.json",
                unit.arn,
                f"terraform/{wdir}",
            )
            for k, v in sorted(secrets.items())
        )
    paths = sorted({f"{working_dir(u)}/**" for u in chosen})
    workflow = {
        "name": "terraform (was Proton self-managed provisioning)",
        "on": {"pull_request": {"paths": paths}, "push": {"branches": ["main"], "paths": paths}},
        "permissions": {"id-token": "write", "contents": "read"},
        "jobs": jobs,
    }
    files["terraform/.github/workflows/terraform.yml"] = dump_yaml(workflow)
    return files, findings


def _provision_commands(
    unit: DeploymentUnit, settings: Mapping[str, Any], where: str
) -> tuple[list[str], list[Finding]]:
    text = "\n".join(str(c) for c in settings.get("provision") or [])
    ctx = CommandContext(resource_stacks={}, where=where, resource=unit.arn)
    new, findings = rewrite_lines(text, ctx)
    return [c for c in new.split("\n") if c.strip()], findings


def _codebuild_settings(ctx: ExportContext, unit: DeploymentUnit) -> Mapping[str, Any]:
    import yaml

    folder = {
        "environment": "infrastructure",
        "service_instance": "instance_infrastructure",
        "service_pipeline": "pipeline_infrastructure",
    }.get(unit.kind, "")
    files = ctx.snapshot.bundle_files(unit.bundle) or {}
    manifest = yaml.safe_load(files.get(f"{folder}/manifest.yaml", b"") or b"") or {}
    templates = (manifest.get("infrastructure") or {}).get("templates") or [{}]
    return templates[0].get("settings") or {}


def codebuild_units(
    ctx: ExportContext, units: Sequence[DeploymentUnit]
) -> list[tuple[DeploymentUnit, str, list[str], Mapping[str, Any], bool]]:
    """(unit, folder in the export, provision commands, settings, production-like) per CodeBuild unit."""
    out = []
    for unit in _selected(ctx, units, "codebuild"):
        settings = _codebuild_settings(ctx, unit)
        folder = f"codebuild/{working_dir(unit)}"
        commands, _ = _provision_commands(unit, settings, folder)
        out.append((unit, folder, commands, settings, _production(ctx, unit)))
    return out


def codebuild_files(
    ctx: ExportContext, units: Sequence[DeploymentUnit]
) -> tuple[dict[str, str], list[Finding]]:
    """For CodeBuild-provisioned units: the bundle folder, regenerated proton-inputs.json, and a
    CloudFormation template defining a CodeBuild project per unit run by a CodePipeline V2 pipeline
    (CodeBuild-based equivalent)."""
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
