"""A small seeded local Proton for the fault and least-privilege tests, and helpers to compare snapshots
and record the AWS calls a piece of code makes."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.config
import pytest

from proton_exodus.settings import Settings

MANIFEST_VOLATILE = {"capturedAt", "durationSeconds", "apiCalls"}  # docs/snapshot-format.md


@contextlib.contextmanager
def fake_credentials() -> Iterator[None]:
    """The conftest's isolated credentials, for module-scoped fixtures that run before it."""
    with pytest.MonkeyPatch.context() as patch:
        for var, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/nonexistent/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        }.items():
            patch.setenv(var, value)
        patch.delenv("AWS_PROFILE", raising=False)
        yield


def settings_for(url: str) -> Settings:
    return Settings(endpoint_url=url, regions=("us-east-1",))


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file of a snapshot directory, with the manifest's documented volatile members removed."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    meta = json.loads(files.pop("snapshot.json"))
    files["snapshot.json"] = json.dumps(
        {k: v for k, v in meta.items() if k not in MANIFEST_VOLATILE}, sort_keys=True
    ).encode()
    return files


@contextlib.contextmanager
def short_read_timeout(monkeypatch: pytest.MonkeyPatch, seconds: float) -> Iterator[None]:
    """Every botocore Config built meanwhile defaults to a short read timeout (exodus sets none)."""
    original = botocore.config.Config

    class ShortTimeout(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("read_timeout", seconds)
            kwargs.setdefault("connect_timeout", seconds)
            super().__init__(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(botocore.config, "Config", ShortTimeout)
        yield


class CallRecorder:
    """Records `service:Operation` of every API call made through any boto3 client (botocore before-call),
    whichever session created it: the hook is registered on each new client's event system."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def _hook(self, model: Any, **_: Any) -> None:
        prefix = model.service_model.signing_name or model.service_model.endpoint_prefix
        self.calls.append(f"{prefix}:{model.name}")

    @contextlib.contextmanager
    def recording(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[CallRecorder]:
        import botocore.client

        original = botocore.client.ClientCreator.create_client
        hook = self._hook

        def create_client(creator: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(creator, *args, **kwargs)
            client.meta.events.register("before-call", hook)
            return client

        with monkeypatch.context() as patch:
            patch.setattr(botocore.client.ClientCreator, "create_client", create_client)
            yield self
