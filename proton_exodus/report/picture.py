"""The dependency graph as an inline SVG picture for the HTML report.

Drawn with the graph package's own SVG renderer, without stack nodes (one per deployed resource;
their statuses are in the estate table). When that drawing is too wide to read on a page, it is
summarised: resources are grouped per environment (instances, components), per template (services,
versions), per risk tier or per kind, and edges merged between groups; the picture then shows one
"prod-002 ×12" service-instance box instead of twelve.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from proton_exodus.graph.layout import Layout
from proton_exodus.graph.render import KIND_COLOURS
from proton_exodus.graph.svg import layout, render_svg

# A drawing wider or taller than this (px) is summarised one level further, so boxes stay legible
# on a page: the report's graph panel is about 1,170 px wide in a 1,400 px window.
MAX_WIDTH, MAX_HEIGHT = 1600, 3200

# kind -> (one, many) for group labels.
_NOUNS = {
    "service_instance": ("instance", "instances"),
    "component": ("component", "components"),
    "service_pipeline": ("pipeline", "pipelines"),
    "service": ("service", "services"),
    "environment": ("environment", "environments"),
    "repository": ("repository", "repositories"),
    "environment_template_version": ("version", "versions"),
    "service_template_version": ("version", "versions"),
    "environment_account_connection": ("account connection", "account connections"),
    "template_sync_config": ("template sync", "template syncs"),
    "service_sync_config": ("service sync", "service syncs"),
}


def _env_groups(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Environment name -> its level-2 group: its risk tier (the planner's reading of names and tags:
    non-production, staging, production), with the account when environments span several."""
    from proton_exodus.plan import TIERS, own_tier

    envs = [d for _, d in graph.nodes(data=True) if d.get("kind") == "environment"]
    several = len({d.get("account") for d in envs}) > 1
    return {
        str(d.get("name")): TIERS[max(own_tier(d), 0)] + (f" {d.get('account')}" if several else "")
        for d in envs
    }


def _group(attrs: dict[str, Any], level: int, envs: dict[str, str]) -> tuple[str, str]:
    """(kind, group name) a node is folded into at summary `level` (1 to 3)."""
    kind = str(attrs.get("kind", ""))
    if kind in ("environment_template", "service_template"):
        return kind, str(attrs.get("name") or "")
    if level >= 3:
        return kind, ""
    if kind in ("service_instance", "component"):
        env = str(attrs.get("environment") or "?")
        return kind, envs.get(env, env) if level >= 2 else env
    if kind in ("environment_template_version", "service_template_version", "service"):
        return kind, str(attrs.get("template") or "?")
    if kind == "environment":
        return kind, envs.get(str(attrs.get("name")), "?") if level >= 2 else str(attrs.get("label") or "")
    return kind, ""


def _group_label(kind: str, name: str, count: int, level: int) -> str:
    """A label that fits the renderer's box: the group name first, then how many of what."""
    named = ("environment_template", "service_template") + (("environment",) if level < 2 else ())
    if kind in named and count == 1 and name:
        return name
    if name:  # the box's second line names the kind, so "prod ×12" is enough and fits the box
        return f"{name} ×{count}"
    one, many = _NOUNS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return f"{count} {one if count == 1 else many}"


def without_stacks(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph minus stack nodes: one per deployed resource, they double the picture for little news."""
    return graph.subgraph([n for n, k in graph.nodes(data="kind") if k != "stack"]).copy()


def summarise_graph(graph: nx.MultiDiGraph, level: int = 1) -> nx.MultiDiGraph:
    """A smaller graph with one node per group (see module docstring); edges merged per relation.

    Level 1 groups instances and components per environment, services and template versions per
    template, and the rest of each small kind into one node; level 2 also groups environments (and
    so their instances) per risk tier (and account); level 3 keeps one node per kind and template.
    Stacks are left out.
    """
    envs = _env_groups(graph)
    groups = {n: _group(attrs, level, envs) for n, attrs in without_stacks(graph).nodes(data=True)}
    sizes = Counter(groups.values())
    out = nx.MultiDiGraph()
    for (kind, name), count in sorted(sizes.items()):
        out.add_node(f"{kind}:{name}", kind=kind, label=_group_label(kind, name, count, level), count=count)
    merged = sorted(
        {
            (groups[u], groups[v], str(rel))
            for u, v, rel in graph.edges(data="relation")
            if groups.get(u) and groups.get(v) and groups[u] != groups[v]
        }
    )
    for (uk, un), (vk, vn), rel in merged:
        out.add_edge(f"{uk}:{un}", f"{vk}:{vn}", relation=rel)
    return out


def _too_big(drawn: Layout, max_width: float, max_height: float) -> bool:
    return drawn.width > max_width or drawn.height > max_height


def build_picture(
    graph: nx.MultiDiGraph, *, max_width: float = MAX_WIDTH, max_height: float = MAX_HEIGHT
) -> dict[str, Any]:
    """The SVG element (no XML declaration, so it sits inside HTML) and how it was drawn: every
    resource if that fits `max_width` x `max_height`, else the first summary level that fits (or the
    coarsest). Summaries are not framed per environment: their boxes already are groups."""
    level, drawn = 0, without_stacks(graph)
    placed = layout(drawn)
    while _too_big(placed, max_width, max_height) and level < 3:
        level += 1
        drawn = summarise_graph(graph, level)
        placed = layout(drawn, clusters={})
    svg = render_svg(drawn, drawn=placed)
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = svg.replace("<svg ", '<svg id="estate-graph" role="img" aria-label="Dependency graph" ', 1)
    kinds = sorted({str(k) for _, k in drawn.nodes(data="kind")})
    legend = [{"kind": k.replace("_", " "), "colour": KIND_COLOURS.get(k, "#ffffff")} for k in kinds]
    return {
        "svg": svg,
        "legend": legend,
        "level": level,
        "summarised": level > 0,
        "width": placed.width,
        "height": placed.height,
        "nodes": drawn.number_of_nodes(),
        "edges": drawn.number_of_edges(),
        "fullNodes": graph.number_of_nodes(),
        "fullEdges": graph.number_of_edges(),
        "stacks": sum(1 for _, k in graph.nodes(data="kind") if k == "stack"),
    }
