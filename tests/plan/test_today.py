"""Planned for today (issue 21, defect 8): whether Proton still answers comes from the snapshot, a
retired estate gets no Proton call, rollback never returns to Proton, dates start on the plan date
with soak days between tiers, production alone on its days, and what is broken now goes first."""

from __future__ import annotations

import copy
import json
import re
from datetime import date

import pytest

from proton_exodus.model.snapshot import proton_retired
from proton_exodus.plan import plan_files, plan_snapshot
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

FAULTY = SyntheticSize(3, 4, 2, True, components=2, account_connections=1, repositories=True, faults=True)
PROTON_CALL = re.compile(r"aws proton [a-z]|`aws proton [a-z]")  # a command, not the words in a note
TODAY = date(2026, 12, 7)  # a Monday after end of support


def _snapshot(**meta: object):
    snap = build_synthetic_snapshot(FAULTY)
    snap.meta.update(meta)
    return snap


@pytest.mark.parametrize(
    ("meta", "retired"),
    [
        ({"source": "stacks", "protonAnswered": False, "capturedAt": "2026-06-01T09:00:00Z"}, True),
        ({"source": "proton-api", "protonAnswered": True, "capturedAt": "2026-06-01T09:00:00Z"}, False),
        ({"source": "proton-api", "protonAnswered": True, "capturedAt": "2026-12-07T09:00:00Z"}, True),
        ({"source": "proton-api", "capturedAt": "2026-10-07T23:00:00Z"}, False),  # the last day of support
        ({"source": "proton-api", "protonAnswered": False, "capturedAt": "2026-01-01T00:00:00Z"}, True),
        ({"source": "proton-api"}, False),
    ],
)
def test_a_snapshot_knows_whether_proton_answers(meta: dict, retired: bool) -> None:
    assert proton_retired(meta) is retired


def _files(snap, **kw):
    plan, graph = plan_snapshot(snap, max_wave_size=5, **kw)
    return plan, plan_files(plan, graph, snapshot_ref="snap", plan_ref="plan")


def test_a_retired_estate_gets_no_proton_call() -> None:
    plan, files = _files(_snapshot(source="stacks", protonAnswered=False), start=TODAY)
    assert plan.proton_retired and json.loads(files["plan.json"])["protonRetired"] is True
    for name, text in files.items():
        assert not PROTON_CALL.search(text), name
        assert "Proton managing" not in text, name
    assert "--source stacks" in files["wave-01.md"]
    assert "no deadline left" in files["README.md"]


def test_rollback_returns_to_the_previous_path_never_to_proton() -> None:
    plan, files = _files(_snapshot())  # Proton still answers (captured 2026-01-01)
    assert not plan.proton_retired
    waves = {n: t for n, t in files.items() if n.startswith("wave-")}
    for name, text in waves.items():
        rollback = text.split("## Rollback", 1)[1].split("## Sign-off", 1)[0]
        assert not PROTON_CALL.search(rollback), name
        assert "previous deployment path" in text.replace("\n", " ") or "deployment path they had" in rollback
    # a service's sync config is deleted once, in the first wave that moves one of its resources
    deletes = [
        (n, line)
        for n, t in sorted(waves.items())
        for line in t.splitlines()
        if "aws proton delete-service-sync-config" in line
    ]
    services = [line.split("--service-name ")[1].split()[0] for _, line in deletes]
    assert services and len(services) == len(set(services))


def _tiers(plan):
    return [(w.date, max(r.tier for r in w.resources), w) for w in plan.waves]


def test_dates_start_on_the_plan_date_with_soak_between_tiers() -> None:
    plan, _ = plan_snapshot(
        build_synthetic_snapshot(SyntheticSize(3, 6, 2, True)), max_wave_size=2, start=TODAY, soak_days=2
    )
    assert plan.waves[0].date == TODAY.isoformat()
    assert plan.schedule["deadline"] is None and not plan.schedule["late"] and not plan.warnings
    rows = _tiers(plan)
    assert len({d for d, _, _ in rows}) == len(rows)  # one wave a day: production never shares one
    for (d1, t1, _), (d2, t2, _) in zip(rows, rows[1:], strict=False):
        gap = sum(
            1
            for i in range(1, (date.fromisoformat(d2) - date.fromisoformat(d1)).days)
            if date.fromordinal(date.fromisoformat(d1).toordinal() + i).weekday() < 5
        )
        assert gap >= (2 if t1 >= 0 and t1 != t2 else 0), (d1, d2)


def test_a_blocked_staging_wave_comes_before_production() -> None:
    plan, _ = plan_snapshot(_snapshot(), max_wave_size=5, start=TODAY)
    seen = 0
    for urgent in (True, False):  # in each phase: what is broken now, then the rest
        phase = [
            w
            for w in plan.waves
            if not w.pilot and all(("broken now" in r.reason) == urgent for r in w.resources)
        ]
        blocked_low = [w.number for w in phase if w.blocked and w.risk in ("non-production", "staging")]
        production = [w.number for w in phase if w.risk == "production"]
        if blocked_low and production:
            seen += 1
            assert max(blocked_low) < min(production)
            assert max(w.date for w in phase if w.number in blocked_low) < min(
                w.date for w in phase if w.number in production
            )
    assert seen


def test_what_is_broken_now_goes_first() -> None:
    snap = _snapshot(source="stacks", protonAnswered=False)
    plan, _ = plan_snapshot(snap, max_wave_size=25, start=TODAY)
    wave_of = {r.label: w.number for w in plan.waves for r in w.resources}
    reasons = {r.label: r.reason for w in plan.waves for r in w.resources}
    assert "broken now: its pipeline calls the Proton API" in reasons["svc-00000/pipeline"]
    assert "broken now: Proton no longer opens its Terraform pull requests" in reasons["tf-legacy"]
    rest = [n for label, n in wave_of.items() if "broken now" not in reasons[label]]
    assert max(wave_of["svc-00000/pipeline"], wave_of["tf-legacy"]) <= min(rest)


def test_same_snapshot_same_plan() -> None:
    snap = _snapshot(source="stacks", protonAnswered=False)
    one = _files(snap, start=TODAY)[1]
    two = _files(copy.deepcopy(snap), start=TODAY)[1]
    assert one == two
