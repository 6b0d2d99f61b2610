"""What a template change does to a resource: create-only properties from the provider schemas cfn-lint
ships, and whether changing a property replaces the resource (CloudFormation's RequiresRecreation)."""

from __future__ import annotations

import functools

__all__ = ["create_only", "create_only_properties", "predict_replacement"]


@functools.lru_cache(maxsize=2048)
def _schema_pointers(resource_type: str, region: str) -> tuple[str, ...] | None:
    """createOnlyProperties of any resource type as JSON pointers, None when cfn-lint has no schema."""
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type)
        return tuple(schema.schema.get("createOnlyProperties") or ())
    except Exception:  # noqa: BLE001 - cfn-lint raises its own not-found types
        return None


def create_only(resource_type: str, region: str = "us-east-1") -> tuple[str, ...] | None:
    """createOnlyProperties of a resource type as JSON pointers, or None when cfn-lint has no schema."""
    if not resource_type.startswith("AWS::"):
        return ()  # custom resources are updated, not replaced, on property changes
    return _schema_pointers(resource_type, region)


@functools.lru_cache(maxsize=2048)
def create_only_properties(resource_type: str) -> frozenset[str]:
    """Top-level create-only property names of a type (empty when unknown), for a change set's
    `RequiresRecreation`; any type with a schema counts, not only `AWS::` ones."""
    pointers = _schema_pointers(resource_type, "us-east-1") or ()
    return frozenset(p.split("/")[2] for p in pointers if p.count("/") == 2)


def predict_replacement(resource_type: str, path: str, region: str = "us-east-1") -> str:
    """Whether changing `path` (e.g. `Properties.CidrBlock`) of a resource replaces it: True/False/Unknown."""
    if path == "Type":
        return "True"
    if not path.startswith("Properties."):
        return "False"
    pointers = create_only(resource_type, region)
    if pointers is None:
        return "Unknown"
    parts = []
    for part in path[len("Properties.") :].split("."):
        name, _, index = part.partition("[")
        parts += [name] + ["*"] * index.count("]")
    changed = "/properties/" + "/".join(parts)
    for pointer in pointers:
        if changed == pointer or changed.startswith(pointer + "/") or pointer.startswith(changed + "/"):
            return "True"
    return "False"
