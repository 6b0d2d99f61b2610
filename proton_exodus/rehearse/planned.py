"""Which changes an export says it makes on purpose: PLANNED_CHANGES.json next to the export (written by
the exporters when the user chose a change, e.g. how secrets leave Git). Without the file, every change
is unplanned."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput
from proton_exodus.rehearse.model import Change

FILE = "PLANNED_CHANGES.json"


def _entries(export_dir: Path, key: str) -> list[dict[str, Any]] | None:
    path = Path(export_dir) / FILE
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise BadInput(f"{path}: not JSON ({err.msg})") from None
    if key != "changes" and not isinstance(doc, dict):
        return []
    entries = doc.get(key, None if key == "changes" else []) if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise BadInput(f"{path}: expected a `{key}` list")
    return [c for c in entries if isinstance(c, Mapping)]


def load_planned(export_dir: Path) -> list[dict[str, Any]] | None:
    """The `changes` of the export's PLANNED_CHANGES.json; None when the export has none."""
    return _entries(export_dir, "changes")


def is_planned(stack: str, change: Change, planned: Sequence[Mapping[str, Any]] | None) -> bool:
    """Whether the list names this change: same stack and resource (`(stack)` for stack tags), and each
    changed property is the one named or a part of it (no property named: the whole resource)."""
    named = [
        str(e.get("property", "")).removeprefix("Properties.")
        for e in planned or ()
        if e.get("stack") == stack and e.get("resource", "") == change.logical_id
    ]
    if not named:
        return False
    if "" in named:
        return True
    return all(any(p == n or p.startswith((n + ".", n + "[")) for n in named) for p in change.properties)
