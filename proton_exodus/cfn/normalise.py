"""Loading and normalising CloudFormation templates so two templates compare by meaning, not spelling.

Short and long intrinsic forms (`!GetAtt A.B` = `Fn::GetAtt: [A, B]`), key order, and scalar types
(`80` = `"80"`, `true` = `"true"`) do not matter; everything else does. YAML is read with cfn-flip's
own intrinsic-function constructors on libyaml's C loader when present (20,000 stacks must load fast).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from cfn_tools.yaml_loader import multi_constructor

from proton_exodus.errors import BadInput

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")


class _CfnLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """yaml's safe loader plus cfn-flip's `!Ref`/`!GetAtt`/`!Sub`... constructors (long form out)."""


_CfnLoader.add_multi_constructor("!", multi_constructor)


def load_template(text: str, *, source: str = "template") -> Any:
    """Parse a JSON or YAML template into plain dicts/lists (intrinsics in long form)."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            return json.loads(text)
        return yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - safe loader with CFN tags only
    except (ValueError, yaml.YAMLError) as err:
        raise BadInput(f"{source}: not a readable CloudFormation template ({str(err).splitlines()[0]})") from None


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
            (key, value), = node.items()
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
