"""Servers and clients for the local Proton API tests: real boto3 over HTTP on 127.0.0.1, port 0."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from proton_exodus.engine.server import LocalProtonServer
from tests.engine.server.fakes import FakeBackend


def make_client(
    url: str,
    service: str = "proton",
    region: str = "us-east-1",
    *,
    key: str = "testing",
    secret: str = "testing",
    token: str | None = None,
    **config: Any,
) -> Any:
    """A real boto3 client for `service` at the local endpoint (few retries unless asked)."""
    config.setdefault("retries", {"mode": "standard", "max_attempts": 1})
    return boto3.session.Session().client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(**config),
    )


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def fake_server() -> Iterator[LocalProtonServer]:
    """A server whose Proton half is the FakeBackend; checks that it leaves no thread or port behind."""
    before = threading.active_count()
    server = LocalProtonServer(port=0, backend_factory=FakeBackend)
    with server:
        port = server.port
        yield server
    assert port_is_closed(port)
    assert threading.active_count() == before
