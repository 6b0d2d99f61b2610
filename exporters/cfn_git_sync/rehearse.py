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

from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from exporters.cfn_git_sync import layout
from proton_exodus.errors import BadInput
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


def edit_stack(
    export_dir: Path,
    account: str,
    region: str,
    stack_name: str,
    edit: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
) -> list[str]:
    """A day-2 change as an operator makes it for Git sync: `edit` gets the template the deployment file
    names and the file's parameters and returns them changed; the files are rewritten (a template shared
    with another deployment file is copied next to it first, so only this stack changes)."""
    export_dir = Path(export_dir)
    rel = layout.deployment_path(account, region, stack_name)
    path = export_dir / rel
    if not path.is_file():
        raise BadInput(f"the export has no deployment file {rel}")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    tpath = str(doc["template-file-path"]).removeprefix("./")
    template = (export_dir / tpath).read_text(encoding="utf-8")
    params = {str(k): str(v) for k, v in (doc.get("parameters") or {}).items()}
    after, new_params = edit(template, dict(params))
    changed = []
    if after != template:
        shared = [
            p
            for p in (export_dir / "deployments").glob("*/*/*.y*ml")
            if p != path and f"template-file-path: {tpath}" in p.read_text(encoding="utf-8")
        ]
        if shared:
            tpath = str(Path(tpath).with_name(f"{stack_name}.yaml"))
            doc["template-file-path"] = tpath
        (export_dir / tpath).write_text(after, encoding="utf-8")
        changed.append(tpath)
    if new_params != params or tpath != str(doc["template-file-path"]).removeprefix("./"):
        doc["parameters"] = dict(sorted(new_params.items()))
    if changed or new_params != params:
        path.write_text(yaml.safe_dump(doc, sort_keys=False, default_flow_style=False), encoding="utf-8")
        changed.append(rel)
    return sorted(set(changed))
