"""Day 2 in the new system, and a rollback, after the waves: what a team does once Proton is gone.

- **ship-image**: a new image for one service (its `Image` parameter when the export has one, else the
  image in its task definition);
- **change-input**: one input of one instance, the ECS service's desired count: `exodus repo set` (its
  parameter in the instance's deployment file) when the export ships a repository index, else edited in
  its template;
- **minor-version**: one instance moved to the next minor version of its template (`exodus repo
  upgrade`) when its deployment file (Git sync), TEMPLATES.json (a deployer that follows it: terraform,
  spacelift, service-catalog) or its pipeline definition (a template configuration on a shared template:
  codepipeline, github-actions; the upgrade repoints it) names the next minor's shared template;
  otherwise both minors are rendered from the template bundles for the instance's inputs and the
  difference is applied to the exported template (a three-way merge: what the exporter changed stays);
- **rollback**: one wave returned to the previous deployment path, the stacks as recorded in the
  snapshot deployed directly with CloudFormation (never to Proton).

Each day-2 change is made the way the target's users make it (the exporter's `edit_stack` hook edits the
files of the export, then the target's own deployer runs on that stack) and must change only the
resources the edit touched (and the ECS services of a replaced task definition) and replace nothing but
an ECS task definition (immutable: a change is a new revision, as with Proton)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from proton_exodus.cfn.text import dump_template, parse_template
from proton_exodus.errors import BadInput, ExodusError
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.rehearse.changeset import DONE, run_change_set
from proton_exodus.rehearse.model import (
    FAILED,
    NO_OP,
    OK,
    SKIPPED,
    Change,
    RehearsalContext,
    StackTarget,
    Step,
)

NEW_REVISION = {"AWS::ECS::TaskDefinition"}  # immutable: every change replaces it (a new revision)
Edit = Callable[[str, dict[str, str]], tuple[str, dict[str, str]]]


@dataclass
class Day2Op:
    """One day-2 change: which stack, what it does, the edit, and the resources it may change."""

    name: str
    target: StackTarget
    what: str
    edit: Edit | None
    touched: set[str] = field(default_factory=set)
    apply: Callable[[Path], list[str]] | None = None  # a repo operation on the export (exodus repo ...)


def _tree(text: str) -> dict[str, Any]:
    try:
        tree = parse_template(text)
    except Exception:  # noqa: BLE001 - an unreadable template offers no day-2 change
        return {}
    return tree if isinstance(tree, dict) else {}


def _resources(tree: Mapping[str, Any]) -> dict[str, Any]:
    res = tree.get("Resources")
    return dict(res) if isinstance(res, Mapping) else {}


def _refers(node: Any, name: str) -> bool:
    text = json.dumps(node, sort_keys=True, default=str)
    return f'"Ref": "{name}"' in text or "${" + name + "}" in text or f'["{name}",' in text


def _with_dependants(tree: Mapping[str, Any], touched: set[str]) -> set[str]:
    """`touched` and the resources referring to a touched resource that gets a new revision."""
    resources = _resources(tree)
    renewed = {k for k in touched if (resources.get(k) or {}).get("Type") in NEW_REVISION}
    return touched | {k for k, v in resources.items() for r in renewed if k != r and _refers(v, r)}


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    a, b = _resources(before), _resources(after)
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


def _new_image(image: str) -> str:
    repo, sep, tag = image.rpartition(":")
    return f"{repo}:exodus-day2" if sep and "/" not in tag else f"{image}:exodus-day2"


class _Peek:
    """An edit that changes nothing and keeps what it saw (the stack's template and parameters)."""

    def __init__(self) -> None:
        self.template, self.params = "", {}

    def __call__(self, template: str, params: dict[str, str]) -> tuple[str, dict[str, str]]:
        self.template, self.params = template, dict(params)
        return template, params


def _ship_image(target: StackTarget, template: str, params: Mapping[str, str]) -> Day2Op | None:
    tree = _tree(template)
    for logical, res in sorted(_resources(tree).items()):
        if (res or {}).get("Type") != "AWS::ECS::TaskDefinition":
            continue
        defs = ((res.get("Properties") or {}).get("ContainerDefinitions")) or []
        image = defs[0].get("Image") if defs and isinstance(defs[0], Mapping) else None
        if isinstance(image, Mapping) and str(image.get("Ref", "")) in params:
            param = str(image["Ref"])
            new = _new_image(params[param])

            def edit_param(t: str, p: dict[str, str], param: str = param, new: str = new) -> tuple[str, Any]:
                return t, {**p, param: new}

            touched = {k for k, v in _resources(tree).items() if _refers(v, param)}
            return Day2Op(
                "ship-image",
                target,
                f"parameter {param}: {params[param]} -> {new}",
                edit_param,
                _with_dependants(tree, touched),
            )
        if isinstance(image, str) and template.count(image) == 1:
            new = _new_image(image)

            def edit_text(t: str, p: dict[str, str], old: str = image, new: str = new) -> tuple[str, Any]:
                return t.replace(old, new), p

            return Day2Op(
                "ship-image",
                target,
                f"{logical} image (no Image parameter in the export): {image} -> {new}",
                edit_text,
                _with_dependants(tree, {logical}),
            )
    return None


def _change_input(target: StackTarget, template: str, params: Mapping[str, str]) -> Day2Op | None:
    tree = _tree(template)
    for logical, res in sorted(_resources(tree).items()):
        props = (res or {}).get("Properties") or {}
        count = props.get("DesiredCount") if (res or {}).get("Type") == "AWS::ECS::Service" else None
        param = str(count.get("Ref", "")) if isinstance(count, Mapping) else ""
        if params.get(param, "").isdigit():  # the input is a parameter: the target's parameter value changes
            new = int(params[param]) + 1

            def edit_param(t: str, p: dict[str, str], param: str = param, new: int = new) -> tuple[str, Any]:
                return t, {**p, param: str(new)}

            return Day2Op(
                "change-input",
                target,
                f"input desired_count: parameter {param} {params[param]} -> {new}",
                edit_param,
                {k for k, v in _resources(tree).items() if _refers(v, param)},
            )
        if isinstance(count, int) or (isinstance(count, str) and count.isdigit()):
            new = int(count) + 1

            def edit(t: str, p: dict[str, str], logical: str = logical, new: int = new) -> tuple[str, Any]:
                changed = parse_template(t)
                changed["Resources"][logical]["Properties"]["DesiredCount"] = new
                return dump_template(changed), p

            return Day2Op(
                "change-input",
                target,
                f"input desired_count: {logical}.DesiredCount {count} -> {new} (edited in the template)",
                edit,
                {logical},
            )
    return None


def _index(export: Path) -> dict[str, Any] | None:
    """The export's repository index (what `exodus repo` edits), or None when the target ships none."""
    from proton_exodus.repo.check import RepoProblem, load_index

    try:
        return load_index(export)
    except RepoProblem:
        return None


def _indexed(index: Mapping[str, Any], target: StackTarget) -> dict[str, Any] | None:
    for item in index.get("instances") or []:
        stack = item.get("stack") or {}
        if (stack.get("account"), stack.get("region"), stack.get("name")) == (
            target.account,
            target.region,
            target.stack_name,
        ):
            return dict(item)
    return None


def _repo_change_input(
    export: Path, index: Mapping[str, Any], target: StackTarget, template: str
) -> Day2Op | None:
    """`exodus repo set INSTANCE desired_count=N+1`: the input its parameter carries, edited in the
    instance's deployment file (the shared template is not touched)."""
    from proton_exodus.repo import ops

    item = _indexed(index, target)
    parameter = ((item or {}).get("parameters") or {}).get("desired_count")
    if item is None or not parameter or not item.get("parameters_file"):
        return None
    current = ops.Repo.open(export).inputs(item).get("desired_count")
    if not isinstance(current, int) or isinstance(current, bool):
        return None
    tree = _tree(template)
    touched = {k for k, v in _resources(tree).items() if _refers(v, parameter)}
    if not touched:
        return None
    new = current + 1
    return Day2Op(
        "change-input",
        target,
        f"exodus repo set {item['name']} desired_count={new}: parameter {parameter} {current} -> {new} in "
        f"{item['parameters_file']}",
        None,
        _with_dependants(tree, touched),
        lambda root, name=item["name"], new=new: ops.set_inputs(root, name, [f"desired_count={new}"]),
    )


def _upgrade(root: Path, name: str, to: str) -> list[str]:
    """`exodus repo upgrade NAME --to TO`; refused unless it moved the instance to a shared template
    (its own re-rendered copy is not how a team moves one instance of a parameterised export)."""
    from proton_exodus.repo import ops

    notes: list[str] = []
    files = ops.upgrade(root, [name], to, notes=notes)
    if any("no shared template" in n for n in notes):
        raise ValueError(f"{name}: no shared template of {to} fits it: " + "; ".join(notes))
    return files


def _repo_minor_version(
    export: Path,
    index: Mapping[str, Any],
    targets: Sequence[StackTarget],
    peek: Callable[[StackTarget], _Peek],
    follows_listing: bool = False,
) -> tuple[Day2Op | None, str]:
    """The first instance of the waves with a newer minor its repository ships: its deployment file moves
    to the shared template of that minor (`exodus repo upgrade`). The resources it may change are those
    the two versions render differently for the instance's inputs (rendered as Proton did).
    `follows_listing`: the target's deployer reads the template file TEMPLATES.json names (terraform), so
    a template configuration moves with the listing too; otherwise a template configuration moves only
    between shared templates, its pipeline definition repointed by `exodus repo upgrade`."""
    from proton_exodus.proton.schema import json_schema_violations
    from proton_exodus.repo import ops, shared
    from proton_exodus.repo.check import CROSSPLANE_STACK, GIT_SYNC, TEMPLATE_CONFIGURATION
    from proton_exodus.repo.index import version_key

    repo = ops.Repo.open(export)
    listing = shared.listing(repo.read) or {"stacks": []}

    def movable(item: Mapping[str, Any]) -> bool:
        fmt = item.get("parameters_format")
        if fmt == TEMPLATE_CONFIGURATION:  # a pipeline naming the file is repointed between shared ones
            return follows_listing or bool((shared.row(listing, item) or {}).get("shared"))
        # a Git sync deployment file names its template; a Crossplane Stack through its kustomization
        return fmt in (GIT_SYNC, CROSSPLANE_STACK)

    why = "no instance of the waves has a newer minor version in the export's repository"
    for target in targets:
        item = _indexed(index, target)
        if item is None or item.get("kind") != "service_instance" or not movable(item):
            continue
        newer = sorted(repo.version(item).get("upgrades_to") or [], key=version_key)
        if not newer:
            continue
        to = newer[-1]
        try:
            values = repo.inputs(item)
            old = json_schema_violations(repo.schema(item), values, path="spec")[0]
            new = json_schema_violations(repo.schema(item, to), values, path="spec")[0]
            before = _tree(ops.render_instance(repo, item, item["version"], old))
            after = _tree(ops.render_instance(repo, item, to, new))
        except ExodusError as err:
            why = f"{item['name']}: {err}"
            continue
        seen = peek(target)
        namer = (
            "its deployment file"
            if item.get("parameters_format") == GIT_SYNC
            else "TEMPLATES.json"
            if follows_listing
            else "its pipeline definition"
        )
        return (
            Day2Op(
                "minor-version",
                target,
                f"exodus repo upgrade {item['name']} --to {to} ({item['version']} -> {to}): its stack moves "
                f"to the shared {to} template with its parameters ({namer} names it)",
                None,
                _with_dependants(_tree(seen.template), _changed(before, after)),
                lambda root, name=item["name"], to=to: _upgrade(root, name, to),
            ),
            "",
        )
    return None, why


def _list_key(*lists: list[Any]) -> str:
    """The member naming each item of lists of mappings (`Name` of environment variables, `Key` of
    tags), when every item of every list has it and it is unique in each list; else ''."""
    for key in ("Name", "Key"):
        if all(
            all(isinstance(i, Mapping) and key in i for i in items)
            and len({str(i[key]) for i in items}) == len(items)
            for items in lists
        ):
            return key
    return ""


def _merge_named(ours: list[Any], base: list[Any], new: list[Any], key: str, path: str) -> list[Any]:
    """Lists merged item by name: new's order, ours' changes kept, items only ours has appended."""
    o, b = {str(i[key]): i for i in ours}, {str(i[key]): i for i in base}
    out = []
    for item in new:
        name = str(item[key])
        if name in b and name in o:
            out.append(three_way(o[name], b[name], item, f"{path}/{name}"))
        elif name not in b:
            out.append(item)
    for name, item in b.items():
        if name not in {str(i[key]) for i in new} and name in o and o[name] != item:
            raise ValueError(f"{path}/{name}: removed by the new version, changed by the export")
    out += [i for i in ours if str(i[key]) not in b and str(i[key]) not in {str(n[key]) for n in new}]
    return out


def three_way(ours: Any, base: Any, new: Any, path: str = "") -> Any:
    """`ours` with the change from `base` to `new` applied (a structural three-way merge); ValueError
    naming the path where `ours` changed the same value differently."""
    if base == new:
        return ours
    if ours == base:
        return new
    if isinstance(ours, Mapping) and isinstance(base, Mapping) and isinstance(new, Mapping):
        out = dict(ours)
        for key in sorted(set(base) | set(new), key=str):
            if key not in new:
                if key in out and out[key] != base[key]:
                    raise ValueError(f"{path}/{key}: removed by the new version, changed by the export")
                out.pop(key, None)
            elif key not in base:
                out[key] = new[key]
            else:
                out[key] = three_way(out.get(key), base[key], new[key], f"{path}/{key}")
        return out
    if isinstance(ours, list) and isinstance(base, list) and isinstance(new, list):
        key = _list_key(ours, base, new)
        if key:
            return _merge_named(ours, base, new, key, path)
    if isinstance(ours, list) and isinstance(base, list) and isinstance(new, list) and len(ours) == len(base):
        if len(new) < len(base):
            raise ValueError(f"{path}: the new version drops list items the export kept")
        merged = [
            three_way(o, b, n, f"{path}/{i}")
            for i, (o, b, n) in enumerate(zip(ours, base, new, strict=False))
        ]
        return merged + list(new[len(base) :])
    raise ValueError(f"{path}: changed by both the export and the new version")


def _minor_version(
    snapshot: Snapshot,
    bundles: Path | None,
    targets: Sequence[StackTarget],
    peek: Callable[[StackTarget], _Peek],
) -> tuple[Day2Op | None, str]:
    """The first instance behind the newest published minor of its major whose bundles are both in
    `bundles` (`<template>/v<major>.<minor>` and `<template>/v<major>`, a template-sync layout)."""
    if bundles is None:
        return None, "no template bundles given (--bundles): the next minor cannot be rendered"
    from proton_exodus.model.units import build_units
    from proton_exodus.proton.bundle import load_bundle
    from proton_exodus.proton.render.jinja_env import render_jinja
    from proton_exodus.translate.context import ContextBuilder

    newest: dict[tuple[str, str], int] = {}
    for v in snapshot.kind("service_template_versions"):
        if v.get("status") == "PUBLISHED" and str(v.get("minorVersion", "")).isdigit():
            key = (str(v.get("templateName")), str(v.get("majorVersion")))
            newest[key] = max(newest.get(key, 0), int(v["minorVersion"]))
    units = build_units(snapshot)
    by_stack = {u.stack_name: u for u in units if u.kind == "service_instance" and u.stack_name}
    builder = ContextBuilder(snapshot, units)
    for target in targets:
        unit = by_stack.get(target.stack_name)
        if unit is None or not str(unit.template_minor).isdigit():
            continue
        major, minor = str(unit.template_major), int(unit.template_minor)
        top = newest.get((str(unit.template_name), major), minor)
        old_dir, new_dir = (
            Path(bundles) / unit.template_name / f"v{major}.{minor}",
            Path(bundles) / unit.template_name / f"v{major}",
        )
        if top <= minor or not old_dir.is_dir() or not new_dir.is_dir():
            continue
        rendered = []
        for folder in (old_dir, new_dir):
            bundle = load_bundle(folder)
            assert bundle.schema is not None
            values = bundle.schema.apply_defaults_and_validate("service", dict(unit.inputs), path="spec")
            ctx = builder.context(unit, inputs=values) or {}
            text = (folder / "instance_infrastructure" / "cloudformation.yaml").read_text(encoding="utf-8")
            rendered.append(_tree(render_jinja(text, ctx, source=str(folder.name))))
        base, new = rendered
        seen = peek(target)

        def edit(t: str, p: dict[str, str], base: Any = base, new: Any = new) -> tuple[str, Any]:
            ours = parse_template(t)
            # the template's Description changes no resource: the export's own text is kept
            keep = {k: ours[k] for k in ("Description",) if k in ours}
            return dump_template(three_way(ours, {**base, **keep}, {**new, **keep})), p

        touched = _changed(base, new)
        op = Day2Op(
            "minor-version",
            target,
            f"{unit.template_name} {major}.{minor} -> {major}.{top} (rendered from {old_dir.name} and "
            f"{new_dir.name} for the instance's inputs, merged into the exported template)",
            edit,
            _with_dependants(_tree(seen.template), touched),
        )
        return op, ""
    return None, "no instance of the waves is behind the newest minor with both bundles at hand"


def _mark(step: Step, op_touched: set[str], action: str, wave: int) -> Step:
    """Expected changes are planned: on a touched resource, replacing only a new-revision type."""
    step.action, step.wave = action, wave
    step.changes = [
        replace(
            c,
            planned=c.action != "Tags"
            and c.logical_id in op_touched
            and (not c.replaces or c.resource_type in NEW_REVISION),
        )
        for c in step.changes
    ]
    revisions = sorted(c.logical_id for c in step.changes if c.planned and c.replaces)
    if revisions:
        step.message = "; ".join(
            p
            for p in (
                step.message,
                f"{', '.join(revisions)}: replaced as the expected new task definition revision (an ECS "
                "task definition is immutable: a changed container is a new revision, its service rolls "
                "to it); not a failure",
            )
            if p
        )
    return step


def day2(
    ctx: RehearsalContext,
    exporter: Any,
    snapshot: Snapshot,
    deployed: Sequence[Step],
    *,
    wave: int,
    bundles: Path | None = None,
) -> Iterator[Step]:
    """The three day-2 changes, each edited into a copy of the export and deployed by the target."""
    edit_stack = getattr(exporter, "edit_stack", None)
    healthy = {
        # every step of `deployed` is the deployer's (its action is the target's word: deploy, run, import)
        (s.account, s.region, s.stack)
        for s in deployed
        if s.outcome in (OK, NO_OP)
    }
    targets = [
        t
        for _, ts in ctx.waves
        for t in ts
        if t.kind == "service_instance" and (t.account, t.region, t.stack_name) in healthy
    ]
    base = ctx.work_dir.with_name(ctx.work_dir.name + "-day2")
    if base.exists():
        shutil.rmtree(base)
    export = base / "export"
    shutil.copytree(ctx.export_dir, export)
    if edit_stack is None:
        yield Step(wave, "day2", "(export)", outcome=SKIPPED, message="the target has no edit_stack hook")
        return

    def peek(t: StackTarget) -> _Peek:
        seen = _Peek()
        edit_stack(export, t.account, t.region, t.stack_name, seen)
        return seen

    index = _index(export)

    def change_input(t: StackTarget, template: str, params: Mapping[str, str]) -> Day2Op | None:
        if index is not None:
            op = _repo_change_input(export, index, t, template)
            item = _indexed(index, t) or {}
            if op is None and item.get("template_file") == item.get("parameters_file"):
                op = _change_input(t, template, params)  # a template of its own (argocd's inline Stack)
            return op
        return _change_input(t, template, params)

    used: set[str] = set()
    plans: list[tuple[str, Day2Op | None, str]] = []
    for name, pick in (("ship-image", _ship_image), ("change-input", change_input)):
        op = None
        for t in targets:
            if t.stack_name in used:
                continue
            seen = peek(t)
            op = pick(t, seen.template, seen.params)
            if op is not None:
                used.add(t.stack_name)
                break
        plans.append((name, op, "" if op else "no instance of the waves offers this change"))
    rest = [t for t in targets if t.stack_name not in used]
    listing = bool(getattr(exporter, "follows_listing", False))
    op, why = _repo_minor_version(export, index, rest, peek, listing) if index is not None else (None, "")
    if op is None:  # no Git sync deployment file to point at a shared template: merge the renders
        op, why = _minor_version(snapshot, bundles, rest, peek)
    plans.append(("minor-version", op, why))
    for name, op, why in plans:
        if op is None:
            yield Step(wave, f"day2:{name}", "(none)", outcome=SKIPPED, message=why)
            continue
        try:
            if op.apply is not None:
                files = [f for f in op.apply(export) if not f.startswith(".exodus-repo/")]
            else:
                assert op.edit is not None
                files = edit_stack(export, op.target.account, op.target.region, op.target.stack_name, op.edit)
        except (ValueError, ExodusError) as err:
            yield Step(
                wave,
                f"day2:{name}",
                op.target.stack_name,
                op.target.account,
                op.target.region,
                outcome=FAILED,
                message=f"{op.what}: the change does not merge: {err}",
            )
            continue
        op_ctx = replace(ctx, export_dir=export, work_dir=base / name, waves=[(wave, [op.target])])
        for step in exporter.rehearse(op_ctx):
            step = _mark(step, op.touched, f"day2:{name}", wave)
            step.message = "; ".join(p for p in (f"{op.what}; edited {', '.join(files)}", step.message) if p)
            if step.outcome == NO_OP:
                step.outcome, step.message = FAILED, step.message + "; the change did not reach the stack"
            yield step


def rollback(
    ctx: RehearsalContext, snapshot: Snapshot, number: int, *, wave: int, touched: Mapping[str, set[str]]
) -> Iterator[Step]:
    """Roll wave `number` back to the previous deployment path: each stack deployed directly with the
    template, parameters, tags and service role the snapshot recorded (what ran before the hand-over,
    with Proton gone). A stack day 2 changed returns its touched resources; nothing else may change."""
    records = {(s.get("account"), s.get("region"), s.get("StackName")): s for s in snapshot.stacks}
    targets = next((ts for n, ts in ctx.waves if n == number), [])
    for t in targets:
        step = Step(
            wave,
            "rollback",
            t.stack_name,
            t.account,
            t.region,
            command=(
                f"aws cloudformation create-change-set/execute-change-set --stack-name {t.stack_name} "
                f"with the template, parameters and tags recorded in the snapshot (wave {number} back to "
                "its previous deployment path)"
            ),
        )
        record = records.get((t.account, t.region, t.stack_name))
        template = snapshot.stack_template(record) if record else None
        if record is None or template is None:
            step.outcome, step.message = SKIPPED, "the snapshot holds no deployed template for this stack"
            yield step
            continue
        params = {
            p["ParameterKey"]: p.get("ParameterValue", "")
            for p in record.get("Parameters") or []
            if "ParameterKey" in p
        }
        tags = {x["Key"]: x["Value"] for x in record.get("Tags") or [] if not x["Key"].startswith("aws:")}
        run = run_change_set(
            ctx.cloudformation(t.account, t.region),
            t.stack_name,
            template,
            params,
            tags,
            name="exodus-rollback",
            role_arn=record.get("RoleARN") or None,
            poll=ctx.poll,
            timeout=ctx.timeout,
        )
        step.changes, step.status = run.changes, run.status
        step = _mark(step, touched.get(t.stack_name, set()), "rollback", wave)
        if run.error or (run.executed and run.status not in DONE):
            step.outcome, step.message = FAILED, run.error or run.status
        else:
            step.outcome = OK if run.changes else NO_OP
            if touched.get(t.stack_name):
                step.message = "reverts the day-2 change of this stack"
        yield step


SHARED = "rollback-shared"  # the step checking an account's shared set-up after a rollback


def shared_kept(ctx: RehearsalContext, exporter: Any, number: int, *, wave: int) -> Iterator[Step]:
    """After wave `number`'s rollback ran the runbook: each account's shared set-up (the stacks the
    exporter's `handover` names for an `account`, for a target whose runbook releases them) still exists
    where another rehearsed wave's stacks use it, and is gone where only the rolled-back wave did."""
    from exporters import StackRef

    layout = getattr(exporter, "handover", None)
    if layout is None or getattr(getattr(exporter, "runbook", None), "release_commands", None) is None:
        return
    users: dict[tuple[str, str], set[int]] = {}
    for n, targets in ctx.waves:
        for t in targets:
            if t.account and t.region:
                users.setdefault((t.account, t.region), set()).add(n)
    for (account, region), waves in sorted(users.items()):
        others = sorted(waves - {number})
        if number not in waves:
            continue
        for file in layout(StackRef("account", account, account, region)):
            step = Step(wave, SHARED, file.name, account, region)
            step.command = f"aws cloudformation describe-stacks --stack-name {file.name} --region {region}"
            try:
                found = ctx.cloudformation(account, region).describe_stacks(StackName=file.name)["Stacks"]
                status = str(found[0].get("StackStatus", "")) if found else ""
            except Exception:  # noqa: BLE001 - a missing stack is an answer here, not an error
                status = ""
            alive = bool(status) and not status.startswith("DELETE_")
            if others:
                step.outcome = OK if alive else FAILED
                step.message = (
                    f"kept ({status}): wave(s) {', '.join(map(str, others))} still use it"
                    if alive
                    else f"deleted by the rollback of wave {number}, but wave(s) "
                    f"{', '.join(map(str, others))} still use it"
                )
            else:
                step.outcome = FAILED if alive else OK
                step.message = (
                    f"still {status} after the last wave using it was rolled back"
                    if alive
                    else f"removed with wave {number}, the last wave using it"
                )
            yield step


def rollback_wave(ctx: RehearsalContext, day2_steps: Sequence[Step], chosen: int | None = None) -> int:
    """The wave to roll back: `chosen` (`--rollback-wave`), else the last wave day 2 did not touch (else the
    last wave)."""
    numbers = [n for n, ts in ctx.waves if ts]
    if chosen is not None:
        if chosen not in numbers:
            raise BadInput(
                f"--rollback-wave {chosen}: not a wave this rehearsal deployed "
                f"({', '.join(map(str, numbers)) or 'none'})"
            )
        return chosen
    changed = {s.stack for s in day2_steps if s.outcome not in (SKIPPED,)}
    clean = [n for n, ts in ctx.waves if ts and not any(t.stack_name in changed for t in ts)]
    return (clean or numbers or [0])[-1]


def summary(day2_steps: Sequence[Step], rollback_steps: Sequence[Step], rolled_back: int) -> dict[str, Any]:
    """The `day2` member of `--output json`: per change, the stack, outcome and counts; and the rollback."""

    def counts(steps: Sequence[Step]) -> dict[str, int]:
        changes: list[Change] = [c for s in steps for c in s.changes]
        return {
            "changes": len(changes),
            "replacements": sum(1 for c in changes if c.replaces),
            "unplanned": sum(1 for c in changes if not c.planned),
            "failed": sum(1 for s in steps if s.outcome == FAILED),
        }

    out: dict[str, Any] = {}
    for s in day2_steps:
        out[s.action.removeprefix("day2:")] = {"stack": s.stack, "outcome": s.outcome, **counts([s])}
    stacks = [s for s in rollback_steps if s.action != SHARED]
    out["rollback"] = {"wave": rolled_back, "stacks": len(stacks), **counts(rollback_steps)}
    shared = [s for s in rollback_steps if s.action == SHARED]
    if shared:  # what other waves share with the rolled-back one: kept where used, removed where not
        out["rollback"]["shared"] = [
            {
                "stack": s.stack,
                "account": s.account,
                "region": s.region,
                "outcome": s.outcome,
                "why": s.message,
            }
            for s in shared
        ]
    return out


# Public helpers for a target that makes day-2 changes its own way (the exporter's `day2` hook, e.g. through
# a portal's form) and must judge them exactly as `day2` does.


def expected(step: Step, touched: set[str], action: str, wave: int) -> Step:
    """`step` (a deployer's) with the changes on `touched` resources planned, as `day2` judges its own."""
    return _mark(step, touched, action, wave)


def touched_by(template: str, parameters: Sequence[str]) -> set[str]:
    """The resources of `template` that a new value of any of `parameters` may change (those referring
    to one, and the ECS services of a task definition that gets a new revision)."""
    tree = _tree(template)
    found = {k for k, v in _resources(tree).items() for p in parameters if _refers(v, p)}
    return _with_dependants(tree, found)


def changed_between(before: str, after: str) -> set[str]:
    """The resources whose text differs between two templates, with their dependants in `after`."""
    return _with_dependants(_tree(after), _changed(_tree(before), _tree(after)))
