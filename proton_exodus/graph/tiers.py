"""Risk tiers of estate resources from their own names and tag values (0 non-production, 1 staging,
2 production), shared by the audit and the planner."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_STAGING = re.compile(r"pre-?prod|staging|stage|stg|uat|qa|perf", re.I)
BROKEN_NOW = {
    "W140": "its pipeline calls the Proton API, which no longer answers",
    "W130": "Proton no longer opens its Terraform pull requests",
}
_PROD = re.compile(r"(?<![a-z])(prod|production|prd|live)(?![a-z])", re.I)


def own_tier(attrs: Mapping[str, Any]) -> int:
    """Risk tier from the resource's own name and tag values: 0 non-production, 1 staging, 2 production."""
    if attrs.get("kind") == "environment_account_connection":
        return -1
    words = [str(attrs.get("name", ""))] + [str(v) for v in (attrs.get("tags") or {}).values()]
    if any(_PROD.search(w) and not _STAGING.search(w) for w in words):
        return 2
    return 1 if any(_STAGING.search(w) for w in words) else 0
