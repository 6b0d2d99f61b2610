"""Jinja control flow on inputs as CloudFormation conditions.

A template whose shape depends on a few variables with a finite domain (a boolean or enum input, or
whether an optional value is set) is rendered once per combination of their values; the renders are
then merged into one tree: where they agree the tree is kept, where they differ the value becomes a
`Fn::If` chain over conditions on those variables' parameters, a property or list item present in
some renders only becomes `Fn::If [..., value, AWS::NoValue]`, and a resource or output present in
some renders only gets a `Condition`. Resolved with one combination's parameter values
(`cfn.resolve.fold`), the merged tree is that combination's render, which the per-instance proof
checks again against each deployed template.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_ABSENT = object()
_NO_VALUE = {"Ref": "AWS::NoValue"}
_ENTRY_SECTIONS = ("Resources", "Outputs")
# Attributes of a resource or output where CloudFormation takes no function
_LITERAL_ATTRIBUTES = frozenset(
    f"entry.{a}" for a in ("Type", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy")
)


class NotMergeable(Exception):
    """The renders differ where CloudFormation has no condition (a section other than Resources and
    Outputs, an entry's Type, ...)."""


@dataclass(frozen=True)
class Choice:
    """One finite-domain variable: its parameter and the values rendered (as the parameter spells them).
    `tests` (value -> condition body) when the variable is no parameter of its own but a function of one
    (a list's length); else a value's condition is `Fn::Equals [Ref parameter, value]`."""

    parameter: str
    values: tuple[str, ...]
    tests: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass
class Conditions:
    """Named CloudFormation conditions created while merging."""

    body: dict[str, Any] = field(default_factory=dict)

    def equals(self, choice: Choice, value: str) -> str:
        boolean = choice.values == ("true", "false")
        name = "Is" + choice.parameter + ("" if boolean else _camel(value))
        if len(choice.values) <= 2 and value != choice.values[0]:
            return self.negate(self.equals(choice, choice.values[0]))
        body = choice.tests[value] if choice.tests else {"Fn::Equals": [{"Ref": choice.parameter}, value]}
        self.body.setdefault(name, body)
        return name

    def negate(self, name: str) -> str:
        self.body.setdefault("Not" + name, {"Fn::Not": [{"Condition": name}]})
        return "Not" + name

    def any_of(self, choice: Choice, values: Sequence[str]) -> str:
        if len(choice.values) == 2 and len(values) == 1:
            return self.equals(choice, values[0])
        names = [self.equals(choice, v) for v in values]
        if len(names) == 1:
            return names[0]
        name = "Is" + choice.parameter + "".join(_camel(v) for v in values)
        self.body.setdefault(name, {"Fn::Or": [{"Condition": n} for n in names]})
        return name

    def all_of(self, names: Sequence[str]) -> str:
        names = sorted(set(names))
        if len(names) == 1:
            return names[0]
        name = "And".join(names)
        self.body.setdefault(name, {"Fn::And": [{"Condition": n} for n in names]})
        return name


def _camel(value: str) -> str:
    words = re.split(r"[^0-9A-Za-z]+", value)
    return "".join(w[:1].upper() + w[1:] for w in words if w) or "Empty"


def _key(node: Any) -> str:
    return json.dumps(node, sort_keys=True, default=str)


def _is_function(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and len(node) == 1
        and next(iter(node)).startswith(("Fn::", "Ref", "Condition"))
    )


class _Merger:
    def __init__(self, choice: Choice, conditions: Conditions) -> None:
        self.choice = choice
        self.cond = conditions

    def chain(self, nodes: Sequence[Any]) -> Any:
        """`Fn::If` over the choice's values; an absent node is `AWS::NoValue`."""
        values = [(_NO_VALUE if n is _ABSENT else n) for n in nodes]
        out = values[-1]
        for i in range(len(values) - 2, -1, -1):
            if all(_key(v) == _key(values[i]) for v in values[i:]):
                continue
            out = {"Fn::If": [self.cond.equals(self.choice, self.choice.values[i]), values[i], out]}
        return out

    def node(self, nodes: Sequence[Any], where: str) -> Any:
        present = [n for n in nodes if n is not _ABSENT]
        if len(present) == len(nodes) and all(_key(n) == _key(nodes[0]) for n in nodes):
            return nodes[0]
        if len(present) == len(nodes):
            if all(isinstance(n, dict) and not _is_function(n) for n in nodes):
                return self.mapping(nodes, where)
            if all(isinstance(n, list) for n in nodes):
                return self.sequence(nodes, where)
        if where in _LITERAL_ATTRIBUTES:
            raise NotMergeable(f"an entry's {where.split('.', 1)[1]} differs")
        return self.chain(nodes)

    def mapping(self, nodes: Sequence[dict[str, Any]], where: str) -> dict[str, Any]:
        keys: list[str] = []
        for n in nodes:
            keys += [k for k in n if k not in keys]
        return {
            k: self.node([n.get(k, _ABSENT) for n in nodes], f"entry.{k}" if where == "entry" else k)
            for k in keys
        }

    def sequence(self, nodes: Sequence[list[Any]], where: str) -> list[Any]:
        if all(len(n) == len(nodes[0]) for n in nodes):
            return [self.node([n[i] for n in nodes], where) for i in range(len(nodes[0]))]
        union: list[tuple[Any, set[int]]] = [(item, {0}) for item in nodes[0]]
        for idx, items in enumerate(nodes[1:], start=1):
            keys = [_key(u[0]) for u in union]
            matcher = difflib.SequenceMatcher(a=keys, b=[_key(i) for i in items], autojunk=False)
            merged: list[tuple[Any, set[int]]] = []
            for op, a0, a1, b0, b1 in matcher.get_opcodes():
                if op == "equal":
                    merged += [(union[a][0], union[a][1] | {idx}) for a in range(a0, a1)]
                else:
                    merged += union[a0:a1]
                    merged += [(items[b], {idx}) for b in range(b0, b1)]
            union = merged
        out = []
        for item, where_present in union:
            if len(where_present) == len(nodes):
                out.append(item)
            else:
                out.append(self.chain([item if i in where_present else _ABSENT for i in range(len(nodes))]))
        return out

    def section(self, nodes: Sequence[Any], section: str) -> dict[str, Any]:
        """Resources/Outputs: an entry missing from some renders gets a Condition."""
        if not all(isinstance(n, dict) for n in nodes):
            raise NotMergeable(f"{section} is not a mapping in every render")
        names: list[str] = []
        for n in nodes:
            names += [k for k in n if k not in names]
        out = {}
        for name in names:
            entries = [n.get(name, _ABSENT) for n in nodes]
            present = [i for i, e in enumerate(entries) if e is not _ABSENT]
            body = self.node([entries[i] for i in present], "entry")
            if len(present) < len(nodes):
                if not isinstance(body, dict):
                    raise NotMergeable(f"{section}.{name} is not a mapping")
                cond = self.cond.any_of(self.choice, [self.choice.values[i] for i in present])
                if "Condition" in body:
                    cond = self.cond.all_of([cond, body["Condition"]])
                body = {**body, "Condition": cond}
            out[name] = body
        return out


def merge_renders(
    choices: Sequence[Choice], render: Callable[[dict[str, str]], Any], conditions: Conditions
) -> Any:
    """Render every combination of `choices` (parameter -> value) and merge into one template tree."""

    def level(i: int, assigned: dict[str, str]) -> Any:
        if i == len(choices):
            return render(assigned)
        choice = choices[i]
        trees = [level(i + 1, {**assigned, choice.parameter: v}) for v in choice.values]
        if all(_key(t) == _key(trees[0]) for t in trees):
            return trees[0]
        merger = _Merger(choice, conditions)
        if not all(isinstance(t, dict) for t in trees):
            raise NotMergeable("a render is not a mapping")
        sections: list[str] = []
        for t in trees:
            sections += [k for k in t if k not in sections]
        out = {}
        for section in sections:
            parts = [t.get(section, _ABSENT) for t in trees]
            if all(_key(p) == _key(parts[0]) for p in parts):
                out[section] = parts[0]
            elif section in _ENTRY_SECTIONS:
                out[section] = merger.section([{} if p is _ABSENT else p for p in parts], section)
            elif section == "Description":
                out[section] = next(p for p in parts if p is not _ABSENT)
            else:
                raise NotMergeable(f"the {section} section differs with {choice.parameter}")
        return out

    return level(0, {})
