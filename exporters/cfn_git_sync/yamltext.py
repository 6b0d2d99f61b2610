"""Fast, deterministic YAML text for nested string mappings (deployment files, sync configurations)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

_RESOLVER = yaml.resolver.Resolver()
_PLAIN = re.compile(r"[A-Za-z0-9_./@-][A-Za-z0-9_./@:+=,-]*")


def yaml_scalar(text: str) -> str:
    """A string as YAML: plain when YAML reads it back as that string, else JSON-quoted (valid YAML)."""
    if (
        _PLAIN.fullmatch(text)
        and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def dump_yaml(data: Mapping[str, Any], indent: str = "") -> str:
    """Block-style YAML of nested string mappings, keys in the given order; written directly because
    PyYAML's representer dominated the time of a 30,000-stack export."""
    lines = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{indent}{yaml_scalar(str(key))}:" + ("" if value else " {}"))
            if value:
                lines.append(dump_yaml(value, indent + "  ").rstrip("\n"))
        else:
            lines.append(f"{indent}{yaml_scalar(str(key))}: {yaml_scalar(str(value))}")
    return "\n".join(lines) + "\n"
