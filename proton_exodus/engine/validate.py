"""Input validation from botocore's Proton model: what boto3 does not check client-side (PROTON.md §6.7).

botocore checks required members, types and minimums; the service must enforce maximum lengths,
patterns, enums, list sizes and unknown members itself, answering `ValidationException`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from proton_exodus.engine.errors import ValidationException


@functools.cache
def service_model() -> Any:
    """botocore's Proton service model (loaded once)."""
    return botocore.session.get_session().get_service_model("proton")


@functools.cache
def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def validate_input(operation: str, params: dict[str, Any]) -> None:
    """Raise ValidationException naming the first member of `params` that breaks `operation`'s input shape."""
    shape = operation_model(operation).input_shape
    if shape is None:
        if params:
            raise ValidationException(f"{operation} takes no input, got {sorted(params)}")
        return
    _check_structure(shape, params, "")


def _check_structure(shape: StructureShape, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise ValidationException(f"{path or 'input'} must be an object")
    for name in value:
        if name not in shape.members:
            raise ValidationException(
                f"Unknown parameter {path}{name}; valid parameters: {', '.join(shape.members)}"
            )
    for name in shape.required_members:
        if value.get(name) is None:
            raise ValidationException(f"Missing required parameter {path}{name}")
    if shape.metadata.get("union") and sum(v is not None for v in value.values()) != 1:
        raise ValidationException(f"{path or 'input'} must set exactly one of {', '.join(shape.members)}")
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _check(member, value[name], f"{path}{name}")


def _check(shape: Shape, value: Any, path: str) -> None:
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        _check_structure(shape, value, path + ".")
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise ValidationException(f"{path} must be a list")
        _check_size(len(value), meta, path, "items")
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}[{i}]")
    elif isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise ValidationException(f"{path} must be a map")
    elif shape.type_name == "string":
        _check_string(shape, value, path)
    elif shape.type_name in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationException(f"{path} must be an integer")
        if "min" in meta and value < meta["min"] or "max" in meta and value > meta["max"]:
            raise ValidationException(f"{path} must be between {meta.get('min')} and {meta.get('max')}")
    elif shape.type_name == "boolean" and not isinstance(value, bool):
        raise ValidationException(f"{path} must be a boolean")


def _check_string(shape: Shape, value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise ValidationException(f"{path} must be a string")
    meta = shape.metadata
    _check_size(len(value), meta, path, "characters")
    if shape.enum and value not in shape.enum:
        raise ValidationException(f"{path} '{value}' is not one of {', '.join(shape.enum)}")
    pattern = meta.get("pattern")
    regex = _regex(pattern) if pattern else None
    if regex is not None and value and not regex.search(value):
        raise ValidationException(f"{path} '{value[:200]}' does not match pattern {pattern}")


def _check_size(size: int, meta: dict[str, Any], path: str, unit: str) -> None:
    if "min" in meta and size < meta["min"]:
        raise ValidationException(f"{path} must have at least {meta['min']} {unit}")
    if "max" in meta and size > meta["max"]:
        raise ValidationException(f"{path} must have at most {meta['max']} {unit}")


@functools.cache
def timestamp_members() -> frozenset[str]:
    """Names of every timestamp member in the model's output shapes (converted to datetime on the way out)."""
    names: set[str] = set()
    model = service_model()
    for shape_name in model.shape_names:
        shape = model.shape_for(shape_name)
        if isinstance(shape, StructureShape):
            names.update(n for n, m in shape.members.items() if m.type_name == "timestamp")
    return frozenset(names)
