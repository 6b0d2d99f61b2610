"""Named Proton inputs as CloudFormation parameters of one deployed stack template: a service pipeline
that sets an instance input (its `image`) on every deploy needs the instance stack to take it as a
parameter. The value deployed today becomes the parameter's value, so the first deploy is a no-op."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from proton_exodus.cfn.text import dump_template, load_template
from proton_exodus.errors import ExodusError
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.parameterise import (
    lookup,
    parameter_name,
    parameter_value,
    render_markers,
    substitute,
)
from proton_exodus.translate.context import ContextBuilder

_PREFIX = {"service_instance": "service_instance.inputs.", "environment": "environment.inputs."}


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _resolved(node: Any, name: str, value: str) -> str | None:
    """The text `node` (a `Ref`/`Fn::Sub` of parameter `name` only) stands for with `value`, else None."""
    if isinstance(node, dict) and node == {"Ref": name}:
        return value
    if isinstance(node, dict) and list(node) == ["Fn::Sub"] and isinstance(node["Fn::Sub"], str):
        text = node["Fn::Sub"].replace("${" + name + "}", "\0")
        if "${" in text.replace("${!", ""):
            return None
        return text.replace("${!", "${").replace("\0", value)
    return None


def _graft(marked: Any, deployed: Any, name: str, value: str) -> tuple[Any, int]:
    """`deployed` with the parameter's intrinsic from `marked` wherever both trees agree on the path and
    the deployed text is exactly what the intrinsic resolves to."""
    if isinstance(deployed, str):
        return (marked, 1) if _resolved(marked, name, value) == deployed else (deployed, 0)
    if isinstance(deployed, dict) and isinstance(marked, dict):
        out, n = type(deployed)(), 0
        for key, val in deployed.items():
            out[key], k = _graft(marked[key], val, name, value) if key in marked else (val, 0)
            n += k
        return out, n
    if isinstance(deployed, list) and isinstance(marked, list) and len(deployed) == len(marked):
        pairs = [_graft(m, d, name, value) for m, d in zip(marked, deployed, strict=True)]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    return deployed, 0


def _by_value(deployed: Any, name: str, value: str) -> tuple[Any, int]:
    """No bundle to render: every string equal to the current value becomes a `Ref`."""
    if isinstance(deployed, str):
        return ({"Ref": name}, 1) if deployed == value else (deployed, 0)
    if isinstance(deployed, dict):
        if set(deployed) & {"Ref", "Fn::GetAtt", "Fn::Sub"}:
            return deployed, 0
        out, n = type(deployed)(), 0
        for key, val in deployed.items():
            out[key], k = _by_value(val, name, value)
            n += k
        return out, n
    if isinstance(deployed, list):
        pairs = [_by_value(v, name, value) for v in deployed]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    return deployed, 0


def parameterise_inputs(
    snapshot: Snapshot,
    units: Sequence[DeploymentUnit],
    unit: DeploymentUnit,
    template: str,
    inputs: Sequence[str],
) -> tuple[str, dict[str, str]]:
    """`template` (the unit's deployed template) with each named input of `unit` as a CloudFormation
    parameter, and the parameter values (today's input values). Inputs the template already takes, or
    that land nowhere in its resources, are left out; the text is unchanged when nothing was added."""
    prefix = _PREFIX.get(unit.kind)
    if prefix is None or not inputs:
        return template, {}
    try:
        tree = load_template(template, source=unit.stack_name or unit.name)
    except ExodusError:
        return template, {}
    if not isinstance(tree, dict) or not isinstance(tree.get("Resources"), dict):
        return template, {}
    declared = dict(tree.get("Parameters") or {})
    taken = {str(k) for section in tree.values() if isinstance(section, dict) for k in section}
    contexts = ContextBuilder(snapshot, list(units))
    source, ctx = contexts.template_source(unit), contexts.context(unit) or {}
    values: dict[str, str] = {}
    for input_name in sorted(set(inputs)):
        if any(_norm(p) == _norm(input_name) for p in declared):
            continue
        found, raw = lookup(ctx, prefix + input_name) if ctx else (False, None)
        if not found:
            found, raw = input_name in unit.inputs, unit.inputs.get(input_name)
        if not found or raw is None or isinstance(raw, dict | list):
            continue
        value, name = parameter_value(raw), parameter_name(prefix + input_name, set(taken))
        resources, n = _graft_resources(tree, source, ctx, prefix + input_name, name, value)
        if not n:
            continue
        taken.add(name)
        tree["Resources"] = resources
        declared[name] = {
            "Type": "String",
            "Description": f"Proton {prefix}{input_name} (set on each deploy by the service pipeline)",
        }
        values[name] = value
    if not values:
        return template, {}
    out: dict[str, Any] = {
        k: tree[k] for k in ("AWSTemplateFormatVersion", "Description", "Transform", "Metadata") if k in tree
    }
    out["Parameters"] = declared
    out.update({k: v for k, v in tree.items() if k not in out})
    return dump_template(out), values


def _graft_resources(
    tree: Mapping[str, Any],
    source: tuple[str, str] | None,
    ctx: Mapping[str, Any],
    path: str,
    name: str,
    value: str,
) -> tuple[Any, int]:
    """The Resources section with the input as a parameter: where Proton's Jinja put it when the bundle
    renders, else wherever the deployed value stands alone."""
    resources = tree["Resources"]
    if source is not None and ctx:
        try:
            marked = load_template(render_markers(source[1], ctx, [path], source=source[0]), source=source[0])
            marked, bad = substitute(marked, {0: name})
        except ExodusError:
            marked, bad = None, {0}
        if not bad and isinstance(marked, dict) and isinstance(marked.get("Resources"), dict):
            return _graft(marked["Resources"], resources, name, value)
    return _by_value(resources, name, value)
