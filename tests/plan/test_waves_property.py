"""Property tests of plan_waves on generated graphs: dependencies never in a later wave, every
resource in exactly one wave, pilot waves first, then what is broken now, size caps hold, one wave a
working day (production never shares a date), soak days between tiers, blocked lower tiers before
production."""

from __future__ import annotations

from datetime import date

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proton_exodus.graph import prerequisite_edges
from proton_exodus.plan import MOVING_KINDS, plan_waves

KINDS = ["environment", "service_instance", "service_pipeline", "component", "environment_account_connection"]
WORDS = ["dev", "test", "staging", "uat", "prod", "production", "live", "sandbox", "orders", "pay"]
FORWARD = ["hosts", "attaches", "outputs_to"]  # u is the prerequisite of v
REVERSE = ["connected_via"]  # v is the prerequisite of u


@st.composite
def estates(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list[str], dict[str, list[str]], dict[str, list[str]]]:
    """A random DAG of moving resources (plus a few non-moving nodes), pilot names and blocked codes."""
    n = draw(st.integers(1, 40))
    g = nx.MultiDiGraph()
    for i in range(n):
        name = f"{draw(st.sampled_from(WORDS))}-{i}"
        tags = {"stage": draw(st.sampled_from(WORDS))} if draw(st.booleans()) else {}
        g.add_node(
            f"arn:n{i}",
            kind=draw(st.sampled_from(KINDS)),
            name=name,
            label=name,
            account="111111111111",
            region="us-east-1",
            tags=tags,
        )
    g.add_node("arn:template", kind="environment_template", name="tpl", label="tpl")
    for i in range(n):
        g.add_edge("arn:template", f"arn:n{i}", relation="deployed_from")
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    for a, b in pairs:
        if a == b:
            continue
        u, v = min(a, b), max(a, b)  # edges go from lower to higher index: acyclic by construction
        if draw(st.booleans()):
            g.add_edge(f"arn:n{u}", f"arn:n{v}", relation=draw(st.sampled_from(FORWARD)))
        else:
            g.add_edge(f"arn:n{v}", f"arn:n{u}", relation=draw(st.sampled_from(REVERSE)))
    pilot = draw(st.lists(st.sampled_from([g.nodes[f"arn:n{i}"]["label"] for i in range(n)]), max_size=3))
    blocked = {f"arn:n{i}": ["E101"] for i in draw(st.sets(st.integers(0, n - 1), max_size=5))}
    manual = {
        f"arn:n{i}": [draw(st.sampled_from(["W140", "W130", "W150"]))]
        for i in draw(st.sets(st.integers(0, n - 1), max_size=3))
    }
    return g, pilot, blocked, manual


def _working_days_between(a: str, b: str) -> int:
    """Working days strictly between two ISO dates."""
    first, last = date.fromisoformat(a), date.fromisoformat(b)
    return sum(
        1 for i in range(1, (last - first).days) if date.fromordinal(first.toordinal() + i).weekday() < 5
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estate=estates(), cap=st.integers(1, 8), days=st.integers(0, 400), soak=st.integers(0, 4))
def test_wave_properties(
    estate: tuple[nx.MultiDiGraph, list[str], dict[str, list[str]], dict[str, list[str]]],
    cap: int,
    days: int,
    soak: int,
) -> None:
    g, pilot, blocked, manual = estate
    start = date(2026, 1, 5)
    plan = plan_waves(
        g,
        max_wave_size=cap,
        pilot=pilot,
        blocked=blocked,
        manual=manual,
        start=start,
        deadline=date.fromordinal(start.toordinal() + days),
        soak_days=soak,
    )
    moving = {n for n, k in g.nodes(data="kind") if k in MOVING_KINDS}
    placed = [r.id for w in plan.waves for r in w.resources]
    assert sorted(placed) == sorted(moving)  # every resource exactly once
    wave_of = plan.wave_of()
    position = {r.id: i for w in plan.waves for i, r in enumerate(w.resources)}
    for pre, dep, _ in prerequisite_edges(g):
        if pre in moving and dep in moving:
            assert wave_of[pre] <= wave_of[dep], (pre, dep)  # never a dependency in a later wave
            if wave_of[pre] == wave_of[dep]:
                assert position[pre] < position[dep]  # and earlier within the runbook's order
    assert all(1 <= len(w.resources) <= cap for w in plan.waves)  # size caps
    flags = [w.pilot for w in plan.waves]
    assert flags == sorted(flags, reverse=True)  # pilot waves come first
    if pilot:
        assert plan.waves[0].pilot
        named = {n for n in moving if g.nodes[n]["label"] in pilot}
        assert all(plan.waves[wave_of[n] - 1].pilot for n in named)
    assert [w.number for w in plan.waves] == list(range(1, len(plan.waves) + 1))
    dates = [w.date for w in plan.waves]
    assert dates == sorted(set(dates)) and all(
        date.fromisoformat(d).weekday() < 5 for d in dates
    )  # one a day
    assert dates[0] == start.isoformat()
    for w in plan.waves:  # production never shares a date with another tier
        if w.risk == "production":
            assert [v.number for v in plan.waves if v.date == w.date] == [w.number]
    tier = [max(r.tier for r in w.resources) for w in plan.waves]
    for i in range(1, len(plan.waves)):  # soak days between tiers (and after the pilot)
        prev, cur = plan.waves[i - 1], plan.waves[i]
        if (tier[i - 1] >= 0 and tier[i - 1] != tier[i]) or (prev.pilot and not cur.pilot):
            assert _working_days_between(prev.date, cur.date) >= soak, (prev.number, cur.number)
    for w in plan.waves:  # blocked resources (and what depends on them) never share a wave with healthy ones
        if not w.pilot:
            assert len({bool(r.blocked_by) for r in w.resources}) == 1
    phase = [
        0 if w.pilot else 1 if any("broken now" in r.reason for r in w.resources) else 2 for w in plan.waves
    ]
    assert phase == sorted(phase)  # pilot, then what is broken now, then the rest
    broken = {n for n, codes in manual.items() if {"W140", "W130"} & set(codes)}
    for n in broken:  # a broken resource outside the pilot is in the broken-now phase
        if not plan.waves[wave_of[n] - 1].pilot:
            assert phase[wave_of[n] - 1] == 1
    for p in (1, 2):  # in each phase: low risk first, healthy before blocked within a tier
        rest = [(t, w.blocked) for w, t, q in zip(plan.waves, tier, phase, strict=True) if q == p]
        assert rest == sorted(rest)
        blocked_low = [
            w.date for w, t, q in zip(plan.waves, tier, phase, strict=True) if q == p and w.blocked and t < 2
        ]
        production = [w.date for w, t, q in zip(plan.waves, tier, phase, strict=True) if q == p and t == 2]
        if blocked_low and production:  # a blocked lower-tier wave comes before the production it holds back
            assert max(blocked_low) < min(production)
    deadline = date.fromordinal(start.toordinal() + days)
    assert all(w.late == (date.fromisoformat(w.date) >= deadline) for w in plan.waves)
