"""`run_export`: snapshot -> deployment units -> one exporter -> the shared writer.

The one library entry point behind `exodus export`; exporters stay pure and never see the disk.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporters import ExportContext, ExportResult, Finding, Registry, sibling_key
from proton_exodus.errors import BadInput
from proton_exodus.model.units import DeploymentUnit, build_units, select_units
from proton_exodus.output.writer import WAVES_SELECTION, WriteReport, build_manifest, write_export

if TYPE_CHECKING:
    import networkx as nx

    from proton_exodus.model.snapshot import Snapshot

MANUAL_TASKS = "MANUAL_TASKS.md"


@dataclass(frozen=True)
class ExportReport:
    """What one export did: the exporter, the file changes, and the findings to act on."""

    target: str
    exporter_version: str
    write: WriteReport
    findings: tuple[Finding, ...]
    units: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for `--output json`)."""
        return {
            "target": self.target,
            "exporterVersion": self.exporter_version,
            "out": str(self.write.out),
            "dryRun": self.write.dry_run,
            "units": self.units,
            "counts": self.write.counts(),
            "changed": self.write.paths("create", "update", "delete"),
            "edited": self.write.paths("edited"),
            "conflicts": self.write.paths("conflict"),
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "resource": f.resource,
                    "path": f.path,
                }
                for f in self.findings
            ],
        }

    def summary_text(self, *, verbose: int = 0) -> str:
        """What a person reads after `exodus export`: counts, kept edits, findings,
        and the diff on dry runs."""
        w = self.write
        verb = "would write" if w.dry_run else "wrote"
        counts = ", ".join(f"{n} {a}" for a, n in w.counts().items()) or "no files"
        lines = [f"{self.target} {self.exporter_version}: {verb} {w.out} ({self.units} units; {counts})"]
        lines += [f"kept (edited by hand since the last export): {p}" for p in w.paths("edited")]
        lines += [f"kept (not written by exodus): {p}" for p in w.paths("conflict")]
        by_sev: dict[str, int] = {}
        for f in self.findings:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        if by_sev:
            lines.append(
                "findings: "
                + ", ".join(f"{n} {s}" for s, n in sorted(by_sev.items()))
                + f" (see {MANUAL_TASKS})"
            )
        if w.dry_run and (verbose or len(w.paths("create", "update", "delete")) <= 50):
            lines.append(w.diff().rstrip("\n"))
        return "\n".join(line for line in lines if line)


def list_targets(registry: Registry | None = None) -> list[dict[str, str]]:
    """Name and one-line summary of every installed exporter (broken ones are skipped with a warning)."""
    registry = registry or Registry.from_entry_points()
    return [
        {"name": e.name, "summary": e.summary, "apiVersion": str(e.api_version)} for e in registry.available()
    ]


def _graph_for(snapshot: Snapshot, units: Sequence[DeploymentUnit]) -> nx.MultiDiGraph:
    """The estate graph; a units-only graph when the full builder is unavailable."""
    try:
        from proton_exodus.graph import build_graph
    except ImportError:  # pragma: no cover - graph/ is optional for exporters
        build_graph = None
    if build_graph is not None:
        try:
            return build_graph(snapshot)
        except NotImplementedError:  # pragma: no cover
            pass
    import networkx as nx

    graph = nx.MultiDiGraph()
    for unit in units:
        graph.add_node(unit.arn, kind=unit.kind, name=unit.name)
        for dep in unit.depends_on:
            graph.add_edge(unit.arn, dep, relation="depends_on")
    return graph


def manual_tasks_markdown(target: str, findings: Sequence[Finding]) -> str:
    """MANUAL_TASKS.md: every finding, blocking ones first, as a checklist."""
    lines = [f"# Manual tasks for the {target} export", ""]
    if not findings:
        return "\n".join([*lines, "Nothing to do by hand.", ""])
    order = {"error": 0, "warning": 1, "info": 2}
    for f in sorted(findings, key=lambda f: (order[f.severity], f.code, f.resource, f.path, f.message)):
        where = " ".join(
            x for x in (f"`{f.resource}`" if f.resource else "", f"({f.path})" if f.path else "") if x
        )
        lines.append(f"- [ ] **{f.code}** ({f.severity}) {f.message}" + (f" {where}" if where else ""))
    return "\n".join([*lines, ""])


def run_export(
    target: str,
    snapshot: Snapshot,
    out: Path,
    *,
    only: Sequence[str] = (),
    options: Mapping[str, str] | None = None,
    dry_run: bool = False,
    registry: Registry | None = None,
    force: bool = False,
    units: Sequence[DeploymentUnit] | None = None,
    plan: Mapping[str, Any] | None = None,
    through_wave: int | None = None,
    siblings: MutableMapping[tuple[Any, ...], ExportResult] | None = None,
) -> ExportReport:
    """Export `snapshot` with exporter `target` into `out` (or only plan it with `dry_run`).

    `only` restricts the export to the named environments or services. Raises UnknownExporter
    (with the available names), BadInput for a bad `only` name or exporter output, and whatever
    the exporter raises for its own options. `plan` is a plan.json (`exodus plan`); exporters that
    follow migration waves (e.g. with rolling sync steps per wave) use it. `through_wave` (with `plan`) keeps
    the units of waves 1..N: files that group several stacks (a per-environment pipeline or workflow)
    then hold every stack handed over so far, never only the current wave's. `siblings`, shared by the
    exports of one run (same snapshot, plan, `only` and `through_wave`), holds each exporter's result: an
    export already made there (by an exporter that builds on it) is not made again.
    """
    registry = registry or Registry.from_entry_points()
    exporter = registry.load(target)
    all_units = list(units) if units is not None else build_units(snapshot)
    chosen = select_units(all_units, tuple(only))
    if through_wave is not None:
        chosen = _through_wave(chosen, plan, through_wave)
        if not chosen:  # e.g. a first wave that only prepares accounts: nothing to write yet
            return ExportReport(
                target=target,
                exporter_version=str(getattr(exporter, "version", None) or _package_version()),
                write=WriteReport(Path(out), (), dry_run),
                findings=(),
                units=0,
            )
    if only and not chosen:
        known = sorted(
            {u.environment for u in all_units if u.environment} | {u.service for u in all_units if u.service}
        )
        raise BadInput(
            f"--only {' '.join(only)}: no environment or service of that name",
            hint="known: " + ", ".join(known[:20]) + (" ..." if len(known) > 20 else ""),
        )
    ctx = ExportContext(
        snapshot=snapshot,
        graph=_graph_for(snapshot, all_units),
        options=dict(options or {}),
        only=tuple(only),
        units=tuple(chosen),
        plan=plan,
        **({"siblings": siblings} if siblings is not None else {}),
    )
    key = sibling_key(target, ctx.options, ctx)
    result = ctx.siblings.get(key) or exporter.export(ctx)
    ctx.siblings[key] = result
    files = dict(result.files)
    findings = tuple(result.findings)
    if through_wave is not None:  # what the plan holds back stays out of the files, and says so
        held, planned = held_back(plan), _wave_arns(plan, through_wave)
        findings += tuple(
            Finding(
                "W-PLAN-HELD-BACK",
                f"{u.label}: held back by the plan ({held[u.arn]}): not exported, so nothing deploys it; "
                "fix it as the audit says and plan again",
                u.arn,
            )
            for u in all_units
            if u.arn in held and u.arn in planned
        )
    files.setdefault(MANUAL_TASKS, manual_tasks_markdown(target, findings))
    version = str(getattr(exporter, "version", None) or _package_version())
    manifest = build_manifest(
        files,
        exporter=exporter.name,
        exporter_version=version,
        api_version=exporter.api_version,
        snapshot_digest=snapshot.digest(),
        options=ctx.options,
        only=tuple(only) + ((f"{WAVES_SELECTION}1-{through_wave}",) if through_wave else ()),
    )
    write = write_export(
        Path(out), files, manifest, dry_run=dry_run, force=force, prune=not only and through_wave is None
    )
    return ExportReport(
        target=target, exporter_version=version, write=write, findings=findings, units=len(chosen)
    )


def _through_wave(
    units: list[DeploymentUnit], plan: Mapping[str, Any] | None, last: int
) -> list[DeploymentUnit]:
    """The units planned in waves 1..`last`; BadInput without a plan or past its last wave."""
    if plan is None:
        raise BadInput("--through-wave needs --plan (the plan whose waves it counts)")
    waves = [w for w in plan.get("waves") or [] if isinstance(w, Mapping)]
    if last > len(waves):
        raise BadInput(f"--through-wave {last}: the plan has {len(waves)} wave(s)")
    wanted, held = _wave_arns(plan, last), held_back(plan)
    return [u for u in units if u.arn in wanted and u.arn not in held]


def _wave_arns(plan: Mapping[str, Any] | None, last: int) -> set[str]:
    """The ARNs of the resources the plan puts in waves 1..`last`."""
    return {
        str(r.get("arn"))
        for w in (plan or {}).get("waves") or []
        if isinstance(w, Mapping) and int(w.get("number", 0)) <= last
        for r in w.get("resources") or []
    }


def held_back(plan: Mapping[str, Any] | None) -> dict[str, str]:
    """Unit ARN -> why the plan holds it back (its blocking findings): a wave export leaves it out, since a
    file of the target that deploys it (a per-environment pipeline or workflow, a sync configuration)
    would deploy it at once, before a person fixed it."""
    return {
        str(r["arn"]): ", ".join(r["blockedBy"])
        for w in (plan or {}).get("waves") or []
        if isinstance(w, Mapping)
        for r in w.get("resources") or []
        if isinstance(r, Mapping) and r.get("arn") and r.get("blockedBy")
    }


def _package_version() -> str:
    from proton_exodus import __version__

    return __version__


__all__ = ["ExportReport", "list_targets", "manual_tasks_markdown", "run_export"]
