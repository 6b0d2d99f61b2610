"""Proton's `schema/schema.yaml`: the OpenAPI 3.0 subset, mapped to JSON Schema and checked with jsonschema.

See shared/reference/PROTON.md §1.4. Defaults are applied before validation, as AWS's template checker does;
an optional input with no default and no value stays absent (templates test it with `is defined`).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError as JsonSchemaError
from jsonschema.exceptions import ValidationError

from proton_exodus.cfn import text as cfn_text
from proton_exodus.errors import SchemaError
from proton_exodus.proton.spec import load_yaml

__all__ = [
    "KINDS",
    "TemplateSchema",
    "check_minor_compatible",
    "format_path",
    "input_defaults",
    "json_schema_violations",
]

KINDS = ("environment", "service", "pipeline")
_TYPE_KEYS = {kind: f"{kind}_input_type" for kind in KINDS}
# OpenAPI 3.0 Schema Object keywords that are annotations or OpenAPI-only: dropped before validation.
_OPENAPI_ONLY = {
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
}
_REF = re.compile(r"^#/(?:types|components/schemas|definitions)/(.+)$")


def format_path(prefix: str, parts: Any) -> str:
    """`prefix` plus jsonschema path parts: `instances[1].spec` + ['a', 0] -> `instances[1].spec.a[0]`."""
    out = prefix
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema object -> draft-4 JSON Schema (nullable, $ref to named types)."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _OPENAPI_ONLY:
            continue
        if key == "$ref" and isinstance(value, str) and (match := _REF.match(value)):
            out[key] = f"#/definitions/{match.group(1)}"
        elif key in ("properties", "definitions") and isinstance(value, Mapping):
            out[key] = {name: _to_json_schema(sub) for name, sub in value.items()}
        else:
            out[key] = _to_json_schema(value)
    if node.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _resolve(schema: Mapping[str, Any], types: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` itself, or the named type its `$ref` points to."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and (match := _REF.match(ref)) and isinstance(types.get(match.group(1)), Mapping):
        return types[match.group(1)]
    return schema


def _property_defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Property name -> its schema default (a copy), for the properties that declare one."""
    props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    return {
        name: copy.deepcopy(sub["default"])
        for name, sub in props.items()
        if isinstance(sub, Mapping) and "default" in sub
    }


def _apply_defaults(
    schema: Mapping[str, Any],
    value: Any,
    types: Mapping[str, Any],
    filled: set[tuple[Any, ...]] | None = None,
    at: tuple[Any, ...] = (),
) -> Any:
    """Fill schema defaults into `value` (recursively for objects and arrays); never mutates `value`.

    The paths that came from defaults are added to `filled`.
    """
    filled = set() if filled is None else filled
    schema = _resolve(schema, types)
    if isinstance(value, Mapping):
        props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
        defaults = _property_defaults(schema)
        out: dict[str, Any] = {}
        for name, sub in props.items():
            if name in value:
                out[name] = (
                    _apply_defaults(sub, value[name], types, filled, (*at, name))
                    if isinstance(sub, Mapping)
                    else value[name]
                )
            elif name in defaults:
                out[name] = defaults[name]
                filled.add((*at, name))
        out.update({k: v for k, v in value.items() if k not in out})
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [
            _apply_defaults(schema["items"], item, types, filled, (*at, i)) for i, item in enumerate(value)
        ]
    return value


def input_defaults(schema_text: str | bytes | None, kind: str) -> dict[str, Any]:
    """The top-level defaults of `kind`'s input type, read leniently from a schema file's text.

    For snapshots, whose schema text is whatever Proton stored: anything unreadable gives {} instead
    of an error (`TemplateSchema.parse` is the strict reader for rendering).
    """
    try:
        doc = cfn_text.load_yaml(schema_text) if schema_text else None
    except yaml.YAMLError:
        return {}
    root = doc.get("schema") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        return {}
    type_name = root.get(f"{kind}_input_type")
    types = root.get("types") or {}
    type_def = types.get(type_name) if isinstance(types, dict) and type_name else None
    return _property_defaults(_resolve(type_def, types)) if isinstance(type_def, dict) else {}


def _message(err: ValidationError, path: str) -> str:
    where = format_path(path, err.absolute_path)
    if err.validator == "required":
        missing = re.match(r"'(.+)' is a required property", err.message)
        if missing:
            return f"{format_path(path, [*err.absolute_path, missing.group(1)])}: is required but missing"
    return f"{where}: {err.message}"


@dataclass(frozen=True)
class TemplateSchema:
    """A parsed schema file: which type feeds which kind, and the named types (OpenAPI form)."""

    source: str
    types: Mapping[str, Any]
    environment_input_type: str | None = None
    service_input_type: str | None = None
    pipeline_input_type: str | None = None
    _validators: dict[str, Draft4Validator] = field(default_factory=dict, repr=False, compare=False)
    _verdicts: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str | bytes, *, source: str = "schema.yaml") -> TemplateSchema:
        """Parse and check a schema file; raises SchemaError naming `source` and the bad field."""
        doc = load_yaml(text, source=source, error=SchemaError)
        root = doc.get("schema") if isinstance(doc, Mapping) else None
        if not isinstance(root, Mapping):
            raise SchemaError(f"{source}: the top-level key must be `schema:` (a mapping)")
        fmt = root.get("format")
        if not isinstance(fmt, Mapping) or not str(fmt.get("openapi", "")).startswith("3."):
            raise SchemaError(f"{source}: schema.format.openapi must be \"3.0.0\"")
        types = root.get("types") or {}
        if not isinstance(types, Mapping) or not all(isinstance(t, Mapping) for t in types.values()):
            raise SchemaError(f"{source}: schema.types must map type names to schema objects")
        names = {kind: root.get(key) for kind, key in _TYPE_KEYS.items()}
        schema = cls(source=source, types=dict(types), **{_TYPE_KEYS[k]: v for k, v in names.items()})
        schema._check_shape()
        return schema

    def _check_shape(self) -> None:
        src = self.source
        given = {kind: name for kind, name in self.input_types().items()}
        if not given.get("environment") and not given.get("service"):
            raise SchemaError(f"{src}: schema needs environment_input_type or service_input_type")
        if given.get("environment") and (given.get("service") or given.get("pipeline")):
            raise SchemaError(
                f"{src}: environment_input_type cannot be combined with service/pipeline input types"
            )
        for kind, name in given.items():
            if not isinstance(name, str) or name not in self.types:
                raise SchemaError(
                    f"{src}: schema.{_TYPE_KEYS[kind]} names type {name!r}, "
                    f"which is not defined under schema.types"
                )
            if self.types[name].get("type", "object") != "object":
                raise SchemaError(f"{src}: schema.types.{name}.type must be object (it is an input type)")
        try:
            Draft4Validator.check_schema(self._root_schema(None))
        except JsonSchemaError as err:
            raise SchemaError(
                f"{src}: {format_path('schema.types', list(err.absolute_path)[1:])}: {err.message}"
            ) from None

    def _root_schema(self, kind: str | None) -> dict[str, Any]:
        root: dict[str, Any] = {"definitions": _to_json_schema(dict(self.types))}
        if kind:
            root["$ref"] = f"#/definitions/{self.input_types()[kind]}"
        return root

    def json_schema(self, kind: str) -> dict[str, Any]:
        """`kind`'s input type as the draft-4 JSON Schema this module validates with (named types under
        `definitions`), for exports that ship the schema in another form (a copy: callers may edit it)."""
        return copy.deepcopy(self._root_schema(kind))

    def input_types(self) -> dict[str, str]:
        """kind ('environment'|'service'|'pipeline') -> the name of its input type (only kinds present)."""
        names = {
            "environment": self.environment_input_type,
            "service": self.service_input_type,
            "pipeline": self.pipeline_input_type,
        }
        return {kind: name for kind, name in names.items() if name}

    def properties(self, kind: str) -> Mapping[str, Any]:
        """The OpenAPI property schemas of `kind`'s input type ({} when the kind has none)."""
        name = self.input_types().get(kind)
        props = self.types[name].get("properties") if name else None
        return props if isinstance(props, Mapping) else {}

    def apply_defaults_and_validate(
        self, kind: str, values: Mapping[str, Any] | None, *, path: str
    ) -> dict[str, Any]:
        """Schema defaults merged under `values`, validated; SchemaError lists every violation with its path.

        `path` prefixes each violation, e.g. `instances[1].spec` gives
        `instances[1].spec.desired_count: 60 is greater than the maximum of 50`.
        """
        if values is not None and not isinstance(values, Mapping):
            raise SchemaError(
                f"{path or '(spec)'}: must be a mapping of input names to values, not {type(values).__name__}"
            )
        name = self.input_types().get(kind)
        if name is None:
            if values:
                raise SchemaError(
                    f"{path}: {self.source} defines no {_TYPE_KEYS[kind]}, "
                    f"so this template takes no {kind} inputs"
                )
            return {}
        defaulted: set[tuple[Any, ...]] = set()
        filled = _apply_defaults(self.types[name], dict(values or {}), self.types, defaulted)
        # Specs repeat (every instance of a service, every re-render): remember each verdict.
        key = json.dumps([kind, path, filled, sorted(defaulted)], sort_keys=True, default=repr)
        lines = self._verdicts.get(key)
        if lines is None:
            lines = self._verdicts[key] = self._violations(kind, filled, defaulted, path)
            if len(self._verdicts) > 4096:
                self._verdicts.pop(next(iter(self._verdicts)))
        if lines:
            raise SchemaError("; ".join(lines), hint=f"the inputs must satisfy {name} in {self.source}")
        return filled

    def _violations(
        self, kind: str, filled: Any, defaulted: set[tuple[Any, ...]], path: str
    ) -> tuple[str, ...]:
        validator = self._validators.get(kind)
        if validator is None:
            validator = self._validators[kind] = Draft4Validator(self._root_schema(kind))
        return _violations(validator, filled, defaulted, path)


def _violations(
    validator: Draft4Validator, filled: Any, defaulted: set[tuple[Any, ...]], path: str
) -> tuple[str, ...]:
    """Proton's messages for `filled`, sorted; paths filled from defaults are not judged."""
    # Only what the spec says is checked: a schema default is taken as is, even when it breaks its own
    # type (AWS's cdk-ecs-fargate-service sample has `type: boolean, default: public`).
    errors = (
        e
        for e in validator.iter_errors(filled)
        if not any(tuple(e.absolute_path)[: len(d)] == d for d in defaulted)
    )
    return tuple(sorted({_message(err, path) for err in errors}))


def json_schema_violations(
    root: Mapping[str, Any], values: Mapping[str, Any], *, path: str
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Defaults filled into `values` and Proton's violation messages, against a shipped JSON Schema.

    `root` is what `TemplateSchema.json_schema` wrote: the same defaults and messages as rendering
    applies, so a repository's checks word a bad input as Proton did.
    """
    types = root.get("definitions") if isinstance(root.get("definitions"), Mapping) else {}
    defaulted: set[tuple[Any, ...]] = set()
    filled = _apply_defaults(root, dict(values), types, defaulted)
    return filled, _violations(Draft4Validator(root), filled, defaulted, path)


def _prop_type(prop: Any) -> Any:
    return prop.get("type") if isinstance(prop, Mapping) else None


def check_minor_compatible(old: TemplateSchema, new: TemplateSchema) -> list[str]:
    """Why `new` cannot be a minor version after `old` (empty list: compatible). PROTON.md §1.4, §4.1.

    A minor version may not drop an input type or an input, change an input's type, narrow an enum,
    or require an input that has no default and was not required before.
    """
    problems: list[str] = []
    old_kinds, new_kinds = old.input_types(), new.input_types()
    for kind in KINDS:
        if kind in old_kinds and kind not in new_kinds:
            problems.append(f"{_TYPE_KEYS[kind]} was removed")
        elif kind in new_kinds and kind not in old_kinds:
            problems.append(f"{_TYPE_KEYS[kind]} was added")
    for kind in set(old_kinds) & set(new_kinds):
        old_props, new_props = old.properties(kind), new.properties(kind)
        old_req = set(old.types[old_kinds[kind]].get("required") or [])
        for name, prop in old_props.items():
            if name not in new_props:
                problems.append(f"{kind} input {name!r} was removed")
                continue
            if _prop_type(prop) != _prop_type(new_props[name]):
                problems.append(
                    f"{kind} input {name!r} changed type from {_prop_type(prop)} "
                    f"to {_prop_type(new_props[name])}"
                )
            old_enum, new_enum = prop.get("enum"), new_props[name].get("enum")
            if new_enum is not None and (old_enum is None or not set(old_enum) <= set(new_enum)):
                problems.append(f"{kind} input {name!r} narrowed its enum")
        for name in new.types[new_kinds[kind]].get("required") or []:
            prop = new_props.get(name)
            if name not in old_req and not (isinstance(prop, Mapping) and "default" in prop):
                problems.append(f"{kind} input {name!r} became required without a default")
    return sorted(problems)
