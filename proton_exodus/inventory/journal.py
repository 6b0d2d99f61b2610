"""The resume journal: completed units of work, one JSON line each, in `<out>.partial/journal.jsonl`.

Each unit's result is stored exactly as the snapshot will use it (JSON-safe), so a resumed crawl
rebuilds the same records from the journal as an uninterrupted one fetches. A line is written and
flushed only after its unit finished, so SIGKILL can lose at most the line being written, which
`load` drops (a torn last line is not valid JSON).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput

JOURNAL_VERSION = 1
_MISSING = object()


def partial_dir(out: Path) -> Path:
    """Where an unfinished crawl of `out` keeps its journal."""
    out = Path(out)
    return out.with_name(out.name + ".partial")


class Journal:
    """An append-only map unit key -> result, persisted line by line."""

    def __init__(self, path: Path, fingerprint: str, *, resume: bool) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self._lock = threading.Lock()
        self._done: dict[str, Any] = {}
        self.reused = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists():
            self._load()
        else:
            self.path.unlink(missing_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")
        if not self._done and self.path.stat().st_size == 0:
            self._write({"journal": JOURNAL_VERSION, "fingerprint": fingerprint})

    def _load(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines()
        good: list[str] = []
        for index, line in enumerate(lines):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                if index == len(lines) - 1:
                    break  # torn last line from a kill mid-write: that unit simply runs again
                raise BadInput(
                    f"{self.path}: line {index + 1} is not valid JSON; delete the .partial "
                    "directory to start the crawl afresh"
                ) from None
            if index == 0:
                self._check_header(entry)
            else:
                self._done[entry["k"]] = entry["v"]
            good.append(line)
        # rewrite without a torn tail so later appends start on a fresh line
        self.path.write_text("".join(line + "\n" for line in good), encoding="utf-8")

    def _check_header(self, entry: Any) -> None:
        if not isinstance(entry, dict) or entry.get("journal") != JOURNAL_VERSION:
            raise BadInput(f"{self.path}: not an exodus crawl journal (version {JOURNAL_VERSION})")
        if entry.get("fingerprint") != self.fingerprint:
            raise BadInput(
                f"{self.path}: the interrupted crawl used other accounts, Regions or options",
                hint="Re-run with the same options, or without --resume to start afresh.",
            )

    @staticmethod
    def _line(entry: dict[str, Any]) -> str:
        return json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str) + "\n"

    def _write(self, entry: dict[str, Any]) -> None:
        self._handle.write(self._line(entry))
        self._handle.flush()

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, result) when the unit is done, else (False, None)."""
        value = self._done.get(key, _MISSING)  # a dict read is atomic: no lock on the hot path
        return (False, None) if value is _MISSING else (True, value)

    def record(self, key: str, value: Any) -> None:
        """Mark a unit done with its result (serialised outside the lock; one write and flush inside)."""
        line = self._line({"k": key, "v": value})
        with self._lock:
            self._handle.write(line)
            self._handle.flush()
            self._done[key] = value

    def unit(self, key: str, fetch: Callable[[], Any]) -> Any:
        """The result of unit `key`: from the journal when done before, else `fetch()` (then recorded)."""
        done, value = self.get(key)
        if done:
            with self._lock:
                self.reused += 1
            return value
        value = fetch()
        self.record(key, value)
        return value

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()

    def discard(self) -> None:
        """Remove the journal's directory once the snapshot is written."""
        self.close()
        shutil.rmtree(self.path.parent, ignore_errors=True)
