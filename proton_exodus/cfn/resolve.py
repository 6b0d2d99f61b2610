"""Resolving an exported template with its deployment-file parameters, so it can be compared with
the template CloudFormation actually holds (which has literal values where the export has `Ref`s).

Resolved as CloudFormation resolves them when it computes a change set: parameter values (a parameter
of type AWS::SSM::Parameter::Value<String> reads the Parameter Store value its name points to), never
dynamic references (`{{resolve:...}}` is compared as text: a new reference is a change). Functions
whose arguments are then all literal are evaluated as CloudFormation evaluates them before it compares
resources: Conditions, `Fn::If` (with `AWS::NoValue`), a resource's or output's `Condition`,
`Fn::Join`, `Fn::Split`, `Fn::Select` and `Fn::FindInMap`; a `CommaDelimitedList` parameter is a list."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")
# A public Parameter Store parameter AWS publishes in every region that has Amazon Linux (commercial,
# GovCloud, China; moto's local cloud too): what a Parameter Store-typed parameter names when its value
# must reach no resource (an optional secret that is not set). `/aws/service/global-infrastructure/...`
# would not do: Systems Manager answers that path in 17 regions only. Its value (an AMI id) changes with
# every release; unread by any resource, that changes nothing.
PUBLIC_SSM_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
# What PUBLIC_SSM_PARAMETER resolves to in a comparison: no deployed template holds this text, so the
# comparison fails wherever the value reaches a resource or output.
PUBLIC_SSM_STAND_IN = "<the value of AWS public parameter " + PUBLIC_SSM_PARAMETER + ">"
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
    when unknown: the parameter then stays unresolved), for parameters of an SSM parameter type;
    PUBLIC_SSM_PARAMETER, when `ssm` does not know it, resolves to PUBLIC_SSM_STAND_IN.
    `secret(id)` resolves `{{resolve:secretsmanager:id}}` references: CloudFormation does NOT do that
    when it computes a change set, so a comparison with the deployed stack must not pass it.
    """
    params = dict(tree.get("Parameters") or {})
    resolved: dict[str, Any] = {}
    for name, decl in params.items():
        if name in keep:
            continue
        given = values.get(name, decl.get("Default") if isinstance(decl, dict) else None)
        if given is None:
            continue
        if isinstance(decl, dict) and str(decl.get("Type", "")).startswith("AWS::SSM::Parameter::Value<"):
            staged = ssm(str(given)) if ssm is not None else None
            if staged is None and given == PUBLIC_SSM_PARAMETER:
                staged = PUBLIC_SSM_STAND_IN
            if staged is not None:
                resolved[name] = staged
            continue
        is_list = isinstance(decl, dict) and decl.get("Type") == "CommaDelimitedList"
        resolved[name] = str(given).split(",") if is_list else str(given)
    out = {k: _resolve(v, resolved, secret) for k, v in tree.items() if k != "Parameters"}
    left = {k: v for k, v in params.items() if k not in resolved}
    if left:
        out["Parameters"] = left
    return fold(out)


def _secret_text(text: str, secret: Callable[[str], str | None] | None) -> str:
    if secret is None or "{{resolve:secretsmanager:" not in text:
        return text

    def repl(match: re.Match[str]) -> str:
        value = secret(match.group(1))
        return match.group(0) if value is None else value

    return DYNAMIC_SECRET.sub(repl, text)


def _resolve(node: Any, values: Mapping[str, Any], secret: Callable[[str], str | None] | None) -> Any:
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str) and arg in values:
                value = values[arg]
                return list(value) if isinstance(value, list) else _secret_text(value, secret)
            if key == "Fn::Sub":
                return _resolve_sub(arg, values, secret)
        return {k: _resolve(v, values, secret) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, values, secret) for v in node]
    return _secret_text(node, secret) if isinstance(node, str) else node


def _resolve_sub(arg: Any, values: Mapping[str, Any], secret: Callable[[str], str | None] | None) -> Any:
    text, local = (arg[0], arg[1] or {}) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
    if not isinstance(text, str):
        return {"Fn::Sub": _resolve(arg, values, secret)}

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values and name not in local and isinstance(values[name], str):
            return values[name].replace("${", "${!")
        return match.group(0)

    text = _secret_text(_SUB_VAR.sub(repl, text), secret)
    local = {k: _resolve(v, values, secret) for k, v in local.items()}
    if not local and not _SUB_VAR.search(text):
        return text.replace("${!", "${")
    return {"Fn::Sub": [text, local] if local else text}


_NO_VALUE = {"Ref": "AWS::NoValue"}
_UNKNOWN = object()


class _Folder:
    """Evaluates parameter-only functions of a resolved template (see the module docstring)."""

    def __init__(self, tree: Mapping[str, Any]) -> None:
        self.conditions = dict(tree.get("Conditions") or {})
        self.mappings = dict(tree.get("Mappings") or {})
        self.known: dict[str, Any] = {}

    def condition(self, name: str, seen: frozenset[str] = frozenset()) -> Any:
        if name not in self.known:
            body = self.conditions.get(name, _UNKNOWN)
            known = _UNKNOWN if body is _UNKNOWN or name in seen else self.test(body, seen | {name})
            self.known[name] = known
        return self.known[name]

    def test(self, node: Any, seen: frozenset[str]) -> Any:
        """True/False for a condition expression with literal arguments, else _UNKNOWN."""
        if not isinstance(node, dict) or len(node) != 1:
            return _UNKNOWN
        ((key, arg),) = node.items()
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg, seen)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = (self.value(x) for x in arg)
            return _UNKNOWN if _UNKNOWN in (a, b) or not _literal(a) or not _literal(b) else a == b
        if key in ("Fn::Not", "Fn::And", "Fn::Or") and isinstance(arg, list):
            parts = [self.test(x, seen) for x in arg]
            if any(p is _UNKNOWN for p in parts):
                return _UNKNOWN
            if key == "Fn::Not":
                return not parts[0] if len(parts) == 1 else _UNKNOWN
            return all(parts) if key == "Fn::And" else any(parts)
        return _UNKNOWN

    def value(self, node: Any) -> Any:
        """`node` with every evaluable function evaluated; `_NO_VALUE` stays to be dropped by the caller."""
        if isinstance(node, list):
            items = [self.value(v) for v in node]
            return [v for v in items if v != _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            folded = self.function(key, arg)
            if folded is not _UNKNOWN:
                return folded
            if key.startswith("Fn::") and isinstance(arg, list):  # its arguments keep AWS::NoValue
                return {key: [self.value(v) for v in arg]}
        out = {}
        for key, val in node.items():
            folded = self.value(val)
            if folded != _NO_VALUE:
                out[key] = folded
        return out

    def function(self, key: str, arg: Any) -> Any:
        if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            verdict = self.condition(arg[0])
            return _UNKNOWN if verdict is _UNKNOWN else self.value(arg[1] if verdict else arg[2])
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            sep, items = self.value(arg[0]), self.value(arg[1])
            if isinstance(sep, str) and isinstance(items, list) and all(isinstance(i, str) for i in items):
                return sep.join(items)
        if key == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
            sep, text = self.value(arg[0]), self.value(arg[1])
            if isinstance(sep, str) and sep and isinstance(text, str):
                return text.split(sep)
        if key == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            index, items = self.value(arg[0]), self.value(arg[1])
            if (
                isinstance(index, str)
                and index.isdigit()
                and isinstance(items, list)
                and int(index) < len(items)
            ):
                return items[int(index)]
        if key == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text, local = arg[0], {k: self.value(v) for k, v in arg[1].items()}
            if isinstance(text, str) and all(isinstance(v, str) for v in local.values()):
                text = _SUB_VAR.sub(
                    lambda m: local[m.group(1)].replace("${", "${!") if m.group(1) in local else m.group(0),
                    text,
                )
                return text.replace("${!", "${") if not _SUB_VAR.search(text) else {"Fn::Sub": text}
        if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) == 3:
            keys = [self.value(a) for a in arg]
            if all(isinstance(k, str) for k in keys):
                found = (self.mappings.get(keys[0]) or {}).get(keys[1], {})
                if isinstance(found, dict) and keys[2] in found:
                    return found[keys[2]]
        return _UNKNOWN

    def section(self, entries: Mapping[str, Any]) -> dict[str, Any]:
        """Resources or Outputs: entries whose Condition is false dropped, a true Condition removed."""
        out: dict[str, Any] = {}
        for name, body in entries.items():
            if isinstance(body, dict) and isinstance(body.get("Condition"), str):
                verdict = self.condition(body["Condition"])
                if verdict is False:
                    continue
                if verdict is True:
                    body = {k: v for k, v in body.items() if k != "Condition"}
            out[name] = self.value(body)
        return out


def _literal(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def fold(tree: Mapping[str, Any]) -> dict[str, Any]:
    """`tree` with its parameter-only functions evaluated; Conditions dropped once all are known."""
    folder = _Folder(tree)
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if key in ("Resources", "Outputs") and isinstance(value, dict):
            out[key] = folder.section(value)
            if key == "Outputs" and value and not out[key]:
                del out[key]  # every output conditioned out: the stack has none
        else:
            out[key] = value
    if folder.conditions and all(folder.condition(n) is not _UNKNOWN for n in folder.conditions):
        out.pop("Conditions", None)
    if "Mappings" in out and '"Fn::FindInMap"' not in json.dumps(out):
        out.pop("Mappings")  # read by no lookup any more: it shapes no resource
    return out
