"""`verify_export`: prove an export equals the deployed stacks, and predict (or ask CloudFormation
about) replacements before anyone hands a stack over."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporters import ExportedStack, Registry
from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import resolve_parameters
from proton_exodus.errors import BadInput
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit, build_units, select_units
from proton_exodus.verify.diff import Difference, diff_templates, predict_replacement

__all__ = ["Difference", "StackDeployment", "VerifyReport", "load_deployments", "predict_replacement",
           "verify_export", "verify_stack"]


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
    def failed(self) -> bool:
        return bool(self.differences) or any(c["replacements"] or c["removals"] or c.get("error")
                                              for c in self.change_sets)

    def as_dict(self) -> dict[str, Any]:
        return {"stacks": self.stacks, "failed": self.failed,
                "differences": [d.as_dict() for d in self.differences], "changeSets": self.change_sets,
                "notes": self.notes}

    def summary_text(self) -> str:
        lines = [f"{d.stack}: {d.section} {d.name} {d.path}".rstrip() + f": deployed {d.deployed} != exported "
                 f"{d.exported}" + (f" [replacement: {d.replacement}]" if d.replacement else "")
                 for d in self.differences]
        for cs in self.change_sets:
            for change in cs["replacements"] + cs["removals"]:
                lines.append(f"{cs['stack']}: change set: {change}")
            if cs.get("error"):
                lines.append(f"{cs['stack']}: change set: {cs['error']}")
        lines += [f"note: {n}" for n in self.notes]
        verdict = "FAILED" if self.failed else "OK"
        lines.append(f"{verdict}: {self.stacks} stack(s), {len(self.differences)} difference(s)"
                     + (f", {len(self.change_sets)} change set(s)" if self.change_sets else ""))
        return "\n".join(lines)


def load_deployments(export: Path, *,
                     registry: Registry | None = None) -> dict[tuple[str, str, str], StackDeployment]:
    """Every stack the export deploys, keyed (account, region, stack name), read back by the exporter
    that wrote it (its manifest names it; the default target for a directory without one). BadInput
    when that exporter cannot be read back by verify or the export holds no stack."""
    from proton_exodus.output.writer import load_manifest

    registry = registry or Registry.from_entry_points()
    written_by = (load_manifest(Path(export)) or {}).get("exporter") or {}
    target = written_by.get("name") or registry.default_target()
    read = getattr(registry.load(target), "exported_stacks", None)
    if not callable(read):
        raise BadInput(f"{export}: exodus verify cannot read a {target} export yet (its exporter has no "
                       "exported_stacks hook)")
    found = {(s.account, s.region, s.stack_name): s for s in read(Path(export))}
    if not found:
        raise BadInput(f"{export}: no stack deployments in it (is it a {target} export?)")
    return found


def verify_stack(unit: DeploymentUnit, dep: StackDeployment, snapshot: Snapshot) -> list[Difference]:
    """Resolve the exported template with its parameters; compare with the deployed one."""
    from proton_exodus.model.secrets import secret_lookup

    name = unit.stack_name or ""
    deployed = load_normalised(unit.deployed_template or "", source=f"deployed template of {name}")
    exported = load_normalised(dep.template, source=dep.template_path)
    keep = frozenset((deployed.get("Parameters") or {}).keys())
    resolved = resolve_parameters(exported, dep.parameters, keep=keep, secret=secret_lookup(snapshot, unit))
    diffs = diff_templates(name, deployed, resolved, region=unit.region)
    for key in sorted(keep):
        live, given = unit.parameters.get(key), dep.parameters.get(key)
        if live is not None and set(live) != {"*"} and given != live:
            diffs.append(Difference(name, "StackParameters", key, "", str(live), str(given)))
    return diffs


def verify_export(snapshot: Snapshot, export: Path, *, change_set: bool = False, session: Any = None,
                  endpoint_url: str | None = None, registry: Registry | None = None) -> VerifyReport:
    """Check every stack the export covers; with `change_set`, also ask CloudFormation (boto3 `session`)."""
    from proton_exodus.output.writer import load_manifest

    manifest = load_manifest(Path(export)) or {}
    deployments = load_deployments(Path(export), registry=registry)
    units = [u for u in select_units(build_units(snapshot), tuple(manifest.get("only") or ()))
             if u.provisioning == "cloudformation" and u.stack_name and u.deployed_template is not None]
    report = VerifyReport()
    for unit in units:
        dep = deployments.get((unit.account, unit.region, unit.stack_name or ""))
        if dep is None:
            report.differences.append(Difference(unit.stack_name or "", "Export", "", "", "deployed stack",
                                                 "<no deployment file>"))
            continue
        report.stacks += 1
        report.differences += verify_stack(unit, dep, snapshot)
        if change_set:
            from proton_exodus.verify.changeset import check_change_set

            report.change_sets.append(check_change_set(unit, dep, session=session, endpoint_url=endpoint_url))
    known = {(u.account, u.region, u.stack_name) for u in units}
    report.notes += [f"{d.deployment_file}: no such stack in the snapshot" for k, d in deployments.items()
                     if k not in known]
    return report
