"""The demo estate's snapshot WITH its planted secrets: the demo seeded into a fresh local Proton, retired,
and rebuilt from its stacks, both accounts (tests/inventory/demo_retired.py). sample_exports/snapshot has
no secrets.json, so this is the only way to export the demo the way `exodus demo` does.

Built in a process of its own: moto keeps one cloud per process and the demo's names are fixed, so a
worker's leftover moto state (another test's listeners and stacks, under xdist) cannot spoil the seed.
Built once per test process."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.support.paths import REPO


@functools.lru_cache(maxsize=1)
def demo_snapshot() -> Any:
    from proton_exodus.model.snapshot import load_snapshot

    out = Path(tempfile.mkdtemp(prefix="exodus-truth-"))
    atexit.register(shutil.rmtree, out, True)  # the snapshot reads its files lazily: kept until exit
    done = subprocess.run(
        [sys.executable, "-m", "tests.inventory.demo_retired", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the demo estate failed:\n{done.stderr[-3000:]}")
    return load_snapshot(out / "stacks")
