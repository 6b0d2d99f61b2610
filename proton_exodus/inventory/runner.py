"""A bounded thread pool whose tasks spawn follow-up tasks instead of waiting on them.

Crawling is a tree (list -> get -> outputs/tags -> stack); a task that blocked on its children
could starve a bounded pool, so tasks only `spawn` and the caller `wait`s for the whole tree.
Tasks run in spawn order, except that a lower `priority` runs first: work that feeds a slower,
separate service (CloudFormation behind the Proton resources) can start while the Proton crawl
still has hundreds of tasks queued.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Any

NORMAL = 1
FIRST = 0


class TaskRunner:
    """Run a tree of tasks on at most `workers` threads; `wait()` re-raises the first failure."""

    def __init__(self, workers: int, name: str = "crawl") -> None:
        self._workers = max(1, workers)
        self._name = name
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # workers wait here for tasks
        self._done = threading.Condition(self._lock)  # wait() waits here for pending == 0
        self._queue: list[tuple[int, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self._threads: list[threading.Thread] = []
        self._pending = 0  # queued + running
        self._error: BaseException | None = None
        self._closed = False

    def spawn(self, fn: Callable[..., Any], *args: Any, priority: int = NORMAL) -> None:
        """Schedule `fn(*args)`; after a failure no new tasks start."""
        with self._lock:
            if self._error is not None or self._closed:
                return
            self._pending += 1
            heapq.heappush(self._queue, (priority, next(self._order), fn, args))
            if len(self._threads) < self._workers and len(self._threads) < self._pending:
                thread = threading.Thread(
                    target=self._worker, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._work.notify()

    def queued(self) -> int:
        """Tasks spawned but not started yet."""
        with self._lock:
            return len(self._queue)

    def _worker(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._work.wait()
                if not self._queue:
                    return
                _, _, fn, args = heapq.heappop(self._queue)
                failed = self._error is not None
            try:
                if not failed:
                    fn(*args)
            except BaseException as err:  # noqa: BLE001 - handed to the waiting thread
                with self._lock:
                    if self._error is None:
                        self._error = err
            finally:
                with self._lock:
                    self._pending -= 1
                    if not self._pending:
                        self._done.notify_all()

    def wait(self) -> None:
        """Block until every spawned task (and their children) finished; raise the first error."""
        with self._lock:
            while self._pending:
                self._done.wait(timeout=0.5)
            error = self._error
        if error is not None:
            raise error

    def close(self) -> None:
        """Drop tasks not started, let running ones finish, join the threads."""
        with self._lock:
            self._closed = True
            self._pending -= len(self._queue)
            self._queue.clear()
            self._work.notify_all()
            self._done.notify_all()
            threads = list(self._threads)
        for thread in threads:
            thread.join()

    def __enter__(self) -> TaskRunner:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
