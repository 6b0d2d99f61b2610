"""Benchmark: export a synthetic estate (default 100 environments, 20,000 service instances) with
cfn-git-sync and print wall time and peak memory. Target: <= 60 s and <= 1.5 GB.

    .venv/bin/python benchmarks/export.py [--environments 100] [--services 10000] [--per-service 2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environments", type=int, default=100)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--per-service", type=int, default=2)
    parser.add_argument("--target", default="cfn-git-sync")
    args = parser.parse_args()
    from proton_exodus.export import run_export
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

    snap = build_synthetic_snapshot(SyntheticSize(args.environments, args.services, args.per_service))
    instances = len(snap.kind("service_instances"))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = run_export(args.target, snap, Path(tmp) / "out")
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        again = run_export(args.target, snap, Path(tmp) / "out")
        rerun = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux: KiB
    files = sum(report.write.counts().values())
    print(f"estate: {args.environments} environments, {instances} service instances, {report.units} units")
    print(f"export: {seconds:.1f} s, {files} files; re-run: {rerun:.1f} s, changed={again.write.changed}")
    print(f"peak memory: {peak_gb:.2f} GB (whole process, snapshot generation included)")
    ok = seconds <= 60 and peak_gb <= 1.5 and not again.write.changed
    print("PASS" if ok else "FAIL: target is <= 60 s and <= 1.5 GB, and a re-run changes nothing")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
