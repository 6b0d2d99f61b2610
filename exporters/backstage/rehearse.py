"""The `backstage` target in `exodus rehearse`: Backstage deploys nothing itself. Its catalog points at a
deploying export (`--opt export`, cfn-git-sync by default), whose own deployer runs the waves
(`deploys_through` names it; the rehearsal exports it beside the catalog). Day 2 is what the portal is for,
so it goes through the portal as a developer uses it:

1. the Software Template's form is filled for an existing instance (or a new one) and checked as the
   scaffolder checks it (portal.form_errors: the pages' JSON Schemas; an out-of-range value is refused
   with the field and the rule, and the rehearsal shows one refusal per change-input);
2. the template's steps run as the scaffolder runs them: `fetch:template` renders the skeleton into the
   instance's Git sync deployment file, and `publish:github:pull-request` becomes a branch of the export's
   real Git repository with that file, merged into the tracked branch (the reviewed pull request);
3. the paired target's deployer deploys the merged commit, and every change set is judged as every other
   target's day 2 is (rehearse/day2.py: only the resources the change touches, no replacement but a task
   definition's new revision).

The four day-2 operations Proton had: change an input, ship a new image (the image input), move to a
newer minor version the form offers, and create a new instance (a stack that did not exist, created by Git
sync from the file the template wrote; a secret it needs is stored first with the command the pull request
gives, since the form never takes the value). The rollback is the library's, as for cfn-git-sync."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from exporters import Registry
from exporters.backstage import portal
from exporters.backstage.catalog import entity_name
from exporters.backstage.exporter import check_options, paired
from exporters.backstage.form import PAGE_FIELD
from proton_exodus.cfn.text import load_yaml
from proton_exodus.errors import BadInput
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.rehearse.day2 import changed_between, expected, touched_by
from proton_exodus.rehearse.model import FAILED, NO_OP, OK, SKIPPED, RehearsalContext, StackTarget, Step
from proton_exodus.rehearse.repo import BRANCH, commit_export, git

NEW_INSTANCE = "day2"  # the instance name the rehearsal's new instance gets (a Proton name)
STAND_IN = "exodus-rehearsal-stand-in-secret"  # what the developer types into the terminal, never the form


def deploys_through(options: Mapping[str, str]) -> tuple[str, dict[str, str]] | None:
    """The export whose deployer deploys the stacks the catalog describes, with its options; None with
    `--opt export=none` (nothing deploys them)."""
    opts = check_options(options)
    return None if opts["export"] == "none" else paired(opts)


def _deployer(ctx: RehearsalContext) -> Any:
    through = deploys_through(ctx.options)
    if through is None or ctx.deploy_dir is None:
        return None
    return Registry.from_entry_points().load(through[0])


def rehearse(ctx: RehearsalContext) -> Iterator[Step]:
    """The waves, deployed by the paired export's own deployer on that export (never a copy of it)."""
    deployer = _deployer(ctx)
    if deployer is None or getattr(deployer, "rehearse", None) is None:
        for number, targets in ctx.waves:
            for t in targets:
                yield Step(
                    number,
                    "deploy",
                    t.stack_name,
                    t.account,
                    t.region,
                    outcome=FAILED,
                    message="the Backstage catalog points at no deploying export (--opt export=none): "
                    "nothing deploys this stack",
                )
        return
    assert ctx.deploy_dir is not None
    yield from deployer.rehearse(replace(ctx, export_dir=ctx.deploy_dir))


# ------------------------------------------------------------------------------------------------ day 2


@dataclass
class _Portal:
    """The catalog export (templates and skeletons) and the export repository its pull requests go to."""

    catalog: Path
    checkout: Path  # a clone of the export repository's tracked branch (the repository the PRs open in)
    index: dict[str, dict[str, Any]]  # stack -> TEMPLATES.json row
    units: dict[str, DeploymentUnit]  # stack -> unit

    def entity(self, unit: DeploymentUnit) -> tuple[str, dict[str, Any], dict[str, str]] | None:
        """(folder, template entity, skeleton files) of the unit's Software Template, when it writes
        deployment files (a template without a shared template in the export writes request files)."""
        name = entity_name(f"{unit.template_name}-v{unit.template_major}")
        folder = self.catalog / "templates" / name
        if not (folder / "template.yaml").is_file():
            return None
        entity = load_yaml((folder / "template.yaml").read_text(encoding="utf-8"))
        skeleton = {
            p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted((folder / "skeleton").rglob("*"))
            if p.is_file()
        }
        if list(skeleton) != ["skeleton/${{ values.deploymentFile }}"]:
            return None
        return f"templates/{name}", entity, skeleton

    def form(self, unit: DeploymentUnit, version: str, operation: str = "set") -> dict[str, Any]:
        """The form as a developer fills it for `unit`: its inputs, a secret only as "it has one"."""
        field = PAGE_FIELD["environment" if unit.kind == "environment" else "service"]
        given = {k: v for k, v in unit.inputs.items() if k not in unit.sensitive_inputs}
        given |= {k: unit.inputs.get(k) not in (None, "") for k in unit.sensitive_inputs}
        form: dict[str, Any] = {
            "operation": operation,
            "version": version,
            "environment": unit.environment or unit.name,
            field: given,
            "repoUrl": "github.com?owner=exodus-rehearsal&repo=export",
        }
        if unit.kind == "service_instance":
            form |= {"service": unit.service, "instance": unit.name}
            pipeline = next(
                (
                    u
                    for u in self.units.values()
                    if u.kind == "service_pipeline" and u.service == unit.service
                ),
                None,
            )
            if pipeline is not None:
                form[PAGE_FIELD["pipeline"]] = {
                    k: v for k, v in pipeline.inputs.items() if k not in pipeline.sensitive_inputs
                }
        return form


def _open_portal(ctx: RehearsalContext, snapshot: Snapshot, work: Path) -> _Portal:
    assert ctx.deploy_dir is not None
    checkout, _ = commit_export(ctx.deploy_dir, work, "export-repository")
    rows = json.loads((checkout / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    units = {u.stack_name: u for u in build_units(snapshot) if u.stack_name}
    return _Portal(ctx.export_dir, checkout, {r["stack"]: r for r in rows if r.get("shared")}, units)


def _versions(entity: Mapping[str, Any]) -> list[str]:
    page = ((entity.get("spec") or {}).get("parameters") or [{}])[0]
    return list((((page.get("properties") or {}).get("version")) or {}).get("enum") or [])


@dataclass
class _Op:
    name: str
    target: StackTarget
    unit: DeploymentUnit
    folder: str
    entity: dict[str, Any]
    skeleton: dict[str, str]
    form: dict[str, Any]
    what: str
    parameters: tuple[str, ...] = ()  # the parameters the change sets (their resources are touched)
    minor_from: str = ""  # a minor-version move: the template file the instance leaves
    new: bool = False
    refused: str = ""  # the form's refusal of an out-of-range value, shown before the accepted change


def _number_input(entity: Mapping[str, Any], field: str, name: str) -> dict[str, Any] | None:
    for page in (entity.get("spec") or {}).get("parameters") or []:
        prop = ((page.get("properties") or {}).get(field) or {}).get("properties", {}).get(name)
        if isinstance(prop, Mapping) and prop.get("type") in ("integer", "number"):
            return dict(prop)
    return None


def _free_values(
    portal_: _Portal, entity: Mapping[str, Any], field: str, twin: DeploymentUnit
) -> dict[str, Any]:
    """What a developer changes when copying a twin's inputs for a new instance: each number the schema
    says is unique (per environment: a listener rule's priority) gets the next free value there."""
    out: dict[str, Any] = {}
    for name in twin.inputs:
        prop = _number_input(entity, field, name)
        if prop is None or "unique" not in str(prop.get("description") or "").lower():
            continue
        taken = [
            u.inputs[name]
            for u in portal_.units.values()
            if u.environment == twin.environment and isinstance(u.inputs.get(name), int | float)
        ]
        out[name] = int(max(taken, default=0)) + 1
    return out


def _input_parameter(row: Mapping[str, Any], name: str) -> str:
    return next(
        (p for p, m in sorted(row["parameters"].items()) if m["path"] == f"service_instance.inputs.{name}"),
        "",
    )


def _plan_ops(portal_: _Portal, targets: Sequence[StackTarget]) -> dict[str, _Op | str]:
    """Each day-2 operation on the first instance of the waves that offers it (else why none does)."""
    ops: dict[str, _Op | str] = {}
    for t in targets:  # each operation on its own instance: the first that offers it
        unit, row = portal_.units.get(t.stack_name), portal_.index.get(t.stack_name)
        found = portal_.entity(unit) if unit is not None and row is not None else None
        if found is None or unit is None or row is None:
            continue
        folder, entity, skeleton = found
        field = PAGE_FIELD["service"]
        versions = _versions(entity)
        if "change-input" not in ops and isinstance(unit.inputs.get("desired_count"), int):
            param = _input_parameter(row, "desired_count")
            prop = _number_input(entity, field, "desired_count")
            if param and prop is not None:
                current = int(unit.inputs["desired_count"])
                bound = prop.get("maximum")
                new = current + 1 if bound is None or current + 1 <= bound else current - 1
                too_many = (int(bound) + 1) if bound is not None else None
                form = portal_.form(unit, row["version"])
                refused = ""
                if too_many is not None:
                    bad = json.loads(json.dumps(form))
                    bad[field]["desired_count"] = too_many
                    errors = portal.form_errors(entity, bad)
                    refused = (
                        f"desired_count={too_many} refused by the form: {errors[0]}"
                        if errors
                        else f"desired_count={too_many} ACCEPTED by the form: it checks no maximum"
                    )
                form[field]["desired_count"] = new
                ops["change-input"] = _Op(
                    "change-input",
                    t,
                    unit,
                    folder,
                    entity,
                    skeleton,
                    form,
                    f"portal: set {unit.label} desired_count {current} -> {new}",
                    (param,),
                    refused=refused,
                )
                continue
        if "ship-image" not in ops and isinstance(unit.inputs.get("image"), str):
            param = _input_parameter(row, "image")
            if param:
                image = str(unit.inputs["image"])
                repo, sep, tag = image.rpartition(":")
                new_image = f"{repo}:exodus-day2" if sep and "/" not in tag else f"{image}:exodus-day2"
                form = portal_.form(unit, row["version"])
                form[field]["image"] = new_image
                ops["ship-image"] = _Op(
                    "ship-image",
                    t,
                    unit,
                    folder,
                    entity,
                    skeleton,
                    form,
                    f"portal: set {unit.label} image {image} -> {new_image}",
                    (param,),
                )
                continue
        newer = [v for v in versions if _minor_key(v) > _minor_key(str(row["version"]))]
        if "minor-version" not in ops and newer:
            form = portal_.form(unit, newer[0])
            ops["minor-version"] = _Op(
                "minor-version",
                t,
                unit,
                folder,
                entity,
                skeleton,
                form,
                f"portal: set {unit.label} version {row['version']} -> {newer[0]}",
                minor_from=str(row["templateFile"]),
            )
            continue
        if "new-instance" not in ops and versions and row["version"] == versions[0]:
            form = portal_.form(unit, versions[0], "new-instance") | {"instance": NEW_INSTANCE}
            form[field] |= _free_values(portal_, entity, field, unit)
            stack = f"{unit.service}-{NEW_INSTANCE}"
            where = StackTarget(
                t.account, t.region, stack, "service_instance", f"{unit.service}/{NEW_INSTANCE}"
            )
            ops["new-instance"] = _Op(
                "new-instance",
                where,
                unit,
                folder,
                entity,
                skeleton,
                form,
                f"portal: new-instance {unit.service}/{NEW_INSTANCE} from {unit.template_name} {versions[0]} "
                f"in {unit.environment} (the inputs of {unit.label})",
                new=True,
            )
    for name in ("change-input", "ship-image", "minor-version", "new-instance"):
        ops.setdefault(name, "no instance of the waves offers this change through a Software Template")
    return ops


def _minor_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def _merge_pull_request(checkout: Path, branch: str, files: Mapping[str, str], title: str, body: str) -> str:
    """The pull request as Git records it: a branch off the tracked branch with the template's files, then
    merged (a merge commit, as a reviewed PR is) and pushed; the merge commit's id."""
    git(checkout, "checkout", "--quiet", "-B", branch, BRANCH)
    for path, text in files.items():
        target = checkout / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(checkout, "add", "--all", ".")
    git(checkout, "commit", "--quiet", "--no-gpg-sign", "--allow-empty", "-m", title, "-m", body)
    git(checkout, "checkout", "--quiet", BRANCH)
    git(
        checkout, "merge", "--quiet", "--no-ff", "--no-gpg-sign", "-m", f"Merge pull request: {title}", branch
    )
    git(checkout, "push", "--quiet", "origin", f"{BRANCH}:{BRANCH}")
    return git(checkout, "rev-parse", "HEAD")


def _store_secrets(ctx: RehearsalContext, body: str, work: Path, wave: int, stack: str) -> list[Step]:
    """The pull request's `aws ssm put-parameter` lines, run as the developer runs them in a terminal
    (the value from their own variable, never the form), in the account the text names."""
    import re

    from proton_exodus.rehearse.runbook import run_lines

    lines: list[str] = []
    variables: dict[str, str] = {}
    account = ""
    for line in body.splitlines():
        found = re.search(r"credentials for account (\d{12})", line)
        if found:
            account = found[1]
        if line.strip().startswith("aws ssm put-parameter"):
            region = re.search(r"--region (\S+)", line)
            lines.append(
                f"# account {account}, Region {region[1] if region else ''}: use credentials for this account"
            )
            lines.append(line.strip())
            variables |= {v: STAND_IN for v in re.findall(r"\$([A-Z_][A-Z0-9_]*)", line)}
    steps = list(
        run_lines(
            lines,
            source="pull request",
            endpoint_url=ctx.endpoint_url,
            variables=variables,
            cwd=work,
            wave=wave,
            action="day2:secret",
        )
    )
    for step in steps:
        step.stack = f"{stack} (pull request)"
    return steps


def day2(
    ctx: RehearsalContext,
    snapshot: Snapshot,
    deployed: Sequence[Step],
    *,
    wave: int,
    bundles: Path | None = None,
) -> Iterator[Step]:
    """Proton's four day-2 operations through the portal (see the module's notes), each deployed by the
    paired export's deployer and judged as `rehearse.day2` judges every target's."""
    del bundles  # the form offers the versions the export has shared templates for: no render needed
    deployer = _deployer(ctx)
    if deployer is None:
        yield Step(wave, "day2", "(export)", outcome=SKIPPED, message="no deploying export to change")
        return
    healthy = {(s.account, s.region, s.stack) for s in deployed if s.outcome in (OK, NO_OP)}
    targets = [
        t
        for _, ts in ctx.waves
        for t in ts
        if t.kind == "service_instance" and (t.account, t.region, t.stack_name) in healthy
    ]
    base = ctx.work_dir.with_name(ctx.work_dir.name + "-day2")
    try:
        portal_ = _open_portal(ctx, snapshot, base / "repository")
    except (BadInput, OSError, KeyError, ValueError) as err:
        yield Step(
            wave, "day2", "(export)", outcome=FAILED, message=f"cannot open the export repository: {err}"
        )
        return
    for name, op in _plan_ops(portal_, targets).items():
        if isinstance(op, str):
            yield Step(wave, f"day2:{name}", "(none)", outcome=SKIPPED, message=op)
            continue
        yield from _run(ctx, deployer, portal_, op, base, wave)


def _run(
    ctx: RehearsalContext, deployer: Any, portal_: _Portal, op: _Op, base: Path, wave: int
) -> Iterator[Step]:
    t = op.target
    action = f"day2:{op.name}"
    source = f"{op.folder}/template.yaml"
    op.form = portal.with_defaults(op.entity, op.form)  # what the form shows before the developer types
    try:
        portal.submit(op.entity, op.form, source=source)
        files = portal.fetch_template(op.entity, op.skeleton, op.form, source=source)
        pr = portal.pull_request(op.entity, op.form, source=source)
    except BadInput as err:
        yield Step(
            wave, action, t.stack_name, t.account, t.region, outcome=FAILED, message=f"{op.what}: {err}"
        )
        return
    ((path, text),) = files.items()
    doc = load_yaml(text) or {}
    template_file = str(doc.get("template-file-path") or "")
    if not template_file:
        yield Step(
            wave,
            action,
            t.stack_name,
            t.account,
            t.region,
            outcome=FAILED,
            message=f"{op.what}: the skeleton found no shared template for these inputs",
        )
        return
    if op.new:  # the stack Git sync creates is the one the file the template wrote names
        parts = path.removesuffix(".yaml").split("/")
        if len(parts) != 4 or parts[0] != "deployments":
            yield Step(wave, action, t.stack_name, outcome=FAILED, message=f"{op.what}: wrote {path}")
            return
        t = replace(t, account=parts[1], region=parts[2], stack_name=parts[3])
    before_text = (
        (portal_.checkout / path).read_text(encoding="utf-8") if (portal_.checkout / path).is_file() else ""
    )
    secrets: list[Step] = []
    if op.new:
        secrets = _store_secrets(ctx, str(pr.get("description") or ""), base / op.name, wave, t.stack_name)
        yield from secrets
    commit = _merge_pull_request(
        portal_.checkout,
        str(pr.get("branchName") or f"exodus/{op.name}"),
        files,
        str(pr.get("title") or op.what),
        str(pr.get("description") or ""),
    )
    template = (portal_.checkout / template_file).read_text(encoding="utf-8")
    if op.new:
        touched = changed_between("", template)
    elif op.minor_from:
        old = (portal_.checkout / op.minor_from).read_text(encoding="utf-8")
        before = load_yaml(before_text) or {}
        moved = [
            p
            for p in set(before.get("parameters") or {}) | set(doc.get("parameters") or {})
            if (before.get("parameters") or {}).get(p) != (doc.get("parameters") or {}).get(p)
        ]
        touched = changed_between(old, template) | touched_by(template, moved)
    else:
        touched = touched_by(template, op.parameters)
    op_ctx = replace(
        ctx, export_dir=portal_.checkout, work_dir=base / op.name, waves=[(wave, [t])], deploy_dir=None
    )
    refused = f"; {op.refused}" if op.refused else ""
    for step in deployer.rehearse(op_ctx):
        step = expected(step, touched, action, wave)
        step.message = "; ".join(
            p
            for p in (
                f"{op.what}: form accepted{refused}; fetch:template wrote {path}; pull request "
                f"{pr.get('branchName')} merged as {commit[:12]}",
                step.message,
            )
            if p
        )
        if "ACCEPTED by the form" in op.refused:
            step.outcome = FAILED
        if any(s.failed for s in secrets):
            step.outcome, step.message = FAILED, step.message + "; storing the secret failed"
        if step.outcome == NO_OP:
            step.outcome, step.message = FAILED, step.message + "; the change did not reach the stack"
        yield step


__all__ = ["day2", "deploys_through", "rehearse"]
