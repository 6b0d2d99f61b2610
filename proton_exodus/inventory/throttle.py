"""botocore's adaptive retry mode, fitted to a crawl of thousands of calls.

Three behaviours of stock adaptive mode hurt a crawl (measured against the local Proton with 30 %
random throttling: 315 calls took 188 s instead of 5 s):
- its client rate limiter cuts the send rate by 30 % on *every* throttle, so throttles that come
  at random, whatever the rate, drive it to its 0.5 request/s floor;
- the retry quota (500 units, 5 per throttled retry) runs dry after a few hundred throttles and
  then fails calls outright;
- the first throttling backoff waits up to 1 s, and later ones up to 20 s: a few unlucky calls
  throttled five or six times in a row then hold the crawl's end for seconds after all else is done
  (measured: 7.0 s for 262 Proton calls at 50 requests/s, whose main phase ended at 4.2 s).
So the rate limiter only hears about throttles while they are the majority of recent answers
(what a server-side rate limit looks like once the burst is spent: the crawl then converges on
the allowed rate, calls / rate), the quota is made unlimited (max_attempts still bounds each
call), and backoff starts at up to 0.25 s, doubling per attempt up to 1 s (the rate limiter, not
the backoff, paces a throttled crawl). If botocore's internals change,
`tune_adaptive_retries` leaves the client as botocore built it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

WINDOW = 40  # answers remembered per client
THRESHOLD = 0.5  # throttled share of recent answers above which the rate limiter reacts
ADMITTED_WINDOW = 1.0  # seconds over which the server's admitted rate is measured
BACKOFF_SCALE = 0.25
MAX_BACKOFF = 1.0  # seconds
UNLIMITED = 10**9


class _NoiseFilter:
    """Passes throttles to the rate limiter only when most recent answers were throttles, and keeps
    the limiter's send rate at or above the rate the server admitted over the last second.

    botocore caps the new send rate at twice its measured rate, which it only measures in
    half-second buckets: throttles in a crawl's first half second (the server's burst spent) find
    it at 0, so the rate falls to botocore's floor of 0.5 request/s, and with it the measured rate:
    the crawl stalled for 3-4 s climbing back (measured at 50 requests/s). The admitted rate is
    what the server allows, so sending at it wastes nothing.
    """

    def __init__(
        self, on_receiving_response: Callable[..., Any], is_throttle: Callable[..., bool], limiter: Any = None
    ) -> None:
        self._forward = on_receiving_response
        self._is_throttle = is_throttle
        self._limiter = limiter
        self._recent: deque[bool] = deque(maxlen=WINDOW)
        self._admitted: deque[float] = deque()  # when recent non-throttled answers came
        self._lock = threading.Lock()

    def on_receiving_response(self, **kwargs: Any) -> None:
        throttled = bool(self._is_throttle(**kwargs))
        now = time.monotonic()
        with self._lock:
            self._recent.append(throttled)
            share = sum(self._recent) / len(self._recent)
            if not throttled:
                self._admitted.append(now)
            while self._admitted and now - self._admitted[0] > ADMITTED_WINDOW:
                self._admitted.popleft()
            admitted_rate = len(self._admitted) / ADMITTED_WINDOW
        if throttled and share < THRESHOLD:
            return
        self._forward(**kwargs)
        self._keep_rate_at_least(admitted_rate)

    def _keep_rate_at_least(self, rate: float) -> None:
        """After botocore's update (on throttles and successes alike, both cap at 2x its measure)."""
        bucket = getattr(self._limiter, "_token_bucket", None)
        lock = getattr(self._limiter, "_lock", None)
        if bucket is None or lock is None or rate <= 0 or not getattr(self._limiter, "_enabled", False):
            return
        with lock:
            if bucket.max_rate < rate:
                bucket.max_rate = rate


def _handlers(client: Any, event: str) -> list[Any]:
    service = client.meta.service_model.service_id.hyphenize()
    name = client.meta.service_model.operation_names[0]
    return list(client.meta.events._emitter._handlers.prefix_search(f"{event}.{service}.{name}"))


def tune_adaptive_retries(client: Any) -> Any:
    """Apply the changes described in the module docstring to `client` (in place); return it."""
    try:
        from botocore.retries.adaptive import ClientRateLimiter
        from botocore.retries.standard import RetryHandler
    except ImportError:  # pragma: no cover - botocore without the retries package
        return client
    for handler in _handlers(client, "needs-retry"):
        owner = getattr(handler, "__self__", None)
        if isinstance(owner, ClientRateLimiter):
            detector = getattr(owner, "_throttling_detector", None)
            if detector is None:
                continue
            client.meta.events.unregister("needs-retry", handler)
            client.meta.events.register(
                "needs-retry",
                _NoiseFilter(handler, detector.is_throttling_error, owner).on_receiving_response,
            )
        elif isinstance(owner, RetryHandler):
            _unlimited_quota(owner)
            _short_backoff(owner)
    return client


def _unlimited_quota(handler: Any) -> None:
    quota = getattr(getattr(handler, "_retry_quota", None), "_quota", None)
    if quota is not None and hasattr(quota, "_available_capacity"):
        quota._max_capacity = quota._available_capacity = UNLIMITED


def _short_backoff(handler: Any) -> None:
    backoff = getattr(getattr(handler, "_retry_policy", None), "_retry_backoff", None)
    if backoff is not None and hasattr(backoff, "_random"):
        backoff._random = lambda: random.random() * BACKOFF_SCALE
        if hasattr(backoff, "_max_backoff"):  # botocore caps base_scale * 2**i before the random factor
            backoff._max_backoff = MAX_BACKOFF / BACKOFF_SCALE
