"""Global settings shared by every command: AWS profile, Regions, endpoint, output format."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

OutputFormat = Literal["text", "json"]


@dataclass
class Settings:
    """What the global options (`--profile`, `--region`, `--endpoint-url`, ...) resolved to."""

    profile: str | None = None
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    output: OutputFormat = "text"
    verbose: int = 0
    debug: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str:
        """The first Region asked for, else the environment's, else us-east-1."""
        if self.regions:
            return self.regions[0]
        return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"

    def endpoint_for(self, service: str) -> str | None:
        """The endpoint URL for one AWS service.

        `--endpoint-url` wins for every service, so one local endpoint serves Proton, CloudFormation,
        S3 and STS alike; otherwise botocore's own `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`
        apply (botocore reads them itself, but we resolve them here too so that clients built by
        older botocore versions behave the same).
        """
        if self.endpoint_url:
            return self.endpoint_url
        specific = os.environ.get("AWS_ENDPOINT_URL_" + service.upper().replace("-", "_"))
        return specific or os.environ.get("AWS_ENDPOINT_URL") or None
