"""Validate Kubernetes custom resources against the real CRDs in ../shared/schemas (TARGETS.md §6 recipe)."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.conftest import SCHEMAS

CRDS = {
    ("argoproj.io/v1alpha1", "Application"): SCHEMAS / "argocd" / "application-crd.yaml",
    ("argoproj.io/v1alpha1", "ApplicationSet"): SCHEMAS / "argocd" / "applicationset-crd.yaml",
    ("argoproj.io/v1alpha1", "AppProject"): SCHEMAS / "argocd" / "appproject-crd.yaml",
    ("cloudformation.aws.upbound.io/v1beta1", "Stack"): SCHEMAS
    / "crossplane"
    / "cloudformation.aws.upbound.io_stacks.yaml",
}


def _convert(node: Any, strict: bool) -> Any:
    if isinstance(node, list):
        return [_convert(n, strict) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _convert(v, strict) for k, v in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    if node.pop("x-kubernetes-int-or-string", False):
        node.pop("type", None)
        node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if (
        strict
        and "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        node["additionalProperties"] = False
    return node


@functools.cache
def validator_for(api_version: str, kind: str, strict: bool = True) -> jsonschema.Draft202012Validator:
    crd = yaml.safe_load(Path(CRDS[(api_version, kind)]).read_text())
    version = api_version.split("/")[1]
    entry = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    schema = _convert(copy.deepcopy(entry["schema"]["openAPIV3Schema"]), strict)
    return jsonschema.Draft202012Validator(schema)


def crd_errors(doc: dict[str, Any], strict: bool = True) -> list[str]:
    """Every schema violation of one custom resource, as 'path: message' lines."""
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key not in CRDS:
        return [f"no CRD known for {key}"]
    errors = validator_for(*key, strict=strict).iter_errors(doc)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
