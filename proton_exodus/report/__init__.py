"""One self-contained HTML page about an estate: summary, dependency graph (inline SVG), audit
findings, migration waves and verify results. No external CSS, scripts, fonts or network; the same
inputs always give the same bytes; every name is HTML-escaped and secrets never appear.

`render_report(snapshot, plan=..., verify=...) -> str`; `write_report(...)` writes it atomically;
`build_report(snapshot_dir, plan_dir=..., verify_file=..., out=...)` is the whole `exodus report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.report.context import (
    MASK,
    Redactor,
    audit_context,
    estate_context,
    load_plan,
    load_verify,
    plan_context,
    verify_context,
)
from proton_exodus.report.picture import build_picture, summarise_graph

__all__ = [
    "MASK",
    "build_report",
    "load_plan",
    "load_verify",
    "render_report",
    "summarise_graph",
    "write_report",
]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(
    snapshot: Snapshot,
    *,
    plan: dict[str, Any] | None = None,
    verify: dict[str, Any] | None = None,
    title: str = "Proton estate report",
) -> str:
    """The report's HTML text; `plan` is plan.json's content, `verify` a VerifyReport.as_dict()."""
    from markupsafe import Markup

    from proton_exodus.audit import audit_snapshot
    from proton_exodus.graph import build_graph, summary

    graph = build_graph(snapshot)
    stats = summary(graph)
    redact = Redactor(snapshot.secrets)
    picture = build_picture(graph)
    picture["svg"] = Markup(picture["svg"])  # built by graph.svg, which escapes every label and key
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            estate=estate_context(snapshot, stats),
            graph=stats,
            picture=picture,
            audit=audit_context(audit_snapshot(snapshot, graph).to_dict(), redact),
            plan=plan_context(plan) if plan is not None else None,
            verify=verify_context(verify, redact) if verify is not None else None,
            mask=MASK,
        )
    )


def write_report(html: str, out: Path) -> Path:
    """Write the page atomically (a reader never sees half a report)."""
    from proton_exodus.output.atomic import write_text_atomic

    write_text_atomic(Path(out), html, mode=0o644)
    return Path(out)


def build_report(
    snapshot_dir: Path, *, out: Path, plan_dir: Path | None = None, verify_file: Path | None = None
) -> dict[str, Any]:
    """Load the inputs, render and write the report; returns what `exodus report` prints."""
    from proton_exodus.model.snapshot import load_snapshot

    snapshot = load_snapshot(Path(snapshot_dir))
    plan = load_plan(plan_dir) if plan_dir is not None else None
    verify = load_verify(verify_file) if verify_file is not None else None
    html = render_report(snapshot, plan=plan, verify=verify)
    write_report(html, out)
    return {
        "out": str(out),
        "bytes": len(html.encode("utf-8")),
        "plan": plan is not None,
        "verify": verify is not None,
    }
