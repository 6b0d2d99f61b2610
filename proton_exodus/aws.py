"""boto3 sessions and clients built from `Settings`: one place for endpoints, retries and Regions."""

from __future__ import annotations

from typing import Any

from proton_exodus.settings import Settings


def build_session(settings: Settings, region: str | None = None) -> Any:
    """A boto3 Session for the profile and Region the settings name."""
    import boto3

    return boto3.Session(profile_name=settings.profile, region_name=region or settings.region)


def build_client(
    service: str,
    settings: Settings,
    *,
    region: str | None = None,
    session: Any = None,
    max_attempts: int = 10,
    pool_size: int = 10,
) -> Any:
    """A boto3 client with adaptive retries, honouring `--endpoint-url` for every service."""
    from botocore.config import Config

    session = session or build_session(settings, region)
    config = Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        max_pool_connections=pool_size,
        user_agent_extra="proton-exodus",
    )
    return session.client(
        service,
        region_name=region or session.region_name or settings.region,
        endpoint_url=settings.endpoint_for(service),
        config=config,
    )
