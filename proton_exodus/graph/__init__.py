"""The estate's dependency graph: `build_graph(snapshot) -> networkx.MultiDiGraph`, queries on it,
and renderings (json, dot, mermaid, svg).

Node key = resource ARN (stacks: StackId; sync configs: a stable pseudo ARN). Node attributes:
`kind` (singular snapshot kind or "stack"), `name`, `label`, `account`, `region`, and where known
`status`, `service`, `environment`, `template`, `template_version`, `provisioning`, `stack_id`,
`tags`, `missing`. Edge attribute `relation`; `RELATIONS` says which end is the prerequisite.
"""

from __future__ import annotations

from proton_exodus.graph.build import DEPLOYED_KINDS, NODE_KINDS, build_graph, node_key, nodes_of_kind
from proton_exodus.graph.query import (
    RELATIONS,
    dependants,
    dependencies,
    dependency_digraph,
    find_nodes,
    focus,
    prerequisite_edges,
    summary,
)
from proton_exodus.graph.render import FORMATS, render_graph

__all__ = [
    "DEPLOYED_KINDS",
    "FORMATS",
    "NODE_KINDS",
    "RELATIONS",
    "build_graph",
    "dependants",
    "dependencies",
    "dependency_digraph",
    "find_nodes",
    "focus",
    "node_key",
    "nodes_of_kind",
    "prerequisite_edges",
    "graph_view",
    "render_graph",
    "summary",
]


def graph_view(snapshot: object, fmt: str, *, focus_name: str | None = None) -> tuple[str, dict]:
    """Build the graph of `snapshot`, narrow it to `focus_name` if given, and render it in `fmt`.

    Returns (rendered text, summary of the rendered graph). Raises BadInput for an unknown format
    or a focus name that matches nothing.
    """
    from proton_exodus.errors import BadInput

    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r}: unknown graph format (choose from {', '.join(FORMATS)})")
    graph = build_graph(snapshot)  # type: ignore[arg-type]
    if focus_name:
        graph = focus(graph, focus_name)
    stats = summary(graph)
    return render_graph(graph, fmt, summary=stats), stats
