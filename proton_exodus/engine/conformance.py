"""Check JSON values against botocore's Proton model: types, lengths, patterns, enums, required members,
and each operation's modelled errors.

One walker serves both directions: the protocol rejects inputs with it (botocore validates only
required/type/min client-side, PROTON.md §6.7), and tests check every response with it, so a new
operation in the model is covered without new test code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

SERVICE = "proton"


@functools.cache
def service_model() -> ServiceModel:
    """botocore's model of the Proton API (the one installed next to boto3)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(SERVICE)


@functools.cache
def paginators() -> dict[str, dict[str, Any]]:
    """Operation name -> botocore paginator config (input/output token, limit key, result key)."""
    import botocore.session

    model = botocore.session.get_session().get_paginator_model(SERVICE)
    return dict(model._paginator_config)  # no public accessor for the whole table


def operation(name: str) -> OperationModel:
    return service_model().operation_model(name)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:  # a Java-only construct: skip rather than reject valid values
        return None


def check_input(operation_name: str, body: dict[str, Any]) -> list[str]:
    """Problems with a request body, in AWS's wording ("Value '…' at 'name' failed to satisfy …")."""
    shape = operation(operation_name).input_shape
    if shape is None:
        return []
    return list(_walk(shape, body, "", wire=True, unknown_ok=True))


def check_output(operation_name: str, body: dict[str, Any], *, wire: bool = True) -> list[str]:
    """Problems with a response body (`wire`: timestamps are epoch numbers, else datetimes)."""
    shape = operation(operation_name).output_shape
    if shape is None:
        return [] if not body else [f"unexpected members {sorted(body)} for an empty output"]
    return list(_walk(shape, body, "", wire=wire, unknown_ok=False))


def modelled_errors(operation_name: str) -> frozenset[str]:
    """The error codes botocore's model lists for an operation (`operations[op].errors`).

    Proton's model lists ValidationException, AccessDeniedException, ThrottlingException and
    InternalServerException on every operation and the others per operation (PROTON.md §6.2, §6.3);
    botocore raises a modelled exception class only for these.
    """
    return frozenset(shape.name for shape in operation(operation_name).error_shapes)


def check_error(operation_name: str, code: str) -> list[str]:
    """Problems with an error answer: a code the operation's model does not list."""
    allowed = modelled_errors(operation_name)
    if code in allowed:
        return []
    listed = ", ".join(sorted(allowed))
    return [f"error {code} is not a modelled error of {operation_name} (allowed: {listed})"]


def _fail(path: str, value: Any, constraint: str) -> str:
    shown = value if isinstance(value, int | float) else repr(value)[:80]
    return f"Value {shown} at '{path or '<root>'}' failed to satisfy constraint: {constraint}"


def _walk(shape: Shape, value: Any, path: str, *, wire: bool, unknown_ok: bool) -> Iterator[str]:
    kind = shape.type_name
    walker = _WALKERS.get(kind)
    if walker is None:
        return
    yield from walker(shape, value, path, wire=wire, unknown_ok=unknown_ok)


def _structure(shape: Any, value: Any, path: str, *, wire: bool, unknown_ok: bool) -> Iterator[str]:
    if not isinstance(value, dict):
        yield _fail(path, value, f"Member must be an object ({shape.name})")
        return
    for name in shape.required_members:
        if value.get(name) is None:
            yield _fail(f"{path}.{name}".lstrip("."), None, "Member must not be null")
    members = shape.members
    if shape.is_tagged_union and sum(value.get(m) is not None for m in members) != 1:
        yield _fail(path, sorted(value), f"exactly one member of union {shape.name} must be set")
    for name, member_value in value.items():
        child = f"{path}.{name}".lstrip(".")
        if name not in members:
            if not unknown_ok:
                yield _fail(child, member_value, f"Member is not in shape {shape.name}")
            continue
        if member_value is not None:
            yield from _walk(members[name], member_value, child, wire=wire, unknown_ok=unknown_ok)


def _length(shape: Shape, size: int, value: Any, path: str) -> Iterator[str]:
    meta = shape.metadata
    if "min" in meta and size < meta["min"]:
        yield _fail(path, value, f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        yield _fail(path, value, f"Member must have length less than or equal to {meta['max']}")


def _list(shape: Any, value: Any, path: str, *, wire: bool, unknown_ok: bool) -> Iterator[str]:
    if not isinstance(value, list):
        yield _fail(path, value, "Member must be a list")
        return
    yield from _length(shape, len(value), value, path)
    for index, item in enumerate(value):
        yield from _walk(shape.member, item, f"{path}.{index + 1}", wire=wire, unknown_ok=unknown_ok)


def _map(shape: Any, value: Any, path: str, *, wire: bool, unknown_ok: bool) -> Iterator[str]:
    if not isinstance(value, dict):
        yield _fail(path, value, "Member must be a map")
        return
    yield from _length(shape, len(value), value, path)
    for key, item in value.items():
        yield from _walk(shape.key, key, f"{path}.key", wire=wire, unknown_ok=unknown_ok)
        yield from _walk(shape.value, item, f"{path}.{key}", wire=wire, unknown_ok=unknown_ok)


def _string(shape: Any, value: Any, path: str, **_: Any) -> Iterator[str]:
    if not isinstance(value, str):
        yield _fail(path, value, "Member must be a string")
        return
    yield from _length(shape, len(value), value, path)
    pattern = shape.metadata.get("pattern")
    regex = _regex(pattern) if pattern else None
    if regex is not None and not regex.search(value):
        yield _fail(path, value, f"Member must satisfy regular expression pattern: {pattern}")
    if shape.enum and value not in shape.enum:
        yield _fail(path, value, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")


def _number(shape: Any, value: Any, path: str, **_: Any) -> Iterator[str]:
    integral = shape.type_name in ("integer", "long")
    ok_types = (int,) if integral else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        yield _fail(path, value, f"Member must be a {shape.type_name}")
        return
    meta = shape.metadata
    if "min" in meta and value < meta["min"]:
        yield _fail(path, value, f"Member must have value greater than or equal to {meta['min']}")
    if "max" in meta and value > meta["max"]:
        yield _fail(path, value, f"Member must have value less than or equal to {meta['max']}")


def _boolean(shape: Any, value: Any, path: str, **_: Any) -> Iterator[str]:
    if not isinstance(value, bool):
        yield _fail(path, value, "Member must be a boolean")


def _timestamp(shape: Any, value: Any, path: str, *, wire: bool, **_: Any) -> Iterator[str]:
    # JSON protocol default: epoch seconds as a number (PROTON.md §6.1).
    ok = (
        (isinstance(value, int | float) and not isinstance(value, bool))
        if wire
        else isinstance(value, datetime)
    )
    if not ok:
        yield _fail(
            path, value, "Member must be a timestamp (epoch seconds)" if wire else "Member must be a datetime"
        )


_WALKERS: dict[str, Any] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _number,
    "long": _number,
    "float": _number,
    "double": _number,
    "boolean": _boolean,
    "timestamp": _timestamp,
}


def validation_message(problems: list[str]) -> str:
    """AWS's summary line for input validation failures."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(problems[:10])
