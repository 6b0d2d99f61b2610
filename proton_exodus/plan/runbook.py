"""The plan directory: plan.json for machines, README.md (overview) and one runbook per wave, rendered
from plan/templates/*.j2 through a strict Jinja environment. Pure: returns {relative path: text}."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import networkx as nx

from proton_exodus.audit.rules import RULES
from proton_exodus.graph.render import mermaid_lines
from proton_exodus.output.atomic import dump_json
from proton_exodus.plan.handover import TargetSteps, plan_commands, target_steps
from proton_exodus.plan.model import Plan, Wave

if TYPE_CHECKING:
    from exporters import Registry

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def wave_file(number: int, total: int) -> str:
    """`wave-01.md`, zero-padded to the number of waves (at least two digits)."""
    return f"wave-{number:0{max(2, len(str(total)))}d}.md"


def _diagram(graph: nx.MultiDiGraph, wave: Wave, wave_of: dict[str, int]) -> str:
    """Mermaid of the wave's resources and the earlier-wave resources they depend on (greyed)."""
    own = {r.id for r in wave.resources}
    earlier = {d for r in wave.resources for d in r.depends_on if d not in own}
    sub = nx.MultiDiGraph()  # built by hand: a subgraph view of a 70k-edge graph is slow to walk
    keep = own | earlier
    sub.add_nodes_from((n, graph.nodes[n]) for n in keep)
    sub.add_edges_from(
        (u, v, k, d) for n in keep for u, v, k, d in graph.out_edges(n, keys=True, data=True) if v in keep
    )
    lines = mermaid_lines(sub, direction="LR", prefix="w")
    ids = {n: f"w{i}" for i, n in enumerate(sorted(sub))}
    lines.append("  classDef earlier fill:#eeeeee,stroke:#999,stroke-dasharray:3 3,color:#666")
    lines += [f"  class {ids[n]} earlier" for n in sorted(earlier)]
    return "\n".join(lines)


def _findings(wave: Wave, attr: str) -> list[dict[str, str]]:
    rows = []
    for r in wave.resources:
        codes = r.blocked_by if attr == "blocked" else r.manual
        if attr == "blocked":
            codes = tuple(c for c in codes if c in RULES)
        rows += [
            {"label": r.label, "code": c, "title": RULES[c].title, "remedy": RULES[c].remedy}
            for c in codes
            if c in RULES
        ]
    return rows


def _handover_groups(wave: Wave, cmds: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for r in wave.resources:
        lines = cmds[r.id]["handover"]
        if not lines:
            continue
        where = f"{r.extra.get('stack_account') or r.account} / {r.extra.get('stack_region') or r.region}"
        groups.append({"account_note": f"`{r.label}` ({r.kind}, account / Region {where})", "lines": lines})
    return groups


def _nodes_of(graph: nx.MultiDiGraph, kind: str) -> list[dict[str, Any]]:
    """Attributes of the nodes of one kind, in key order (cached per graph: runbooks ask once per wave)."""
    cache = graph.graph.setdefault("_exodus_by_kind", {})
    if kind not in cache:
        cache[kind] = [graph.nodes[n] for n in sorted(n for n, k in graph.nodes(data="kind") if k == kind)]
    return cache[kind]


def _sync_configs(graph: nx.MultiDiGraph, plan: Plan, wave: Wave) -> list[dict[str, str]]:
    """Proton's service sync configs this wave deletes: none when Proton is retired, else each
    service's once, in the first wave that moves one of its instances or its pipeline."""
    if plan.proton_retired:
        return []
    first: dict[str, int] = {}
    for w in plan.waves:
        for r in w.resources:
            if r.kind in ("service_instance", "service_pipeline") and r.service:
                first.setdefault(r.service, w.number)
    found = []
    for attrs in _nodes_of(graph, "service_sync_config"):
        if first.get(attrs.get("name")) == wave.number:
            found.append({"service": attrs["name"], "region": attrs.get("region", "")})
    return found


def _by_account(wave: Wave, cmds: dict[str, dict[str, Any]], key: str) -> list[str]:
    """The `key` commands of every resource in order, with a comment line whenever the account changes."""
    lines: list[str] = []
    current = None
    for r in wave.resources:
        account = r.extra.get("environment_account") if r.kind == "environment_account_connection" else None
        account = account or r.extra.get("stack_account") or r.account
        if cmds[r.id][key] and account != current:
            lines.append(f"# with credentials for account {account}")
            current = account
        lines += cmds[r.id][key]
    return lines


def render_wave(
    plan: Plan,
    wave: Wave,
    graph: nx.MultiDiGraph,
    *,
    snapshot_ref: str,
    plan_ref: str,
    cmds: dict[str, dict[str, Any]] | None = None,
    steps: TargetSteps | None = None,
) -> str:
    """One wave's runbook (Markdown, GitHub-renderable, with a Mermaid diagram). `cmds` are the plan's
    `plan_commands` (computed when not given: a wave's commands depend on the waves before it); `steps`
    what the target's exporter gives (`target_steps` of the installed exporters when not given)."""
    steps = steps or target_steps(plan.target)
    cmds = cmds if cmds is not None else plan_commands(plan, steps)
    kinds = Counter(r.kind for r in wave.resources)
    collect = lambda key: _by_account(wave, cmds, key)  # noqa: E731
    return (
        _env()
        .get_template("wave.md.j2")
        .render(
            wave=wave,
            total=len(plan.waves),
            target=plan.target,
            deploy_target=steps.deploys,
            deadline=plan.schedule.get("deadline"),
            variables=steps.runbook.variables,
            takes_over_from=steps.runbook.takes_over_from,
            resources=[r.to_dict() for r in wave.resources],
            kind_counts=", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
            digest=plan.snapshot.get("digest", "unknown digest"),
            snapshot_ref=snapshot_ref,
            plan_ref=plan_ref,
            diagram=_diagram(graph, wave, plan.wave_of()),
            stack_checks=collect("stack"),
            blockers=_findings(wave, "blocked"),
            manual_steps=_findings(wave, "manual"),
            sync_configs=_sync_configs(graph, plan, wave),
            retired=plan.proton_retired,
            releases=getattr(steps.runbook, "shared", ""),
            handover=_handover_groups(wave, cmds),
            manual_resources=[
                {"label": r.label, "manual": cmds[r.id]["manual"]}
                for r in wave.resources
                if cmds[r.id]["manual"]
            ],
            cutover=collect("cutover"),
            sync_checks=collect("check"),
            drift=collect("drift"),
            rollback=_by_account(Wave(wave.number, tuple(reversed(wave.resources))), cmds, "rollback"),
            restore=collect("restore"),
            owners=sorted({r.service for r in wave.resources if r.service}),
        )
    )


def _template_syncs(graph: nx.MultiDiGraph, plan: Plan) -> list[dict[str, str]]:
    """Proton's template sync configs to delete after the last wave (none when Proton is retired)."""
    if plan.proton_retired:
        return []
    return [
        {"name": a.get("name"), "type": a.get("template_type", "ENVIRONMENT"), "region": a.get("region", "")}
        for a in _nodes_of(graph, "template_sync_config")
    ]


def plan_files(
    plan: Plan,
    graph: nx.MultiDiGraph,
    *,
    snapshot_ref: str = "./snapshot",
    plan_ref: str = "./plan",
    registry: Registry | None = None,
) -> dict[str, str]:
    """Every file of the plan directory except the journal: plan.json, README.md, wave-NN.md. The
    target's steps come from its exporter in `registry` (the installed exporters by default)."""
    data = plan.to_dict()
    total = len(plan.waves)
    files = {"plan.json": dump_json(data)}
    names = {w.number: wave_file(w.number, total) for w in plan.waves}
    steps = target_steps(plan.target, registry)
    cmds = plan_commands(plan, steps)
    for wave in plan.waves:
        files[names[wave.number]] = render_wave(
            plan, wave, graph, snapshot_ref=snapshot_ref, plan_ref=plan_ref, cmds=cmds, steps=steps
        )
    files["README.md"] = (
        _env()
        .get_template("README.md.j2")
        .render(**data, files=names, template_syncs=_template_syncs(graph, plan))
    )
    return files
