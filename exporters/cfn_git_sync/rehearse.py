"""The `cfn-git-sync` deployer, emulated for `exodus rehearse` with Git sync's documented semantics
(TARGETS.md §1; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/git-sync.html):

- the export lives in a real Git repository; Git sync reads the deployment file and the template it
  names from the commit on the tracked branch, not from a working copy;
- for each deployment file it creates a change set on the stack the file names (a CREATE change set
  when the stack does not exist yet: Git sync creates missing stacks), with the file's template,
  parameters and tags, and executes it; a change set without changes is not executed;
- the stack must end `*_COMPLETE`.

Every change set is described and classified before it runs, so the rehearsal can tell a no-op from a
modification, a replacement or a stack-tag change."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from exporters.cfn_git_sync import layout
from proton_exodus.rehearse.changeset import DONE, run_change_set, secret_placeholders
from proton_exodus.rehearse.model import FAILED, NO_OP, OK, SKIPPED, RehearsalContext, Step

BRANCH = "main"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "exodus rehearse",
    "GIT_AUTHOR_EMAIL": "rehearse@exodus.invalid",
    "GIT_COMMITTER_NAME": "exodus rehearse",
    "GIT_COMMITTER_EMAIL": "rehearse@exodus.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=_GIT_ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_export(export_dir: Path, work_dir: Path) -> tuple[Path, str]:
    """The export pushed to a local bare repository (the one Git sync watches), and the checkout of its
    tracked branch Git sync reads from: (checkout, commit id)."""
    remote, checkout = work_dir / "repository.git", work_dir / "git-sync-checkout"
    _git(work_dir, "init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(remote))
    source = work_dir / "export-worktree"
    _git(work_dir, "init", "--quiet", f"--initial-branch={BRANCH}", str(source))
    _git(source, f"--work-tree={export_dir}", "add", "--all", ".")
    _git(source, f"--work-tree={export_dir}", "commit", "--quiet", "--no-gpg-sign", "-m", "exodus export")
    _git(source, "push", "--quiet", str(remote), f"{BRANCH}:{BRANCH}")
    _git(work_dir, "clone", "--quiet", "--branch", BRANCH, str(remote), str(checkout))
    return checkout, _git(checkout, "rev-parse", "HEAD")


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `deploy` step per stack of the waves, in wave order:
    what Git sync does with its deployment file."""
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    checkout, commit = commit_export(ctx.export_dir, ctx.work_dir)
    files = {(s.account, s.region, s.stack_name): s for s in layout.exported_stacks(checkout)}
    for number, targets in ctx.waves:
        for target in targets:
            key = (target.account, target.region, target.stack_name)
            path = layout.deployment_path(*key)
            step = Step(
                number,
                "deploy",
                target.stack_name,
                target.account,
                target.region,
                command=f"git sync {path}@{commit[:12]}: create, describe and execute a change set",
            )
            exported = files.get(key)
            if exported is None:
                step.outcome, step.message = SKIPPED, f"the export has no deployment file {path}"
                yield step
                continue
            run = run_change_set(
                ctx.cloudformation(target.account, target.region),
                target.stack_name,
                exported.template,
                exported.parameters,
                exported.tags,
                name=f"exodus-git-sync-{commit[:12]}",
                poll=ctx.poll,
                timeout=ctx.timeout,
            )
            step.changes, step.status = run.changes, run.status
            if run.change_set_type == "CREATE":
                step.message = "the stack did not exist: Git sync created it"
            placeholders = secret_placeholders(exported.template)
            if run.error or (run.executed and run.status not in DONE):
                step.outcome, step.message = FAILED, run.error or run.status
            elif placeholders:
                step.outcome = FAILED
                step.message = (
                    f"{exported.template_path} carries {placeholders} secret placeholder(s): "
                    "Git sync deployed the placeholder text as the value"
                )
            else:
                step.outcome = OK if run.changes else NO_OP
            yield step
