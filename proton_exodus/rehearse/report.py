"""REHEARSAL.md and rehearsal.json: per wave and step, what ran, the outcome, what changed. Deterministic:
no timings, ports or clock in either file (the command prints the timings)."""

from __future__ import annotations

import json
from pathlib import Path

from proton_exodus.rehearse.model import Change, Step
from proton_exodus.rehearse.run import Rehearsal

ICONS = {"ok": "ok", "no-op": "no-op", "failed": "**FAILED**", "skipped": "skipped", "blocked": "blocked"}


def rehearsal_json(r: Rehearsal) -> str:
    summary = {k: v for k, v in r.summary().items()}
    doc = {
        "format": "exodus-rehearsal",
        "formatVersion": 1,
        "target": r.target,
        "endpoint": r.endpoint,
        "plannedChangesFile": r.planned_file,
        "summary": summary,
        "waves": [
            {"number": n, "steps": [s.to_json() for s in r.steps if s.wave == n]}
            for n in sorted({s.wave for s in r.steps})
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _change(c: Change) -> str:
    what = c.action
    if c.action == "Modify":
        what += f" (Replacement {c.replacement or '?'})"
    props = f": {', '.join(c.properties)}" if c.properties else ""
    where = c.logical_id if c.action != "Tags" else "stack tags"
    return (
        f"{what} {where}"
        + (f" `{c.resource_type}`" if c.resource_type and c.action != "Tags" else "")
        + props
        + (" — planned" if c.planned else " — **unplanned**")
    )


def _step_lines(s: Step) -> list[str]:
    head = f"- {ICONS.get(s.outcome, s.outcome)} `{s.stack}` ({s.account} {s.region})"
    if s.status:
        head += f" → {s.status}"
    lines = [head]
    if s.command:
        lines.append(f"  - ran: {s.command}")
    if s.message:
        lines.append(f"  - {s.message}")
    lines += [f"  - {_change(c)}" for c in s.changes]
    return lines


def _heading(r: Rehearsal, number: int) -> str:
    if number == 0:
        return "Reproduce the estate (Proton retired), stage the secrets"
    if r.day2_wave and number == r.day2_wave:
        return f"Day 2 in {r.target}"
    if r.rollback_wave and number == r.rollback_wave:
        return f"Rollback of wave {r.rolled_back} to the previous deployment path"
    return f"Wave {number}"


def _day2_line(r: Rehearsal) -> str:
    if not r.day2:
        return "- day 2 and rollback: not run (--no-day2)"
    parts = [
        f"{name} {v['outcome']}" + (f" on `{v['stack']}`" if v.get("stack") not in (None, "(none)") else "")
        for name, v in r.day2.items()
        if name != "rollback"
    ]
    rb = r.day2["rollback"]
    return (
        "- day 2: " + ", ".join(parts) + f"; rollback of wave {rb['wave']}: {rb['stacks']} stack(s), "
        f"{rb['changes']} change(s), {rb['failed']} failed"
    )


def _blocked_line(r: Rehearsal) -> str:
    """How many units the plan holds back, and why (they are reported, not deployed, not failures)."""
    blocked = r.blocked
    if not blocked:
        return "- blocked: none (the plan holds no unit back)"
    return f"- blocked: {len(blocked)} unit(s) the plan holds back, not deployed: " + "; ".join(
        f"wave {s.wave} {s.message}" for s in blocked
    )


def rehearsal_markdown(r: Rehearsal) -> str:
    s = r.summary()
    lines = [
        "# Rehearsal",
        "",
        f"Target `{r.target}`, waves 1-{r.through_wave}, on {r.endpoint}. Result: "
        + ("**passed**" if r.passed else "**failed**")
        + ".",
        "",
        f"- steps: {s['steps']} ({s['reproduced']} stacks reproduced, {s['staged']} secret value(s) staged, "
        f"{s['failed']} failed, "
        f"{s['skipped']} skipped, {s['noOps']} no-op deploys)",
        f"- changes: {s['modifications']} modification(s), {s['replacements']} replacement(s); "
        f"{s['unplanned']} unplanned, {s['planned']} planned"
        + ("" if r.planned_file else " (the export has no PLANNED_CHANGES.json: every change is unplanned)"),
        _blocked_line(r),
        _day2_line(r),
        "- runbook shell commands run: "
        + (f"{s['staged']} (PLANNED_CHANGES.md's secret staging)" if s.get("staged") else "none")
        + (f", {s['remedies']} (entry-check remedies: E114)" if s.get("remedies") else "")
        + (
            f"; wave runbooks: {s['commands']} command(s) run, {s['manual']} manual step(s) recorded"
            if s.get("commands") or s.get("manual")
            else "; wave runbooks: not run (no plan directory, or written for another target)"
        ),
        "",
    ]
    for number in sorted({st.wave for st in r.steps}):
        steps = [st for st in r.steps if st.wave == number]
        lines += [f"## {_heading(r, number)}", ""]
        for st in steps:
            lines += _step_lines(st)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_rehearsal(r: Rehearsal, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "REHEARSAL.md", out / "rehearsal.json"]
    paths[0].write_text(rehearsal_markdown(r), encoding="utf-8")
    paths[1].write_text(rehearsal_json(r), encoding="utf-8")
    return paths
