"""`verify_export`: prove an export equals the deployed stacks the way CloudFormation compares them
(parameters resolved, SSM parameter types included; dynamic references compared as text; stack tags
compared), report the change-set effect of every difference, and predict (or ask CloudFormation about)
replacements before anyone hands a stack over. A difference the export's PLANNED_CHANGES.json names is
planned (reported, not a failure); any other difference fails verify."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exporters import ExportedStack, Registry
from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import fold, resolve_parameters
from proton_exodus.errors import BadInput
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit, build_units, select_units
from proton_exodus.output.writer import WAVES_SELECTION
from proton_exodus.verify.diff import Difference, diff_templates, predict_replacement

__all__ = [
    "PLANNED_CHANGES_JSON",
    "Difference",
    "StackDeployment",
    "VerifyReport",
    "load_deployments",
    "is_planned",
    "load_planned_changes",
    "predict_replacement",
    "verify_export",
    "verify_stack",
]

PLANNED_CHANGES_JSON = "PLANNED_CHANGES.json"


# One stack as an export describes it (template text, parameters, tags); each exporter reads its own.
StackDeployment = ExportedStack


@dataclass
class VerifyReport:
    """Per-stack outcome of `verify_export`."""

    stacks: int = 0
    differences: list[Difference] = field(default_factory=list)
    change_sets: list[dict[str, Any]] = field(default_factory=list)  # one per stack with --change-set
    notes: list[str] = field(default_factory=list)

    @property
    def unplanned(self) -> list[Difference]:
        return [d for d in self.differences if not d.planned]

    @property
    def failed(self) -> bool:
        """An unplanned difference, a change set that replaces or removes, or nothing compared at all
        (an export that covers no stack of the snapshot proves nothing: never "OK")."""
        return (
            bool(self.unplanned)
            or not self.stacks
            or any(c["replacements"] or c["removals"] or c.get("error") for c in self.change_sets)
        )

    def as_dict(self) -> dict[str, Any]:
        effects: dict[str, int] = {}
        for d in self.differences:
            effects[d.effect] = effects.get(d.effect, 0) + 1
        return {
            "stacks": self.stacks,
            "failed": self.failed,
            "unplanned": len(self.unplanned),
            "planned": len(self.differences) - len(self.unplanned),
            "effects": dict(sorted(effects.items())),
            "differences": [d.as_dict() for d in self.differences],
            "changeSets": self.change_sets,
            "notes": self.notes,
        }

    def summary_text(self) -> str:
        lines = [
            f"{d.stack}: {d.section} {d.name} {d.path}".rstrip() + f": deployed {d.deployed} != exported "
            f"{d.exported} [{d.effect}{', planned' if d.planned else ''}]"
            for d in self.differences
        ]
        for cs in self.change_sets:
            for change in cs["replacements"] + cs["removals"]:
                lines.append(f"{cs['stack']}: change set: {change}")
            if cs.get("error"):
                lines.append(f"{cs['stack']}: change set: {cs['error']}")
        lines += [f"note: {n}" for n in self.notes]
        if not self.stacks:
            lines.append("note: no stack of the snapshot has a deployment file in this export: none compared")
        verdict = "FAILED" if self.failed else "OK"
        planned = len(self.differences) - len(self.unplanned)
        lines.append(
            f"{verdict}: {self.stacks} stack(s), {len(self.unplanned)} unplanned difference(s)"
            + (f", {planned} planned" if planned else "")
            + (f", {len(self.change_sets)} change set(s)" if self.change_sets else "")
        )
        return "\n".join(lines)


def load_deployments(
    export: Path, *, registry: Registry | None = None
) -> dict[tuple[str, str, str], StackDeployment]:
    """Every stack the export deploys, keyed (account, region, stack name), read back by the exporter
    that wrote it (its manifest names it; the default target for a directory without one). BadInput
    when that exporter cannot be read back by verify or the export holds no stack."""
    from proton_exodus.output.writer import load_manifest

    registry = registry or Registry.from_entry_points()
    written_by = (load_manifest(Path(export)) or {}).get("exporter") or {}
    target = written_by.get("name") or registry.default_target()
    read = getattr(registry.load(target), "exported_stacks", None)
    if not callable(read):
        raise BadInput(
            f"{export}: exodus verify cannot read a {target} export yet (its exporter has no "
            "exported_stacks hook)"
        )
    found = {(s.account, s.region, s.stack_name): s for s in read(Path(export))}
    if not found:
        raise BadInput(f"{export}: no stack deployments in it (is it a {target} export?)")
    return found


def load_planned_changes(export: Path) -> list[dict[str, str]]:
    """The changes the export says its first deploy makes on purpose (PLANNED_CHANGES.json), or []."""
    path = Path(export) / PLANNED_CHANGES_JSON
    if not path.is_file():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise BadInput(f"{path}: not JSON ({err})") from None
    return [c for c in (doc.get("changes") if isinstance(doc, dict) else doc) or [] if isinstance(c, dict)]


def is_planned(diff: Difference, planned: list[dict[str, str]]) -> bool:
    """Whether PLANNED_CHANGES.json names this difference (same stack and resource; the property or a
    part of it). rehearse asks the same question of every change it sees."""
    for change in planned:
        if change.get("stack") != diff.stack or change.get("resource", "") != diff.name:
            continue
        if change.get("section", "Resources") != diff.section and "section" in change:
            continue
        prop = change.get("property", "")
        if not prop or diff.path == prop or diff.path.startswith((prop + ".", prop + "[")):
            return True
    return False


def verify_stack(
    unit: DeploymentUnit,
    dep: StackDeployment,
    snapshot: Snapshot,
    *,
    ssm_values: Mapping[str, str] | None = None,
) -> list[Difference]:
    """Resolve the exported template with its parameters as CloudFormation does for a change set
    (SSM parameter types from `ssm_values`, else from the snapshot; dynamic references left as text);
    compare with the deployed template, parameters and stack tags."""
    from proton_exodus.model.secrets import ssm_lookup

    name = unit.stack_name or ""
    # Both sides with their literal-only functions evaluated, as CloudFormation compares them.
    deployed = fold(load_normalised(unit.deployed_template or "", source=f"deployed template of {name}"))
    exported = load_normalised(dep.template, source=dep.template_path)
    keep = frozenset((deployed.get("Parameters") or {}).keys())
    resolved = resolve_parameters(
        exported, dep.parameters, keep=keep, ssm=ssm_lookup(snapshot, unit, ssm_values)
    )
    diffs = diff_templates(name, deployed, resolved, region=unit.region)
    for key in sorted(keep):
        live, given = unit.parameters.get(key), dep.parameters.get(key)
        if live is not None and set(live) != {"*"} and given != live:
            diffs.append(Difference(name, "StackParameters", key, "", str(live), str(given)))
    # A stack tag propagates to every taggable resource: a new, changed or dropped one is a change.
    live_tags = {k: v for k, v in unit.tags.items() if not k.startswith("aws:")}
    for key in sorted(set(live_tags) | set(dep.tags)):
        if live_tags.get(key) != dep.tags.get(key):
            diffs.append(
                Difference(
                    name,
                    "StackTags",
                    key,
                    "",
                    str(live_tags.get(key, "<absent>")),
                    str(dep.tags.get(key, "<absent>")),
                )
            )
    return diffs


def verify_export(
    snapshot: Snapshot,
    export: Path,
    *,
    change_set: bool = False,
    session: Any = None,
    endpoint_url: str | None = None,
    registry: Registry | None = None,
    ssm_values: Mapping[str, str] | None = None,
) -> VerifyReport:
    """Check every stack the export covers; with `change_set`, also ask CloudFormation (boto3 `session`).
    `ssm_values` (Parameter Store name -> value) stand for what the account holds, for SSM parameters."""
    from proton_exodus.output.writer import load_manifest

    manifest = load_manifest(Path(export)) or {}
    deployments = load_deployments(Path(export), registry=registry)
    selected = [str(o) for o in manifest.get("only") or ()]
    names = tuple(o for o in selected if not o.startswith(WAVES_SELECTION))
    units = [
        u
        for u in select_units(build_units(snapshot), names)
        if u.provisioning == "cloudformation" and u.stack_name and u.deployed_template is not None
    ]
    if len(names) != len(selected):  # `--through-wave N`: the export covers the stacks of waves 1..N
        units = [u for u in units if (u.account, u.region, u.stack_name or "") in deployments]
    report = VerifyReport()
    planned = load_planned_changes(Path(export))
    for unit in units:
        dep = deployments.get((unit.account, unit.region, unit.stack_name or ""))
        if dep is None:
            report.differences.append(
                Difference(unit.stack_name or "", "Export", "", "", "deployed stack", "<no deployment file>")
            )
            continue
        report.stacks += 1
        report.differences += [
            replace(d, planned=is_planned(d, planned))
            for d in verify_stack(unit, dep, snapshot, ssm_values=ssm_values)
        ]
        if change_set:
            from proton_exodus.verify.changeset import check_change_set

            report.change_sets.append(check_change_set(unit, dep, session=session, endpoint_url=endpoint_url))
    known = {(u.account, u.region, u.stack_name) for u in units}
    report.notes += [
        f"{d.deployment_file}: no such stack in the snapshot"
        for k, d in deployments.items()
        if k not in known
    ]
    return report
