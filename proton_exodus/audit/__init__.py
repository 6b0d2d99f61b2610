"""Readiness audit: per resource, automatic or manual and why, with finding codes (E blocks a wave,
W needs a manual step, I is information), counts and an effort estimate.

`audit_snapshot(snapshot) -> AuditReport`; `report.to_markdown()` / `report.to_json()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from proton_exodus.audit.checks import AuditFinding, Auditor
from proton_exodus.audit.report import AuditReport, ResourceVerdict, build_verdicts
from proton_exodus.audit.rules import RULES, Rule

if TYPE_CHECKING:
    import networkx as nx

    from proton_exodus.model.snapshot import Snapshot

__all__ = ["RULES", "AuditFinding", "AuditReport", "ResourceVerdict", "Rule", "audit_snapshot", "write_audit"]


def audit_snapshot(snapshot: Snapshot, graph: nx.MultiDiGraph | None = None) -> AuditReport:
    """Audit every resource that moves; pass `graph` when the caller already built it."""
    from proton_exodus.graph import build_graph

    graph = graph if graph is not None else build_graph(snapshot)
    auditor = Auditor(snapshot, graph)
    findings = auditor.run()
    resources = [(n, graph.nodes[n]) for n in auditor.resources()]
    by_account: dict[str, list[bool]] = {}
    for stack in snapshot.stacks:
        by_account.setdefault(stack.get("account", ""), []).append(bool(stack.get("reachable", True)))
    unreachable = sorted(a for a, flags in by_account.items() if flags and not any(flags))
    meta = snapshot.meta
    accounts = (
        set(meta.get("accounts") or [])
        | set(by_account)
        | {
            r.get(k)
            for recs in snapshot.records.values()
            for r in recs
            for k in ("account", "environmentAccountId")
            if r.get(k)
        }
    )
    info = {
        "capturedAt": meta.get("capturedAt"),
        "accounts": sorted(a for a in accounts if a),
        "regions": list(meta.get("regions") or []),
        "digest": snapshot.digest(),
    }
    return AuditReport(info, build_verdicts(resources, findings), findings, unreachable)


def write_audit(report: AuditReport, out: Path) -> None:
    """Write audit.md and audit.json into `out` (each atomically)."""
    from proton_exodus.output.atomic import write_text_atomic

    write_text_atomic(Path(out) / "audit.md", report.to_markdown())
    write_text_atomic(Path(out) / "audit.json", report.to_json())
