"""Ids the local cloud invents, made a function of the resource they name instead of an RNG sequence.

moto (5.x) draws every random id (VPC, subnet, security-group, listener and role ids, bucket and name
suffixes, StackIds) from one process-wide generator, `moto.moto_api._internal.mock_random`, so an id
depends on every draw made before it: another stack, one more request, or a moto release that draws
once more changes them all. Here a StackId is derived from sha256(account, Region, stack name, how many
stacks of that name came before), a change set's from its stack's name and its own; and while moto
creates or updates one CloudFormation resource, every draw on that thread comes from a generator
seeded with sha256(StackId, logical id, occurrence), the occurrence counting earlier creates and updates
of that logical id in that stack (a replacement gets a fresh id, as in CloudFormation). Draws outside a
resource (request ids, API calls other than CloudFormation), and those of a moto backend being built
on first use (EC2's default VPC) even inside one, keep moto's generator.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["derived_random", "derived_uuid", "patch_moto_ids", "resource_scope"]

_PATCHED = False
_SCOPES = threading.local()  # .stack: the generators of the resources this thread is creating, innermost last
_COUNTS_LOCK = threading.Lock()
_COUNTS_ATTR = "_exodus_id_counts"  # kept on moto's CloudFormation backend, so a moto reset clears it too


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def derived_random(*parts: str) -> random.Random:
    """A generator seeded with sha256 of `parts` (the same parts, the same draws)."""
    return random.Random(int.from_bytes(_digest(*parts), "big"))


def derived_uuid(*parts: str) -> uuid.UUID:
    """A version-4-shaped UUID from sha256 of `parts`, as random-looking as moto's own."""
    return uuid.UUID(bytes=_digest(*parts)[:16], version=4)


@contextlib.contextmanager
def resource_scope(*parts: str) -> Iterator[random.Random]:
    """Route this thread's draws on moto's generator to `derived_random(*parts)` until the block ends."""
    stack = _SCOPES.__dict__.setdefault("stack", [])
    stack.append(derived_random(*parts))
    try:
        yield stack[-1]
    finally:
        stack.pop()


@contextlib.contextmanager
def _outside_scopes() -> Iterator[None]:
    """Draw from moto's own generator until the block ends, even inside a resource scope."""
    stack = _SCOPES.__dict__.setdefault("stack", [])
    stack.append(None)
    try:
        yield
    finally:
        stack.pop()


def _next_occurrence(account_id: str, region: str, *key: str) -> int:
    """How many times `key` was asked for before, in this account and Region of the local cloud."""
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[account_id][region]
    with _COUNTS_LOCK:
        counts = backend.__dict__.setdefault(_COUNTS_ATTR, {})
        counts[key] = counts.get(key, -1) + 1
        return counts[key]


def _route(rng: Any, name: str) -> None:
    """Send rng.<name> to the innermost resource scope's generator, when this thread has one."""
    original: Callable[..., Any] = getattr(rng, name)

    def routed(*args: Any) -> Any:
        stack = getattr(_SCOPES, "stack", None)
        return getattr(stack[-1], name)(*args) if stack and stack[-1] is not None else original(*args)

    setattr(rng, name, routed)


def patch_moto_ids() -> None:
    """Patch moto so StackIds, change-set ids and resource ids are functions of the resource (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation import models, parsing, utils
    from moto.moto_api._internal import mock_random
    from moto.utilities.utils import get_partition

    # Every MotoRandom draw (uuid4, get_random_hex, choice, randint, ...) ends in one of these two.
    for name in ("random", "getrandbits"):
        _route(mock_random, name)

    def generate_stack_id(stack_name: str, region: str, account: str) -> str:
        n = _next_occurrence(account, region, "stack", stack_name)
        random_id = derived_uuid(account, region, "stack", stack_name, str(n))
        return f"arn:{get_partition(region)}:cloudformation:{region}:{account}:stack/{stack_name}/{random_id}"

    def generate_changeset_id(changeset_name: str, region_name: str, account_id: str) -> str:
        n = _next_occurrence(account_id, region_name, "changeSet", changeset_name)
        random_id = derived_uuid(account_id, region_name, "changeSet", changeset_name, str(n))
        return (
            f"arn:{get_partition(region_name)}:cloudformation:{region_name}:{account_id}"
            f":changeSet/{changeset_name}/{random_id}"
        )

    for module in (utils, models):
        module.generate_stack_id = generate_stack_id
        module.generate_changeset_id = generate_changeset_id
    for name in ("parse_and_create_resource", "parse_and_update_resource"):
        setattr(parsing, name, _scoped(getattr(parsing, name)))
    _build_backends_outside_scopes()
    _PATCHED = True


def _build_backends_outside_scopes() -> None:
    """A backend built lazily while a resource is created (EC2 makes its default VPC, subnets...) must
    not draw from the resource's generator: whether it was built before would change the resource's ids."""
    from moto.core.base_backend import AccountSpecificBackend, BackendDict

    get_region = AccountSpecificBackend.__getitem__
    add_account = BackendDict._create_account_specific_backend

    def region_backend(self: Any, region_name: str) -> Any:
        if not getattr(_SCOPES, "stack", None):
            return get_region(self, region_name)
        with _outside_scopes():
            return get_region(self, region_name)

    def account_backends(self: Any, account_id: str) -> None:
        with _outside_scopes():
            add_account(self, account_id)

    AccountSpecificBackend.__getitem__ = region_backend  # type: ignore[method-assign]
    BackendDict._create_account_specific_backend = account_backends  # type: ignore[method-assign]


def _scoped(parse: Callable[..., Any]) -> Callable[..., Any]:
    """moto's parse_and_{create,update}_resource, run inside the resource's own scope."""

    def scoped(
        logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        stack_id = str(resources_map.stack_id)
        n = _next_occurrence(account_id, region_name, "resource", stack_id, logical_id)
        with resource_scope(stack_id, logical_id, str(n)):
            return parse(logical_id, resource_json, resources_map, account_id, region_name)

    return scoped
