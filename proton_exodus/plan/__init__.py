"""Migration plans: waves from the graph (`plan_waves`), runbooks and plan.json (`plan_files`,
`write_plan`; their commands from `plan_commands`), the whole path from a snapshot (`plan_snapshot`), and the
wave journal (`wave_status`, `wave_start`, `wave_complete`, `wave_rollback`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from proton_exodus.graph.tiers import own_tier
from proton_exodus.plan.handover import plan_commands
from proton_exodus.plan.journal import (
    JOURNAL,
    load_journal,
    wave_complete,
    wave_rollback,
    wave_start,
    wave_status,
)
from proton_exodus.plan.model import TIERS, Plan, PlannedResource, Wave
from proton_exodus.plan.runbook import plan_files
from proton_exodus.plan.schedule import END_OF_SUPPORT, SOAK_DAYS
from proton_exodus.plan.waves import MOVING_KINDS, chosen_target, plan_waves

if TYPE_CHECKING:
    import networkx as nx

    from exporters import Registry
    from proton_exodus.model.snapshot import Snapshot

__all__ = [
    "END_OF_SUPPORT",
    "JOURNAL",
    "SOAK_DAYS",
    "MOVING_KINDS",
    "TIERS",
    "Plan",
    "PlannedResource",
    "Wave",
    "chosen_target",
    "load_journal",
    "own_tier",
    "plan_commands",
    "plan_files",
    "plan_snapshot",
    "plan_waves",
    "wave_complete",
    "wave_rollback",
    "wave_start",
    "wave_status",
    "write_plan",
]


def captured_date(snapshot: Snapshot) -> date | None:
    """The snapshot's capture date (the default schedule start), if recorded."""
    from proton_exodus.model.snapshot import captured_on

    return captured_on(snapshot.meta)


def plan_snapshot(
    snapshot: Snapshot,
    *,
    max_wave_size: int = 25,
    pilot: Sequence[str] = (),
    deadline: date | None = None,
    start: date | None = None,
    target: str | None = None,
    soak_days: int = SOAK_DAYS,
    registry: Registry | None = None,
) -> tuple[Plan, nx.MultiDiGraph]:
    """Graph, audit and waves for a snapshot: blocked (E) and manual (W) findings shape the plan. `target`
    is an exporter in `registry` (the installed ones by default), or its default target when None.
    `start` is the plan date (the capture date when None); whether Proton still answers comes from
    the snapshot (`proton_retired`)."""
    from proton_exodus.audit import audit_snapshot
    from proton_exodus.graph import build_graph
    from proton_exodus.model.snapshot import proton_retired

    target = chosen_target(target, registry)  # before the graph: a wrong name fails fast
    graph = build_graph(snapshot)
    report = audit_snapshot(snapshot, graph)
    manual = {r.id: [c for c in r.codes if c.startswith("W")] for r in report.resources}
    plan = plan_waves(
        graph,
        max_wave_size=max_wave_size,
        pilot=pilot,
        deadline=deadline,
        target=target,
        start=start or captured_date(snapshot),
        blocked=report.blocking(),
        manual=manual,
        registry=registry,
        soak_days=soak_days,
        proton_retired=proton_retired(snapshot),
    )
    info = {"digest": report.snapshot["digest"], "capturedAt": report.snapshot["capturedAt"]}
    return replace(plan, snapshot=info), graph


def write_plan(
    plan: Plan,
    graph: nx.MultiDiGraph,
    out: Path,
    *,
    snapshot_ref: str = "./snapshot",
    registry: Registry | None = None,
) -> list[str]:
    """Write the plan directory atomically and return the files written. An existing journal is kept
    when it belongs to the same plan; a journal with progress on another plan is a ConflictError."""
    from proton_exodus.errors import ConflictError
    from proton_exodus.output.atomic import write_tree_atomic

    files = plan_files(plan, graph, snapshot_ref=snapshot_ref, plan_ref=str(out), registry=registry)
    journal = Path(out) / JOURNAL
    if journal.exists():
        try:
            current = json.loads(journal.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            current = {}
        digest = json.loads(files["plan.json"])["digest"]
        progress = any(w.get("state") != "pending" for w in (current.get("waves") or {}).values())
        if current.get("planDigest") == digest:
            files[JOURNAL] = journal.read_text(encoding="utf-8")
        elif progress:
            raise ConflictError(
                f"{journal}: records progress on a different plan; refusing to replace it",
                hint="Write the new plan to another --out directory, or finish the old plan.",
            )
    write_tree_atomic(Path(out), files)
    return sorted(files)
