"""Resolving an exported template with its deployment-file parameters, so it can be compared with
the template CloudFormation actually holds (which has literal values where the export has `Ref`s).

Resolved as CloudFormation resolves them when it computes a change set: parameter values (a parameter
of type AWS::SSM::Parameter::Value<String> reads the Parameter Store value its name points to), never
dynamic references (`{{resolve:...}}` is compared as text: a new reference is a change)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")
DYNAMIC_SECRET = re.compile(r"\{\{resolve:secretsmanager:([^}:]+)[^}]*\}\}")


def resolve_parameters(
    tree: Mapping[str, Any],
    values: Mapping[str, str],
    *,
    keep: frozenset[str] = frozenset(),
    secret: Callable[[str], str | None] | None = None,
    ssm: Callable[[str], str | None] | None = None,
) -> dict[str, Any]:
    """Substitute parameters in `tree` (a normalised template) and drop them from `Parameters`.

    `values` win over parameter defaults; names in `keep` (parameters the deployed stack itself
    has) stay as they are. `ssm(name)` returns the value staged in Parameter Store under `name` (None
    when unknown: the parameter then stays unresolved), for parameters of an SSM parameter type.
    `secret(id)` resolves `{{resolve:secretsmanager:id}}` references: CloudFormation does NOT do that
    when it computes a change set, so a comparison with the deployed stack must not pass it.
    """
    params = dict(tree.get("Parameters") or {})
    resolved: dict[str, str] = {}
    for name, decl in params.items():
        if name in keep:
            continue
        given = values.get(name, decl.get("Default") if isinstance(decl, dict) else None)
        if given is None:
            continue
        if isinstance(decl, dict) and str(decl.get("Type", "")).startswith("AWS::SSM::Parameter::Value<"):
            staged = ssm(str(given)) if ssm is not None else None
            if staged is not None:
                resolved[name] = staged
            continue
        resolved[name] = str(given)
    out = {k: _resolve(v, resolved, secret) for k, v in tree.items() if k != "Parameters"}
    left = {k: v for k, v in params.items() if k not in resolved}
    if left:
        out["Parameters"] = left
    return out


def _secret_text(text: str, secret: Callable[[str], str | None] | None) -> str:
    if secret is None or "{{resolve:secretsmanager:" not in text:
        return text

    def repl(match: re.Match[str]) -> str:
        value = secret(match.group(1))
        return match.group(0) if value is None else value

    return DYNAMIC_SECRET.sub(repl, text)


def _resolve(node: Any, values: Mapping[str, str], secret: Callable[[str], str | None] | None) -> Any:
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str) and arg in values:
                return _secret_text(values[arg], secret)
            if key == "Fn::Sub":
                return _resolve_sub(arg, values, secret)
        return {k: _resolve(v, values, secret) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, values, secret) for v in node]
    return _secret_text(node, secret) if isinstance(node, str) else node


def _resolve_sub(arg: Any, values: Mapping[str, str], secret: Callable[[str], str | None] | None) -> Any:
    text, local = (arg[0], arg[1] or {}) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
    if not isinstance(text, str):
        return {"Fn::Sub": _resolve(arg, values, secret)}

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values and name not in local:
            return values[name].replace("${", "${!")
        return match.group(0)

    text = _secret_text(_SUB_VAR.sub(repl, text), secret)
    local = {k: _resolve(v, values, secret) for k, v in local.items()}
    if not local and not _SUB_VAR.search(text):
        return text.replace("${!", "${")
    return {"Fn::Sub": [text, local] if local else text}
