"""Fault knobs for testing Proton clients: latency, AWS-style rate limiting, random throttling, page size,
and (for hardening tests) random 5xx answers, connection resets and stalls longer than a client's timeout.

AWS throttles a JSON-protocol API with HTTP 400 and `{"__type": "ThrottlingException", "message":
"Rate exceeded"}`; botocore marks ThrottlingException retryable as throttling (PROTON.md §6.2), so
standard and adaptive retry modes back off and try again. Limits apply per account and Region, as
AWS API rate limits do.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from proton_exodus.engine.errors import InternalServerException, ProtonApiError, ThrottlingException

THROTTLE_MESSAGE = "Rate exceeded"


@dataclass(frozen=True)
class FaultConfig:
    """What `exodus local serve --latency-ms/--rate-limit/--burst/--throttle-rate/--seed-random/--page-size`
    set."""

    latency_ms: float = 0.0
    rate_limit: float | None = None  # sustained requests per second, per account and Region
    burst: int | None = None  # bucket size; defaults to max(1, rate_limit)
    throttle_rate: float = 0.0  # probability that an otherwise admitted request is throttled
    seed_random: int | None = None
    page_size: int | None = None  # default List page size when the caller passes no maxResults
    # Hardening knobs (all off by default): probabilities per admitted request.
    error_rate: float = 0.0  # answer 500 InternalServerException / 503 ServiceUnavailable
    reset_rate: float = 0.0  # close the connection with a TCP reset, no answer
    timeout_rate: float = (
        0.0  # stall `timeout_ms` before answering (a client with a shorter read timeout retries)
    )
    timeout_ms: float = 1500.0
    all_services: bool = False  # also apply faults to the moto services (CloudFormation, S3, STS ...)

    def __post_init__(self) -> None:
        problems = []
        for knob in ("error_rate", "reset_rate", "timeout_rate"):
            if not 0.0 <= getattr(self, knob) < 1.0:
                problems.append(f"{knob} must be in [0, 1)")
        if self.timeout_ms < 0:
            problems.append("timeout_ms must be >= 0")
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

    def __init__(
        self, config: FaultConfig | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.config = config or FaultConfig()
        self.sleep = sleep
        self._random = random.Random(self.config.seed_random)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.throttled = 0  # how many requests were refused; read by tests and the server log
        self.errors = self.resets = self.stalls = 0  # hardening faults injected

    def before_request(self, account_id: str, region: str, environ: dict[str, Any] | None = None) -> None:
        """Sleep the configured latency, then raise ThrottlingException if this request is over the limit.

        With the hardening knobs, may also stall, reset the connection found in `environ` (raising
        ConnectionResetError, which the WSGI server treats as a dropped client) or raise a 5xx error.
        """
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
        self._hardening_faults(environ)

    def _roll(self, rate: float) -> bool:
        if not rate:
            return False
        with self._lock:
            return self._random.random() < rate

    def _hardening_faults(self, environ: dict[str, Any] | None) -> None:
        cfg = self.config
        if self._roll(cfg.timeout_rate):
            with self._lock:
                self.stalls += 1
            self.sleep(cfg.timeout_ms / 1000.0)
        if environ is not None and self._roll(cfg.reset_rate):
            with self._lock:
                self.resets += 1
            reset_connection(environ)
        if self._roll(cfg.error_rate):
            with self._lock:
                self.errors += 1
                unavailable = self.errors % 2 == 0
            raise (
                ServiceUnavailableException("Service unavailable")
                if unavailable
                else InternalServerException("Internal failure injected by the local server's faults")
            )

    def before_other_service(self, environ: dict[str, Any]) -> tuple[int, bytes, dict[str, str]] | None:
        """For a moto-served request with `all_services`: None to serve it, or the error answer to send.

        Throttling and 5xx answers use the query/XML error shape botocore parses for CloudFormation,
        STS and S3 alike (`Throttling` is retryable as throttling, HTTP 5xx as a transient error).
        """
        if not self.config.all_services:
            return None
        try:
            self.before_request("*", environ.get("HTTP_HOST", ""), environ)
        except ThrottlingException:
            return 400, _xml_error("Throttling", THROTTLE_MESSAGE), {"Content-Type": "text/xml"}
        except ProtonApiError as err:
            return (
                err.http_status,
                _xml_error(
                    "InternalFailure" if err.http_status == 500 else "ServiceUnavailable", err.message
                ),
                {"Content-Type": "text/xml"},
            )
        return None

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


class ServiceUnavailableException(ProtonApiError):
    """HTTP 503, as an overloaded AWS front end answers; botocore retries it as a transient error."""

    code = "ServiceUnavailableException"
    http_status = 503


def reset_connection(environ: dict[str, Any]) -> None:
    """Abort the request's TCP connection with a reset (SO_LINGER 0), then raise ConnectionResetError."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionResetError("connection reset injected by the local server's faults")


def _xml_error(code: str, message: str) -> bytes:
    return (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
