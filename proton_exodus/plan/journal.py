"""The wave journal: `journal.json` in the plan directory records each wave's state and history so a
team can track progress. Waves go pending -> in_progress -> complete; a started or complete wave can
be rolled back (then started again). A wave starts only when every earlier wave is complete."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput, ConflictError
from proton_exodus.output.atomic import dump_json, write_text_atomic

JOURNAL = "journal.json"
STATES = ("pending", "in_progress", "complete", "rolled_back")


def _load_plan(plan_dir: Path) -> dict[str, Any]:
    path = Path(plan_dir) / "plan.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path}: missing; --plan must be a directory written by `exodus plan`") from None
    except json.JSONDecodeError as err:
        raise BadInput(f"{path}: invalid JSON at line {err.lineno}: {err.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("waves"), list):
        raise BadInput(f"{path}: not an exodus plan (no waves list)")
    return data


def new_journal(plan: dict[str, Any]) -> dict[str, Any]:
    """A journal with every wave pending."""
    return {
        "planDigest": plan.get("digest"),
        "waves": {str(w["number"]): {"state": "pending", "history": []} for w in plan["waves"]},
    }


def load_journal(plan_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plan, journal) of a plan directory; a missing journal is a fresh one. Raises BadInput when the
    journal belongs to another plan."""
    plan = _load_plan(plan_dir)
    path = Path(plan_dir) / JOURNAL
    if not path.exists():
        return plan, new_journal(plan)
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise BadInput(f"{path}: invalid JSON at line {err.lineno}: {err.msg}") from None
    if journal.get("planDigest") != plan.get("digest"):
        raise BadInput(
            f"{path}: written for plan {journal.get('planDigest')}, but plan.json is {plan.get('digest')}"
        )
    return plan, journal


@contextmanager
def _locked(plan_dir: Path) -> Iterator[None]:
    """Serialise read-modify-write of the journal between concurrent `exodus wave` runs."""
    lock = Path(plan_dir) / ".journal.lock"
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def wave_status(plan_dir: Path) -> list[dict[str, Any]]:
    """One row per wave: number, date, state, resource count, last change."""
    plan, journal = load_journal(plan_dir)
    rows = []
    for wave in plan["waves"]:
        entry = journal["waves"].get(str(wave["number"]), {"state": "pending", "history": []})
        last = entry["history"][-1] if entry["history"] else None
        rows.append(
            {
                "number": wave["number"],
                "date": wave.get("date"),
                "pilot": wave.get("pilot", False),
                "resources": len(wave["resources"]),
                "state": entry["state"],
                "lastChange": last.get("at") if last else None,
                "by": last.get("by") if last else None,
            }
        )
    return rows


def _transition(
    plan_dir: Path, number: int, action: str, *, now: datetime | None, by: str | None, note: str | None
) -> dict[str, Any]:
    with _locked(plan_dir):
        plan, journal = load_journal(plan_dir)
        waves = journal["waves"]
        key = str(number)
        if key not in waves:
            raise BadInput(f"wave {number}: no such wave (the plan has waves 1 to {len(plan['waves'])})")
        state = waves[key]["state"]
        _check(action, number, state, waves)
        waves[key]["state"] = {"start": "in_progress", "complete": "complete", "rollback": "rolled_back"}[
            action
        ]
        at = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        event = {"action": action, "at": at, "from": state, "by": by or os.environ.get("USER", "unknown")}
        if note:
            event["note"] = note
        waves[key]["history"].append(event)
        write_text_atomic(Path(plan_dir) / JOURNAL, dump_json(journal))
        return {"number": number, "state": waves[key]["state"], **event}


def _check(action: str, number: int, state: str, waves: dict[str, Any]) -> None:
    """Raise ConflictError when `action` is not allowed for wave `number` in `state`."""
    if action == "start":
        if state not in ("pending", "rolled_back"):
            raise ConflictError(f"wave {number} is {state}; only a pending or rolled-back wave can start")
        open_waves = sorted(int(k) for k, v in waves.items() if int(k) < number and v["state"] != "complete")
        if open_waves:
            raise ConflictError(
                f"wave {number} cannot start: earlier wave(s) {', '.join(map(str, open_waves))} not complete",
                hint="Finish them first: `exodus wave status --plan DIR`.",
            )
    elif action == "complete" and state != "in_progress":
        raise ConflictError(f"wave {number} is {state}; only a wave in progress can be completed")
    elif action == "rollback":
        if state not in ("in_progress", "complete"):
            raise ConflictError(
                f"wave {number} is {state}; only a started or complete wave can be rolled back"
            )
        later = sorted(
            int(k) for k, v in waves.items() if int(k) > number and v["state"] in ("in_progress", "complete")
        )
        if later:
            raise ConflictError(
                f"wave {number} cannot be rolled back while later wave(s) "
                f"{', '.join(map(str, later))} are started or complete; roll those back first"
            )


def wave_start(
    plan_dir: Path,
    number: int,
    *,
    now: datetime | None = None,
    by: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Mark wave `number` in progress; ConflictError unless every earlier wave is complete."""
    return _transition(plan_dir, number, "start", now=now, by=by, note=note)


def wave_complete(
    plan_dir: Path,
    number: int,
    *,
    now: datetime | None = None,
    by: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Mark a wave in progress as complete."""
    return _transition(plan_dir, number, "complete", now=now, by=by, note=note)


def wave_rollback(
    plan_dir: Path,
    number: int,
    *,
    now: datetime | None = None,
    by: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Mark a started or complete wave as rolled back (no later wave may be started)."""
    return _transition(plan_dir, number, "rollback", now=now, by=by, note=note)
