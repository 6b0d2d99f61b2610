"""Questions asked of the estate graph: what does X depend on, what depends on X, the part of the
graph around a name, and summary figures."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from proton_exodus.errors import BadInput

# relation -> which end is the prerequisite: "source" (u must exist/move first) or "target" (v first).
RELATIONS: dict[str, str] = {
    "has_version": "source",  # template -> version
    "deployed_from": "source",  # version -> environment / instance / pipeline
    "hosts": "source",  # environment -> instance / component
    "has_instance": "source",  # service -> instance
    "has_pipeline": "source",  # service -> pipeline
    "attaches": "source",  # instance -> component
    "outputs_to": "source",  # instance outputs -> pipeline
    "syncs": "source",  # repository -> sync config
    "connected_via": "target",  # environment -> account connection (connection first)
    "compatible_with": "target",  # service template version -> environment template
    "syncs_to": "target",  # sync config -> template / service (the template exists first)
    "provisioned_by": "target",  # resource -> stack (the stack is what is being handed over)
}


def prerequisite_edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    """Every edge as (prerequisite, dependant, relation), deduplicated and sorted."""
    edges = set()
    for u, v, rel in graph.edges(data="relation"):
        edges.add((u, v, rel) if RELATIONS.get(rel, "source") == "source" else (v, u, rel))
    return sorted(edges)


def dependency_digraph(graph: nx.MultiDiGraph, kinds: set[str] | None = None) -> nx.DiGraph:
    """A DiGraph prerequisite -> dependant, optionally restricted to nodes of `kinds`."""
    dg = nx.DiGraph()
    keep = (lambda n: True) if kinds is None else (lambda n: graph.nodes[n].get("kind") in kinds)
    dg.add_nodes_from(n for n in graph if keep(n))
    dg.add_edges_from((u, v) for u, v, _ in prerequisite_edges(graph) if keep(u) and keep(v))
    return dg


def _walk(graph: nx.MultiDiGraph, node: str, forward: bool, transitive: bool) -> set[str]:
    if node not in graph:
        raise BadInput(f"graph: no node {node!r}")
    seen: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        for u, v, rel in list(graph.out_edges(current, data="relation")) + list(
            graph.in_edges(current, data="relation")
        ):
            pre, dep = (u, v) if RELATIONS.get(rel, "source") == "source" else (v, u)
            nxt = dep if forward else pre
            if (pre if forward else dep) == current and nxt not in seen and nxt != node:
                seen.add(nxt)
                if transitive:
                    todo.append(nxt)
    return seen


def dependencies(graph: nx.MultiDiGraph, node: str, *, transitive: bool = True) -> set[str]:
    """What `node` needs first (its prerequisites), transitively by default."""
    return _walk(graph, node, forward=False, transitive=transitive)


def dependants(graph: nx.MultiDiGraph, node: str, *, transitive: bool = True) -> set[str]:
    """What needs `node` (breaks or must wait if it does), transitively by default."""
    return _walk(graph, node, forward=True, transitive=transitive)


def find_nodes(graph: nx.MultiDiGraph, name: str) -> list[str]:
    """Nodes matching `name`: an exact key, else a label (`svc/inst`), else a name, else a stack name."""
    if name in graph:
        return [name]
    for attr in ("label", "name", "stack_name"):
        found = sorted(n for n, value in graph.nodes(data=attr) if value == name)
        if found:
            return found
    return []


def focus(graph: nx.MultiDiGraph, name: str) -> nx.MultiDiGraph:
    """The subgraph around `name`: the matching nodes, everything they depend on and everything
    that depends on them, plus their stacks. Raises BadInput when nothing matches."""
    matches = find_nodes(graph, name)
    if not matches:
        raise BadInput(
            f"--focus {name!r}: no resource of that name, label, ARN or stack name in the graph",
            hint="Labels look like `dev`, `orders/dev` (service/instance) or `orders/pipeline`.",
        )
    keep: set[str] = set(matches)
    for node in matches:
        keep |= dependencies(graph, node) | dependants(graph, node)
    stacks = {v for n in keep for _, v, rel in graph.out_edges(n, data="relation") if rel == "provisioned_by"}
    return graph.subgraph(keep | stacks).copy()


def summary(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Figures for people: counts by kind and relation, accounts, Regions, depth, missing references,
    and the resources with the most dependants (largest blast radius)."""
    kinds = Counter(k for _, k in graph.nodes(data="kind"))
    relations = Counter(r for _, _, r in graph.edges(data="relation"))
    deployed = {
        "environment",
        "service_instance",
        "service_pipeline",
        "component",
        "environment_account_connection",
    }
    dg = dependency_digraph(graph, deployed)
    depth = (
        nx.dag_longest_path_length(dg) + 1 if dg.number_of_nodes() and nx.is_directed_acyclic_graph(dg) else 0
    )
    fan = sorted(
        (
            (len(nx.descendants(dg, n)), graph.nodes[n].get("label", n), n)
            for n in dg
            if graph.nodes[n].get("kind") in ("environment", "environment_account_connection")
        ),
        key=lambda t: (-t[0], t[1]),
    )[:5]
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "byKind": dict(sorted(kinds.items())),
        "byRelation": dict(sorted(relations.items())),
        "accounts": sorted({a for _, a in graph.nodes(data="account") if a}),
        "regions": sorted({r for _, r in graph.nodes(data="region") if r}),
        "missing": sorted(graph.nodes[n].get("label", n) for n, m in graph.nodes(data="missing") if m),
        "unreachableStacks": sorted(
            n for n, d in graph.nodes(data=True) if d.get("kind") == "stack" and not d.get("reachable", True)
        ),
        "dependencyDepth": depth,
        "largestBlastRadius": [{"resource": label, "dependants": count} for count, label, _ in fan],
    }
