"""Deterministic multi-document YAML for Kubernetes manifests: key order as built, block scalars for text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits aliases and writes multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_documents(documents: Iterable[Mapping[str, Any]], header: str = "") -> str:
    """Documents joined with `---`, LF line endings and a final newline; `header` becomes comment lines."""
    parts = [
        yaml.dump(
            dict(doc),
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=False,
            width=4096,
            allow_unicode=True,
        )
        for doc in documents
    ]
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines()) if header else ""
    return comment + "---\n".join(parts)
