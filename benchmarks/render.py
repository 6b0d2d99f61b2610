"""Instance renders per second for a typical ECS service template (target: >= 1,000/s on one core).

Renders AWS's load-balanced-fargate-svc sample instance (Jinja, Proton filters, schema defaults and
validation, CloudFormation result check) for distinct instance names, single-threaded.
Usage: .venv/bin/python benchmarks/render.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.render import EnvironmentContext, ServiceContext, render_service_instance

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BUNDLE = (
    CORPUS
    / "aws-samples__aws-proton-cloudformation-sample-templates/service-templates/load-balanced-fargate-svc/v1"
)
ENV_OUTPUTS = {
    "ServiceTaskDefExecutionRoleArn": "arn:aws:iam::123456789012:role/exec",
    "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:ping",
    "SNSTopicName": "ping",
    "VPCSecurityGroup": "sg-0123456789abcdef0",
    "PrivateSubnet1": "subnet-01",
    "PrivateSubnet2": "subnet-02",
    "PublicSubnet1": "subnet-03",
    "PublicSubnet2": "subnet-04",
    "Cluster": "cluster",
    "CloudMapNamespaceId": "ns-1",
    "VPC": "vpc-01",
    "SNSRegion": "us-east-1",
}
COMPONENT = {"BucketName": "bucket-1", "PolicyArn": "arn:aws:iam::123456789012:policy/extra"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    bundle = load_bundle(BUNDLE)
    service = ServiceContext("frontend")
    env = EnvironmentContext("prod", "123456789012", ENV_OUTPUTS)
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < args.seconds:
        render_service_instance(
            bundle,
            service=service,
            instance_name=f"inst-{count}",
            inputs={"desired_count": 2 + count % 5, "task_size": "small"},
            environment=env,
            components=COMPONENT if count % 2 else {},
        )
        count += 1
    cpu = time.process_time() - cpu
    print(
        f"instance renders: {count} in {elapsed:.2f} s wall = {count / elapsed:,.0f} renders/s wall; "
        f"{cpu:.2f} s CPU = {count / cpu:,.0f} renders per CPU-second (one core, single thread)"
    )


if __name__ == "__main__":
    main()
