"""Positions for drawing the estate graph, computed by Graphviz's `dot` layout engine.

The engine is the `graphviz-pure` command (a dependency on PyPI: a Rust port of Graphviz 16.1.0 that
writes the same bytes on every platform), so a drawing repeats byte for byte on any machine with the
same locked version. Only coordinates come from it: nodes are fixed-size boxes with no label text
(no font metrics enter the layout), and `graph.svg` draws the picture itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from proton_exodus.errors import ExodusError
from proton_exodus.graph.query import RELATIONS

PROGRAM = "graphviz-pure"
PROGRAM_ENV = "EXODUS_DOT"  # another dot-compatible command; its coordinates, and so the bytes, may differ
BOX_W, BOX_H = 170, 40  # px, one box per node
POINTS_PER_INCH = 72
TIMEOUT = 120  # seconds; the demo estate takes well under one


class GraphvizError(ExodusError):
    """The layout engine is missing or failed; the message says which and what to install."""


@dataclass(frozen=True)
class Box:
    """A node's box: top-left corner and size, in px."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Cluster:
    """A labelled frame around a group of nodes (top-left corner, size, label), in px."""

    label: str
    box: Box


@dataclass(frozen=True)
class Route:
    """An edge as drawn: source and target keys, relation, and the cubic Bézier path from the
    prerequisite to the dependant (`reversed` when that runs against the edge's direction)."""

    source: str
    target: str
    relation: str
    points: tuple[tuple[float, float], ...]
    reversed: bool


@dataclass(frozen=True)
class Layout:
    """A whole drawing: its size in px, a box per node, a route per edge and the frames."""

    width: float
    height: float
    boxes: dict[str, Box] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    clusters: tuple[Cluster, ...] = ()


def find_program() -> str:
    """The layout command: $EXODUS_DOT, else `graphviz-pure` beside this Python (a venv's bin/, which
    need not be on PATH), else on PATH. Raises GraphvizError when there is none."""
    wanted = os.environ.get(PROGRAM_ENV) or PROGRAM
    exe = ".exe" if sys.platform == "win32" else ""
    if os.sep not in wanted:
        for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
            candidate = Path(folder) / (wanted + exe)
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which(wanted)
    if found is None:
        raise GraphvizError(
            f"graph layout: the {wanted!r} command was not found; it draws the dependency "
            "graph (install it with: pip install 'graphviz-pure>=0.2.2', a dependency of "
            "proton-exodus)"
        )
    return found


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def build_dot(graph: nx.MultiDiGraph, *, clusters: dict[str, str] | None = None, rankdir: str = "LR") -> str:
    """The DOT text handed to the engine: nodes `n<i>` in key order, edges from prerequisite to
    dependant (so ranks follow dependencies), optional clusters (node key -> cluster label)."""
    ids = {n: f"n{i}" for i, n in enumerate(sorted(graph))}
    lines = [
        "digraph exodus {",
        f"  graph [rankdir={rankdir}, nodesep=0.14, ranksep=0.55, splines=spline, fontname=Helvetica, "
        "fontsize=12, margin=0];",
        f"  node [shape=box, fixedsize=true, width={BOX_W / POINTS_PER_INCH:.4f}, "
        f"height={BOX_H / POINTS_PER_INCH:.4f}, label=\"\"];",
        "  edge [arrowhead=none];",
    ]
    members: dict[str, list[str]] = {}
    for n in sorted(graph):
        if clusters and n in clusters:
            members.setdefault(clusters[n], []).append(ids[n])
        else:
            lines.append(f"  {ids[n]};")
    for i, (label, nodes) in enumerate(sorted(members.items())):
        lines.append(
            f"  subgraph cluster_{i} {{ label={_quote(label)}; labeljust=l; margin=10; "
            + " ".join(f"{m};" for m in nodes)
            + " }"
        )
    for pre, dep, _rel in _layout_edges(graph):
        lines.append(f"  {ids[pre]} -> {ids[dep]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    """(prerequisite, dependant, relation) per edge, sorted; parallel edges kept (one route each)."""
    out = []
    for u, v, rel in graph.edges(data="relation"):
        rel = str(rel)
        out.append((u, v, rel) if RELATIONS.get(rel, "source") == "source" else (v, u, rel))
    return sorted(out)


def run_dot(dot: str) -> dict:
    """Lay `dot` out with the engine and return its JSON (`-Tjson0`: positions, no drawing ops)."""
    program = find_program()
    try:
        proc = subprocess.run(
            [program, "-Tjson0"], input=dot, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except OSError as err:
        raise GraphvizError(f"graph layout: cannot run {program}: {err}") from None
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"graph layout: {program} took longer than {TIMEOUT} s") from None
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no message"])[0]
        raise GraphvizError(f"graph layout: {program} failed (exit {proc.returncode}): {first}")
    return json.loads(proc.stdout)


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def layout_graph(
    graph: nx.MultiDiGraph, *, clusters: dict[str, str] | None = None, rankdir: str = "LR", margin: float = 20
) -> Layout:
    """Lay the graph out with `dot`; coordinates in px, origin top-left, `margin` around everything."""
    data = run_dot(build_dot(graph, clusters=clusters, rankdir=rankdir))
    _, _, right, top = _floats(data.get("bb", "0,0,0,0"))
    keys = sorted(graph)

    def point(x: float, y: float) -> tuple[float, float]:
        return round(x + margin, 1), round(top - y + margin, 1)

    boxes, gvids = {}, {}
    subgraphs = int(data.get("_subgraph_cnt", 0))
    objects = data.get("objects", [])
    for obj in objects[subgraphs:]:
        key = keys[int(obj["name"][1:])]
        cx, cy = point(*_floats(obj["pos"]))
        w, h = float(obj["width"]) * POINTS_PER_INCH, float(obj["height"]) * POINTS_PER_INCH
        boxes[key] = Box(round(cx - w / 2, 1), round(cy - h / 2, 1), round(w, 1), round(h, 1))
        gvids[int(obj["_gvid"])] = key
    frames = []
    for obj in objects[:subgraphs]:
        x0, y0, x1, y1 = _floats(obj["bb"])
        (left, upper), (rx, lower) = point(x0, y1), point(x1, y0)
        frames.append(
            Cluster(str(obj.get("label", "")), Box(left, upper, round(rx - left, 1), round(lower - upper, 1)))
        )
    routes = _routes(graph, data.get("edges", []), gvids, point)
    return Layout(
        width=round(right + 2 * margin),
        height=round(top + 2 * margin),
        boxes=boxes,
        routes=tuple(routes),
        clusters=tuple(sorted(frames, key=lambda c: c.label)),
    )


def _routes(
    graph: nx.MultiDiGraph,
    edges: list[dict],
    gvids: dict[int, str],
    point: Callable[[float, float], tuple[float, float]],
) -> list[Route]:
    """Pair the engine's splines with the graph's edges by their ends (the engine numbers edges its
    own way); parallel edges between one pair take that pair's splines in the engine's order."""
    splines: dict[tuple[str, str], list[list[tuple[float, float]]]] = {}
    for edge in sorted(edges, key=lambda e: int(e["_gvid"])):
        pts = [point(*_floats(p)) for p in edge["pos"].split() if not p.startswith(("e,", "s,"))]
        splines.setdefault((gvids[int(edge["tail"])], gvids[int(edge["head"])]), []).append(pts)
    routes = []
    for pre, dep, rel in _layout_edges(graph):
        pts = splines[(pre, dep)].pop(0)
        is_reversed = RELATIONS.get(rel, "source") != "source"
        source, target = (dep, pre) if is_reversed else (pre, dep)
        routes.append(Route(source, target, rel, tuple(pts), is_reversed))
    return routes
