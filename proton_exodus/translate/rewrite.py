"""Source rewrites that let more of a Proton template translate, each exact by construction:

- an alias `{% set name = a.dotted.path %}` is expanded (its uses read the path itself), so the
  variables behind it can become parameters like any other;
- `{{ path | replace('old', 'new') }}` becomes a derived value, `Fn::Join [new, Fn::Split [old, path]]`
  in CloudFormation, which is the same string for every value of `path`.

Anything else is left as written (the translation then treats it as structural).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DERIVED = "exodus_derived"  # namespace of derived values in the render context

_PATH = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+"
_ALIAS = re.compile(r"\{%(-?)\s*set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(" + _PATH + r")\s*(-?)%\}")
_BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_STR = r"""(?:'([^'\\]*)'|"([^"\\]*)")"""
_REPLACE = re.compile(
    r"\{\{(-?)\s*(" + _PATH + r")\s*\|\s*replace\(\s*" + _STR + r"\s*,\s*" + _STR + r"\s*\)\s*(-?)\}\}"
)
_ROOTS = ("environment.", "service.", "service_instance.", "pipeline.", "component.")


@dataclass(frozen=True)
class Derived:
    """A value computed from one variable by a filter CloudFormation can express."""

    path: str  # the variable it is computed from
    old: str
    new: str

    def intrinsic(self, ref: dict[str, object]) -> dict[str, object]:
        """The CloudFormation function computing it from `ref` (the variable's parameter)."""
        return {"Fn::Join": [self.new, {"Fn::Split": [self.old, ref]}]}


def expand_aliases(text: str) -> tuple[str, list[str]]:
    """`text` with each `{% set alias = context.path %}` expanded; the aliases expanded (for the report)."""
    done: list[str] = []
    while True:
        match = next((m for m in _ALIAS.finditer(text) if m.group(3).startswith(_ROOTS)), None)
        if match is None:
            return text, done
        name, path = match.group(2), match.group(3)
        # A comment keeps the statement's whitespace control.
        head = text[: match.start()] + "{#" + match.group(1) + " " + match.group(4) + "#}"
        use = re.compile(r"(?<![\w.'\"])" + re.escape(name) + r"\b")
        tail = _BLOCK.sub(lambda b, use=use, path=path: use.sub(path, b.group(0)), text[match.end() :])
        text = head + tail
        done.append(f"{name} = {path}")


def derive_filters(text: str) -> tuple[str, dict[str, Derived]]:
    """`text` with `{{ path | replace('a', 'b') }}` read from `exodus_derived.dN`; N -> Derived."""
    derived: dict[str, Derived] = {}
    seen: dict[Derived, str] = {}

    def repl(m: re.Match[str]) -> str:
        old = m.group(3) if m.group(3) is not None else m.group(4)
        new = m.group(5) if m.group(5) is not None else m.group(6)
        if not old:
            return m.group(0)
        item = Derived(m.group(2), old, new)
        if item not in seen:
            seen[item] = f"{DERIVED}.d{len(seen)}"
            derived[seen[item]] = item
        return "{{" + m.group(1) + " " + seen[item] + " " + m.group(7) + "}}"

    return _REPLACE.sub(repl, text), derived
