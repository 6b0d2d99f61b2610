"""A crawl killed with SIGKILL at random points and resumed writes the same snapshot as an
uninterrupted one (only capturedAt, durationSeconds and apiCalls may differ)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.inventory.seeding import EstateSize, seed_estate

engine_server = pytest.importorskip("proton_exodus.engine.server")
faults_mod = pytest.importorskip("proton_exodus.engine.faults")

VOLATILE = ("capturedAt", "durationSeconds", "apiCalls")


def _exodus(url: str, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from proton_exodus.cli import main; main()",
        "inventory",
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "--out",
        str(out),
        "--output",
        "json",
        "--concurrency",
        "4",
        *extra,
    ]


def _tree(root: Path) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            files[rel] = path.read_bytes()
    meta = json.loads(files.pop("snapshot.json"))
    files["snapshot.json"] = {k: v for k, v in meta.items() if k not in VOLATILE}
    return files


def test_sigkill_at_random_points_then_resume_is_identical(tmp_path: Path) -> None:
    with engine_server.LocalProtonServer(port=0) as srv:
        seed_estate(srv.url, EstateSize(2, 3, 2))
        srv.faults = faults_mod.FaultInjector(faults_mod.FaultConfig(latency_ms=25))
        started = time.monotonic()
        subprocess.run(_exodus(srv.url, tmp_path / "full"), check=True, capture_output=True, timeout=300)
        duration = time.monotonic() - started
        expected = _tree(tmp_path / "full")
        rng = random.Random(20261007)
        resumed_units = 0
        for attempt in range(3):
            out = tmp_path / f"killed-{attempt}"
            for _ in range(2):  # kill, then kill the resumed run too
                proc = subprocess.Popen(
                    _exodus(srv.url, out, "--resume"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )
                time.sleep(rng.uniform(0.15, 0.9) * duration)
                proc.send_signal(signal.SIGKILL)
                proc.communicate(timeout=60)
            done = subprocess.run(
                _exodus(srv.url, out, "--resume"), check=True, capture_output=True, timeout=300
            )
            resumed_units += json.loads(done.stdout)["resumedUnits"]
            assert _tree(out) == expected, f"attempt {attempt}"
            assert not out.with_name(out.name + ".partial").exists()
        assert resumed_units > 0  # the journal really saved work
