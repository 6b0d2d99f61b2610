"""Kubernetes object names (RFC 1123 labels) derived from Proton names, stable and collision-safe."""

from __future__ import annotations

import hashlib
import re

_INVALID = re.compile(r"[^a-z0-9-]+")


def k8s_name(*parts: str, limit: int = 63) -> str:
    """A lowercase RFC 1123 label from `parts`; long or altered names get a short hash suffix.

    Proton names allow upper case and underscores, Kubernetes names do not, so two Proton names can
    map to one label ("Api_v1" and "api-v1"); the hash of the original keeps them apart.
    """
    raw = "-".join(p for p in parts if p)
    name = _INVALID.sub("-", raw.lower()).strip("-") or "x"
    name = re.sub(r"-{2,}", "-", name)
    if name != raw or len(name) > limit:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:6]
        name = f"{name[: limit - 7].rstrip('-')}-{digest}"
    return name


_LABEL_INVALID = re.compile(r"[^A-Za-z0-9_.-]+")


def label_value(value: str) -> str:
    """A valid label value (<= 63 chars, alphanumerics at both ends, `-_.` inside); hashed if altered."""
    cleaned = _LABEL_INVALID.sub("-", value).strip("-_.")
    if cleaned == value and len(value) <= 63:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:6]
    return f"{cleaned[:56].strip('-_.')}-{digest}".lstrip("-")
