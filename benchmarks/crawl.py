"""Benchmark: `crawl_estate` against a plain, careful sequential boto3 crawl of the same account.

The local Proton runs in its own process (so its CPU does not share our GIL) with 20 ms of latency
per Proton call. Prints resources, API calls and wall time for both crawls, the speed-up, and which
extra calls the crawler makes for data the baseline does not collect (STS identity, CloudFormation
stacks and templates). With `--rate-limit R` it also shows how close the crawl gets to calls / R.

It also prints where the time goes: the CPU each side spent (this process, with every crawl thread
under one GIL, and the server process), per API call. Once the crawl is concurrent, its wall time
is bounded below by this process's CPU time (one GIL) and by both sides' CPU over the cores, not by
the 20 ms latency; the sequential crawl is bounded by calls x (latency + CPU per call).

    .venv/bin/python benchmarks/crawl.py [--environments 10 --services 20 --instances 3]
                                         [--concurrency 32] [--rate-limit 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def serve(port_file: Path, latency_ms: float, rate_limit: float | None) -> None:
    """Child process: run the local Proton until stdin closes."""
    from proton_exodus.engine.faults import FaultConfig
    from proton_exodus.engine.server import LocalProtonServer

    faults = FaultConfig(latency_ms=latency_ms, rate_limit=rate_limit)
    with LocalProtonServer(port=0, faults=faults) as srv:
        port_file.write_text(str(srv.port))
        sys.stdin.read()


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far; None where /proc is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class CpuMeter:
    """CPU seconds this process and the server used between start() and stop()."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.client = 0.0
        self.server: float | None = None

    def __enter__(self) -> CpuMeter:
        self._client0, self._server0 = time.process_time(), process_cpu(self.server_pid)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.client = time.process_time() - self._client0
        server1 = process_cpu(self.server_pid)
        self.server = None if server1 is None or self._server0 is None else server1 - self._server0

    def line(self, label: str, calls: int, wall: float) -> str:
        server = (
            "n/a"
            if self.server is None
            else f"{self.server:5.2f} s ({1000 * self.server / calls:.2f} ms/call)"
        )
        return (
            f"{label:<22}client CPU {self.client:5.2f} s ({1000 * self.client / calls:.2f} ms/call, "
            f"{100 * self.client / wall:3.0f}% of a core); server CPU {server}"
        )


def start_server(latency_ms: float, rate_limit: float | None) -> tuple[subprocess.Popen, str]:
    port_file = Path(tempfile.mkdtemp()) / "port"
    args = [sys.executable, __file__, "--serve", str(port_file), "--latency-ms", str(latency_ms)]
    if rate_limit:
        args += ["--rate-limit", str(rate_limit)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE)
    for _ in range(600):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the local Proton did not start")


def baseline(url: str) -> tuple[int, int, float]:
    """(resources, calls, seconds) of the sequential reference crawl."""
    from proton_exodus.inventory.stats import CallStats
    from tests.inventory.reference import reference_crawl
    from tests.inventory.seeding import client

    stats = CallStats()
    proton = stats.attach(client(url, "proton"))
    started = time.perf_counter()
    state = reference_crawl(proton)
    return sum(len(v) for v in state.values()), stats.total, time.perf_counter() - started


def crawler(url: str, concurrency: int, out: Path) -> tuple[int, dict[str, Any], float, int]:
    """(resources, apiCalls, seconds, stacks) of crawl_estate."""
    from proton_exodus.inventory import crawl_estate
    from proton_exodus.settings import Settings

    started = time.perf_counter()
    report = crawl_estate(Settings(endpoint_url=url, regions=("us-east-1",)), out, concurrency=concurrency)
    return sum(report.counts.values()), report.api_calls, time.perf_counter() - started, report.stacks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rate-limit", type=float)
    parser.add_argument("--environments", type=int, default=10)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.latency_ms, args.rate_limit)
    from tests.inventory.seeding import EstateSize, seed_estate

    proc, url = start_server(args.latency_ms, args.rate_limit)
    try:
        seed_estate(url, EstateSize(args.environments, args.services, args.instances))
        with CpuMeter(proc.pid) as base_cpu:
            base_n, base_calls, base_s = baseline(url)
        with tempfile.TemporaryDirectory() as tmp, CpuMeter(proc.pid) as crawl_cpu:
            n, calls, secs, stacks = crawler(url, args.concurrency, Path(tmp) / "snap")
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    by_op = calls["byOperation"]
    extra = {
        op: c
        for op, c in by_op.items()
        if op in ("DescribeStacks", "GetTemplate", "GetCallerIdentity", "AssumeRole")
    }
    proton_calls = calls["total"] - sum(extra.values())
    print(
        f"estate: {args.environments} environments, {args.services} services x {args.instances} instances; "
        f"latency {args.latency_ms:g} ms/call"
        + (f", rate limit {args.rate_limit:g}/s" if args.rate_limit else "")
    )
    print(f"{'':<22}{'resources':>10}{'API calls':>11}{'wall s':>9}")
    print(f"{'sequential boto3':<22}{base_n:>10}{base_calls:>11}{base_s:>9.2f}")
    print(
        f"{'exodus inventory':<22}{n:>10}{calls['total']:>11}{secs:>9.2f}   "
        f"(concurrency {args.concurrency}, {calls['retries']} retries)"
    )
    print(
        f"speed-up: {base_s / secs:.1f}x;  Proton calls: {proton_calls} vs {base_calls} "
        f"({proton_calls - base_calls:+d});  extra calls for data the baseline lacks: "
        + ", ".join(f"{op} {c}" for op, c in sorted(extra.items()))
        + f" ({stacks} stacks)"
    )
    print("where the time goes:")
    print(base_cpu.line("  sequential boto3", base_calls, base_s))
    print(crawl_cpu.line("  exodus inventory", calls["total"], secs))
    floor = crawl_cpu.client
    if crawl_cpu.server is not None:
        floor = max(floor, (crawl_cpu.client + crawl_cpu.server) / (os.cpu_count() or 1))
    if not args.rate_limit:
        print(
            f"  sequential: {base_calls} calls x {1000 * base_s / base_calls:.1f} ms ({args.latency_ms:g} ms "
            f"latency + CPU of both sides); exodus: CPU-bound, floor {floor:.2f} s on {os.cpu_count()} cores "
            f"(client CPU under one GIL, or both sides' CPU over the cores) = at most "
            f"{base_s / floor:.1f}x here; 8x needs {base_s / 8:.2f} s"
        )
    else:
        burst = max(1.0, args.rate_limit)  # the local server's default bucket size (FaultConfig.burst)
        print(
            f"rate-limited floor calls/rate = {proton_calls / args.rate_limit:.2f} s "
            f"({max(0.0, proton_calls - burst) / args.rate_limit:.2f} s after the server's burst of "
            f"{burst:g}); crawl took {secs:.2f} s"
        )


if __name__ == "__main__":
    main()
