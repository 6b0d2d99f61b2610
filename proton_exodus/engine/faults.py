"""Fault knobs for testing Proton clients: latency, AWS-style rate limiting, random throttling, page size.

AWS throttles a JSON-protocol API with HTTP 400 and `{"__type": "ThrottlingException", "message":
"Rate exceeded"}`; botocore marks ThrottlingException retryable as throttling (PROTON.md §6.2), so
standard and adaptive retry modes back off and try again. Limits apply per account and Region, as
AWS API rate limits do.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from proton_exodus.engine.errors import ThrottlingException

THROTTLE_MESSAGE = "Rate exceeded"


@dataclass(frozen=True)
class FaultConfig:
    """What `exodus local serve --latency-ms/--rate-limit/--burst/--throttle-rate/--seed-random/--page-size` set."""

    latency_ms: float = 0.0
    rate_limit: float | None = None  # sustained requests per second, per account and Region
    burst: int | None = None  # bucket size; defaults to max(1, rate_limit)
    throttle_rate: float = 0.0  # probability that an otherwise admitted request is throttled
    seed_random: int | None = None
    page_size: int | None = None  # default List page size when the caller passes no maxResults

    def __post_init__(self) -> None:
        problems = []
        if self.latency_ms < 0:
            problems.append("--latency-ms must be >= 0")
        if self.rate_limit is not None and self.rate_limit <= 0:
            problems.append("--rate-limit must be > 0")
        if self.burst is not None and self.burst < 1:
            problems.append("--burst must be >= 1")
        if not 0.0 <= self.throttle_rate < 1.0:
            problems.append("--throttle-rate must be in [0, 1)")
        if self.page_size is not None and not 1 <= self.page_size <= 100:
            problems.append("--page-size must be within 1..100 (Proton's MaxPageResults)")
        if problems:
            from proton_exodus.errors import BadInput

            raise BadInput("; ".join(problems))


class TokenBucket:
    """Classic token bucket: `rate` tokens per second, at most `burst` banked."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.updated = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Take one token if there is one; False means "throttle this request"."""
        with self._lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


class FaultInjector:
    """Applies a FaultConfig to each Proton request before the backend sees it."""

    def __init__(self, config: FaultConfig | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config or FaultConfig()
        self.sleep = sleep
        self._random = random.Random(self.config.seed_random)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.throttled = 0  # how many requests were refused; read by tests and the server log

    def before_request(self, account_id: str, region: str) -> None:
        """Sleep the configured latency, then raise ThrottlingException if this request is over the limit."""
        cfg = self.config
        if cfg.latency_ms:
            self.sleep(cfg.latency_ms / 1000.0)
        if cfg.rate_limit is not None and not self._bucket(account_id, region).take():
            self._refuse()
        if cfg.throttle_rate:
            with self._lock:
                unlucky = self._random.random() < cfg.throttle_rate
            if unlucky:
                self._refuse()

    def _bucket(self, account_id: str, region: str) -> TokenBucket:
        cfg = self.config
        with self._lock:
            bucket = self._buckets.get((account_id, region))
            if bucket is None:
                assert cfg.rate_limit is not None
                burst = cfg.burst if cfg.burst is not None else max(1.0, cfg.rate_limit)
                bucket = self._buckets[(account_id, region)] = TokenBucket(cfg.rate_limit, burst)
            return bucket

    def _refuse(self) -> None:
        with self._lock:
            self.throttled += 1
        raise ThrottlingException(THROTTLE_MESSAGE)

