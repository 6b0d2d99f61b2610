"""Shared machinery of the engine: store, clock, identifiers, ARNs, operation wrapper, output conversion."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from proton_exodus.engine.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from proton_exodus.engine.store import Store
from proton_exodus.engine.validate import timestamp_members, validate_input
from proton_exodus.errors import ExodusError

F = TypeVar("F", bound=Callable[..., Any])

# Proton's default quotas per account and Region (PROTON.md §4.12).
DEFAULT_QUOTAS = {
    "templates": 100,
    "template_versions": 500,
    "environments": 100,
    "services": 1000,
    "instances_per_service": 20,
    "components": 100,
    "connections_per_environment_account": 5,
}
TOKEN_TTL = 8 * 3600  # client tokens expire after 8 hours (PROTON.md §4.10)


def operation(name: str) -> Callable[[F], F]:
    """Wrap a backend method as Proton operation `name`: validate input, run atomically, convert the output.

    Library errors from the render layer (bundle, schema, spec) become ValidationException.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(self: EngineCore, **params: Any) -> dict[str, Any]:
            validate_input(name, params)
            with self.store.txn():
                try:
                    result = func(self, **params)
                except ExodusError as err:
                    raise ValidationException(err.message) from err
            self._wake_worker()
            return to_output(result or {})

        wrapper.operation_name = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def to_output(value: Any) -> Any:
    """Drop internal `_` members and turn epoch floats of timestamp members into aware datetimes."""
    if isinstance(value, dict):
        stamps = timestamp_members()
        out = {}
        for key, item in value.items():
            if key.startswith("_") or item is None:
                continue
            if key in stamps and isinstance(item, int | float):
                out[key] = datetime.fromtimestamp(item, UTC)
            else:
                out[key] = to_output(item)
        return out
    if isinstance(value, list):
        return [to_output(v) for v in value]
    return value


def target_state(template: str, major: str, minor: str, spec: str) -> dict[str, Any]:
    """A deployment's `targetState`: the template version it deploys, and the spec."""
    return {
        "templateName": template,
        "templateMajorVersion": major,
        "templateMinorVersion": minor,
        "spec": spec,
    }


def matching(docs: list[dict[str, Any]], **filters: Any) -> list[dict[str, Any]]:
    """The documents whose fields equal every filter given (None: not filtered), as List operations filter."""
    return [d for d in docs if all(v is None or d.get(k) == v for k, v in filters.items())]


def digest(value: Any) -> str:
    """Stable hash of request parameters (idempotency checks)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class EngineCore:
    """State, clock, deterministic ids and ARNs shared by the resource mixins."""

    def __init__(
        self,
        account_id: str,
        region: str,
        state_path: Path | None,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        quotas: dict[str, int] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "gov" in region else "aws"
        self.store = Store(state_path)
        self.seed = seed
        self.clock = clock
        self.quotas = {**DEFAULT_QUOTAS, **(quotas or {})}

    # -- identifiers -------------------------------------------------------------------------------------
    def _random_bytes(self) -> bytes:
        """Deterministic per engine: sha256(seed, counter), the counter persisted with the state."""
        meta = self.store.get("meta", "counter") or {"value": 0}
        meta["value"] += 1
        self.store.put("meta", "counter", meta)
        return hashlib.sha256(f"{self.seed}:{meta['value']}".encode()).digest()

    def new_uuid(self) -> str:
        h = self._random_bytes()[:16].hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def new_stack_suffix(self) -> str:
        return "".join(chr(ord("A") + b % 26) for b in self._random_bytes()[:15])

    def now(self) -> float:
        return round(self.clock(), 3)

    # -- ARNs (PROTON.md §6.6) --------------------------------------------------------------------------
    def arn(self, resource: str) -> str:
        return f"arn:{self.partition}:proton:{self.region}:{self.account_id}:{resource}"

    def parse_arn(self, arn: str) -> str:
        """The resource part of one of our ARNs; ResourceNotFoundException for another account/Region."""
        prefix = self.arn("")
        if not arn.startswith(prefix):
            raise ResourceNotFoundException(f"Resource {arn} not found")
        return arn[len(prefix) :]

    # -- small helpers used by every mixin -------------------------------------------------------------
    def must_get(self, kind: str, key: str, what: str) -> dict[str, Any]:
        doc = self.store.get(kind, key)
        if doc is None:
            raise ResourceNotFoundException(f"{what} not found")
        return doc

    def check_quota(self, quota: str, used: int) -> None:
        if used >= self.quotas[quota]:
            raise ServiceQuotaExceededException(
                f"Quota exceeded: {quota.replace('_', ' ')} is limited to {self.quotas[quota]}"
            )

    def idempotent_create(
        self, kind: str, key: str, what: str, params: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Name-keyed create retry (PROTON.md §4.10): the existing doc, or None if the name is free."""
        existing = self.store.get(kind, key)
        if existing is None:
            return None
        if existing.get("_createDigest") != digest(params):
            raise ValidationException(
                f"Idempotent parameter mismatch: {what} already exists with other parameters"
            )
        if existing.get("_modified"):
            raise ConflictException(f"{what} already exists and was modified since it was created")
        return existing

    def client_token(self, op: str, token: str | None, params: dict[str, Any]) -> dict[str, Any] | None:
        """Client-token retry: the recorded result reference, or None for a new token."""
        if not token:
            return None
        key = f"{op}:{token}"
        rec = self.store.get("token", key)
        if rec is None or self.now() - rec["at"] > TOKEN_TTL:
            return None
        if rec["digest"] != digest({k: v for k, v in params.items() if k != "clientToken"}):
            raise ValidationException(
                "Idempotent parameter mismatch: clientToken reused with other parameters"
            )
        return rec["ref"]

    def remember_token(self, op: str, token: str | None, params: dict[str, Any], ref: dict[str, Any]) -> None:
        if token:
            self.store.put(
                "token",
                f"{op}:{token}",
                {
                    "at": self.now(),
                    "ref": ref,
                    "digest": digest({k: v for k, v in params.items() if k != "clientToken"}),
                },
            )

    def _wake_worker(self) -> None:  # overridden by the deployment mixin
        pass


@functools.cache
def _members(shape_name: str) -> tuple[str, ...]:
    from proton_exodus.engine.validate import service_model

    return tuple(service_model().shape_for(shape_name).members)


def project(doc: dict[str, Any], shape_name: str) -> dict[str, Any]:
    """Only the members of botocore shape `shape_name` (e.g. a summary from a full document)."""
    return {k: doc[k] for k in _members(shape_name) if doc.get(k) is not None}
