"""Engine fixtures: moto in-process (S3 for bundles, CloudFormation for stacks) and a backend on top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from proton_exodus.engine.backend import ProtonBackend
from proton_exodus.engine.moto_compat import patch_moto_change_set_outputs
from tests.engine.bundles import tar_bundle

BUCKET = "proton-bundles"
ROLE = "arn:aws:iam::123456789012:role/proton-service"
COMPONENT_ROLE = "arn:aws:iam::123456789012:role/proton-components"


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    patch_moto_change_set_outputs()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield {"s3": s3, "cfn": boto3.client("cloudformation", region_name="us-east-1")}


def make_backend(aws: dict[str, Any], tmp_path: Path, **kwargs: Any) -> ProtonBackend:
    """A backend over moto: bundles from its S3, stacks in its CloudFormation, queued until run_pending()."""
    s3 = aws["s3"]

    def read(bucket: str, key: str) -> bytes:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    def cfn(account: str, region: str, role: str | None) -> Any:
        return boto3.client("cloudformation", region_name=region)

    options = {
        "state_path": tmp_path / "proton.db",
        "s3": read,
        "cloudformation": cfn,
        "provisioning_root": tmp_path / "repos",
        "auto_complete": False,
        "cfn_poll": 0.0,
    }
    return ProtonBackend(**{**options, **kwargs})


@pytest.fixture
def backend(aws: dict[str, Any], tmp_path: Path) -> Iterator[ProtonBackend]:
    b = make_backend(aws, tmp_path)
    yield b
    b.close()


def upload(aws: dict[str, Any], key: str, files: dict[str, str]) -> dict[str, Any]:
    """Put a bundle in the test bucket; returns the `source` argument for Create*TemplateVersion."""
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=tar_bundle(files))
    return {"s3": {"bucket": BUCKET, "key": key}}
