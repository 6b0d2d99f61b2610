"""Every operation answers a modelled error through the real client:
the cases are generated from the model."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import Shape

from proton_exodus.engine import conformance
from proton_exodus.engine.server import LocalProtonServer
from tests.engine.server.conftest import make_client, port_is_closed
from tests.engine.server.recorder import Recorder, all_operations
from tests.engine.server.scenario import CONNECTION


def invalid_value(shape: Shape) -> Any:
    """A value botocore sends (it checks only type, required and minimum) that breaks a server-side rule."""
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        if shape.is_tagged_union:  # type: ignore[attr-defined]
            first = next(iter(members))
            return {first: invalid_value(members[first])}
        return {name: invalid_value(members[name]) for name in shape.required_members}  # type: ignore[attr-defined]
    if kind == "list":
        return [invalid_value(shape.member) for _ in range(max(1, meta.get("min", 1)))]  # type: ignore[attr-defined]
    if kind == "map":
        return {}
    if kind in ("integer", "long"):
        return meta.get("max", 10**6) + 1
    if kind == "boolean":
        return True
    if shape.enum:  # type: ignore[attr-defined]
        return "NOT_AN_ENUM_VALUE"
    if "max" in meta:
        return "x" * (meta["max"] + 1)
    return "!not/a valid value!" if "pattern" in meta else "x"


def invalid_request(operation: str) -> dict[str, Any] | None:
    """Required members all invalid; with none required, the first constrained optional member is."""
    shape = conformance.operation(operation).input_shape
    if shape is None or not shape.members:
        return None
    params = invalid_value(shape)
    if not params:
        name = next(n for n, m in shape.members.items() if m.type_name == "string")
        params = {name: invalid_value(shape.members[name]) if name != "nextToken" else "AAAA"}
    return params


def test_every_operation_answers_a_modelled_error() -> None:
    rec = Recorder()
    with LocalProtonServer(port=0) as server:
        proton = rec.watch(make_client(server.url))
        without_input = []
        for name in sorted(all_operations()):
            params = invalid_request(name)
            if params is None:
                without_input.append(name)
                continue
            with pytest.raises(ClientError):
                getattr(proton, xform_name(name))(**params)
        # what is left has no input to get wrong: a retired Proton still answers modelled errors
        server.retire()
        for name in without_input:
            with pytest.raises(ClientError):
                getattr(proton, xform_name(name))()
    model = conformance.service_model()
    for name in all_operations():
        modelled = {shape.name for shape in model.operation_model(name).error_shapes}
        assert rec.errors[name] and rec.errors[name] <= modelled, (name, rec.errors[name])
    assert rec.problems == []
    assert sorted(without_input) == ["GetAccountSettings", "GetResourcesSummary"]


def test_semantic_errors_of_the_engine_reach_the_client_intact() -> None:
    threads = threading.active_count()
    with LocalProtonServer(port=0) as server:
        port = server.port
        proton = make_client(server.url)
        proton.create_environment_template(name="dup")
        proton.create_repository(name="org/dup", provider="GITHUB", connectionArn=CONNECTION)
        cases = [  # a name-keyed create retried with other parameters is a mismatch (PROTON.md §4.10)
            (
                lambda: proton.create_environment_template(name="dup", displayName="other"),
                "ValidationException",
            ),
            (
                lambda: proton.create_repository(name="org/dup", provider="GITHUB", connectionArn=CONNECTION),
                "ConflictException",
            ),
            (lambda: proton.get_environment(name="missing"), "ResourceNotFoundException"),
            (lambda: proton.delete_service(name="missing"), "ResourceNotFoundException"),
            # the model gives CreateServiceSyncConfig no ResourceNotFoundException (issue 20, item 4)
            (
                lambda: proton.create_service_sync_config(
                    serviceName="missing",
                    repositoryName="org/dup",
                    repositoryProvider="GITHUB",
                    branch="main",
                    filePath="proton/ops.yaml",
                ),
                "ValidationException",
            ),
            (lambda: proton.list_environments(nextToken="AAAA"), "ValidationException"),
        ]
        for call, code in cases:
            with pytest.raises(ClientError) as exc:
                call()
            assert exc.value.response["Error"]["Code"] == code
            assert exc.value.response["Error"]["Message"]
    assert threading.active_count() == threads and port_is_closed(port)  # the engine's worker is joined too
