"""The demo estate's snapshot WITH its planted secrets, built through run_demo's own pieces (seeded local
Proton + cloud, the demo crawl). sample_exports/snapshot has no secrets.json, so this is the only way to
export the demo the way `exodus demo` does. Built once per test process."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def demo_snapshot() -> Any:
    from proton_exodus.demo.run import PROVISIONING, _demo_backend_class, _demo_credentials, _inventory
    from proton_exodus.demo.seed import local_seed
    from proton_exodus.engine.server import LocalProtonServer
    from proton_exodus.settings import Settings

    scratch = Path(tempfile.mkdtemp(prefix="exodus-truth-"))
    with (
        _demo_credentials(),
        LocalProtonServer(
            port=0,
            seed=local_seed(),
            backend_factory=_demo_backend_class(),
            backend_options={"provisioning_root": scratch / PROVISIONING},
        ) as server,
    ):
        return _inventory(server.url, Settings(), scratch, scratch / "public")
