"""Normalising CloudFormation templates so two templates compare by meaning, not spelling.

Short and long intrinsic forms (`!GetAtt A.B` = `Fn::GetAtt: [A, B]`), key order, and scalar types
(`80` = `"80"`, `true` = `"true"`) do not matter; everything else does. Text is read by cfn/text.py.
"""

from __future__ import annotations

import re
from typing import Any

from proton_exodus.cfn.text import load_template
from proton_exodus.errors import BadInput

_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")


def scalar(value: Any) -> str:
    """The canonical text of a scalar: CloudFormation reads `80`, `"80"` and `80.0`-free ints alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _sub(value: Any) -> Any:
    """`Fn::Sub` without variables is just its (unescaped) string; `[s, {}]` is `s`."""
    if isinstance(value, list) and len(value) == 2 and value[1] in ({}, None):
        value = value[0]
    if isinstance(value, str) and not _SUB_VAR.search(value):
        return value.replace("${!", "${")
    return None


def normalise(node: Any) -> Any:
    """A canonical form of a template (or part of one): dicts, lists and strings only."""
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Fn::GetAtt" and isinstance(value, str):
                return {key: value.split(".", 1)}
            if key == "Fn::Sub":
                plain = _sub(value)
                if plain is not None:
                    return plain
                if isinstance(value, list) and len(value) == 2 and value[1] in ({}, None):
                    return {key: normalise(value[0])}
        return {str(k): normalise(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [normalise(v) for v in node]
    return scalar(node)


def load_normalised(text: str, *, source: str = "template") -> dict[str, Any]:
    """`normalise(load_template(text))`, and a mapping at the top (BadInput otherwise)."""
    tree = normalise(load_template(text, source=source))
    if not isinstance(tree, dict):
        raise BadInput(f"{source}: a template must be a mapping at the top level")
    return tree
