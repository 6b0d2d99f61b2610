"""Wave planning: order the resources that move so nothing moves before what it depends on, pilot
first, then what is broken now (pipelines that call Proton, Terraform whose pull requests Proton no
longer opens) with what it needs, then the rest; within each, account connections first, then low risk
before high (non-production before staging before production, healthy before blocked within a tier,
so a blocked staging wave comes before production; fewest dependants first), cut into waves of at
most N."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import networkx as nx

from exporters import Registry
from proton_exodus.errors import BadInput
from proton_exodus.graph import dependency_digraph, find_nodes
from proton_exodus.graph.tiers import BROKEN_NOW, own_tier
from proton_exodus.plan.model import TIERS, Plan, PlannedResource, Wave
from proton_exodus.plan.schedule import SOAK_DAYS, schedule_waves

MOVING_KINDS = frozenset(
    {"environment_account_connection", "environment", "service_instance", "service_pipeline", "component"}
)


def _pilot_closure(
    graph: nx.MultiDiGraph, dg: nx.DiGraph, names: Sequence[str]
) -> tuple[set[str], dict[str, str]]:
    """The pilot resources (named, or a named service's instances and pipeline) plus everything they need."""
    chosen: dict[str, str] = {}
    for name in names:
        matches = find_nodes(graph, name)
        picked = [n for n in matches if n in dg]
        for service in (n for n in matches if graph.nodes[n].get("kind") == "service"):
            picked += [
                v
                for _, v, rel in graph.out_edges(service, data="relation")
                if rel in ("has_instance", "has_pipeline") and v in dg
            ]
        if not picked:
            raise BadInput(
                f"--pilot {name!r}: no environment, service, instance, pipeline or component of that name",
                hint="Use an environment or service name, or service/instance (e.g. orders/dev).",
            )
        for node in picked:
            chosen.setdefault(node, name)
    closure = set(chosen)
    for node in chosen:
        closure |= nx.ancestors(dg, node)
    return closure, chosen


def _broken_now(
    dg: nx.DiGraph, manual: Mapping[str, Iterable[str]], skip: set[str]
) -> tuple[set[str], dict[str, str]]:
    """Resources broken since end of support (BROKEN_NOW codes) plus everything they need, outside `skip`."""
    why = {
        n: BROKEN_NOW[c] for n in dg for c in sorted(manual.get(n, ())) if c in BROKEN_NOW and n not in skip
    }
    closure = set(why)
    for node in why:
        closure |= nx.ancestors(dg, node)
    return closure - skip, why


def _propagate(dg: nx.DiGraph, order: list[str], own: Mapping[str, Any], combine: Any) -> dict[str, Any]:
    """Push a value down the dependency order: value(n) = combine(own(n), values of its prerequisites)."""
    value: dict[str, Any] = {}
    for node in order:
        value[node] = combine(own[node], [value[p] for p in dg.predecessors(node)])
    return value


def _sequence(dg: nx.DiGraph, keys: Mapping[str, tuple]) -> list[str]:
    """Topological order choosing, among ready resources, the one with the smallest key."""
    indegree = {n: dg.in_degree(n) for n in dg}
    ready = [(keys[n], n) for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for succ in dg.successors(node):
            indegree[succ] -= 1
            if indegree[succ] == 0:
                heapq.heappush(ready, (keys[succ], succ))
    return order


def _cut(order: list[str], segment: Mapping[str, tuple], cap: int) -> list[list[str]]:
    """Split the sequence into waves of at most `cap`, starting a new wave whenever the segment changes."""
    waves: list[list[str]] = []
    for node in order:
        if not waves or len(waves[-1]) >= cap or segment[waves[-1][-1]] != segment[node]:
            waves.append([])
        waves[-1].append(node)
    return waves


def chosen_target(target: str | None, registry: Registry | None = None) -> str:
    """The exporter a plan hands over to: `target` if installed, else the registry's default target.
    Raises UnknownExporter (listing the names) like `exodus export`; imports no exporter for a name."""
    registry = registry or Registry.from_entry_points()
    return registry.known(target) if target else registry.default_target()


def plan_waves(
    graph: nx.MultiDiGraph,
    *,
    max_wave_size: int = 25,
    pilot: Sequence[str] = (),
    deadline: date | None = None,
    target: str | None = None,
    start: date | None = None,
    blocked: Mapping[str, Iterable[str]] | None = None,
    manual: Mapping[str, Iterable[str]] | None = None,
    registry: Registry | None = None,
    soak_days: int = SOAK_DAYS,
    proton_retired: bool = False,
) -> Plan:
    """Plan the migration in waves, for `target` (an exporter in `registry`; the default target if None).

    `blocked`/`manual` map resource keys to the audit's E/W codes. `proton_retired` says whether the
    snapshot's Proton still answers (`proton_retired(snapshot)`): the runbooks then call no Proton API.
    Raises BadInput for a wave size below 1, an unknown target or pilot name, or a dependency cycle.
    """
    if max_wave_size < 1:
        raise BadInput(f"--max-wave-size {max_wave_size}: must be at least 1")
    target = chosen_target(target, registry)
    dg = dependency_digraph(graph, set(MOVING_KINDS))
    dg.remove_nodes_from([n for n in list(dg) if graph.nodes[n].get("missing")])
    if not nx.is_directed_acyclic_graph(dg):
        cycle = " -> ".join(graph.nodes[n].get("label", n) for n, _ in nx.find_cycle(dg))
        raise BadInput(f"graph: dependency cycle among resources ({cycle})")
    order = list(nx.topological_sort(dg))
    nodes = dict(graph.nodes(data=True))  # plain dict: NodeView lookups dominate at 30k resources
    blocked = {k: tuple(sorted(v)) for k, v in (blocked or {}).items() if k in dg}
    tier = _propagate(dg, order, {n: own_tier(nodes[n]) for n in dg}, lambda o, ps: max([o, *ps]))
    inherited = _propagate(
        dg,
        order,
        {n: blocked.get(n, ()) for n in dg},
        lambda o, ps: tuple(sorted(set(o).union(*ps))) if ps else o,
    )
    in_pilot, named = _pilot_closure(graph, dg, pilot)
    dependants = {n: len(nx.descendants(dg, n)) for n in dg}
    urgent, broken = _broken_now(dg, manual or {}, in_pilot)
    # One pilot segment (cut only by size); then what is broken now, then the rest; in each a new wave
    # starts when the tier or blocked-ness changes (tier first: blocked staging before production).
    segment = {
        n: (0, -1, False) if n in in_pilot else (1 if n in urgent else 2, tier[n], bool(inherited[n]))
        for n in dg
    }
    keys = {n: (*segment[n], dependants[n], str(nodes[n].get("label", n)), n) for n in dg}
    groups = _cut(_sequence(dg, keys), segment, max_wave_size)
    wave_no = {n: i + 1 for i, group in enumerate(groups) for n in group}
    ctx = _Context(nodes, dg, wave_no, tier, blocked, inherited, named, in_pilot, dependants)
    ctx.urgent, ctx.broken = urgent, broken
    waves = [
        Wave(i + 1, tuple(ctx.resource(n, manual or {}) for n in group), pilot=bool(set(group) & in_pilot))
        for i, group in enumerate(groups)
    ]
    waves, schedule, warnings = schedule_waves(waves, start=start, deadline=deadline, soak_days=soak_days)
    options = {"maxWaveSize": max_wave_size, "pilot": list(pilot), "target": target, "soakDays": soak_days}
    if any(w.blocked for w in waves):
        warnings.append(
            f"{sum(1 for w in waves if w.blocked)} wave(s) contain blocked resources: fix their E "
            "findings (exodus audit) before starting them"
        )
    return Plan(tuple(waves), target, options, schedule, tuple(warnings), proton_retired=proton_retired)


class _Context:
    """What `resource()` needs to describe one placement."""

    def __init__(
        self,
        nodes: dict[str, dict[str, Any]],
        dg: nx.DiGraph,
        wave_no: dict[str, int],
        tier: dict[str, int],
        blocked: dict[str, tuple],
        inherited: dict[str, tuple],
        named: dict[str, str],
        in_pilot: set[str],
        dependants: dict[str, int],
    ) -> None:
        self.nodes, self.dg, self.wave_no, self.tier = nodes, dg, wave_no, tier
        self.blocked, self.inherited, self.named, self.in_pilot = blocked, inherited, named, in_pilot
        self.dependants = dependants
        self.urgent: set[str] = set()
        self.broken: dict[str, str] = {}

    def reason(self, node: str) -> str:
        parts: list[str] = []
        label = lambda n: self.nodes[n].get("label", n)  # noqa: E731
        if node in self.named:
            parts.append(f"pilot: named by --pilot {self.named[node]}")
        elif node in self.in_pilot:
            parts.append("pilot: a pilot resource depends on it")
        if node in self.broken:
            parts.append(f"broken now: {self.broken[node]}")
        elif node in self.urgent:
            parts.append("broken now: a resource broken since end of support depends on it")
        if self.nodes[node].get("kind") == "environment_account_connection":
            parts.append(
                "account connection: its account is prepared for the target before its environment moves"
            )
        preds = sorted(self.dg.predecessors(node), key=lambda p: (self.wave_no[p], label(p)))
        if preds:
            shown = ", ".join(f"{label(p)} (wave {self.wave_no[p]})" for p in preds[:3])
            parts.append(f"after {shown}" + (f" and {len(preds) - 3} more" if len(preds) > 3 else ""))
        if self.tier[node] >= 0:
            parts.append(f"{TIERS[self.tier[node]]} tier")
        if self.blocked.get(node):
            parts.append(f"held back: blocked by {', '.join(self.blocked[node])} until fixed")
        elif self.inherited[node]:
            parts.append(f"held back: a dependency is blocked by {', '.join(self.inherited[node])}")
        parts.append(f"{self.dependants[node]} dependant(s)")
        return "; ".join(parts)

    def resource(self, node: str, manual: Mapping[str, Iterable[str]]) -> PlannedResource:
        attrs = self.nodes[node]
        stack = attrs.get("stack_id")
        stack_attrs = self.nodes[stack] if stack else {}
        return PlannedResource(
            id=node,
            kind=attrs["kind"],
            name=str(attrs.get("name", "")),
            label=str(attrs.get("label", node)),
            account=attrs.get("account", ""),
            region=attrs.get("region", ""),
            tier=self.tier[node],
            depends_on=tuple(sorted(self.dg.predecessors(node))),
            dependants=self.dependants[node],
            reason=self.reason(node),
            service=attrs.get("service"),
            environment=attrs.get("environment"),
            stack_name=stack_attrs.get("name"),
            stack_status=stack_attrs.get("status"),
            provisioning=attrs.get("provisioning"),
            blocked_by=self.inherited[node],
            manual=tuple(sorted(manual.get(node, ()))),
            extra={
                **{k: attrs[k] for k in ("service_instance", "environment_account") if attrs.get(k)},
                **(
                    {"stack_account": stack_attrs.get("account"), "stack_region": stack_attrs.get("region")}
                    if stack
                    else {}
                ),
            },
        )
