"""Kubernetes workloads shipped inside Proton bundles: plain manifests rendered with the instance inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
import jinja2.sandbox
import yaml

_ENV = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _is_manifest(text: str) -> bool:
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        return False
    return bool(docs) and all(
        isinstance(d, dict) and "apiVersion" in d and "kind" in d and "Resources" not in d for d in docs
    )


def find_manifests(bundle: Mapping[str, bytes], folder: str) -> dict[str, str]:
    """Kubernetes manifests under `folder` of a bundle (relative name -> text), Jinja not yet rendered.

    A Proton bundle only needs its manifest.yaml and IaC file; teams that deployed to EKS often put
    their Kubernetes manifests beside them (e.g. `instance_infrastructure/k8s/*.yaml`).
    """
    found = {}
    for rel, data in sorted(bundle.items()):
        if not rel.startswith(folder + "/") or not rel.endswith((".yaml", ".yml")):
            continue
        name = rel[len(folder) + 1 :]
        if name in ("manifest.yaml", "cloudformation.yaml") or name.startswith("."):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        probe = text if "{{" not in text and "{%" not in text else _strip_jinja(text)
        if _is_manifest(probe):
            found[name] = text
    return found


def _strip_jinja(text: str) -> str:
    import re

    text = re.sub(r"{%.*?%}", "", text, flags=re.S)
    return re.sub(r"{{.*?}}", "x", text, flags=re.S)


def render_manifest(text: str, context: Mapping[str, Any], *, source: str) -> str:
    """Render one manifest with Proton's instance namespaces (sandboxed, undefined names fail)."""
    from proton_exodus.errors import RenderError

    try:
        out = _ENV.from_string(text).render(**context)
    except jinja2.TemplateError as err:
        raise RenderError(f"{source}: {err}") from None
    return out if out.endswith("\n") else out + "\n"
