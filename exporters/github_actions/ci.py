"""Proton service pipelines in GitHub Actions form: the CodeBuild actions of the (rewritten) pipeline
template become jobs in stage order (build, then one deploy job per service instance in its GitHub
environment), to be committed to the service's own source repository."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from exporters import ExportContext, Finding
from exporters._pipelines import BuildStep, Estate, StackArtefact, build_steps, dump_yaml, slug
from exporters._pipelines.service_pipeline import modernise_ecr_login
from exporters.github_actions.layout import service_ci_path
from proton_exodus.model.units import DeploymentUnit

PHASES = ("install", "pre_build", "build", "post_build")


def _artifact_dir(files: Sequence[str]) -> str:
    dirs = [posixpath.dirname(f) for f in files]
    return posixpath.commonpath(dirs) if dirs and all(dirs) else "."


def _read_stack_lines(step: BuildStep, art: StackArtefact) -> list[str]:
    """Shell lines putting the pipeline stack's resources and outputs the build reads into $GITHUB_ENV."""
    lines = [
        f'echo "{var}=$(aws cloudformation describe-stack-resource --stack-name {art.stack_name} '
        f'--logical-resource-id {logical} --query StackResourceDetail.PhysicalResourceId --output text)"'
        f' >> "$GITHUB_ENV"'
        for var, logical in step.stack_refs.items()
    ]
    lines += [
        f'echo "{var}=$(aws cloudformation describe-stacks --stack-name {art.stack_name} --query '
        f'"Stacks[0].Outputs[?OutputKey==\'{key}\'].OutputValue" --output text)" >> "$GITHUB_ENV"'
        for var, key in step.stack_outputs.items()
    ]
    return lines


def _job(
    step: BuildStep,
    art: StackArtefact,
    needs: list[str],
    producers: dict[str, tuple[str, str]],
    envs: dict[str, str],
) -> dict[str, Any]:
    # CodeBuild sets these; GitHub does not (the source version is the commit the run checked out).
    env = {
        "CODEBUILD_SRC_DIR": "${{ github.workspace }}",
        "CODEBUILD_BUILD_NUMBER": "${{ github.run_number }}",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": "${{ github.sha }}",
        "AWS_DEFAULT_REGION": art.unit.region,
        **step.variables,
    }
    env.update({var: "${{ vars." + var + " }}" for var in step.unresolved})
    steps: list[dict[str, Any]] = [
        {"uses": "actions/checkout@v5"},
        {
            "name": "Assume the AWS role (OIDC)",
            "uses": "aws-actions/configure-aws-credentials@v6",
            "with": {"role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": art.unit.region},
        },
    ]
    lines = _read_stack_lines(step, art)
    if any(
        "AWS_ACCOUNT_ID" in c for cmds in step.phases.values() for c in cmds
    ):  # CodeBuild's ${AWS::AccountId}
        lines.append(
            'echo "AWS_ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text)" >> '
            '"$GITHUB_ENV"'
        )
    if lines:
        steps.append({"name": "Read resources of the pipeline stack", "run": "\n".join(lines)})
    for name in step.inputs:
        if name in producers:
            artifact, path = producers[name]
            steps.append({"uses": "actions/download-artifact@v7", "with": {"name": artifact, "path": path}})
    # One shell for every phase, as CodeBuild runs them: a `cd` or a variable carries to the next command
    # (each GitHub `run:` step would start a new shell in the workspace).
    commands: list[str] = []
    for phase in PHASES:
        if step.phases.get(phase):
            commands += [f"# {phase}", *(modernise_ecr_login(c) for c in step.phases[phase])]
    if commands:
        steps.append(
            {
                "name": " + ".join(p for p in PHASES if step.phases.get(p)),
                "shell": "bash",
                "run": "\n".join(commands),
            }
        )
    if step.outputs and step.artifacts:
        artifact = slug(step.outputs[0])
        producers[step.outputs[0]] = (artifact, _artifact_dir(step.artifacts))
        base = step.base_directory.strip("/")
        paths = [posixpath.join(base, f) if base else f for f in step.artifacts]
        steps.append(
            {
                "uses": "actions/upload-artifact@v6",
                "with": {"name": artifact, "path": "\n".join(paths), "if-no-files-found": "error"},
            }
        )
    job: dict[str, Any] = {"name": f"{step.stage} / {step.action}", "runs-on": "ubuntu-latest"}
    if needs:
        job["needs"] = needs
    if step.instance and step.instance in envs:
        job["environment"] = slug(envs[step.instance])
        job["concurrency"] = {
            "group": f"exodus-deploy-{slug(art.unit.service or '')}-{slug(step.instance)}",
            "cancel-in-progress": False,
        }
    job["env"] = env
    job["steps"] = steps
    return job


def service_workflow(
    art: StackArtefact, instances: Sequence[DeploymentUnit], branch: str
) -> dict[str, Any] | None:
    """The CI/CD workflow replacing a service's Proton pipeline, or None if it has no CodeBuild actions."""
    envs = {u.name: str(u.environment) for u in instances}
    steps = build_steps(art.template, sorted(envs))
    if not steps:
        return None
    jobs: dict[str, Any] = {}
    producers: dict[str, tuple[str, str]] = {}
    previous: list[str] = []
    stage_jobs: list[str] = []
    stage = None
    for index, step in enumerate(steps, start=1):
        if step.stage != stage:
            previous, stage_jobs, stage = stage_jobs or previous, [], step.stage
        job_id = f"job{index:02d}-{slug(step.stage, 30)}-{slug(step.action, 20)}"
        jobs[job_id] = _job(step, art, sorted(previous), producers, envs)
        stage_jobs.append(job_id)
    return {
        "name": f"{art.unit.service} (was its Proton pipeline)",
        "on": {"push": {"branches": [branch]}, "workflow_dispatch": None},
        "permissions": {"id-token": "write", "contents": "read"},
        "jobs": jobs,
    }


def service_ci_files(
    ctx: ExportContext, estate: Estate, units: Sequence[DeploymentUnit]
) -> tuple[dict[str, str], list[Finding]]:
    """`service-repos/<service>/.github/workflows/pipeline.yml` per converted service pipeline."""
    files: dict[str, str] = {}
    findings: list[Finding] = []
    services = {r["name"]: r for r in ctx.snapshot.kind("services")}
    for art in estate.stacks:
        if art.unit.kind != "service_pipeline":
            continue
        record = services.get(str(art.unit.service), {})
        instances = [u for u in units if u.kind == "service_instance" and u.service == art.unit.service]
        workflow = service_workflow(art, instances, str(record.get("branchName") or "main"))
        if workflow is None:
            continue
        path = service_ci_path(str(art.unit.service))
        files[path] = dump_yaml(workflow).replace("  workflow_dispatch: null\n", "  workflow_dispatch:\n")
        findings.append(
            Finding(
                "W-PIPE-SERVICE-REPO",
                f"commit {path} to {record.get('repositoryId') or 'the '}"
                f"{'' if record.get('repositoryId') else 'service repository'} (branch "
                f"{record.get('branchName') or 'main'}) and disable the CodePipeline in stack "
                f"{art.stack_name} once it runs",
                art.unit.arn,
                path,
            )
        )
    return files, findings
