"""Deployment units: how each one was provisioned, read from what the snapshot records."""

from __future__ import annotations

from pathlib import Path

import pytest

from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units, recorded_engine
from tests.support.paths import REPO


@pytest.mark.parametrize(
    ("record", "engine"),
    [
        (
            {"provisioning": {"engine": "customer-managed", "repository": None, "folder": None}},
            "customer-managed",
        ),
        ({"provisioning": "CUSTOMER_MANAGED"}, "customer-managed"),  # the API's own member
        ({"provisioning": {"engine": "terraform"}}, "terraform"),
        ({}, ""),
    ],
)
def test_recorded_engine_reads_both_forms(record: dict, engine: str) -> None:
    assert recorded_engine(record) == engine


def test_the_demo_customer_managed_environment_is_a_customer_managed_unit() -> None:
    """The snapshot format records `provisioning: {engine: customer-managed}`; the units read only the
    API's string before, so legacy-network counted as CloudFormation (cfn-git-sync worked around it)."""
    snap = load_snapshot(Path(REPO / "sample_exports" / "snapshot"))
    engines = {u.name: u.provisioning for u in build_units(snap) if u.kind == "environment"}
    assert engines["legacy-network"] == "customer-managed"
    assert engines["tf-sandbox"] == "terraform" and engines["dev"] == "cloudformation"
    # Proton deployed the services in it with CloudFormation: those stay handed over.
    onprem = [
        u for u in build_units(snap) if u.kind == "service_instance" and u.environment == "legacy-network"
    ]
    assert len(onprem) == 2 and {u.provisioning for u in onprem} == {"cloudformation"}
