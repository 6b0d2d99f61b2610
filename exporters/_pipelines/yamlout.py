"""Deterministic YAML text for generated workflows and templates: block style, insertion order, no
anchors, literal blocks for multi-line strings, quoted strings where YAML would retype them."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """SafeDumper without aliases (generated files must read top to bottom)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        text = value if value.endswith("\n") else value + "\n"
        # Trailing spaces on a line make PyYAML fall back to quoted style; strip them (shell ignores them).
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """YAML text for `data`: mapping order is kept (callers build it deterministically), LF, final newline."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        indent=2,
    )
