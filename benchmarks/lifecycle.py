"""Lifecycle benchmark: N environments and M services x K instances through create, a MINOR_VERSION
update of every instance, and deletes, against moto's CloudFormation in-process.

    .venv/bin/python benchmarks/lifecycle.py [--environments 100] [--services 1000] [--instances 2]
                                             [--pipelines] [--state FILE]

Prints the wall time of each phase, the stack operations, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from proton_exodus.engine.backend import ProtonBackend  # noqa: E402
from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs  # noqa: E402
from tests.engine import bundles as B  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/proton-service"
CONN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/bench"


def _phase(
    label: str, timings: list[tuple[str, float, int]], backend: ProtonBackend, body: Callable[[], int]
) -> None:
    start = time.perf_counter()
    calls = body()
    jobs = backend.run_pending()
    timings.append((label, time.perf_counter() - start, calls + jobs))
    print(f"{label:<34} {timings[-1][1]:8.1f} s   {calls:6d} API calls  {jobs:6d} jobs", flush=True)


def _register(
    backend: ProtonBackend, s3: Any, kind: str, template: str, files: dict[str, str], key: str, **extra: Any
) -> None:
    s3.put_object(Bucket="bench", Key=key, Body=B.tar_bundle(files))
    created = getattr(backend, f"create_{kind}_template_version")(
        templateName=template, source={"s3": {"bucket": "bench", "key": key}}, **extra
    )
    version = created[f"{kind}TemplateVersion"]
    backend.run_pending()
    getattr(backend, f"update_{kind}_template_version")(
        templateName=template,
        majorVersion=version["majorVersion"],
        minorVersion=version["minorVersion"],
        status="PUBLISHED",
    )


def run(
    envs: int, services: int, instances: int, pipelines: bool, state: Path
) -> list[tuple[str, float, int]]:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bench")
    backend = ProtonBackend(
        state_path=state,
        s3=lambda b, k: s3.get_object(Bucket=b, Key=k)["Body"].read(),
        cloudformation=lambda a, r, role: boto3.client("cloudformation", region_name=r),
        auto_complete=False,
        cfn_poll=0.0,
    )
    timings: list[tuple[str, float, int]] = []
    compatible = [{"templateName": "env-tpl", "majorVersion": "1"}]

    def templates() -> int:
        backend.update_account_settings(pipelineServiceRoleArn=ROLE)
        backend.create_environment_template(name="env-tpl")
        _register(backend, s3, "environment", "env-tpl", B.env_bundle(), "env.tgz")
        backend.create_service_template(
            name="svc-tpl", **({} if pipelines else {"pipelineProvisioning": "CUSTOMER_MANAGED"})
        )
        _register(
            backend,
            s3,
            "service",
            "svc-tpl",
            B.svc_bundle("1.0", pipeline=pipelines),
            "svc10.tgz",
            compatibleEnvironmentTemplates=compatible,
        )
        return 7

    def create_envs() -> int:
        for i in range(envs):
            backend.create_environment(
                name=f"env{i:03d}",
                templateName="env-tpl",
                templateMajorVersion="1",
                spec=f"proton: EnvironmentSpec\nspec:\n  vpc_name: v{i}\n",
                protonServiceRoleArn=ROLE,
            )
        return envs

    def create_services() -> int:
        repo = (
            {"repositoryConnectionArn": CONN, "repositoryId": "org/app", "branchName": "main"}
            if pipelines
            else {}
        )
        for i in range(services):
            lines = ["proton: ServiceSpec"] + (["pipeline: {}"] if pipelines else []) + ["instances:"]
            for j in range(instances):
                lines += [
                    f"  - name: i{j}",
                    f"    environment: env{(i + j) % envs:03d}",
                    "    spec:",
                    f"      port: {8000 + j}",
                ]
            backend.create_service(
                name=f"svc{i:04d}",
                templateName="svc-tpl",
                templateMajorVersion="1",
                spec="\n".join(lines) + "\n",
                **repo,
            )
        return services

    def minor_update() -> int:
        _register(
            backend,
            s3,
            "service",
            "svc-tpl",
            B.svc_bundle("1.1", pipeline=pipelines),
            "svc11.tgz",
            majorVersion="1",
            compatibleEnvironmentTemplates=compatible,
        )
        for i in range(services):
            for j in range(instances):
                backend.update_service_instance(
                    serviceName=f"svc{i:04d}", name=f"i{j}", deploymentType="MINOR_VERSION"
                )
        return services * instances + 3

    def delete_services() -> int:
        for i in range(services):
            backend.delete_service(name=f"svc{i:04d}")
        return services

    def delete_envs() -> int:
        for i in range(envs):
            backend.delete_environment(name=f"env{i:03d}")
        return envs

    for label, body in (
        ("register templates", templates),
        (f"create {envs} environments", create_envs),
        (f"create {services} services x {instances}", create_services),
        ("MINOR_VERSION update of every instance", minor_update),
        ("delete services", delete_services),
        ("delete environments", delete_envs),
    ):
        _phase(label, timings, backend, body)
    summary = backend.get_resources_summary()["counts"]
    assert summary["services"]["total"] == 0 and summary["environments"]["total"] == 0, summary
    backend.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environments", type=int, default=100)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--pipelines", action="store_true", help="give every service a pipeline stack too")
    parser.add_argument("--state", type=Path, help="SQLite state file (default: a temporary one)")
    args = parser.parse_args()
    patch_moto_change_set_outputs()
    state = args.state or Path(tempfile.mkdtemp()) / "bench.db"
    start = time.perf_counter()
    with mock_aws():
        run(args.environments, args.services, args.instances, args.pipelines, state)
    total = time.perf_counter() - start
    stacks = args.environments + args.services * (args.instances + (1 if args.pipelines else 0))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'total':<34} {total:8.1f} s   {stacks} stacks created, updated where instances, deleted")
    print(f"peak RSS {peak_mib:.0f} MiB; state file {state.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
