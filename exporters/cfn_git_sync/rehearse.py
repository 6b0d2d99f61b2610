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

from collections.abc import Iterator

from exporters.cfn_git_sync import layout
from proton_exodus.rehearse.changeset import judge, run_change_set
from proton_exodus.rehearse.model import SKIPPED, RehearsalContext, Step
from proton_exodus.rehearse.repo import commit_export


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """One `deploy` step per stack of the waves, in wave order:
    what Git sync does with its deployment file."""
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    checkout, commit = commit_export(ctx.export_dir, ctx.work_dir, "git-sync-checkout")
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
            if run.change_set_type == "CREATE":
                step.message = "the stack did not exist: Git sync created it"
            yield judge(step, run, exported.template, exported.template_path)
