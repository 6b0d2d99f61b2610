"""The estate graph as a standalone SVG picture, laid out by Graphviz's `dot` (see graph.layout):
prerequisites on the left, what depends on them to the right, each environment framed with its
instances and components, the services with their pipelines. Self-contained: no fonts, scripts or
links; every text is escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from proton_exodus.graph.layout import BOX_H, BOX_W, Layout, layout_graph
from proton_exodus.graph.render import KIND_COLOURS

__all__ = ["BOX_H", "BOX_W", "MARGIN", "frames", "layout", "render_svg"]

MARGIN = 20
LABEL_CHARS = 26  # longer labels are cut with "…" so they fit the box (the full key is the hover title)
FRAMED_KINDS = ("environment", "service_instance", "component", "environment_account_connection")


def frames(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Node key -> frame label: each environment with its instances, components and account
        connection, and the services with their pipelines (a frame needs two or more of its kind); each
    framed resource's stack joins its frame."""
    envs = {str(d.get("name")): n for n, d in graph.nodes(data=True) if d.get("kind") == "environment"}
    services = [n for n, d in graph.nodes(data=True) if d.get("kind") in ("service", "service_pipeline")]
    out = {}
    if len(envs) >= 2:
        for n, d in graph.nodes(data=True):
            kind = d.get("kind")
            env = str(d.get("name") if kind == "environment" else d.get("environment") or "")
            if kind in FRAMED_KINDS and env in envs:
                out[n] = f"environment {graph.nodes[envs[env]].get('label', env)}"
    if len(services) >= 2:
        out.update({n: "services and their pipelines" for n in services})
    for resource, stack, rel in sorted(graph.edges(data="relation")):  # a stack goes with its resource
        if rel == "provisioned_by" and resource in out and stack not in out:
            out[stack] = out[resource]
    return out


def layout(graph: nx.MultiDiGraph, *, clusters: dict[str, str] | None = None) -> Layout:
    """The graph laid out by `dot`, framed as `frames` says unless `clusters` is given."""
    return layout_graph(graph, clusters=frames(graph) if clusters is None else clusters, margin=MARGIN)


def _text(x: float, y: float, text: str, size: int, weight: str = "normal") -> str:
    shown = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="middle">{escape(shown)}</text>'
    )


def _path(points: tuple[tuple[float, float], ...]) -> str:
    """Graphviz's spline (start, then three points per cubic piece) as SVG path data."""
    (x0, y0), rest = points[0], points[1:]
    pieces = [f"M {x0:.1f} {y0:.1f}"]
    for i in range(0, len(rest) - len(rest) % 3, 3):
        pieces.append("C " + ", ".join(f"{x:.1f} {y:.1f}" for x, y in rest[i : i + 3]))
    return " ".join(pieces)


def render_svg(graph: nx.MultiDiGraph, *, drawn: Layout | None = None) -> str:
    """A standalone SVG document (parses as XML); hover titles show each node's key and each edge's
    relation. Arrows point along the relation (`hosts`: environment → instance)."""
    drawn = drawn or layout(graph)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{drawn.width:.0f}" height="{drawn.height:.0f}" '
        f'viewBox="0 0 {drawn.width:.0f} {drawn.height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>',
        '<g id="clusters">',
    ]
    for c in drawn.clusters:
        b = c.box
        out.append(
            f'<g class="cluster"><rect x="{b.x:.1f}" y="{b.y:.1f}" '
            f'width="{b.w:.1f}" height="{b.h:.1f}" '
            f'rx="8" fill="#f4f8fb" stroke="#bcccdc"/><text x="{b.x + 10:.1f}" y="{b.y + 17:.1f}" '
            f'font-size="12" font-weight="bold" fill="#486581">{escape(c.label)}</text></g>'
        )
    out += ['</g>', '<g id="edges" stroke="#8a97a6" stroke-opacity="0.75" fill="none">']
    for r in drawn.routes:
        marker = "marker-start" if r.reversed else "marker-end"
        out.append(
            f'<path d="{_path(r.points)}" {marker}="url(#arrow)"><title>{escape(r.relation)}</title></path>'
        )
    out += ['</g>', '<g id="nodes">']
    for n in sorted(drawn.boxes):
        b, attrs = drawn.boxes[n], graph.nodes[n]
        kind = str(attrs.get("kind", ""))
        dash = ' stroke-dasharray="4 3"' if attrs.get("missing") else ""
        out.append(
            f'<g class={quoteattr(kind)}><title>{escape(n)}</title>'
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="6" '
            f'fill="{KIND_COLOURS.get(kind, "#ffffff")}" stroke="#555"{dash}/>'
            + _text(b.x + b.w / 2, b.y + 17, str(attrs.get("label", n)), 11, "bold")
            + _text(b.x + b.w / 2, b.y + 32, kind.replace("_", " "), 9)
            + "</g>"
        )
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"
