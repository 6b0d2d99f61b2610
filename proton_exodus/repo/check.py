"""Checking an exported repository's instances against their template versions' JSON Schemas.

This module is shipped verbatim inside every export as `.exodus-repo/validate.py` (see `repo/script.py`), so a
pipeline step validates with python3, PyYAML and jsonschema only: it imports nothing else from exodus
but `json_schema_violations`, whose source the script embeds. `exodus repo validate` runs the same code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.proton.schema import json_schema_violations

INDEX = ".exodus-repo/index.json"
# The files that hold an instance's parameters, by the format the index names.
GIT_SYNC = "git-sync-deployment-file"  # YAML `parameters:` (CloudFormation Git sync)
TEMPLATE_CONFIGURATION = "template-configuration"  # JSON `Parameters` (CodePipeline, `aws cloudformation`)
CROSSPLANE_STACK = "crossplane-stack"  # YAML `spec.forProvider.parameters` of a Crossplane Stack
FORMATS = (GIT_SYNC, TEMPLATE_CONFIGURATION, CROSSPLANE_STACK)


class RepoProblem(Exception):
    """A repository file is missing or unreadable; the message names it."""


def read_text(root: Path, rel: str) -> str:
    """A repository file's text; RepoProblem naming it when it is missing or not UTF-8."""
    try:
        return (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RepoProblem(f"{rel}: cannot be read ({type(err).__name__})") from None


def load_index(root: Path) -> dict[str, Any]:
    """The repository index (`.exodus-repo/index.json`); RepoProblem when it is not there or not an index."""
    text = read_text(root, INDEX)
    try:
        index = json.loads(text)
    except json.JSONDecodeError as err:
        raise RepoProblem(f"{INDEX}: not JSON ({err.msg}, line {err.lineno})") from None
    if (
        not isinstance(index, dict)
        or index.get("format") != 1
        or not isinstance(index.get("instances"), list)
    ):
        raise RepoProblem(f"{INDEX}: not an exodus repository index (format 1 with `instances`)")
    return index


def parameter_document(fmt: str, text: str, rel: str) -> dict[str, Any]:
    """The parameters a parameter file holds (name -> value as written); RepoProblem when unreadable."""
    try:
        doc = json.loads(text) if fmt == TEMPLATE_CONFIGURATION else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        raise RepoProblem(
            f"{rel}: not {'JSON' if fmt == TEMPLATE_CONFIGURATION else 'YAML'} ({err})"
        ) from None
    if fmt == GIT_SYNC:
        params = doc.get("parameters") if isinstance(doc, dict) else None
    elif fmt == TEMPLATE_CONFIGURATION:
        params = doc.get("Parameters") if isinstance(doc, dict) else None
    elif fmt == CROSSPLANE_STACK:
        spec = doc.get("spec") if isinstance(doc, dict) else None
        provider = spec.get("forProvider") if isinstance(spec, dict) else None
        params = provider.get("parameters") if isinstance(provider, dict) else None
    else:
        raise RepoProblem(f"{INDEX}: unknown parameter file format {fmt!r} for {rel}")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise RepoProblem(f"{rel}: the parameters must be a mapping of names to values")
    return params


def typed(value: Any, prop: Any) -> Any:
    """A CloudFormation parameter's text as the schema input type it stands for (the reverse of how an
    export writes it); text that does not convert stays text, so the schema check reports its type."""
    kind = prop.get("type") if isinstance(prop, Mapping) else None
    kind = kind[0] if isinstance(kind, list) else kind
    if not isinstance(value, str):
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            return value
        return (
            int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
        )
    if kind == "array":
        return [item.strip() for item in value.split(",")] if value else []
    return value


def input_properties(root: Mapping[str, Any]) -> Mapping[str, Any]:
    """The property schemas of a shipped JSON Schema's input type."""
    ref = str(root.get("$ref", "")).rpartition("/")[2]
    definitions = root.get("definitions") or {}
    props = (definitions.get(ref) or {}).get("properties") if isinstance(definitions, dict) else None
    return props if isinstance(props, Mapping) else {}


def instance_inputs(root: Path, instance: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """An instance's inputs as a deploy would see them: the index's spec inputs, with every input a
    parameter carries read from the instance's parameter file (what a reviewer edits)."""
    return sourced_inputs(root, instance, schema)[0]


def sourced_inputs(
    root: Path, instance: Mapping[str, Any], schema: Mapping[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """`instance_inputs`, and the names of the inputs whose value came from the parameter file."""
    values = dict(instance.get("inputs") or {})
    from_file: set[str] = set()
    rel, fmt = instance.get("parameters_file"), instance.get("parameters_format")
    mapping = instance.get("parameters") or {}
    if rel and fmt and mapping:
        written = parameter_document(fmt, read_text(root, rel), rel)
        props = input_properties(schema)
        for name, parameter in sorted(mapping.items()):
            if parameter in written:
                values[name] = typed(written[parameter], props.get(name))
                from_file.add(name)
    return values, from_file


def spec_path(instance: Mapping[str, Any]) -> str:
    """Where the inputs sit in a Proton spec file: `spec` for environments and instances, `pipeline`."""
    return "pipeline" if instance.get("kind") == "service_pipeline" else "spec"


def instance_errors(root: Path, index: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    """One line per violation, `<file>: <spec path>.<input>: <Proton's message>`; [] when valid."""
    version = (index.get("templates") or {}).get(instance.get("template"), {}).get("versions", {})
    version = version.get(instance.get("version"))
    where = f"{INDEX}[{instance.get('name')}]"
    if not isinstance(version, dict) or not version.get("schemas", {}).get(instance.get("schema_kind")):
        return [
            f"{where}: template {instance.get('template')} version "
            f"{instance.get('version')} has no {instance.get('schema_kind')} schema in {INDEX}"
        ]
    schema_rel = version["schemas"][instance["schema_kind"]]
    try:
        schema = json.loads(read_text(root, schema_rel))
    except json.JSONDecodeError as err:
        return [f"{schema_rel}: not JSON ({err.msg})"]
    try:
        values, from_file = sourced_inputs(root, instance, schema)
    except RepoProblem as err:
        return [str(err)]
    secret = set(instance.get("sensitive") or [])
    path = spec_path(instance)
    _, lines = json_schema_violations(schema, values, path=path)
    # Sensitive inputs live outside the repository (Parameter Store, Secrets Manager): not judged here.
    heads = tuple(f"{path}.{name}:" for name in secret) + tuple(f"{path}.{name}[" for name in secret)
    # Each line names the file its value is in: the parameter file, or the index's record of the instance.
    return [
        f"{instance['parameters_file'] if input_of(line, path) in from_file else where}: {line}"
        for line in lines
        if not line.startswith(heads)
    ]


def input_of(line: str, path: str) -> str:
    """The input a violation line is about: `spec.port: ...` -> `port`."""
    rest = line[len(path) + 1 :] if line.startswith(path + ".") else ""
    return re.split(r"[.:\[]", rest, maxsplit=1)[0]


def validate_repo(root: Path) -> list[str]:
    """Every instance of the repository against its template version's schema: the error lines, sorted."""
    index = load_index(root)
    out: list[str] = []
    for instance in index["instances"]:
        if instance.get("customer_managed"):
            continue
        out.extend(instance_errors(root, index, instance))
    return sorted(set(out))
