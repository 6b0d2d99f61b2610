"""The embedded demo estate: our own Proton bundles, a realistic account (estate.yaml) and its seeder.

`seed_demo_via_api(endpoint_url)` seeds a running local Proton through boto3; `seed_demo(target)`
accepts boto3-compatible clients instead. See estate.yaml for what the account holds.
`run_demo(out)` runs the whole migration on it (what `exodus demo` prints).
"""

from __future__ import annotations

from proton_exodus.demo.estate import (
    BUNDLES_DIR,
    DEMO_DIR,
    ESTATE_FILE,
    SECRET_PREFIX,
    bundle_tarball,
    iter_instances,
    load_estate,
    planted_secrets,
    version_source_dir,
)
from proton_exodus.demo.run import DemoReport, run_demo
from proton_exodus.demo.seed import DemoSeedError, SeedReport, seed_demo, seed_demo_via_api

__all__ = [
    "BUNDLES_DIR",
    "DEMO_DIR",
    "ESTATE_FILE",
    "SECRET_PREFIX",
    "DemoReport",
    "DemoSeedError",
    "SeedReport",
    "bundle_tarball",
    "iter_instances",
    "load_estate",
    "planted_secrets",
    "run_demo",
    "seed_demo",
    "seed_demo_via_api",
    "version_source_dir",
]
