"""Dates for waves: one working day (Monday to Friday) per wave from the plan date, with soak days
whenever the tier changes (non-production, then staging, then production) and after the pilot, so
production never shares a day with another tier. No clock: the start is given (the CLI's default is
today). Before Proton's end of support the deadline is end of support; after it there is none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from proton_exodus.model.snapshot import END_OF_SUPPORT
from proton_exodus.plan.model import Wave

SOAK_DAYS = 2  # working days to watch a tier (or the pilot) before the next one starts


def working_days(start: date, count: int) -> list[date]:
    """The first `count` working days on or after `start`."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _tier(wave: Wave) -> int:
    return max((r.tier for r in wave.resources), default=0)


def _slots(waves: list[Wave], soak: int) -> list[int]:
    """Working-day index of each wave: the next day, or `soak` days later when the tier changes or the
    pilot ends (account preparation needs no soak)."""
    slots: list[int] = []
    for i, wave in enumerate(waves):
        if not i:
            slots.append(0)
            continue
        prev = waves[i - 1]
        changes = (prev.pilot and not wave.pilot) or (_tier(prev) >= 0 and _tier(prev) != _tier(wave))
        slots.append(slots[-1] + 1 + (soak if changes else 0))
    return slots


def schedule_waves(
    waves: list[Wave], *, start: date | None, deadline: date | None, soak_days: int = SOAK_DAYS
) -> tuple[list[Wave], dict[str, Any], list[str]]:
    """Give each wave a date; return the dated waves, the schedule summary and warnings. With no
    `deadline`, end of support is the deadline for a start before it, and there is none after it."""
    if soak_days < 0:
        from proton_exodus.errors import BadInput

        raise BadInput(f"--soak-days {soak_days}: must be 0 or more")
    start = start or deadline or END_OF_SUPPORT
    if deadline is None and start < END_OF_SUPPORT:
        deadline = END_OF_SUPPORT
    warnings: list[str] = []
    summary: dict[str, Any] = {
        "start": start.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
        "soakDays": soak_days,
        "lastWave": None,
        "late": False,
    }
    if not waves:
        return [], summary, warnings
    slots = _slots(waves, soak_days)
    days = working_days(start, max(slots) + 1)
    dated = [
        replace(w, date=days[s].isoformat(), late=bool(deadline and days[s] >= deadline))
        for w, s in zip(waves, slots, strict=True)
    ]
    if deadline and start >= deadline:
        warnings.append(f"the start date {start} is not before the deadline {deadline}: every wave is late")
    elif any(w.late for w in dated):
        warnings.append(
            f"{sum(1 for w in dated if w.late)} wave(s) fall on or after the deadline {deadline}: "
            "raise --max-wave-size, lower --soak-days or move the start earlier"
        )
    summary.update(lastWave=dated[-1].date, late=any(w.late for w in dated))
    return dated, summary, warnings
