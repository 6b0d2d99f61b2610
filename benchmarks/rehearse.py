"""Benchmark `exodus rehearse`: the demo estate (committed snapshot, each target's own plan) per target,
and a synthetic estate of about 1,000 stacks through the default target, with where the time goes.

    .venv/bin/python benchmarks/rehearse.py [--targets cfn-git-sync,codepipeline,...] (default: all 8)
                                            [--synthetic-services 330] [--instances 3] [--no-day2]
                                            [--skip-demo] [--skip-synthetic] [--profile] [--runbooks]
                                            [--calls N]

Prints, per run, the phases `Rehearsal.seconds` records (export, reproduce = rebuilding the estate in the
local cloud, stage = the runbook's secret staging with the aws CLI, deploy = the target's deployer and,
with --runbooks, the wave runbooks' commands, day2, rollback), the stacks and steps, and with --profile
the functions that take the most cumulative time. `--calls N` first times N `aws` calls against a local
cloud, cold (the real CLI process) and warm (rehearse/warm_aws.py). Wall times grow on a busy machine:
the CPU time of the process is printed too (the aws CLI and git run in child processes: their CPU time
is the children's).

Figures (2026-12-07, 2 cores shared by 8 sessions, load average 5-12: wall times are inflated, CPU is not).
"cold" is the real `aws` process per command (before rehearse/warm_aws.py), "warm" the warm CLI:

    one aws call (--calls 10)  quiet machine (load ~2): cold 0.432 s CPU, 0.440 s wall; warm 0.022 s CPU
                         in the caller's client + 0.050 s in the server's forked child, 0.078 s wall
                         (load ~10: cold 0.534 s CPU, 4.56 s wall; warm 0.067 s CPU, 0.31 s wall);
                         the server starts in 0.5 s wall (up to 2.4 s loaded), once per rehearsal
    demo stage (22 `aws ssm put-parameter`)  cold 32.9-76.9 s wall (loaded); warm 10.4-13.7 s loaded,
                         2.5 s quiet
    demo cfn-git-sync with the wave runbooks (the default now; 7 waves, day 2, rollback, 300 runbook
                         commands + 39 manual steps, 453 steps, passed)
                         cold (--runbooks before), quiet: 3 min 09 s wall, 157.8 s CPU (process and
                         children); stage 10.0, deploy (with the runbooks) 162.3, rollback 7.8
                         (loaded: 17 min 09 s wall, 185.5 s CPU; stage 76.9, deploy 836.0)
                         warm, loaded: 2 min 23 s wall, 38.3 s CPU; stage 10.4, deploy 85.4, rollback 2.3
                         warm, quiet: 38.4 s wall, 38.5 s CPU; stage 2.5, deploy 26.7
    demo cfn-git-sync --no-runbooks, warm, quiet: 19.2 s wall, 12.2 s CPU: the runbooks add ~19 s wall,
                         ~26 s CPU
    demo github-actions, all 7 waves, day 2 (ship-image, change-input, minor-version) and a rollback,
                         passed (114 steps, 0 failed):
                         cold, quiet: 3 min 00 s wall, 177.3 s CPU; deploy 151.0, day2 12.5, stage 9.9
                         warm, quiet: 1 min 29 s wall, 75.4 s CPU; deploy 73.7, day2 5.6, stage 2.3
                         (on main's day 2, minor-version through `exodus repo upgrade`: 1 min 42 s, 75 s)
                         (loaded: cold 19 min 59 s, 223.5 s CPU; warm 10 min 39 s, 92.5 s CPU)
                         most of the rest is each job's `pip install` step (~1 s CPU, 37 jobs + day 2)
    exodus demo (quiet)  before: 46.1 s (rehearsal without the runbooks, staging cold); after: 62.7 s
                         with the 300 wave runbook commands run warm
    synthetic 1,000 stacks, cfn-git-sync: 176.3 s wall, 46.7 s CPU; reproduce 91.7, deploy 61.4 (one change
                         set per stack: create, describe, execute, wait), day2 5.4, rollback 3.5 (no aws CLI)

Each target with its OWN plan (`exodus plan --target T`) and its wave runbooks run (--runbooks), all 7
waves, day 2 and a rollback; 2026-12-07, quiet machine (load ~1), every run passed, 0 failed steps.
CPU is the process's; "+" is the aws CLI / git / bash children's:

    target            wall     CPU (+children)  steps  deploy (waves + runbooks)  day2   rollback
    cfn-git-sync      36.8 s   9.5 s (+27.2)    451    26.0 s                     0.7 s  1.2 s
    codepipeline      29.7 s   8.7 s (+20.8)    351    20.7 s                     1.1 s  1.1 s
    github-actions    90.9 s  10.1 s (+80.2)    345    76.5 s                     5.4 s  0.3 s
    argocd            24.1 s   9.6 s (+14.3)    406    13.8 s                     2.3 s  0.4 s
    terraform         23.9 s   9.9 s (+13.7)    482    14.8 s                     0.5 s  0.3 s
    spacelift         24.5 s   9.8 s (+14.8)    459    15.3 s                     1.2 s  0.7 s
    service-catalog   74.7 s  21.8 s (+51.7)    554    51.5 s                    13.1 s  2.0 s
    backstage         42.0 s   9.7 s (+32.7)    460    28.7 s                     4.0 s  1.5 s
    synthetic 1,000 stacks, cfn-git-sync (no runbooks): 88.6 s wall, 83.0 s CPU; reproduce 30.6,
                      remedy 5.7, deploy 42.5, day2 4.6, rollback 1.7 (2053 steps)
    (export 0.7-1.8 s, reproduce 1.6-3.0 s, stage 2.2-3.1 s in every demo run)
    github-actions and service-catalog spend their time in the aws CLI: every workflow job's steps, and
    Service Catalog's runbook doing the whole import (s3 sync, portfolio deploy, import per stack).

Where the time goes: rebuilding the estate and one change set per stack through moto (about 0.05 s CPU
per stack each). Each `aws` CLI process cost about 0.5 s CPU to start (imports, service models); the
warm CLI imports once and forks per call, ~0.07 s CPU. A boto3 client built per account switch cost
~0.1 s CPU more in-process: the runbooks and the GitHub Actions jobs now keep one factory per endpoint.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(label: str, snapshot: Any, plan: dict[str, Any], target: str, **kw: Any) -> None:
    from proton_exodus.rehearse.run import rehearse

    c0, k0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="exodus-bench-rehearse-") as out:
        result = rehearse(snapshot, plan, target, Path(out), **kw)
    wall = time.perf_counter() - t0
    s = result.summary()
    phases = "  ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    cpu, children = time.process_time() - c0, _children_cpu() - k0
    print(
        f"{label:<28} {wall:7.1f} s wall, {cpu:6.1f} s CPU (+{children:5.1f} s in aws/git/bash): "
        f"{s['reproduced']} stacks rebuilt, {s['steps']} steps, {s['failed']} failed, "
        f"passed={s['passed']}",
        flush=True,
    )
    print(f"{'':<28} {phases}", flush=True)


def _server_children_cpu(server: Any) -> float:
    """CPU seconds of the warm server's reaped children (/proc: cutime + cstime)."""
    if server is None or server.process is None:
        return 0.0
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _per_call(calls: int) -> None:
    """The cost of one `aws` call (`sts get-caller-identity` against a local cloud), cold (the real `aws`
    process) and warm (rehearse/warm_aws.py: the caller's client process, plus the server's forked child)."""
    import subprocess

    from proton_exodus.engine.server import LocalProtonServer
    from proton_exodus.rehearse.warm_aws import shell_path, warm_aws

    with (
        LocalProtonServer(port=0, retired=True) as cloud,
        warm_aws() as aws,
        tempfile.TemporaryDirectory() as home,
    ):
        for label, server in (("cold", None), ("warm", aws)):
            env = {
                "PATH": shell_path(server),
                "HOME": home,
                "AWS_ENDPOINT_URL": cloud.url,
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
            }
            k0, s0, t0 = _children_cpu(), _server_children_cpu(server), time.perf_counter()
            for _ in range(calls):
                subprocess.run(
                    ["aws", "sts", "get-caller-identity"], env=env, capture_output=True, check=True
                )
            wall, cpu = (time.perf_counter() - t0) / calls, (_children_cpu() - k0) / calls
            time.sleep(1.5)  # the server reaps its children within a second
            forked = (_server_children_cpu(server) - s0) / calls
            print(
                f"aws call, {label}: {wall:.3f} s wall, {cpu:.3f} s CPU in the caller's process"
                + (f" + {forked:.3f} s in the server's forked child" if server else ""),
                flush=True,
            )
    start = time.perf_counter()
    with warm_aws():
        print(f"warm aws server start-up: {time.perf_counter() - start:.2f} s wall", flush=True)


def _synthetic(services: int, instances: int) -> tuple[Any, dict[str, Any]]:
    from proton_exodus.audit import audit_snapshot
    from proton_exodus.graph import build_graph
    from proton_exodus.plan import plan_files, plan_waves
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

    snap = build_synthetic_snapshot(SyntheticSize(10, services, instances, False))
    graph = build_graph(snap)
    report = audit_snapshot(snap, graph)
    plan = plan_waves(
        graph, max_wave_size=250, pilot=["dev-000"], start=date(2026, 12, 8), blocked=report.blocking()
    )
    files = plan_files(plan, graph)
    return snap, json.loads(files["plan.json"])


def _own_plan(target: str) -> Path:
    """`exodus plan --target TARGET` of the demo snapshot (the committed plan is cfn-git-sync's)."""
    from click.testing import CliRunner

    from proton_exodus.cli import cli

    out = Path(tempfile.mkdtemp(prefix=f"exodus-bench-plan-{target}-"))
    args = ["plan", "--snapshot", str(REPO / "sample_exports" / "snapshot"), "--target", target]
    result = CliRunner().invoke(cli, [*args, "--start", "2026-12-07", "--out", str(out)])
    if result.exit_code != 0:
        raise SystemExit(f"exodus plan --target {target}: {result.output}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--targets",
        default="cfn-git-sync,codepipeline,github-actions,argocd,terraform,spacelift,service-catalog,backstage",
    )
    parser.add_argument("--synthetic-services", type=int, default=330)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--synthetic-target", default="cfn-git-sync")
    parser.add_argument("--no-day2", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the synthetic run")
    parser.add_argument(
        "--runbooks",
        action="store_true",
        help="also run the plan's wave runbooks (exodus rehearse's default)",
    )
    parser.add_argument("--calls", type=int, default=0, help="time N aws calls, cold and warm, first")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "exodus-bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "exodus-bench")

    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.report.context import load_plan

    day2 = not args.no_day2
    if args.calls:
        _per_call(args.calls)
    if not args.skip_demo:
        snapshot = load_snapshot(REPO / "sample_exports" / "snapshot")
        for target in [t for t in args.targets.split(",") if t]:
            plan_dir = _own_plan(target)  # the target's own runbooks, as its users run them
            _run(
                f"demo {target}",
                snapshot,
                load_plan(plan_dir),
                target,
                with_day2=day2,
                bundles=REPO / "proton_exodus" / "demo" / "bundles",
                plan_dir=plan_dir if args.runbooks else None,
            )
    if not args.skip_synthetic:
        t0 = time.perf_counter()
        snap, plan = _synthetic(args.synthetic_services, args.instances)
        print(
            f"synthetic estate: {len(snap.stacks)} stacks in {len(plan['waves'])} waves, built and planned "
            f"in {time.perf_counter() - t0:.1f} s (not part of the rehearsal)",
            flush=True,
        )
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        _run(f"synthetic {args.synthetic_target}", snap, plan, args.synthetic_target, with_day2=day2)
        if profiler:
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
            print(text.getvalue())


if __name__ == "__main__":
    main()
