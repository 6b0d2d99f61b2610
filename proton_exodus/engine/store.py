"""SQLite-backed document store: one table of JSON documents keyed by (kind, key),
one transaction per operation."""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_DELETED = object()


class Store:
    """In-memory documents mirrored to SQLite; `txn()` buffers writes so a failed operation changes
    nothing."""

    def __init__(self, path: Path | None) -> None:
        self._docs: dict[str, dict[str, dict[str, Any]]] = {}
        self._pending: dict[tuple[str, str], Any] | None = None
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        if path:  # WAL + synchronous=NORMAL: atomic and crash-safe for the process, one fsync per checkpoint
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS docs (kind TEXT, key TEXT, doc TEXT, PRIMARY KEY (kind, key))"
        )
        self._db.commit()
        self._persist = path is not None
        for kind, key, doc in self._db.execute("SELECT kind, key, doc FROM docs"):
            self._docs.setdefault(kind, {})[key] = json.loads(doc)
        self.lock = threading.RLock()

    @contextmanager
    def txn(self) -> Iterator[None]:
        """Run one operation: writes become visible and durable only if the block finishes without raising."""
        with self.lock:
            if self._pending is not None:  # nested: join the outer transaction
                yield
                return
            self._pending = {}
            try:
                yield
                self._commit(self._pending)
            finally:
                self._pending = None

    def _commit(self, pending: dict[tuple[str, str], Any]) -> None:
        rows_put, rows_del = [], []
        for (kind, key), doc in pending.items():
            if doc is _DELETED:
                self._docs.get(kind, {}).pop(key, None)
                rows_del.append((kind, key))
            else:
                self._docs.setdefault(kind, {})[key] = doc
                rows_put.append((kind, key, json.dumps(doc, sort_keys=True)))
        if self._persist and (rows_put or rows_del):
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", rows_put)
                self._db.executemany("DELETE FROM docs WHERE kind = ? AND key = ?", rows_del)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """A private copy of the document, or None; change it and `put` it back."""
        doc = self._peek(kind, key)
        return None if doc is None else copy.deepcopy(doc)

    def _peek(self, kind: str, key: str) -> dict[str, Any] | None:
        if self._pending is not None and (kind, key) in self._pending:
            doc = self._pending[(kind, key)]
            return None if doc is _DELETED else doc
        return self._docs.get(kind, {}).get(key)

    def exists(self, kind: str, key: str) -> bool:
        return self._peek(kind, key) is not None

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        self._require_txn()
        self._pending[(kind, key)] = copy.deepcopy(doc)  # type: ignore[index]

    def delete(self, kind: str, key: str) -> None:
        self._require_txn()
        self._pending[(kind, key)] = _DELETED  # type: ignore[index]

    def values(self, kind: str) -> list[dict[str, Any]]:
        """Every document of a kind, read-only (do not mutate), in key order, pending writes included."""
        merged = self._merged(kind)
        return [merged[key] for key in sorted(merged)]

    def keys(self, kind: str) -> list[str]:
        return sorted(self._merged(kind))

    def _merged(self, kind: str) -> dict[str, dict[str, Any]]:
        merged = self._docs.get(kind, {})
        if self._pending and any(k == kind for (k, _) in self._pending):
            merged = dict(merged)
            for (k, key), doc in self._pending.items():
                if k != kind:
                    continue
                if doc is _DELETED:
                    merged.pop(key, None)
                else:
                    merged[key] = doc
        return merged

    def _require_txn(self) -> None:
        if self._pending is None:
            raise RuntimeError("store writes must happen inside txn()")

    def close(self) -> None:
        with self.lock:
            self._db.close()
