"""Semantic differences between a deployed and an exported (resolved) template, resource by resource,
with an offline replacement prediction (cfn/effects.py: cfn-lint's createOnlyProperties) and the
change-set effect of each difference."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from proton_exodus.cfn.effects import predict_replacement

__all__ = ["Difference", "diff_templates", "predict_replacement"]


@dataclass(frozen=True)
class Difference:
    """One difference. `replacement` is "True", "False" or "Unknown" for resource property changes,
    "Remove"/"Add" for whole resources, "" elsewhere."""

    stack: str
    section: str
    name: str  # logical ID / output name / "" for scalar sections
    path: str  # property path inside it, e.g. Properties.CidrBlock
    deployed: str
    exported: str
    resource_type: str = ""
    replacement: str = ""
    planned: bool = False  # named in the export's PLANNED_CHANGES.json (a change the user chose)

    @property
    def effect(self) -> str:
        """What a change set does about it: Replacement (create-only property or new type), Modify,
        Add, Remove, Modify-unknown (no schema to tell), TagAll (a stack tag reaches every taggable
        resource), or NoResourceChange (a parameter, output or the description alone)."""
        if self.section == "StackTags":
            return "TagAll"
        if self.replacement in ("Add", "Remove"):
            return self.replacement
        if self.section == "Resources":
            return {"True": "Replacement", "False": "Modify"}.get(self.replacement, "Modify-unknown")
        if self.section == "Export":
            return "Missing"
        no_resource = ("StackParameters", "Outputs", "Parameters", "Description")
        return "NoResourceChange" if self.section in no_resource else "Modify"

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "effect": self.effect}


def _short(value: Any) -> str:
    text = "<absent>" if value is _ABSENT else json.dumps(value, sort_keys=True)
    return text if len(text) <= 200 else text[:197] + "..."


_ABSENT = object()


def _leaf_diffs(a: Any, b: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += _leaf_diffs(a.get(key, _ABSENT), b.get(key, _ABSENT), f"{path}.{key}" if path else key)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += _leaf_diffs(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [(path, a, b)]


def diff_templates(
    stack: str, deployed: dict[str, Any], exported: dict[str, Any], *, region: str = "us-east-1"
) -> list[Difference]:
    """Differences between two normalised templates; Resources and Outputs entry by entry."""
    out: list[Difference] = []
    for section in sorted(set(deployed) | set(exported)):
        a, b = deployed.get(section, _ABSENT), exported.get(section, _ABSENT)
        if a == b:
            continue
        if (
            section in ("Resources", "Outputs", "Conditions", "Parameters", "Mappings")
            and isinstance(a, dict | type(_ABSENT))
            and isinstance(b, dict | type(_ABSENT))
        ):
            a = a if isinstance(a, dict) else {}
            b = b if isinstance(b, dict) else {}
            for name in sorted(set(a) | set(b)):
                out += _entry(stack, section, name, a.get(name, _ABSENT), b.get(name, _ABSENT), region)
        else:
            out.append(Difference(stack, section, "", "", _short(a), _short(b)))
    return out


def _entry(stack: str, section: str, name: str, a: Any, b: Any, region: str) -> list[Difference]:
    if a == b:
        return []
    rtype = ""
    if section == "Resources":
        rtype = (
            str((a if isinstance(a, dict) else b).get("Type", ""))
            if isinstance(a, dict) or isinstance(b, dict)
            else ""
        )
    if a is _ABSENT or b is _ABSENT:
        verdict = ("Remove" if b is _ABSENT else "Add") if section == "Resources" else ""
        return [Difference(stack, section, name, "", _short(a), _short(b), rtype, verdict)]
    diffs = []
    for path, x, y in _leaf_diffs(a, b, ""):
        verdict = predict_replacement(rtype, path, region) if section == "Resources" else ""
        diffs.append(Difference(stack, section, name, path, _short(x), _short(y), rtype, verdict))
    return diffs
