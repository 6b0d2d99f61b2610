"""The resume journal: units survive a torn last line and refuse a crawl with other options."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from proton_exodus.errors import BadInput
from proton_exodus.inventory.journal import Journal, partial_dir
from proton_exodus.inventory.runner import TaskRunner


def test_units_are_fetched_once_and_reused_after_reopen(tmp_path: Path) -> None:
    path = tmp_path / "snap.partial" / "journal.jsonl"
    calls: list[str] = []
    journal = Journal(path, "fp", resume=False)
    assert journal.unit("a", lambda: calls.append("a") or {"x": 1}) == {"x": 1}
    assert journal.unit("a", lambda: calls.append("again") or {"x": 2}) == {"x": 1}
    journal.close()
    again = Journal(path, "fp", resume=True)
    assert again.unit("a", lambda: calls.append("refetch") or None) == {"x": 1}
    assert calls == ["a"] and again.reused == 1


def test_torn_last_line_is_dropped_and_the_unit_runs_again(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path, "fp", resume=False)
    journal.record("done", [1, 2])
    journal.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"k":"half","v":[1,')  # SIGKILL in the middle of a write
    resumed = Journal(path, "fp", resume=True)
    assert resumed.get("done") == (True, [1, 2])
    assert resumed.get("half") == (False, None)
    resumed.record("half", 3)
    resumed.close()
    assert Journal(path, "fp", resume=True).get("half") == (True, 3)


def test_other_options_refuse_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    Journal(path, "one", resume=False).close()
    with pytest.raises(BadInput, match="other accounts, Regions or options"):
        Journal(path, "two", resume=True)


def test_without_resume_the_journal_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    first = Journal(path, "fp", resume=False)
    first.record("a", 1)
    first.close()
    assert Journal(path, "fp", resume=False).get("a") == (False, None)


def test_partial_dir_sits_beside_the_output(tmp_path: Path) -> None:
    assert partial_dir(tmp_path / "snap") == tmp_path / "snap.partial"


def test_runner_runs_a_tree_of_tasks_and_raises_the_first_error() -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def task(depth: int) -> None:
        with lock:
            seen.append(depth)
        if depth < 4:
            runner.spawn(task, depth + 1)
            runner.spawn(task, depth + 1)

    with TaskRunner(2) as runner:  # a tiny pool must not deadlock on a deep tree
        runner.spawn(task, 0)
        runner.wait()
    assert len(seen) == 31

    def boom() -> None:
        raise ValueError("boom")

    with TaskRunner(2) as runner, pytest.raises(ValueError, match="boom"):
        runner.spawn(boom)
        runner.wait()
