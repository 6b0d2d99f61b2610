"""The `github-actions` exporter: one workflow per environment (environment stack, then its components
and instances) and per service (its pipeline stack), each previewing change sets on pull requests and
deploying on merge in dependency order through the reusable `exodus-stack.yml`; the Proton service
pipelines as build/deploy jobs; Terraform estates as plan/apply workflows (TARGETS.md §3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from exporters import API_VERSION, ExportContext, ExportResult, Finding
from exporters._pipelines import Estate, StackArtefact, dump_yaml, slug, templates_index, watched_paths
from exporters._pipelines.convert import converted_estate
from exporters._pipelines.docs import render_readme
from exporters._pipelines.rehearse import edit_stack as edit_pipeline_stack
from exporters._pipelines.secrets import estate_secrets, secret_files
from exporters._pipelines.terraform import codebuild_units, terraform_workflow
from exporters.github_actions import layout
from exporters.github_actions.bootstrap import PLAN_ROLE, bootstrap_files, github_environment
from exporters.github_actions.ci import service_ci_files
from exporters.github_actions.rehearse import STAND_INS
from exporters.github_actions.rehearse import rehearse as rehearse_workflows
from exporters.github_actions.rehearse import runbook_settings as workflow_settings
from exporters.github_actions.reusable import PATH as REUSABLE
from exporters.github_actions.reusable import reusable_workflow
from exporters.github_actions.runbook import GitHubActionsRunbook
from proton_exodus.repo.index import repo_files

MAX_DISPATCH_INPUTS = 25  # GitHub's limit on workflow_dispatch inputs
TEMPLATE_BODY_LIMIT = 51_200


def _schema_types(ctx: ExportContext, unit: Any) -> dict[str, Mapping[str, Any]]:
    """Input name -> schema property of the unit's template version (for typed dispatch inputs)."""
    kind = "environment_template_versions" if unit.kind == "environment" else "service_template_versions"
    record = next(
        ctx.snapshot.find(
            kind,
            templateName=unit.template_name,
            majorVersion=unit.template_major,
            minorVersion=unit.template_minor,
        ),
        None,
    )
    try:
        doc = yaml.safe_load((record or {}).get("schema") or "")
    except yaml.YAMLError:
        return {}
    schema = doc.get("schema") if isinstance(doc, dict) else None  # a snapshot's schema may be any text
    if not isinstance(schema, dict):
        return {}
    key = {"environment": "environment_input_type", "service_pipeline": "pipeline_input_type"}.get(
        unit.kind, "service_input_type"
    )
    props = ((schema.get("types") or {}).get(schema.get(key) or "") or {}).get("properties") or {}
    return {k: v for k, v in props.items() if isinstance(v, dict)}


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def dispatch_inputs(ctx: ExportContext, art: StackArtefact) -> dict[str, Any]:
    """Typed workflow_dispatch inputs for the template parameters that carry a schema input."""
    from cfn_flip import load as load_cfn

    try:
        params = load_cfn(art.template)[0].get("Parameters") or {}
    except Exception:  # noqa: BLE001 - no parameters we can read means no inputs
        return {}
    schema = {_norm(k): (k, v) for k, v in _schema_types(ctx, art.unit).items()}
    out: dict[str, Any] = {}
    for name in sorted(params):
        if _norm(name) not in schema or len(out) >= MAX_DISPATCH_INPUTS:
            continue
        input_name, prop = schema[_norm(name)]
        current = art.parameters.get(name, prop.get("default"))
        spec: dict[str, Any] = {
            "description": f"{input_name} ({prop.get('title') or prop.get('description') or name})"[:200],
            "required": False,
        }
        if prop.get("enum"):
            spec["type"], spec["options"] = "choice", [str(v) for v in prop["enum"]]
        elif prop.get("type") in ("number", "integer"):
            spec["type"] = "number"
        elif prop.get("type") == "boolean":
            spec["type"] = "boolean"
        else:
            spec["type"] = "string"
        if spec["type"] == "number" and isinstance(current, str):
            current = _number(current)  # a template configuration holds text; the schema wants a number
        if current is not None and (spec["type"] != "choice" or str(current) in spec["options"]):
            spec["default"] = (
                (str(current).lower() == "true")
                if spec["type"] == "boolean"
                else (
                    current if spec["type"] == "number" and isinstance(current, int | float) else str(current)
                )
            )
        out[name] = spec
    return out


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def _call(
    art: StackArtefact, mode: str, environment: str, overrides: str | None = None, plan_role: str = PLAN_ROLE
) -> dict[str, Any]:
    with_: dict[str, Any] = {
        "mode": mode,
        "stack-name": art.stack_name,
        "template-file": art.template_path,
        "config-file": art.config_path,
        "aws-region": art.unit.region,
        "environment": environment,
        "capabilities": " ".join(art.capabilities),
    }
    if mode == "preview":  # one plan role per account, named here (TARGETS.md §3.1: OIDC per environment)
        with_["plan-role-arn"] = f"arn:aws:iam::{art.unit.account}:role/{plan_role}"
    if overrides:
        with_["parameter-overrides"] = overrides
    event = (
        "github.event_name == 'pull_request'" if mode == "preview" else "github.event_name != 'pull_request'"
    )
    return {
        "name": f"{mode} {art.unit.kind.replace('_', ' ')} {art.unit.name}",
        "if": event,
        "uses": f"./{REUSABLE}",
        "with": with_,
    }


def group_workflow(ctx: ExportContext, group: str, stacks: Sequence[StackArtefact]) -> dict[str, Any]:
    """The workflow of one environment or service, as data."""
    ids = {a.stack_name: f"{i:03d}-{slug(a.unit.name, 40)}" for i, a in enumerate(stacks, start=1)}
    root = stacks[0]
    inputs = dispatch_inputs(ctx, root)
    jobs: dict[str, Any] = {}
    for art in stacks:
        environment = github_environment(art)
        jobs[f"preview-{ids[art.stack_name]}"] = _call(
            art, "preview", environment, plan_role=ctx.options.get("plan-role-name", PLAN_ROLE)
        )
        overrides = None
        if art is root and inputs:
            overrides = "${{ github.event_name == 'workflow_dispatch' && toJSON(inputs) || '{}' }}"
        job = _call(art, "deploy", environment, overrides)
        needs = [f"deploy-{ids[d]}" for d in art.depends_on if d in ids]
        if needs:
            job = {"needs": sorted(needs), **job}
        jobs[f"deploy-{ids[art.stack_name]}"] = job
    paths = watched_paths(group, stacks)
    return {
        "name": f"deploy {group}",
        "on": {
            "pull_request": {"paths": paths},
            "push": {"branches": [ctx.options.get("branch", "main")], "paths": paths},
            "workflow_dispatch": {"inputs": inputs} if inputs else None,
        },
        "permissions": {"id-token": "write", "contents": "read"},
        "jobs": jobs,
    }


def workflow_files(ctx: ExportContext, estate: Estate) -> tuple[dict[str, str], list[Finding]]:
    files: dict[str, str] = {REUSABLE: dump_yaml(reusable_workflow())}
    findings: list[Finding] = []
    for group, stacks in estate.groups().items():
        for art in stacks:
            files.update(art.files())
            if len(art.template.encode()) > TEMPLATE_BODY_LIMIT:
                findings.append(
                    Finding(
                        "W-PIPE-TEMPLATE-SIZE",
                        f"{art.template_path} is over 51,200 bytes: "
                        "--template-body cannot take it; upload it to S3 and use --template-url",
                        art.unit.arn,
                        art.template_path,
                    )
                )
        data = group_workflow(ctx, group, stacks)
        text = dump_yaml(data).replace("  workflow_dispatch: null\n", "  workflow_dispatch:\n")
        files[layout.workflow_path(group)] = text
    return files, findings


def codebuild_workflow(ctx: ExportContext, units: Sequence[Any]) -> dict[str, str]:
    """For CodeBuild-provisioned resources: run the CodeBuild-based pipeline (`pipelines/codebuild.yaml`,
    which keeps the order and the approvals) on merge, and wait for it."""
    rows = codebuild_units(ctx, units)
    if not rows:
        return {}
    region = rows[0][0].region
    job = {
        "name": "run the CodeBuild provisioning pipeline",
        "runs-on": "ubuntu-latest",
        "concurrency": {"group": "exodus-codebuild-provisioning", "cancel-in-progress": False},
        "steps": [
            {
                "name": "Assume the deploy role (OIDC)",
                "uses": "aws-actions/configure-aws-credentials@v6",
                "with": {"role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": region},
            },
            {
                "name": "Start and wait",
                "env": {"PIPELINE": "exodus-codebuild-provisioning"},
                "run": _START_PIPELINE,
            },
        ],
    }
    workflow = {
        "name": "CodeBuild provisioning (was run by Proton)",
        "on": {
            "push": {"branches": [ctx.options.get("branch", "main")], "paths": ["codebuild/**"]},
            "workflow_dispatch": None,
        },
        "permissions": {"id-token": "write", "contents": "read"},
        "jobs": {"provision": job},
    }
    text = dump_yaml(workflow).replace("  workflow_dispatch: null\n", "  workflow_dispatch:\n")
    return {".github/workflows/codebuild-provisioning.yml": text}


# A lone backslash ending a line is Python's line continuation: the script keeps one line per command.
_START_PIPELINE = """run=$(aws codepipeline start-pipeline-execution --name "$PIPELINE" \
--query pipelineExecutionId --output text)
while :; do
  status=$(aws codepipeline get-pipeline-execution --pipeline-name "$PIPELINE" \
--pipeline-execution-id "$run" --query pipelineExecution.status --output text)
  case "$status" in
    InProgress|Stopping) sleep 30 ;;
    Succeeded) exit 0 ;;
    *) echo "::error::pipeline execution $run ended $status"; exit 1 ;;
  esac
done"""


class GitHubActionsExporter:
    name = "github-actions"
    summary = (
        "GitHub Actions workflows: change-set previews on PRs, deploys on merge, OIDC, per-environment gates"
    )
    api_version = API_VERSION
    handover = staticmethod(layout.handover)
    runbook = GitHubActionsRunbook()
    rehearse = staticmethod(rehearse_workflows)
    runbook_stand_ins = STAND_INS
    runbook_settings = staticmethod(workflow_settings)
    edit_stack = staticmethod(edit_pipeline_stack)

    def export(self, ctx: ExportContext) -> ExportResult:
        units, estate = converted_estate(ctx)
        files, findings = workflow_files(ctx, estate)
        files.update(estate.planned_files())
        ci, more = service_ci_files(ctx, estate, units)
        files.update(ci)
        findings.extend(more)
        tf, more = terraform_workflow(ctx, units)
        files.update(tf)
        findings.extend(more)
        files.update(codebuild_workflow(ctx, units))
        if any(u.provisioning == "codebuild" for u in units):
            from exporters._pipelines.terraform import codebuild_files

            cb, more = codebuild_files(ctx, units)
            files.update(cb)
            findings.extend(more)
        files.update(secret_files(estate_secrets(estate.stacks), estate.stacks))
        files.update(bootstrap_files(estate.stacks))
        files["TEMPLATES.json"] = templates_index(
            (a.unit, a.template_path, a.config_path, a.mapping) for a in estate.stacks
        )
        files["TEMPLATES.md"] = estate.templates_md
        files["README.md"] = render_readme("github-actions", estate, sorted(files))
        files.update(repo_files(ctx.snapshot, units, files, self.name))
        return ExportResult(dict(sorted(files.items())), tuple(estate.findings) + tuple(findings))


exporter = GitHubActionsExporter()
