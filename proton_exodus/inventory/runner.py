"""A bounded thread pool whose tasks spawn follow-up tasks instead of waiting on them.

Crawling is a tree (list -> get -> outputs/tags -> stack); a task that blocked on its children
could starve a bounded pool, so tasks only `spawn` and the caller `wait`s for the whole tree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class TaskRunner:
    """Run a tree of tasks on at most `workers` threads; `wait()` re-raises the first failure."""

    def __init__(self, workers: int, name: str = "crawl") -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name)
        self._cond = threading.Condition()
        self._pending = 0
        self._error: BaseException | None = None

    def spawn(self, fn: Callable[..., Any], *args: Any) -> None:
        """Schedule `fn(*args)`; after a failure no new tasks start."""
        with self._cond:
            if self._error is not None:
                return
            self._pending += 1
        self._pool.submit(self._run, fn, args)

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            with self._cond:
                failed = self._error is not None
            if not failed:
                fn(*args)
        except BaseException as err:  # noqa: BLE001 - handed to the waiting thread
            with self._cond:
                if self._error is None:
                    self._error = err
        finally:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    def wait(self) -> None:
        """Block until every spawned task (and their children) finished; raise the first error."""
        with self._cond:
            while self._pending:
                self._cond.wait(timeout=0.5)
            error = self._error
        if error is not None:
            raise error

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> TaskRunner:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
