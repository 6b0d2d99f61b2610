"""Dates for waves: working days (Monday to Friday) from the start date, paced to finish before the
deadline with a buffer, a soak period after the pilot, and a warning when the deadline cannot be met.
No clock: the start is given (default: the snapshot's capture date)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from proton_exodus.plan.model import Wave

END_OF_SUPPORT = date(2026, 10, 7)  # PROTON.md §5
MAX_GAP_DAYS = 5  # at most a working week between waves
PILOT_SOAK_DAYS = 2  # working days to watch the pilot before the next wave
BUFFER_SHARE = 0.1  # keep this share of the window free before the deadline


def working_days(start: date, count: int) -> list[date]:
    """The first `count` working days on or after `start`."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _available(start: date, deadline: date) -> int:
    """Working days from start up to (not including) the deadline, less the buffer."""
    total = sum(1 for i in range((deadline - start).days) if (start + timedelta(days=i)).weekday() < 5)
    return max(0, total - math.ceil(total * BUFFER_SHARE))


def _slots(waves: list[Wave], available: int) -> tuple[list[int], int]:
    """Working-day index of each wave, and the gap used (0 means several waves a day)."""
    pilots = sum(1 for w in waves if w.pilot)
    soak = PILOT_SOAK_DAYS if pilots and available >= len(waves) + PILOT_SOAK_DAYS else 0
    room = available - soak
    if room >= len(waves):
        gap = max(1, min(MAX_GAP_DAYS, room // max(1, len(waves))))
        return [i * gap + (soak if i >= pilots else 0) for i in range(len(waves))], gap
    per_day = math.ceil(len(waves) / max(1, room))
    return [i // per_day + (soak if i >= pilots else 0) for i in range(len(waves))], 0


def schedule_waves(waves: list[Wave], *, start: date | None, deadline: date | None) -> tuple[
        list[Wave], dict[str, Any], list[str]]:
    """Give each wave a date; return the dated waves, the schedule summary and warnings."""
    deadline = deadline or END_OF_SUPPORT
    start = start or deadline
    warnings: list[str] = []
    if not waves:
        return [], {"start": start.isoformat(), "deadline": deadline.isoformat(), "lastWave": None,
                    "late": False}, warnings
    available = _available(start, deadline)
    slots, gap = _slots(waves, available)
    days = working_days(start, max(slots) + 1)
    dated = [replace(w, date=days[s].isoformat(), late=days[s] >= deadline) for w, s in zip(waves, slots, strict=True)]
    if start >= deadline:
        warnings.append(f"the start date {start} is not before the deadline {deadline}: every wave is late")
    elif any(w.late for w in dated):
        warnings.append(f"{sum(1 for w in dated if w.late)} wave(s) fall on or after the deadline {deadline}: "
                        "raise --max-wave-size or move the start earlier")
    elif gap == 0:
        warnings.append(f"{len(waves)} waves in {available} working days: several waves a day; consider a larger "
                        "--max-wave-size")
    summary = {"start": start.isoformat(), "deadline": deadline.isoformat(), "lastWave": dated[-1].date,
               "late": any(w.late for w in dated), "workingDaysAvailable": available, "gapDays": gap}
    return dated, summary, warnings
