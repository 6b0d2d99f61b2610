"""Benchmark: translate and prove the synthetic estate (default 100 environments, 20,000 service
instances) on shared parameterised templates, then the whole cfn-git-sync export with the translation
on and off. Prints wall time, CPU time and peak memory. Budget: the export's, <= 60 s and <= 1.5 GB.

    .venv/bin/python benchmarks/translate.py [--environments 100] [--services 10000] [--per-service 2]

2026-12-07, quiet machine: translate + prove 20,100 stacks (all on 2 shared templates) 6.0 s wall and CPU;
the cfn-git-sync export 23.5 s with the translation, 18.8 s without; peak 0.79 GB. PASS.
(benchmarks/export.py the same day: 28.3 s, 40,425 files, re-run 21.3 s unchanged, 0.85 GB.)
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
    args = parser.parse_args()
    from proton_exodus.export import run_export
    from proton_exodus.model.units import build_units
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
    from proton_exodus.translate.stacks import PARAMETERISED, StackTemplateBuilder

    snap = build_synthetic_snapshot(SyntheticSize(args.environments, args.services, args.per_service))
    units = build_units(snap)
    stacks = [u for u in units if u.stack_name and u.deployed_template and u.kind != "service_pipeline"]
    wall, cpu = time.perf_counter(), time.process_time()
    built = StackTemplateBuilder(snap, units).build(stacks)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    shared = sum(1 for st in built if st.path == PARAMETERISED)
    files = len({st.key for st in built if st.path == PARAMETERISED})
    print(f"translate + prove: {len(built)} stacks, {shared} on {files} shared template(s); ", end="")
    print(f"{wall:.1f} s wall, {cpu:.1f} s CPU")

    ok = True
    for flag in ("true", "false"):
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = time.perf_counter(), time.process_time()
            run_export("cfn-git-sync", snap, Path(tmp) / "out", options={"parameterise": flag})
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"cfn-git-sync export, parameterise={flag}: {wall:.1f} s wall, {cpu:.1f} s CPU")
        ok = ok and wall <= 60
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux: KiB
    print(f"peak memory: {peak_gb:.2f} GB (whole process)")
    ok = ok and peak_gb <= 1.5
    print("PASS" if ok else "FAIL: budget is <= 60 s and <= 1.5 GB (wall time depends on the machine's load)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
