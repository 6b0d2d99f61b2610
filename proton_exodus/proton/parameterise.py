"""Parameterised rendering: render a Proton template with markers in place of substitution-only
variables, then turn each marker into a CloudFormation `Ref`/`Fn::Sub` of a new parameter.

A marker that lands where CloudFormation allows no intrinsic function (a key, `Description`,
`Type`, `DependsOn`, `Mappings`, `Metadata`, a `Ref`/`GetAtt` target, ...) makes its variable
structural: it is rendered with the stack's own value instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from proton_exodus.cfn.normalise import scalar
from proton_exodus.proton.markers import MARKER_RE, marker
from proton_exodus.proton.render.jinja_env import namespace, render_jinja

_FREE_SECTIONS = {"Resources", "Outputs", "Conditions"}
_LITERAL_ONLY = {"Ref", "Fn::GetAtt"}  # intrinsics whose arguments must be literal names


@dataclass(frozen=True)
class TemplateParameter:
    """A parameter exodus adds: its CloudFormation name and the Proton variable it stands for."""

    name: str
    path: str  # e.g. environment.inputs.vpc_cidr
    sensitive: bool = False  # the value is a Secrets Manager secret name, read through a dynamic reference
    # What the value is: "value" (the variable's value), "defined" ("true"/"false": whether the variable
    # is set, for a Jinja `is defined` test) or "list" (the list's items joined by commas, for a
    # CommaDelimitedList parameter a Jinja loop iterated over).
    role: str = "value"


def parameter_name(path: str, taken: set[str]) -> str:
    """`environment.inputs.vpc_cidr` -> `VpcCidr`; `service.name` -> `ServiceName`; unique in `taken`."""
    head, _, tail = path.partition(".inputs.")
    component = "service_instance.components.default.outputs."
    if path.startswith(component):
        tail = "component." + path[len(component) :]
    words = re.split(r"[^0-9A-Za-z]+", tail if tail else path)
    base = "".join(w[:1].upper() + w[1:] for w in words if w) or "Value"
    if base[0].isdigit():
        base = "P" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def lookup(ctx: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """(found, value) of a dotted path in a render context."""
    node: Any = ctx
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def with_values(ctx: Mapping[str, Any], replace: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `ctx` with the values at the dotted paths in `replace` swapped."""
    out: dict[str, Any] = dict(ctx)
    for path, value in replace.items():
        node, parts = out, path.split(".")
        for part in parts[:-1]:
            node[part] = dict(node[part])
            node = node[part]
        node[parts[-1]] = value
    return out


def render_markers(text: str, ctx: Mapping[str, Any], paths: list[str], *, source: str) -> str:
    """Render with `marker(i)` in place of the value of `paths[i]`."""
    marked = with_values(ctx, {p: marker(i) for i, p in enumerate(paths)})
    return render_jinja(text, {k: namespace(k, v) for k, v in marked.items()}, source=source)


class _Substituter:
    """Walks a loaded template and replaces markers; collects variables found in illegal places."""

    def __init__(self, refs: Mapping[int, Any], labels: Mapping[int, str] | None = None) -> None:
        # marker index -> replacement: parameter name, "secret:<literal ref>", or an intrinsic (a dict)
        self.refs = refs
        self.labels = labels  # marker index -> text shown in a template Description (None: illegal there)
        self.illegal: set[int] = set()
        self.locals: dict[str, Any] = {}  # Fn::Sub variables standing for intrinsics, per string

    def markers(self, text: str) -> list[int]:
        return [int(m) for m in MARKER_RE.findall(text)]

    def literal(self, node: Any) -> None:
        """Anything under `node` must stay literal: markers there are illegal."""
        if isinstance(node, dict):
            for k, v in node.items():
                self.literal(k)
                self.literal(v)
        elif isinstance(node, list):
            for v in node:
                self.literal(v)
        elif isinstance(node, str):
            self.illegal.update(self.markers(node))

    def top(self, tree: dict[str, Any]) -> dict[str, Any]:
        tree = inline_mappings(tree)
        out: dict[str, Any] = {}
        for key, value in tree.items():
            self.literal(key)
            if key == "Description" and self.labels is not None and isinstance(value, str):
                out[key] = MARKER_RE.sub(lambda m: f"<{self.labels[int(m.group(1))]}>", value)
            elif key == "Globals" and isinstance(value, dict):  # SAM copies it into each resource
                out[key] = self.value(value)
            elif key in _FREE_SECTIONS and isinstance(value, dict):
                out[key] = {k: self.entry(key, k, v) for k, v in value.items()}
            else:
                self.literal(value)
                out[key] = value
        return out

    def entry(self, section: str, name: str, body: Any) -> Any:
        self.literal(name)
        if section == "Conditions" or not isinstance(body, dict):
            return self.value(body)
        free = {"Properties"} if section == "Resources" else {"Value", "Export"}
        out = {}
        for key, value in body.items():
            if key in free:
                out[key] = self.value(value)
            else:
                self.literal(value)
                out[key] = value
        return out

    def value(self, node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, val in node.items():
                self.literal(key)
                if key in _LITERAL_ONLY:
                    self.literal(val)
                    out[key] = val
                elif key == "Fn::Sub":
                    out[key] = self.sub(val)
                elif key == "Fn::If" and isinstance(val, list) and val:
                    self.literal(val[0])
                    out[key] = [val[0], *[self.value(v) for v in val[1:]]]
                else:
                    out[key] = self.value(val)
            return out
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if isinstance(node, str) and MARKER_RE.search(node):
            return self.string(node)
        return node

    def sub(self, arg: Any) -> Any:
        self.locals = {}
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            text = self.sub_text(arg[0])
            rest = [self.value(v) for v in arg[1:]]
            if self.locals:
                rest = [{**(rest[0] if rest and isinstance(rest[0], dict) else {}), **self.locals}]
            return [text, *rest]
        if isinstance(arg, str):
            text = self.sub_text(arg)
            return [text, dict(self.locals)] if self.locals else text
        return self.value(arg)

    def sub_text(self, text: str) -> str:
        return MARKER_RE.sub(lambda m: self.piece(int(m.group(1))), text)

    def piece(self, index: int) -> str:
        ref = self.refs[index]
        if isinstance(ref, dict):  # an intrinsic: a Fn::Sub variable of its own
            self.locals[f"Exodus{index}"] = ref
            return "${Exodus" + str(index) + "}"
        return ref[len("secret:") :] if ref.startswith("secret:") else "${" + ref + "}"

    def string(self, text: str) -> Any:
        only = MARKER_RE.fullmatch(text)
        if only:
            ref = self.refs[int(only.group(1))]
            if isinstance(ref, dict):
                return ref
            if not ref.startswith("secret:"):
                return {"Ref": ref}
        self.locals = {}
        parts, pos = [], 0
        for m in MARKER_RE.finditer(text):
            parts.append(text[pos : m.start()].replace("${", "${!"))
            parts.append(self.piece(int(m.group(1))))
            pos = m.end()
        parts.append(text[pos:].replace("${", "${!"))
        joined = "".join(parts)
        if self.locals:
            return {"Fn::Sub": [joined, dict(self.locals)]}
        return {"Fn::Sub": joined} if "${" in joined.replace("${!", "") else joined.replace("${!", "${")


def _map_uses(node: Any, found: list[tuple[str, str, str]]) -> None:
    if isinstance(node, dict):
        arg = node.get("Fn::FindInMap") if len(node) == 1 else None
        if isinstance(arg, list) and len(arg) == 3 and all(isinstance(a, str) for a in arg):
            found.append((arg[0], arg[1], arg[2]))
        for value in node.values():
            _map_uses(value, found)
    elif isinstance(node, list):
        for value in node:
            _map_uses(value, found)


def _inline(node: Any, values: Mapping[tuple[str, str, str], str]) -> Any:
    if isinstance(node, dict):
        arg = node.get("Fn::FindInMap") if len(node) == 1 else None
        if isinstance(arg, list) and len(arg) == 3 and tuple(arg) in values:
            return values[tuple(arg)]
        return {k: _inline(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, values) for v in node]
    return node


def inline_mappings(tree: dict[str, Any]) -> dict[str, Any]:
    """A mapping value holding a marker (Mappings take no function) is inlined where every use is a
    `Fn::FindInMap` with literal keys, so its variable can still become a parameter; CloudFormation
    evaluates those lookups before it compares resources, so the stack sees the same values."""
    mappings = tree.get("Mappings")
    if not isinstance(mappings, dict):
        return tree
    uses: list[tuple[str, str, str]] = []
    for key, value in tree.items():
        if key != "Mappings":
            _map_uses(value, uses)
    values = {}
    for m, k, v in set(uses):
        held = (mappings.get(m) or {}).get(k, {}) if isinstance(mappings.get(m), dict) else {}
        item = held.get(v) if isinstance(held, dict) else None
        if isinstance(item, str) and MARKER_RE.search(item):
            values[(m, k, v)] = item
    if not values:
        return tree
    kept: dict[str, Any] = {}
    for m, body in mappings.items():
        rows = {
            k: {v: x for v, x in row.items() if (m, k, v) not in values} if isinstance(row, dict) else row
            for k, row in (body.items() if isinstance(body, dict) else [])
        }
        rows = {k: row for k, row in rows.items() if row != {}}
        if rows or not isinstance(body, dict):
            kept[m] = rows if isinstance(body, dict) else body
    out = {k: (_inline(v, values) if k != "Mappings" else kept) for k, v in tree.items()}
    if not kept:
        out.pop("Mappings")
    return out


def substitute(
    tree: Any, refs: Mapping[int, Any], labels: Mapping[int, str] | None = None
) -> tuple[Any, set[int]]:
    """Replace markers in a loaded template; returns (new tree, indexes of markers in illegal places).
    With `labels`, a marker in the template's Description is shown as `<label>` (a shared template
    cannot carry each stack's own description) instead of making its variable structural."""
    sub = _Substituter(refs, labels)
    if not isinstance(tree, dict):
        sub.literal(tree)
        return tree, sub.illegal
    return sub.top(tree), sub.illegal


def parameter_value(value: Any) -> str:
    """The deployment-file text of a variable's value (booleans as CloudFormation spells them)."""
    return scalar(value)
