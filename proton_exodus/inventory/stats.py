"""API call statistics of a crawl: calls and retries per operation, counted through botocore event hooks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class CallStats:
    """Thread-safe counters fed by botocore events of every client the crawl builds.

    `before-call` fires once per operation call, `before-send` once per HTTP attempt, so the
    retries of an operation are its attempts minus its calls (botocore retries inside one call).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.attempts: Counter[str] = Counter()
        self.throttles: Counter[str] = Counter()

    def attach(self, client: Any) -> Any:
        """Register the counting hooks on `client` and return it."""
        events = client.meta.events
        events.register("before-call", self._on_call)
        events.register("before-send", self._on_send)
        events.register("needs-retry", self._on_needs_retry)
        return client

    @staticmethod
    def _operation(event_name: str) -> str:
        return event_name.rsplit(".", 1)[-1]

    def _on_call(self, event_name: str = "", **_: Any) -> None:
        with self._lock:
            self.calls[self._operation(event_name)] += 1

    def _on_send(self, event_name: str = "", **_: Any) -> None:
        with self._lock:
            self.attempts[self._operation(event_name)] += 1

    def _on_needs_retry(self, event_name: str = "", response: Any = None, **_: Any) -> None:
        if not response or not isinstance(response, tuple) or len(response) < 2:
            return
        parsed = response[1] or {}
        code = parsed.get("Error", {}).get("Code", "") if isinstance(parsed, dict) else ""
        if "Throttl" in code or code in ("TooManyRequestsException", "RequestLimitExceeded"):
            with self._lock:
                self.throttles[self._operation(event_name)] += 1

    @property
    def total(self) -> int:
        """Operation calls made (each counted once, however many attempts it took)."""
        return sum(self.calls.values())

    @property
    def retries(self) -> int:
        """HTTP attempts beyond the first of each call."""
        return max(0, sum(self.attempts.values()) - self.total)

    def snapshot(self) -> dict[str, Any]:
        """The `apiCalls` block of the snapshot manifest."""
        with self._lock:
            by_op = dict(sorted(self.calls.items()))
            retries_by_op = {
                op: self.attempts[op] - self.calls[op]
                for op in sorted(self.attempts)
                if self.attempts[op] > self.calls[op]
            }
            return {
                "total": sum(by_op.values()),
                "retries": sum(retries_by_op.values()),
                "throttled": sum(self.throttles.values()),
                "byOperation": by_op,
                "retriesByOperation": retries_by_op,
            }
