"""The backend covers botocore's Proton model: one method per operation, accepting every input member."""

from __future__ import annotations

import inspect
import re

import pytest

from proton_exodus.engine.backend import ProtonBackend
from proton_exodus.engine.validate import service_model

OPERATIONS = sorted(service_model().operation_names)


def test_all_87_operations() -> None:
    assert len(OPERATIONS) == 87


@pytest.mark.parametrize("operation", OPERATIONS)
def test_method_accepts_every_input_member(operation: str) -> None:
    method = getattr(ProtonBackend, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
    assert method.operation_name == operation
    params = inspect.signature(method.__wrapped__).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    shape = service_model().operation_model(operation).input_shape
    members = list(shape.members) if shape is not None else []
    assert takes_any or not [m for m in members if m not in params]
