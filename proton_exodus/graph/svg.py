"""A small deterministic layered SVG drawing of the estate graph, so `exodus graph --format svg`
works without Graphviz: one row per kind (templates above environments above instances above
stacks), nodes ordered within a row by the barycentre of their neighbours in the row above."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from proton_exodus.graph.render import KIND_COLOURS, sorted_edges

# kind -> row (top to bottom); unknown kinds go to the last row.
ROWS: dict[str, int] = {
    "repository": 0, "template_sync_config": 1, "service_sync_config": 1,
    "environment_template": 2, "service_template": 2,
    "environment_template_version": 3, "service_template_version": 3,
    "environment_account_connection": 4, "environment": 4, "service": 4,
    "service_instance": 5, "component": 6, "service_pipeline": 6, "stack": 7,
}
BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 170, 40, 20, 70, 20


def _rows(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Nodes per non-empty row, each ordered by neighbour barycentre (one downward sweep), ties by label."""
    by_row: dict[int, list[str]] = {}
    for n in sorted(graph):
        by_row.setdefault(ROWS.get(graph.nodes[n].get("kind", ""), max(ROWS.values()) + 1), []).append(n)
    rows = [by_row[r] for r in sorted(by_row)]
    position: dict[str, float] = {}
    for row in rows:
        def key(n: str) -> tuple[float, str]:
            near = [position[m] for m in nx.all_neighbors(graph, n) if m in position]
            return (sum(near) / len(near) if near else float("inf"), str(graph.nodes[n].get("label", n)))
        row.sort(key=key)
        position.update({n: float(i) for i, n in enumerate(row)})
    return rows


def _text(x: float, y: float, text: str, size: int, weight: str = "normal") -> str:
    shown = text if len(text) <= 26 else text[:25] + "…"
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="middle">{escape(shown)}</text>')


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Top-left corner of each node's box; rows are centred on the widest row."""
    rows = _rows(graph)
    widest = max((len(r) for r in rows), default=0)
    full = widest * (BOX_W + GAP_X) - GAP_X
    coords: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        offset = MARGIN + (full - (len(row) * (BOX_W + GAP_X) - GAP_X)) / 2
        for i, n in enumerate(row):
            coords[n] = (offset + i * (BOX_W + GAP_X), MARGIN + r * (BOX_H + GAP_Y))
    return coords


def render_svg(graph: nx.MultiDiGraph) -> str:
    """A standalone SVG document (parses as XML); hover titles show each node's key and each edge's relation."""
    coords = layout(graph)
    width = max((x for x, _ in coords.values()), default=0) + BOX_W + MARGIN
    height = max((y for _, y in coords.values()), default=0) + BOX_H + MARGIN
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>',
           '<g id="edges" stroke="#999" fill="none">']
    for u, v, rel in sorted_edges(graph):
        (ux, uy), (vx, vy) = coords[u], coords[v]
        x1, x2 = ux + BOX_W / 2, vx + BOX_W / 2
        y1, y2 = (uy + BOX_H, vy) if vy > uy else (uy, vy + BOX_H)
        mid = (y1 + y2) / 2
        out.append(f'<path d="M {x1:.1f} {y1:.1f} C {x1:.1f} {mid:.1f}, {x2:.1f} {mid:.1f}, {x2:.1f} {y2:.1f}" '
                   f'marker-end="url(#arrow)"><title>{escape(rel)}</title></path>')
    out.append('</g>')
    out.append('<g id="nodes">')
    for n in sorted(coords):
        x, y = coords[n]
        attrs = graph.nodes[n]
        kind = str(attrs.get("kind", ""))
        dash = ' stroke-dasharray="4 3"' if attrs.get("missing") else ""
        out.append(f'<g class={quoteattr(kind)}><title>{escape(n)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                   f'fill="{KIND_COLOURS.get(kind, "#ffffff")}" stroke="#555"{dash}/>'
                   + _text(x + BOX_W / 2, y + 17, str(attrs.get("label", n)), 11, "bold")
                   + _text(x + BOX_W / 2, y + 32, kind.replace("_", " "), 9) + "</g>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
