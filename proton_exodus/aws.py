"""boto3 sessions and clients built from `Settings`: one place for endpoints, retries and Regions."""

from __future__ import annotations

import functools
from typing import Any

from proton_exodus.settings import Settings


def build_session(settings: Settings, region: str | None = None) -> Any:
    """A boto3 Session for the profile and Region the settings name."""
    import boto3

    return boto3.Session(profile_name=settings.profile, region_name=region or settings.region)


def _memoize_user_agent_sanitizer() -> None:
    """Cache botocore's User-Agent component sanitizer (a pure function of its arguments).

    botocore rebuilds the User-Agent header twice per API call, sanitizing some 40 components
    character by character each time: about 15 % of a call's client CPU, which bounds how fast a
    crawl on a few cores can go. The components repeat, so a small cache answers them.
    """
    try:
        from botocore import useragent
    except ImportError:  # pragma: no cover - botocore without the useragent module
        return
    sanitize = getattr(useragent, "sanitize_user_agent_string_component", None)
    if sanitize is not None and not hasattr(sanitize, "cache_info"):
        useragent.sanitize_user_agent_string_component = functools.lru_cache(maxsize=4096)(sanitize)


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

    _memoize_user_agent_sanitizer()
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
