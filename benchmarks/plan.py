"""Benchmark: plan a synthetic estate of 100 environments and 20,000 service instances.

Prints the time of each stage (graph, audit, wave planning, runbook rendering) and the totals.
Run: .venv/bin/python benchmarks/plan.py [--services N] [--instances-per-service K] [--max-wave-size W]
"""

from __future__ import annotations

import argparse
import time
from datetime import date


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--environments", type=int, default=100)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--instances-per-service", type=int, default=2)
    parser.add_argument("--max-wave-size", type=int, default=250)
    args = parser.parse_args()

    from proton_exodus.audit import audit_snapshot
    from proton_exodus.graph import build_graph
    from proton_exodus.plan import plan_files, plan_waves
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

    c0 = time.process_time()
    t0 = time.perf_counter()
    snap = build_synthetic_snapshot(
        SyntheticSize(args.environments, args.services, args.instances_per_service, True)
    )
    t1 = time.perf_counter()
    graph = build_graph(snap)
    t2 = time.perf_counter()
    report = audit_snapshot(snap, graph)
    t3 = time.perf_counter()
    plan = plan_waves(
        graph,
        max_wave_size=args.max_wave_size,
        pilot=["dev-000"],
        start=date(2026, 1, 1),
        blocked=report.blocking(),
    )
    t4 = time.perf_counter()
    files = plan_files(plan, graph)
    t5 = time.perf_counter()
    cpu = time.process_time() - c0
    instances = len(snap.kind("service_instances"))
    resources = sum(len(w.resources) for w in plan.waves)
    print(
        f"estate: {args.environments} environments, {instances} service instances, "
        f"{len(snap.kind('service_pipelines'))} pipelines; graph {graph.number_of_nodes()} nodes, "
        f"{graph.number_of_edges()} edges"
    )
    print(f"synthetic snapshot  {t1 - t0:7.2f} s (not part of planning)")
    print(f"build_graph         {t2 - t1:7.2f} s")
    print(f"audit_snapshot      {t3 - t2:7.2f} s  ({len(report.findings)} findings)")
    print(
        f"plan_waves          {t4 - t3:7.2f} s  ({resources} resources in {len(plan.waves)} waves of <= "
        f"{args.max_wave_size})"
    )
    print(
        f"render runbooks     {t5 - t4:7.2f} s  ({len(files)} files, "
        f"{sum(map(len, files.values())) / 1e6:.1f} MB)"
    )
    print(
        f"total planning      {t5 - t1:7.2f} s  (graph + audit + waves + runbooks); CPU time of the whole "
        f"run {cpu:.2f} s (wall times grow on a busy machine)"
    )


if __name__ == "__main__":
    main()
