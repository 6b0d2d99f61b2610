"""A Proton schema's input types as Backstage scaffolder form pages (react-jsonschema-form, JSON Schema
draft-07), so a developer's form refuses what Proton's schema check refused.

The conversion starts from the draft-4 JSON Schema `proton/schema.py` validates with (the one home of
Proton's schema rules) and only changes what the form needs: named types are inlined (the form has no
`definitions`), draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numbers, and an
input with a default is not `required` (the form fills the default in, as Proton's check did before
validating). Each input type (environment, service, pipeline) is one page.

A secret input is not a value field (`secret_flag`): a value typed into a scaffolder form is part of the
task's `parameters`, stored in Backstage's database and shown in its logs; `ui:widget: password` only
masks it on screen (backstage/backstage#22476; its maintainers call `password` plus `${{ parameters.x }}`
"not secure", #24834). Backstage's `ui:field: Secret` keeps a value out of the task, but only a custom
action could then write it to Parameter Store (no built-in action does) and `fetch:template` with
`${{ secrets.x }}` would commit it to Git. So the form asks only whether the instance has one, and the pull
request gives the command that stores it under the name the deployment file reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from proton_exodus.errors import BadInput
from proton_exodus.proton.schema import TemplateSchema

_REF = re.compile(r"^#/definitions/(.+)$")
# Keys of a JSON Schema keyword that hold one schema, or a mapping / list of schemas.
_ONE = ("items", "additionalProperties", "not")
_MANY = ("allOf", "anyOf", "oneOf")
PAGE_FIELD = {"environment": "environment_inputs", "service": "service_inputs", "pipeline": "pipeline_inputs"}
PAGE_TITLE = {"environment": "Environment inputs", "service": "Service inputs", "pipeline": "Pipeline inputs"}


def _inline(node: Any, definitions: Mapping[str, Any], trail: tuple[str, ...] = ()) -> Any:
    """`node` with every `$ref` to a named type replaced by the type (a recursive type is refused)."""
    if isinstance(node, list):
        return [_inline(item, definitions, trail) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and (match := _REF.match(ref)):
        name = match.group(1)
        if name in trail:
            raise BadInput(f"schema type {name} refers to itself: a form cannot show a recursive type")
        if name not in definitions:
            raise BadInput(f"schema $ref {ref}: no type {name}")
        return _inline(definitions[name], definitions, (*trail, name))
    return {key: _inline(value, definitions, trail) for key, value in node.items()}


def _draft7(node: Any) -> Any:
    """Draft-4 keywords in their draft-07 form, and defaulted inputs not required (recursively)."""
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {name: _draft7(sub) for name, sub in value.items()}
        elif key in _ONE or key in _MANY:
            out[key] = _draft7(value)
        else:
            out[key] = value
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if out.get(exclusive) is True and bound in out:
            out[exclusive] = out.pop(bound)
        elif isinstance(out.get(exclusive), bool):
            out.pop(exclusive)
    props = out.get("properties") if isinstance(out.get("properties"), Mapping) else {}
    if isinstance(out.get("required"), list):
        required = [
            name
            for name in out["required"]
            if not (isinstance(props.get(name), Mapping) and "default" in props[name])
        ]
        if required:
            out["required"] = required
        else:
            out.pop("required")
    return out


def input_schema(schema: TemplateSchema, kind: str) -> dict[str, Any]:
    """`kind`'s input type as one self-contained draft-07 object schema (what a form page holds)."""
    root = schema.json_schema(kind)
    definitions = root.get("definitions") or {}
    body = _draft7(_inline({"$ref": root["$ref"]}, definitions))
    body.setdefault("type", "object")
    return body


SECRET_HELP = (
    "A secret: the form never takes its value (a value typed into a scaffolder form is kept in the task's "
    "parameters, in Backstage's database and logs). Tick it when the instance has one: the deployment file "
    "names the Parameter Store parameter that holds it, and the pull request gives the `aws ssm "
    "put-parameter` command that stores it, run before the merge."
)


def secret_flag(prop: Mapping[str, Any], required: bool) -> dict[str, Any]:
    """The form field that stands for a secret input: a yes/no "the instance has one" (required in the
    Proton schema: always yes), never the value."""
    title = str(prop.get("title") or "Secret")
    flag: dict[str, Any] = {
        "title": f"{title}: stored in Parameter Store",
        "type": "boolean",
        "default": required,  # a form shows defaults filled in: never claim a secret nobody stored
        "description": SECRET_HELP,
        "ui:help": SECRET_HELP,
    }
    if required:
        flag["const"] = True
    return flag


def _with_ui(body: Mapping[str, Any], sensitive: frozenset[str], flags: bool) -> dict[str, Any]:
    """The input type with Backstage's `ui:` hints inside each input (the scaffolder reads them from the
    schema): descriptions shown as help. A sensitive input is a `secret_flag` when `flags` (every Software
    Template exodus writes), else masked (`ui:widget: password`, which hides it on screen only: Backstage's
    maintainers call it not secure, backstage/backstage#24834). JSON Schema ignores the `ui:` keys."""
    props = {}
    required = set(body.get("required") or ())
    for name, prop in (body.get("properties") or {}).items():
        hints: dict[str, Any] = dict(prop) if isinstance(prop, Mapping) else {}
        if name in sensitive and flags:
            props[name] = secret_flag(hints, name in required)
            continue
        if hints.get("description"):
            hints["ui:help"] = str(hints["description"])
        if name in sensitive:
            hints["ui:widget"] = "password"
        props[name] = hints
    return {**body, "properties": props} if props else dict(body)


def input_pages(
    schema: TemplateSchema, sensitive: frozenset[str] = frozenset(), *, secret_flags: bool = False
) -> list[dict[str, Any]]:
    """One form page per input type of the schema: the page holds a single object field
    (`service_inputs`, `pipeline_inputs` or `environment_inputs`) whose schema is the input type;
    `secret_flags`: sensitive inputs are `secret_flag`s (see `_with_ui`)."""
    pages = []
    for kind, type_name in schema.input_types().items():
        body = _with_ui(input_schema(schema, kind), sensitive, secret_flags)
        field_schema = {"title": type_name, **body}
        pages.append(
            {
                "title": PAGE_TITLE[kind],
                "description": str(body.get("description") or f"The inputs of {type_name}"),
                "properties": {PAGE_FIELD[kind]: field_schema},
            }
        )
    return pages
