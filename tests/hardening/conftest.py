"""A seeded local Proton shared by the fault, secrets and least-privilege tests (one per xdist worker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from proton_exodus.engine.server import LocalProtonServer
from proton_exodus.inventory import crawl_estate
from tests.hardening.estate import fake_credentials, settings_for
from tests.inventory.seeding import EstateSize, seed_estate


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalProtonServer, Path]]:
    """A seeded local Proton (2 environments, 2 services of 2 instances, planted db_password values) and
    the snapshot of a fault-free crawl of it."""
    with fake_credentials(), LocalProtonServer(port=0) as srv:
        seed_estate(srv.url, EstateSize(2, 2, 2))
        clean = tmp_path_factory.mktemp("clean") / "snap"
        crawl_estate(settings_for(srv.url), clean, concurrency=4)
        yield srv, clean
