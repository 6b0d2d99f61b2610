"""Benchmark: `exodus inventory --source stacks` over 2,000 Proton-made stacks at 20 ms per call.

The local Proton (retired) runs in its own process. Its fault knob (FaultConfig latency) applies to
Proton requests; after retirement every call is CloudFormation, so the child process applies the
same latency to its moto (CloudFormation) requests too. The stacks are created directly in moto's
CloudFormation with Proton's names and tags and templates rendered from the seeding bundles (much
faster than the full Proton lifecycle); then the stack crawl and the recovery run against them.
Prints stacks, API calls per operation, crawl and total time, and the recovery verdicts.

    .venv/bin/python benchmarks/crawl_stacks.py [--environments 40 --services 280 --instances 6]
                                                [--latency-ms 20] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import os
import random
import string
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
ACCOUNT, REGION = "123456789012", "us-east-1"


def serve(port_file: Path, go_file: Path, latency_ms: float) -> None:
    """Child: a retired local Proton; once `go_file` exists, every request waits `latency_ms`."""
    from proton_exodus.engine.faults import FaultConfig
    from proton_exodus.engine.server import LocalProtonServer

    with LocalProtonServer(port=0, faults=FaultConfig(latency_ms=latency_ms), retired=True) as srv:
        moto = srv._moto

        def slow(environ: Any, start_response: Any) -> Any:
            if go_file.exists():
                time.sleep(latency_ms / 1000.0)
            return moto(environ, start_response)

        srv._moto = slow
        port_file.write_text(str(srv.port))
        sys.stdin.read()


def _suffix(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(15))


def _arn(path: str) -> str:
    return f"arn:aws:proton:{REGION}:{ACCOUNT}:{path}"


def plan_stacks(bundles: Path, envs: int, services: int, instances: int) -> list[dict[str, Any]]:
    """(name, template, tags) for every stack, rendered from the seeding bundles like Proton would."""
    from proton_exodus.proton.bundle import load_bundle
    from proton_exodus.proton.render import (
        EnvironmentContext,
        InstanceContext,
        ServiceContext,
        render_environment,
        render_pipeline,
        render_service_instance,
    )

    env_bundle = load_bundle(bundles / "env-tpl" / "1.0", name="env-tpl")
    svc_bundle = load_bundle(bundles / "svc-tpl" / "1.0", name="svc-tpl")
    rng, plans = random.Random(7), []
    env_tpl, svc_tpl = _arn("environment-template/env-tpl"), _arn("service-template/svc-tpl")
    for i in range(envs):
        name = f"env-{i}"
        text = render_environment(
            env_bundle, name=name, inputs={"cidr": f"10.{i}.0.0/16"}, account_id=ACCOUNT
        ).text
        plans.append(
            {
                "name": f"AWSProton-{name[:15]}-cloudformation--{_suffix(rng)}",
                "template": text,
                "tags": {
                    "proton:account": ACCOUNT,
                    "proton:template": env_tpl,
                    "proton:environment": _arn(f"environment/{name}"),
                },
            }
        )
    for j in range(services):
        svc, contexts = f"svc-{j}", []
        for k in range(instances):
            env = f"env-{(j + k) % envs}"
            env_ctx = EnvironmentContext(
                env, ACCOUNT, {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:{env}-events"}
            )
            text = render_service_instance(
                svc_bundle,
                service=ServiceContext(svc),
                instance_name=f"i{k}",
                inputs={"port": 8000 + k, "db_password": "s3cret-password"},
                environment=env_ctx,
            ).text
            contexts.append(InstanceContext(f"i{k}", {"port": 8000 + k}, {}, env_ctx))
            plans.append(
                {
                    "name": f"AWSProton-{f'{svc}-i{k}'[:15]}-cloudformation--{_suffix(rng)}",
                    "template": text,
                    "tags": {
                        "proton:account": ACCOUNT,
                        "proton:template": svc_tpl,
                        "proton:environment": _arn(f"environment/{env}"),
                        "proton:service": _arn(f"service/{svc}"),
                        "proton:service-instance": _arn(f"service/{svc}/service-instance/i{k}"),
                    },
                }
            )
        text = render_pipeline(
            svc_bundle, service=ServiceContext(svc), pipeline_inputs={}, instances=contexts
        ).text
        plans.append(
            {
                "name": f"AWSProton-{svc[:15]}-cloudformation--{_suffix(rng)}",
                "template": text,
                "tags": {
                    "proton:account": ACCOUNT,
                    "proton:template": svc_tpl,
                    "proton:service": _arn(f"service/{svc}"),
                },
            }
        )
    return plans


def create_stacks(url: str, plans: list[dict[str, Any]]) -> None:
    import boto3

    cfn = boto3.client("cloudformation", endpoint_url=url, region_name=REGION)

    def create(plan: dict[str, Any]) -> None:
        cfn.create_stack(
            StackName=plan["name"],
            TemplateBody=plan["template"],
            Tags=[{"Key": k, "Value": v} for k, v in plan["tags"].items()],
        )

    for plan in plans:  # one at a time: moto's CreateStack is not thread-safe
        create(plan)


def write_bundles(root: Path) -> Path:
    from tests.inventory.seeding import ENV_BUNDLE, SVC_BUNDLE

    for name, files in (("env-tpl", ENV_BUNDLE), ("svc-tpl", SVC_BUNDLE)):
        for rel, text in files.items():
            path = root / name / "1.0" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--environments", type=int, default=40)
    parser.add_argument("--services", type=int, default=280)
    parser.add_argument("--instances", type=int, default=6)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--serve", nargs=2, type=Path)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], args.serve[1], args.latency_ms)
        return
    tmp = Path(tempfile.mkdtemp())
    port_file, go_file = tmp / "port", tmp / "go"
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port_file),
            str(go_file),
            "--latency-ms",
            str(args.latency_ms),
        ],
        stdin=subprocess.PIPE,
    )
    try:
        while not (port_file.exists() and port_file.read_text()):
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}"
        started = time.monotonic()
        bundles = write_bundles(tmp / "bundles")
        plans = plan_stacks(bundles, args.environments, args.services, args.instances)
        create_stacks(url, plans)
        print(f"set-up: {len(plans)} stacks created in moto in {time.monotonic() - started:.1f} s")
        go_file.write_text("go")
        run(url, tmp, bundles, args)
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=30)


def run(url: str, tmp: Path, bundles: Path, args: argparse.Namespace) -> None:
    from proton_exodus.inventory import crawl_stacks
    from proton_exodus.settings import Settings

    started = time.monotonic()
    bare = crawl_stacks(
        Settings(endpoint_url=url, regions=(REGION,)), tmp / "bare", concurrency=args.concurrency
    )
    print(
        f"discovery only (no bundles, no recovery): {bare.stacks} stacks, {bare.api_calls['total']} API "
        f"calls, {time.monotonic() - started:.1f} s"
    )
    started = time.monotonic()
    report = crawl_stacks(
        Settings(endpoint_url=url, regions=(REGION,)),
        tmp / "snap",
        bundles=(str(bundles),),
        concurrency=args.concurrency,
    )
    total = time.monotonic() - started
    calls = report.api_calls
    print(f"stacks: {report.stacks} ({args.latency_ms:.0f} ms per call, concurrency {args.concurrency})")
    print(
        f"API calls: {calls['total']} ({calls['retries']} retries): "
        + ", ".join(f"{op} {n}" for op, n in sorted(calls['byOperation'].items()))
    )
    print(f"time: {total:.1f} s in all (crawl, recovery of every stack, snapshot write)")
    print(f"recovery: {report.recovery['counts']}")
    print(f"records: {report.counts}")


if __name__ == "__main__":
    main()
