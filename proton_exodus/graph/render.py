"""Text renderings of the estate graph: JSON for machines, Graphviz DOT, and Mermaid (GitHub renders it).
Every rendering is deterministic: nodes and edges sorted by key."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from proton_exodus.errors import BadInput

FORMATS = ("json", "dot", "mermaid", "svg")

KIND_COLOURS: dict[str, str] = {
    "environment_template": "#e8eaf6",
    "environment_template_version": "#c5cae9",
    "service_template": "#f3e5f5",
    "service_template_version": "#e1bee7",
    "environment": "#c8e6c9",
    "service": "#fff9c4",
    "service_instance": "#ffe0b2",
    "service_pipeline": "#ffccbc",
    "component": "#d7ccc8",
    "environment_account_connection": "#b2ebf2",
    "repository": "#eceff1",
    "template_sync_config": "#cfd8dc",
    "service_sync_config": "#cfd8dc",
    "stack": "#f5f5f5",
}


def sorted_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    """All edges as (source, target, relation), sorted."""
    return sorted((u, v, str(rel)) for u, v, rel in graph.edges(data="relation"))


def render_json(graph: nx.MultiDiGraph, summary: dict[str, Any] | None = None) -> str:
    """`{"nodes": [{"id", attrs...}], "edges": [{"source", "target", "relation"}], "summary": {...}}`."""
    data: dict[str, Any] = {
        "nodes": [{"id": n, **graph.nodes[n]} for n in sorted(graph)],
        "edges": [{"source": u, "target": v, "relation": r} for u, v, r in sorted_edges(graph)],
    }
    if summary is not None:
        data["summary"] = summary
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT, left to right, filled by kind; `dot -Tsvg` draws it where Graphviz is installed."""
    lines = [
        "digraph exodus {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    for n in sorted(graph):
        attrs = graph.nodes[n]
        kind = attrs.get("kind", "")
        label = _dot_quote(f"{attrs.get('label', n)}\n({kind})")
        colour = KIND_COLOURS.get(kind, "#ffffff")
        style = ', style="rounded,filled,dashed"' if attrs.get("missing") else ""
        lines.append(f'  {_dot_quote(n)} [label={label}, fillcolor="{colour}"{style}];')
    for u, v, rel in sorted_edges(graph):
        lines.append(f"  {_dot_quote(u)} -> {_dot_quote(v)} [label={_dot_quote(rel)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    """Mermaid label text: quotes and angle brackets as entity codes so any name is safe."""
    return str(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid_lines(graph: nx.MultiDiGraph, *, direction: str = "LR", prefix: str = "n") -> list[str]:
    """Mermaid flowchart lines; node ids are `<prefix><index>` in key order (ARNs are not valid ids)."""
    ids = {n: f"{prefix}{i}" for i, n in enumerate(sorted(graph))}
    lines = [f"flowchart {direction}"]
    present = {graph.nodes[n].get("kind") for n in graph}
    for kind, colour in sorted(KIND_COLOURS.items()):
        if kind in present:
            lines.append(f"  classDef {kind} fill:{colour},stroke:#555")
    for n, ident in ids.items():
        attrs = graph.nodes[n]
        label = _mermaid_text(f"{attrs.get('label', n)}<br/><small>{attrs.get('kind', '')}</small>")
        label = (
            label.replace("#lt;br/#gt;", "<br/>")
            .replace("#lt;small#gt;", "<small>")
            .replace("#lt;/small#gt;", "</small>")
        )
        lines.append(f'  {ident}["{label}"]')
        if attrs.get("kind") in KIND_COLOURS:
            lines.append(f"  class {ident} {attrs['kind']}")
    for u, v, rel in sorted_edges(graph):
        lines.append(f"  {ids[u]} -->|{rel}| {ids[v]}")
    return lines


def render_mermaid(graph: nx.MultiDiGraph) -> str:
    """A Mermaid flowchart of the graph (paste into Markdown inside a ```mermaid fence)."""
    return "\n".join(mermaid_lines(graph)) + "\n"


def render_graph(graph: nx.MultiDiGraph, fmt: str, *, summary: dict[str, Any] | None = None) -> str:
    """Render in one of FORMATS; raise BadInput for any other format."""
    if fmt == "json":
        return render_json(graph, summary)
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "mermaid":
        return render_mermaid(graph)
    if fmt == "svg":
        from proton_exodus.graph.svg import render_svg

        return render_svg(graph)
    raise BadInput(f"--format {fmt!r}: unknown graph format (choose from {', '.join(FORMATS)})")
