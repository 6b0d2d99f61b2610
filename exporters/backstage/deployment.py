"""The instance file a Backstage software template writes itself: with shared parameterised templates a new
instance, or an input change, is one Git sync deployment file (template-file-path, parameters, tags) on the
template version's shared template, so the scaffolder renders it from a skeleton (`fetch:template`,
Nunjucks) and no `exodus repo` run is needed. What the skeleton knows comes from the export the catalog
points at (its TEMPLATES.json and deployment files): which shared template (variant) each version and
structural input picks, what each parameter stands for, the environments' outputs and the files of the
existing instances (a `set` rewrites the instance's own file, keeping what the form does not hold)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER
from proton_exodus.cfn.text import load_yaml
from proton_exodus.errors import BadInput
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.parameterise import parameter_value

GIT_SYNC = "cfn-git-sync"  # the one deployment-file format the skeleton writes today
# `spell(v)`: a form value as a deployment file spells a parameter (parameterise.parameter_value): booleans
# `true`/`false`, lists comma-joined, nothing as "", every other scalar as its text; then JSON (YAML).
SPELL = (
    '{% macro spell(v) %}${{ ("" if (v is undefined or v is none) else '
    '(("true" if v else "false") if (v is sameas(true) or v is sameas(false)) else '
    '((v | join(",")) if (v is iterable and not (v is string)) else (v ~ "")))) | dump }}{% endmacro %}'
)


@dataclass
class Variant:
    """One shared template file of a version: its parameters and the structural values that pick it."""

    file: str
    parameters: dict[str, dict[str, Any]]  # parameter -> {path, role, sensitive}
    picks: list[dict[str, Any]] = field(default_factory=list)  # one condition set per member stack


@dataclass
class InstanceFiles:
    """Everything the deployment-file skeleton of one template major needs, from the export."""

    kind: str  # "environment" | "service"
    variants: dict[str, list[Variant]]  # version -> its shared templates
    known: dict[str, dict[str, Any]]  # instance name -> {file, stack, keep: {param: value}, tags}
    places: dict[str, dict[str, str]]  # environment -> {account, region}
    outputs: dict[str, dict[str, str]]  # environment -> output name -> parameter text
    secret_forms: dict[str, tuple[str, str]] = field(default_factory=dict)  # secret parameter: text around
    # the stack name in its value (a Parameter Store name or a Secrets Manager reference)

    @property
    def versions(self) -> list[str]:
        return sorted(self.variants)


def _input_name(path: str) -> str | None:
    head, _, rest = path.partition(".inputs.")
    return rest if head in ("environment", "service_instance") and rest and "." not in rest else None


def _signature(
    unit: DeploymentUnit, structural: Sequence[tuple[str, str]], filled: Mapping[str, Any]
) -> dict[str, Any]:
    """The structural values of `unit` that decide its variant: (input, how) -> value."""
    out: dict[str, Any] = {}
    for name, how in structural:
        value = filled.get(name)
        if how == "len":
            out[f"{name}|len"] = len(value) if isinstance(value, list) else -1
        elif how == "set":
            out[f"{name}|set"] = name in unit.inputs and unit.inputs.get(name) not in (None, "")
        else:
            out[f"{name}|eq"] = value
    return out


def collect(
    export: Mapping[str, str],
    units: Sequence[DeploymentUnit],
    kind: str,
    template: str,
    major: str,
    schema_defaults: Any,
) -> InstanceFiles | None:
    """The skeleton's knowledge of template `template` major `major` in `export` (its files); None when no
    instance of it is on a shared template there. `schema_defaults(unit)` gives a unit's inputs with the
    schema's defaults, as the form fills them."""
    try:
        index = json.loads(export["TEMPLATES.json"])["stacks"]
    except (KeyError, ValueError, TypeError):
        raise BadInput("backstage: the export the catalog points at has no readable TEMPLATES.json") from None
    unit_kind = "environment" if kind == "environment" else "service_instance"
    by_stack = {u.stack_name: u for u in units if u.stack_name}
    places: dict[str, dict[str, str]] = {}
    outputs: dict[str, dict[str, str]] = {}
    for u in units:
        if u.kind == "environment":
            places[u.name] = {"account": u.account, "region": u.region}
            outputs[u.name] = {k: parameter_value(v) for k, v in sorted(u.outputs.items())}
    rows = [
        r
        for r in index
        if r["kind"] == unit_kind
        and r["template"] == template
        and str(r.get("version") or "").split(".")[0] == major
        and r.get("shared")
        and r["stack"] in by_stack
    ]
    if not rows:
        return None
    mine = [by_stack[r["stack"]] for r in rows]
    filled = {u.stack_name: schema_defaults(u) for u in mine}
    variants: dict[str, dict[str, Variant]] = {}
    known: dict[str, dict[str, Any]] = {}
    secret_forms: dict[str, tuple[str, str]] = {}
    for r in rows:
        unit = by_stack[r["stack"]]
        doc = load_yaml(export[r["parameterFile"]])
        variant = variants.setdefault(r["version"], {}).setdefault(
            r["templateFile"], Variant(r["templateFile"], r["parameters"])
        )
        variant.parameters = {**variant.parameters, **r["parameters"]}
        keep = {
            p: str(doc["parameters"].get(p, ""))
            for p, m in r["parameters"].items()
            if ".components." in m["path"]
        }
        for p, m in r["parameters"].items():
            text = str(doc["parameters"].get(p, ""))
            if m["sensitive"] and r["stack"] in text:
                pre, _, post = text.partition(r["stack"])
                secret_forms.setdefault(p, (pre, post))
        name = unit.name if unit_kind == "environment" else f"{unit.service}/{unit.name}"
        known[name] = {
            "file": r["parameterFile"],
            "stack": r["stack"],
            "keep": keep,
            # a secret this instance holds: its parameter names the instance's own secret (one shared
            # template points an instance without it at a public parameter no resource reads)
            "secrets": sorted(
                n
                for p, m in r["parameters"].items()
                if m["sensitive"]
                and (n := _input_name(m["path"]))
                and r["stack"] in str(doc["parameters"].get(p, ""))
            ),
            "tags": [[str(k), str(v)] for k, v in (doc.get("tags") or {}).items()],
        }
    out: dict[str, list[Variant]] = {}
    for version, files in sorted(variants.items()):
        found = list(files.values())
        if len(found) > 1:
            structural = _structural(found, [filled[u.stack_name] for u in mine])
            for r in rows:
                if r["version"] == version:
                    unit = by_stack[r["stack"]]
                    files[r["templateFile"]].picks.append(_signature(unit, structural, filled[r["stack"]]))
            _only_telling(found)
        out[version] = sorted(found, key=lambda v: v.file)
    if unit_kind == "environment":  # a new environment goes where its version's first sibling is (as
        places = {}  # `exodus repo new-instance` places it)
        for r in sorted(rows, key=lambda r: r["name"]):
            places.setdefault(r["version"], {"account": r["account"], "region": r["region"]})
    return InstanceFiles(kind, out, dict(sorted(known.items())), places, outputs, secret_forms)


def _only_telling(variants: Sequence[Variant]) -> None:
    """Keep in each pick only the values that differ between variants (the rest would refuse new values of
    inputs the variants do not depend on)."""
    keys = {k for v in variants for p in v.picks for k in p}
    seen = {k: [sorted({json.dumps(p.get(k)) for p in v.picks}) for v in variants] for k in keys}
    telling = {k for k, sets in seen.items() if any(s != sets[0] for s in sets)}
    for v in variants:
        v.picks = [
            dict(t) for t in sorted({tuple(sorted((k, p[k]) for k in p if k in telling)) for p in v.picks})
        ]


def _structural(variants: Sequence[Variant], inputs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The inputs that can tell a version's variants apart: list inputs (by length), sensitive inputs (by
    presence) and inputs no parameter carries (by value)."""
    carried: dict[str, str] = {}
    for v in variants:
        for m in v.parameters.values():
            name = _input_name(m["path"])
            if name:
                carried[name] = "len" if m["role"] == "list" else "set" if m["sensitive"] else "value"
    names = sorted({n for i in inputs for n in i} | set(carried))
    return [(name, carried.get(name, "eq")) for name in names if carried.get(name) != "value"]


def _given(name: str, field_name: str) -> str:
    """Nunjucks: does the instance hold secret input `name` (the existing instance's file says; for a new
    one, the form's yes/no field)."""
    ref = f"values.{field_name}[{json.dumps(name)}]"
    return f"((old and {json.dumps(name)} in old.secrets) or (not old and {ref}))"


def _expr(
    param: str,
    m: Mapping[str, Any],
    field_name: str,
    secret_form: tuple[str, str],
    secret_paths: frozenset[str] = frozenset(),
) -> str:
    """The Nunjucks text of one parameter's value in the deployment file (`m`: TEMPLATES.json's mapping).
    A secret the instance does not hold names the public parameter the shared template expects then, and
    its `…Defined` parameter says "false"."""
    path, role, sensitive = m["path"], m["role"], m["sensitive"]
    if sensitive:
        pre, post = secret_form
        own = "(" + json.dumps(pre) + " + stack + " + json.dumps(post) + ")"
        name = _input_name(path)
        if name is None:
            return "${{ " + own + " | dump }}"
        given = _given(name, field_name)
        return "${{ (" + own + " if " + given + " else " + json.dumps(PUBLIC_SSM_PARAMETER) + ") | dump }}"
    if role == "defined" and path in secret_paths and (name := _input_name(path)):
        return '${{ ("true" if ' + _given(name, field_name) + ' else "false") | dump }}'
    if path == "environment.name":
        return "${{ values.environment | dump }}"
    if path == "service.name":
        return "${{ values.service | dump }}"
    if path == "service_instance.name":
        return "${{ values.instance | dump }}"
    if path.startswith("environment.outputs."):
        key = path.removeprefix("environment.outputs.")
        return "${{ ((outputs[values.environment] or {})[" + json.dumps(key) + '] or "") | dump }}'
    if ".components." in path:
        default = '"false"' if role == "defined" else '""'
        return "${{ (keep[" + json.dumps(param) + "] or " + default + ") | dump }}"
    name = _input_name(path)
    if name is None:
        raise BadInput(f"backstage: no form field gives parameter path {path}")
    return "${{ spell(values." + field_name + "[" + json.dumps(name) + "]) }}"


def _condition(pick: Mapping[str, Any], field_name: str) -> str:
    parts = []
    for key, value in sorted(pick.items()):
        name, _, how = key.partition("|")
        ref = f"values.{field_name}[{json.dumps(name)}]"
        if how == "len":
            parts.append(f"(({ref} or []) | length) == {int(value)}")
        elif how == "set":
            given = _given(name, field_name)
            parts.append(given if value else f"not {given}")
        else:
            parts.append(f"{ref} == {json.dumps(value)}")
    return " and ".join(parts) or "true"


def skeleton(info: InstanceFiles, field_name: str) -> str:
    """The deployment file, as Nunjucks for `fetch:template`: the variant by version and structural inputs,
    every parameter from the form (or the environment's outputs, or what the instance's file held). The
    step passes `known` and `outputs` (collect's) as values."""
    name = _name(info.kind)
    lines = [
        SPELL,
        "{%- set old = values.known[" + name + "] -%}",
        "{%- set stack = (old.stack if old else " + _new_stack(info.kind) + ") -%}",
        "{%- set keep = (old.keep if old else {}) -%}",
        "{%- set outputs = values.outputs -%}",
    ]
    body: list[str] = []
    for version in info.versions:
        for variant in info.variants[version]:
            cond = " or ".join(f"({_condition(p, field_name)})" for p in variant.picks or [{}])
            body.append(
                ("{%- if " if not body else "{%- elif ") + f'values.version == "{version}" and ({cond}) -%}}'
            )
            body.append(f"template-file-path: {variant.file}")
            body.append("parameters:")
            secret_paths = frozenset(m["path"] for m in variant.parameters.values() if m["sensitive"])
            for param, m in sorted(variant.parameters.items()):
                form = info.secret_forms.get(param, ("/exodus/", "/" + (_input_name(m["path"]) or "")))
                body.append(f"  {param}: " + _expr(param, m, field_name, form, secret_paths))
    body += [
        "{%- else -%}",
        "# no shared template of this version fits these inputs: run `exodus repo new-instance` instead",
        'template-file-path: ""',
        "parameters: {}",
        "{%- endif %}",
        "{%- if old and (old.tags | length) %}",
        "tags:",
        "{%- for pair in old.tags %}",
        "  ${{ pair[0] | dump }}: ${{ pair[1] | dump }}",
        "{%- endfor %}",
        "{%- else %}",
        "tags: {}",
        "{%- endif %}",
    ]
    return "".join(lines) + "\n".join(body) + "\n"


def _name(kind: str, ns: str = "values") -> str:
    if kind == "environment":
        return f"{ns}.environment"
    return f'({ns}.service + "/" + {ns}.instance)'


def _new_stack(kind: str, ns: str = "values") -> str:
    return f"{ns}.environment" if kind == "environment" else f'({ns}.service + "-" + {ns}.instance)'


def file_expression(info: InstanceFiles) -> str:
    """The deployment file's path, a scaffolder expression over the form's `parameters` (the skeleton's file
    is named `${{ values.deploymentFile }}`): the instance's own file, or for a new one
    `deployments/ACCOUNT/REGION/STACK.yaml`, as `exodus repo new-instance` places it."""
    files = {name: known["file"] for name, known in info.known.items()}
    where = {k: f"{v['account']}/{v['region']}" for k, v in sorted(info.places.items())}
    key = "parameters.version" if info.kind == "environment" else "parameters.environment"
    name = _name(info.kind, "parameters")
    return (
        "${{ "
        + f"{json.dumps(files, sort_keys=True)}[{name}] or ('deployments/' + "
        + f"{json.dumps(where, sort_keys=True)}[{key}] + '/' + {_new_stack(info.kind, 'parameters')}"
        + " + '.yaml')"
        + " }}"
    )


def step_values(info: InstanceFiles) -> dict[str, Any]:
    """What the `fetch:template` step passes next to the form's values: the file's path and what the export
    knows (existing instances, environments' outputs)."""
    return {"deploymentFile": file_expression(info), "known": info.known, "outputs": info.outputs}


def secret_inputs(info: InstanceFiles) -> dict[str, tuple[str, str]]:
    """Sensitive input -> the text around the stack name in the secret's name (its `secret_forms`)."""
    out: dict[str, tuple[str, str]] = {}
    for variants in info.variants.values():
        for variant in variants:
            for param, m in sorted(variant.parameters.items()):
                name = _input_name(m["path"])
                if m["sensitive"] and name:
                    out.setdefault(name, info.secret_forms.get(param, ("/exodus/", "/" + name)))
    return dict(sorted(out.items()))


def secret_note(info: InstanceFiles, field_name: str) -> str:
    """The pull request's text (a scaffolder expression over the form's `parameters`) for each secret the
    form marks as set: the form never takes the value, so it names the secret and gives the command that
    stores it where the deployment file reads it, in the instance's account and Region (a Parameter Store
    String, as the export's own staging writes it: `AWS::SSM::Parameter::Value<String>` cannot read a
    SecureString). Empty when the template has no secret input."""
    secrets = secret_inputs(info)
    if not secrets:
        return ""
    name = _name(info.kind, "parameters")
    key = "parameters.version" if info.kind == "environment" else "parameters.environment"

    def place(part: str) -> str:
        known = {n: k["file"].split("/")[1 if part == "account" else 2] for n, k in info.known.items()}
        new = {k: v[part] for k, v in sorted(info.places.items())}
        return f"({json.dumps(known, sort_keys=True)}[{name}] or {json.dumps(new, sort_keys=True)}[{key}])"

    stacks = {n: k["stack"] for n, k in info.known.items()}
    lines = [
        "{%- set stack = ("
        + json.dumps(stacks, sort_keys=True)
        + f"[{name}] or {_new_stack(info.kind, 'parameters')})"
        + " -%}",
        "{%- set account = " + place("account") + " -%}",
        "{%- set region = " + place("region") + " -%}",
    ]
    for secret, (pre, post) in secrets.items():
        variable = re.sub(r"[^A-Za-z0-9]", "_", secret).upper()
        where = pre + "${{ stack }}" + post
        lines.append("{%- if (parameters." + field_name + " or {})[" + json.dumps(secret) + "] %}")
        lines.append(
            f"\n\nSecret `{secret}`: the form never takes its value. Store it before merging, with "
            "credentials for account ${{ account }}:\n\n"
        )
        if pre.startswith("/"):
            lines.append(
                "    aws ssm put-parameter --region ${{ region }} --type String --overwrite "
                f"--name '{where}' --value \"${variable}\""
            )
        else:
            lines.append(f"    store the value as {where} in Region ${{{{ region }}}}")
        lines.append("{%- endif %}")
    return "".join(lines)


SKELETON_FILE = "${{ values.deploymentFile }}"
