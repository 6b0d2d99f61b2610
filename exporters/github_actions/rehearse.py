"""The `github-actions` deployer, emulated for `exodus rehearse` the way a runner executes the export's
workflows on a push to the tracked branch (TARGETS.md §3; https://docs.github.com/en/actions):

- the export is committed to a real local Git repository; `actions/checkout` gives each job a fresh clone
  of that commit as its workspace;
- the caller workflow's job for the stack (its `if:` decided for a `push` event) calls the reusable
  workflow with its `with:` inputs; the reusable workflow's jobs and steps run in order with their `if:`
  conditions, `env:` and `${{ }}` expressions resolved from inputs, `github`, `vars`, `env` and `steps`
  contexts; `GITHUB_OUTPUT` feeds `steps.<id>.outputs`;
- `aws-actions/configure-aws-credentials` assumes `role-to-assume` through STS (the job then acts in the
  role's account) — `vars.AWS_DEPLOY_ROLE_ARN` is set per GitHub environment, as the export's README
  says, to a role in that environment's account;
- `actions/setup-python` gives the job the rehearsal's own `python3` (the version asked for is not
  installed: the steps that use it, the export's validator, run on the rehearsal's interpreter);
- every `run:` step runs in `bash --noprofile --norc -eo pipefail` as written, with the real `aws` CLI
  (kept warm: rehearse/warm_aws.py) and `jq` against the rehearsal's endpoint; a step that exits
  non-zero fails the job.

The change set the job created is then described to record what the deploy changed."""

from __future__ import annotations

import functools
import json
import platform
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporters._pipelines.rehearse import role_account
from exporters.github_actions.bootstrap import DEPLOY_ROLE
from exporters.github_actions.expressions import condition, evaluate, substitute
from proton_exodus.errors import BadInput
from proton_exodus.rehearse.changeset import (
    ChangeSetRun,
    judge,
    resource_changes,
    stack_or_none,
    tag_changes,
)
from proton_exodus.rehearse.model import FAILED, SKIPPED, RehearsalContext, Step
from proton_exodus.rehearse.repo import commit_export, git
from proton_exodus.rehearse.warm_aws import shell_path, warm_aws

WORKFLOWS = ".github/workflows"
REPOSITORY = "example-org/proton-stacks"  # `github.repository` of the rehearsal's runs
STEP_TIMEOUT = 300


@dataclass
class Call:
    """A caller workflow's job that deploys one stack through a reusable workflow."""

    workflow: str  # caller file
    job: str
    uses: str  # reusable workflow path in the repository
    inputs: dict[str, Any]


@dataclass
class JobRun:
    """What one job of the reusable workflow did."""

    name: str
    ran: bool = False
    failed: bool = False
    log: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for the benchmark (not reported)


def _load(path: Path, rel: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise BadInput(f"{rel}: not a readable workflow ({str(err).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{rel}: a workflow is a YAML mapping")
    return doc


def _github(commit: str, run_id: int) -> dict[str, Any]:
    return {
        "event_name": "push",
        "event": {},
        "ref": "refs/heads/main",
        "ref_name": "main",
        "sha": commit,
        "run_id": str(run_id),
        "run_attempt": "1",
        "repository": REPOSITORY,
        "workflow": "",
    }


def deploy_calls(checkout: Path, commit: str) -> dict[str, Call]:
    """Stack name -> the caller job a push to the tracked branch runs for it (first one found)."""
    found: dict[str, Call] = {}
    for path in sorted((checkout / WORKFLOWS).glob("*.y*ml")):
        rel = path.relative_to(checkout).as_posix()
        doc = _load(path, rel)
        on = doc.get("on", doc.get(True)) or {}
        if isinstance(on, Mapping) and "workflow_call" in on:
            continue  # reusable: run only when called
        for job_id, job in (doc.get("jobs") or {}).items():
            if not isinstance(job, Mapping) or not str(job.get("uses", "")).startswith("./"):
                continue
            contexts = {"github": _github(commit, 1), "vars": {}, "inputs": {}}
            if not condition(job.get("if"), contexts):
                continue
            # the caller's `with:` expressions are evaluated in the caller (a push: no workflow inputs)
            inputs = {
                str(k): substitute(v, contexts) if isinstance(v, str) else v
                for k, v in (job.get("with") or {}).items()
            }
            stack = str(inputs.get("stack-name", ""))
            if stack:
                found.setdefault(stack, Call(rel, str(job_id), str(job["uses"])[2:], inputs))
    return found


def _inputs(reusable: Mapping[str, Any], given: Mapping[str, Any], where: str) -> dict[str, Any]:
    on = reusable.get("on", reusable.get(True)) or {}
    spec = ((on.get("workflow_call") or {}).get("inputs") or {}) if isinstance(on, Mapping) else {}
    values: dict[str, Any] = {}
    for name, decl in spec.items():
        decl = decl or {}
        if name in given:
            values[name] = given[name]
        elif decl.get("required"):
            raise BadInput(f"{where}: required input {name} is not given")
        else:
            values[name] = decl.get("default", "")
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise BadInput(f"{where}: inputs {', '.join(unknown)} are not declared by the reusable workflow")
    return values


@functools.lru_cache(maxsize=4)
def _clients(endpoint_url: str) -> Any:
    """One client factory per endpoint for every job's configure-aws-credentials (a boto3 client costs
    ~0.1 s of CPU to build)."""
    from proton_exodus.engine.cloud import ClientFactory

    return ClientFactory(endpoint_url)


class Runner:
    """Runs one reusable workflow's jobs for one caller job, as a GitHub-hosted runner would."""

    def __init__(
        self, ctx: RehearsalContext, repo: Path, commit: str, account: str, run_id: int, path: str
    ) -> None:
        self.ctx, self.repo, self.commit, self.account, self.run_id = ctx, repo, commit, account, run_id
        self.path = path  # the job's PATH: the rehearsal's warm `aws` first

    def _env_base(self, workspace: Path) -> dict[str, str]:
        return {
            "PATH": self.path,
            "HOME": str(workspace.parent / "home"),
            "LANG": "C.UTF-8",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTIONS": "true",
            "RUNNER_TEMP": str(workspace.parent / "runner-temp"),
            "CI": "true",
            "AWS_ENDPOINT_URL": self.ctx.endpoint_url,
            "AWS_CONFIG_FILE": str(workspace.parent / "home" / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(workspace.parent / "home" / "aws-credentials"),
            "AWS_PAGER": "",
        }

    def _assume(self, role_arn: str, region: str) -> dict[str, str]:
        """configure-aws-credentials: AssumeRoleWithWebIdentity in the runner, STS AssumeRole here."""
        if not role_arn:
            raise RuntimeError("configure-aws-credentials: role-to-assume is empty (no credentials)")
        sts_account = role_account(role_arn)
        if not sts_account:
            raise RuntimeError(f"configure-aws-credentials: {role_arn!r} is not an IAM role ARN")
        sts = _clients(self.ctx.endpoint_url).client("sts", sts_account, region)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="GitHubActions")["Credentials"]
        return {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }

    def run_job(self, job_id: str, job: Mapping[str, Any], contexts: dict[str, Any], scratch: Path) -> JobRun:
        result = JobRun(job_id)
        if not condition(job.get("if"), contexts):
            return result
        result.ran = True
        workspace = scratch / job_id / "workspace"
        if workspace.parent.exists():
            shutil.rmtree(workspace.parent)
        (workspace.parent / "home").mkdir(parents=True)
        (workspace.parent / "runner-temp").mkdir()
        env = self._env_base(workspace)
        job_env = {k: substitute(v, contexts) for k, v in (job.get("env") or {}).items()}
        env.update(job_env)
        contexts = {**contexts, "env": dict(job_env), "steps": {}}
        result.env = job_env
        status = "success"
        for number, step in enumerate(job.get("steps") or [], 1):
            name = str(step.get("name") or step.get("uses") or f"step {number}")
            if not condition(step.get("if"), contexts, status):
                continue
            step_env = {k: substitute(v, contexts) for k, v in (step.get("env") or {}).items()}
            clock = time.monotonic()
            try:
                outputs = self._step(step, workspace, {**env, **step_env}, env, contexts, scratch / job_id)
            except RuntimeError as err:
                result.log.append(f"{name}: {err}")
                status, result.failed = "failure", True
                continue
            finally:
                result.seconds[name] = round(time.monotonic() - clock, 2)
            if step.get("id"):
                contexts["steps"][str(step["id"])] = {"outputs": outputs, "outcome": "success"}
        (scratch / job_id / "seconds.json").write_text(json.dumps(result.seconds, indent=1), encoding="utf-8")
        return result

    def _step(
        self,
        step: Mapping[str, Any],
        workspace: Path,
        env: dict[str, str],
        job_env: dict[str, str],
        contexts: Mapping[str, Any],
        scratch: Path,
    ) -> dict[str, str]:
        uses = str(step.get("uses") or "")
        with_ = {k: substitute(v, contexts) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/checkout@"):
            git(scratch, "clone", "--quiet", str(self.repo), str(workspace))
            git(workspace, "checkout", "--quiet", self.commit)
            return {}
        if uses.startswith("aws-actions/configure-aws-credentials@"):
            job_env.update(self._assume(with_.get("role-to-assume", ""), with_.get("aws-region", "")))
            return {}
        if uses.startswith("actions/setup-python@"):
            # the rehearsal's own interpreter is the job's python3 (on PATH): the steps run with it
            return {"python-version": platform.python_version()}
        if uses:
            raise RuntimeError(f"action {uses} is not emulated by the rehearsal")
        script = substitute(step.get("run", ""), contexts)
        out_file = scratch / "github_output"
        out_file.write_text("", encoding="utf-8")
        env = {**env, "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(scratch / "summary.md")}
        env.update({k: v for k, v in job_env.items() if k.startswith("AWS_")})
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stdout + "\n" + proc.stderr).splitlines() if ln.strip()]
            errors = [ln.removeprefix("::error::") for ln in lines if ln.startswith("::error::")]
            raise RuntimeError(f"exit {proc.returncode}: " + ((errors or lines or ["no output"])[-1]).strip())
        outputs = {}
        for line in out_file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                outputs[key.strip()] = value
        return outputs


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `deploy` step per stack of the waves, in wave order: the workflow job a push runs for it. The
    `run:` steps' `aws` is the warm CLI (rehearse/warm_aws.py): the runner's CLI code, started once."""
    checkout, commit = commit_export(ctx.export_dir, ctx.work_dir, "repository")
    calls = deploy_calls(checkout, commit)
    run_id = 0
    with warm_aws() as aws:
        for number, targets in ctx.waves:
            for target in targets:
                run_id += 1
                step = Step(number, "deploy", target.stack_name, target.account, target.region)
                call = calls.get(target.stack_name)
                if call is None:
                    step.outcome = SKIPPED
                    step.message = "no workflow of the export deploys this stack on a push"
                    yield step
                    continue
                yield _deploy(ctx, checkout, commit, step, call, run_id, shell_path(aws))


def _deploy(
    ctx: RehearsalContext, checkout: Path, commit: str, step: Step, call: Call, run_id: int, path: str
) -> Step:
    reusable_rel = call.uses.split("@", 1)[0]
    reusable = _load(checkout / reusable_rel, reusable_rel)
    inputs = _inputs(reusable, call.inputs, f"{call.workflow} job {call.job}")
    # The GitHub environment's variables, as the README tells the operator to set them.
    vars_ = {
        "AWS_DEPLOY_ROLE_ARN": f"arn:aws:iam::{step.account}:role/{DEPLOY_ROLE}",
        "AWS_REGION": step.region,
    }
    contexts: dict[str, Any] = {"github": _github(commit, run_id), "inputs": inputs, "vars": vars_}
    step.command = (
        f"github actions {call.workflow} job {call.job} → {reusable_rel} (push to main, run {run_id})"
    )
    cfn = ctx.cloudformation(step.account, step.region)
    before = stack_or_none(cfn, step.stack)
    before_tags = {t["Key"]: t["Value"] for t in (before or {}).get("Tags") or []}
    runner = Runner(ctx, ctx.work_dir / "repository.git", commit, step.account, run_id, path)
    jobs = [
        runner.run_job(str(job_id), job, contexts, ctx.work_dir / "jobs" / f"run-{run_id}")
        for job_id, job in (reusable.get("jobs") or {}).items()
    ]
    ran = [j for j in jobs if j.ran]
    run = ChangeSetRun()
    if not ran:
        run.error = "no job of the reusable workflow ran for a push"
    elif any(j.failed for j in ran):
        run.error = "; ".join(f"job {j.name}: {line}" for j in ran for line in j.log)
    after = stack_or_none(cfn, step.stack)
    run.status = (after or {}).get("StackStatus", "")
    change_set = next((j.env.get("CHANGE_SET", "") for j in ran if j.env.get("CHANGE_SET")), "")
    if change_set and after:
        try:
            described = cfn.describe_change_set(ChangeSetName=change_set, StackName=step.stack)
        except Exception:  # noqa: BLE001 - an empty change set may be gone
            described = {}
        run.executed = described.get("ExecutionStatus") == "EXECUTE_COMPLETE"
        if described.get("Status") != "FAILED":
            run.changes = resource_changes(described)
    run.changes += tag_changes(before_tags, {t["Key"]: t["Value"] for t in (after or {}).get("Tags") or []})
    template_file = str(inputs.get("template-file", ""))
    template = (checkout / template_file).read_text(encoding="utf-8") if template_file else ""
    step.message = ", ".join(f"job {j.name} ran" for j in ran)
    judged = judge(step, run, template, template_file)
    if judged.outcome == FAILED and not run.error and not ran:
        judged.message = "no job ran"
    return judged


# `gh` talks to GitHub, which the rehearsal has not; what stands for each of its runbook lines:
STAND_INS = {
    "gh": "GitHub is not reachable here: the rehearsal's runner stands for `gh workflow run` (it runs "
    "each workflow's jobs for a push to the tracked branch, on the export's commit) and for `gh run list` "
    "(each stack's deploy step is judged from that run); enabling and disabling a workflow are not "
    "emulated",
}


def runbook_settings(
    places: list[tuple[str, str]],
    export_dir: Path,
    endpoint_url: str,
    *,
    work_dir: Path,
    snapshot_dir: Path,
) -> dict[str, str]:
    """The runbooks' operator settings in the rehearsal: the repository its runs report (the roles
    stacks trust it), and a SECRETS_DIR under the work folder holding the secrets README.md lists."""
    from exporters._pipelines.secrets import write_secrets_dir

    return {
        "REPOSITORY": REPOSITORY,
        "SECRETS_DIR": str(write_secrets_dir(export_dir, work_dir, snapshot_dir)),
    }


__all__ = ["STAND_INS", "deploy_calls", "evaluate", "rehearse", "runbook_settings"]
