"""The developer portal as a developer uses it, without Backstage or node: a Software Template's form
checked as the scaffolder checks it, and its steps run as the scaffolder runs them (step inputs rendered
over the form's `parameters`, then `fetch:template` rendering the skeleton's file name and text over the
step's `values`). `exodus rehearse --target backstage` makes its day-2 changes through this.

The scaffolder's engine is nunjucks; this one is Jinja2 set up to render the constructs the deployment
skeleton (deployment.py) and the step inputs use exactly as nunjucks does. tests/exporters/
test_backstage_portal.py renders the same inputs through both and compares byte for byte. Known differences,
each handled or out of the skeleton's reach:

- numbers: JavaScript has one number type, so a value `1.0` is `1` there: integral floats are made ints
  before rendering (`~` and `dump` then agree); numbers of 1e16 and more print differently (not used);
- truthiness: `[]` and `{}` are true in JavaScript, false in Python; the skeleton tests lists only through
  `(x or []) | length` and objects only through `(x or {})[key]`, where both give the same text;
- `==` is JavaScript's loose equality (`1 == "1"`): the skeleton compares values of the form with values
  of the same JSON type only;
- attribute access prefers the mapping's key (`values.items` is the form field, never dict.items), and a
  missing key is undefined, as in nunjucks; `for k, v in object` (nunjucks iterates an object's pairs) is
  not supported: only the request-file skeleton (`--opt export=none`) uses it;
- `dump` is `JSON.stringify` (compact separators, no ASCII escaping), `iterable` is JavaScript's
  (strings and arrays, not objects); a printed null is empty and a printed boolean `true`/`false`, but
  `~` joins Python's text of a boolean (`True`): the skeleton spells booleans itself (its `spell` macro)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft7Validator

from proton_exodus.errors import BadInput

_WHOLE = re.compile(r"^\$\{\{\s*parameters\.(\w+)\s*\}\}$")
_JSON_ONLY = ("title", "description")  # page keys that are text for people, not rules


def _js_number(value: Any) -> Any:
    """`value` with integral floats as ints, recursively (JavaScript's one number type)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)
    if isinstance(value, Mapping):
        return {k: _js_number(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_js_number(v) for v in value]
    return value


def _dump(value: Any) -> str:
    """nunjucks' `dump`: JSON.stringify (undefined gives nothing)."""
    if isinstance(value, Undefined):
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _output(value: Any) -> Any:
    """What nunjucks prints for a `${{ }}` value: null as nothing, booleans as JavaScript spells them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class _Nunjucks(SandboxedEnvironment):
    """Jinja2 with nunjucks' delimiters and lookups (see the module's notes)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _environment() -> _Nunjucks:
    env = _Nunjucks(
        variable_start_string="${{",
        variable_end_string="}}",
        autoescape=False,
        keep_trailing_newline=True,
        finalize=_output,
    )
    env.filters["dump"] = _dump
    env.tests["iterable"] = lambda v: isinstance(v, list | tuple | str)
    env.tests["string"] = lambda v: isinstance(v, str)
    env.tests["sameas"] = lambda a, b: a is b
    return env


_ENV = _environment()


def render(text: str, context: Mapping[str, Any], *, source: str = "template") -> str:
    """`text` rendered as the scaffolder's nunjucks renders it over `context`; BadInput naming `source`
    when the template does not parse or fails."""
    try:
        return _ENV.from_string(text).render(**_js_number(dict(context)))
    except Exception as err:  # noqa: BLE001 - a broken skeleton is bad input, one line
        raise BadInput(f"{source}: cannot render: {str(err).splitlines()[0] if str(err) else err}") from None


def step_input(value: Any, parameters: Mapping[str, Any], *, source: str) -> Any:
    """A step's input as the scaffolder gives it to the action: a string that is one
    `${{ parameters.X }}` is the form's value itself (any JSON type), any other string is rendered; lists
    and objects are walked."""
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole:
            return parameters.get(whole[1])
        return (
            render(value, {"parameters": parameters}, source=source)
            if "${{" in value or "{%" in value
            else value
        )
    if isinstance(value, Mapping):
        return {k: step_input(v, parameters, source=source) for k, v in value.items()}
    if isinstance(value, list):
        return [step_input(v, parameters, source=source) for v in value]
    return value


def _defaults(schema: Mapping[str, Any], value: Any) -> Any:
    """`value` with the schema's defaults filled in where it has none (objects recursively)."""
    if not isinstance(schema, Mapping):
        return value
    if value is None and "default" in schema:
        return json.loads(json.dumps(schema["default"]))
    props = schema.get("properties")
    if isinstance(props, Mapping) and (isinstance(value, Mapping) or value is None):
        filled = dict(value or {})
        for name, sub in props.items():
            got = _defaults(sub, filled.get(name))
            if got is not None:
                filled[name] = got
        return filled if filled or value is not None else None
    return value


def with_defaults(entity: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as the scaffolder's form holds them once shown: every field the developer left
    alone carries its schema default (react-jsonschema-form fills all defaults, in nested objects too), so
    an input a newer version adds arrives with its default, as Proton applied it."""
    out = dict(parameters)
    for page in (entity.get("spec") or {}).get("parameters") or []:
        out = _defaults({"properties": page.get("properties") or {}}, out) or out
    return out


def form_errors(entity: Mapping[str, Any], parameters: Mapping[str, Any]) -> list[str]:
    """Why the scaffolder refuses `parameters` for the template `entity`: each page's JSON Schema checked
    against the form's values (draft-07; `ui:` keys are not rules), one line per violation naming the field
    and the rule. Empty: the form submits."""
    problems = []
    for page in (entity.get("spec") or {}).get("parameters") or []:
        schema = {k: v for k, v in page.items() if k not in _JSON_ONLY}
        for err in Draft7Validator(schema).iter_errors(_js_number(dict(parameters))):
            where = ".".join(str(p) for p in err.absolute_path)
            if err.validator == "required" and isinstance(err.instance, Mapping):
                missing = next((r for r in err.validator_value if r not in err.instance), "")
                where = ".".join(p for p in (where, str(missing)) if p)
            problems.append(f"{where or page.get('title', 'form')}: {err.message} ({err.validator})")
    return sorted(problems)


def submit(entity: Mapping[str, Any], parameters: Mapping[str, Any], *, source: str) -> None:
    """The form's submit button: BadInput with the first violation (field and rule) when it refuses."""
    problems = form_errors(entity, parameters)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BadInput(f"{source}: the form refuses the input: {problems[0]}{more}")


def step(entity: Mapping[str, Any], action: str) -> Mapping[str, Any]:
    """The template's first step running `action`; BadInput when it has none."""
    for found in (entity.get("spec") or {}).get("steps") or []:
        if found.get("action") == action:
            return found
    raise BadInput(f"template {(entity.get('metadata') or {}).get('name')}: no {action} step")


def fetch_template(
    entity: Mapping[str, Any], skeleton: Mapping[str, str], parameters: Mapping[str, Any], *, source: str
) -> dict[str, str]:
    """The files `fetch:template` writes for the form's `parameters`: path (relative to the repository)
    -> text. `skeleton` holds the template folder's `skeleton/...` files (path -> Nunjucks text)."""
    fetch = step(entity, "fetch:template")
    values = step_input((fetch.get("input") or {}).get("values") or {}, parameters, source=source)
    out = {}
    for path, text in sorted(skeleton.items()):
        name = render(path.removeprefix("skeleton/"), {"values": values}, source=f"{source} {path}")
        out[name] = render(text, {"values": values}, source=f"{source} {path}")
    return out


def pull_request(entity: Mapping[str, Any], parameters: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """The `publish:github:pull-request` step's inputs for the form's `parameters` (branch, title,
    description), as the scaffolder renders them."""
    pr = step(entity, "publish:github:pull-request")
    return dict(step_input(pr.get("input") or {}, parameters, source=source))


__all__ = [
    "fetch_template",
    "form_errors",
    "pull_request",
    "render",
    "step_input",
    "submit",
    "with_defaults",
]
