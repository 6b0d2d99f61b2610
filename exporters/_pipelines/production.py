"""Production-like environment detection: which environments get a manual approval / protected GitHub
environment. A name token, a tag value or a spec input value of prod, production, prd or live counts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

PRODUCTION_WORDS = frozenset({"prod", "production", "prd", "live"})
# Tag keys and input names whose values name a deployment stage.
STAGE_KEYS = frozenset(
    {
        "env",
        "environment",
        "stage",
        "tier",
        "environment_type",
        "env_type",
        "stage_name",
        "lifecycle",
        "deployment_stage",
    }
)


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9]+", text.lower()) if t}


def is_production_like(name: str, *maps: Mapping[str, Any] | None, extra: Iterable[str] = ()) -> bool:
    """True when `name` has a production word as a token (`prod-eu`, `live_2`, not `product`), or when
    a stage-like key (env, environment, stage, tier, ...) in any of `maps` (tags, spec inputs) has one."""
    if _tokens(name) & PRODUCTION_WORDS:
        return True
    for values in maps:
        for key, value in (values or {}).items():
            last = re.split(r"[:/]", str(key).lower())[-1]
            if (
                last in STAGE_KEYS
                and isinstance(value, str)
                and not value.startswith("arn:")
                and _tokens(value) & PRODUCTION_WORDS
            ):
                return True
    return any(_tokens(word) & PRODUCTION_WORDS for word in extra)
