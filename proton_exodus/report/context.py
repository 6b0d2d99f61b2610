"""Everything the HTML report shows, gathered into plain dicts and lists (the template only lays out).

Secrets never reach the page: resource specs are not shown at all, and every text that could carry a
value (verify differences, notes, messages) passes through `redact`, which hides the snapshot's known
secret values and anything that looks like a credential.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import MASK, SECRET_NAME_RE, Redactor
from proton_exodus.model.snapshot import KINDS, Snapshot

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def load_plan(plan_dir: Path) -> dict[str, Any]:
    """plan.json from a directory written by `exodus plan`."""
    path = Path(plan_dir) / "plan.json"
    return _read_json(path, "plan")


def load_verify(path: Path) -> dict[str, Any]:
    """A verify result: the JSON `exodus verify --output json` prints (VerifyReport.as_dict())."""
    data = _read_json(Path(path), "verify result")
    if not isinstance(data, dict) or "differences" not in data:
        raise BadInput(f"{path}: not a verify result (no 'differences'; use `exodus verify --output json`)")
    return data


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise BadInput(f"{path}: {what} file not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: {what} file is not valid JSON ({exc})") from None


def estate_context(snapshot: Snapshot, stats: dict[str, Any]) -> dict[str, Any]:
    """Counts per kind, accounts and Regions, and status tallies per kind (and for stacks)."""
    kinds = [
        {"kind": k, "label": k.replace("_", " "), "count": len(snapshot.kind(k))}
        for k in KINDS
        if snapshot.kind(k)
    ]
    statuses = []
    for kind in KINDS:
        tally = Counter(
            str(r.get("deploymentStatus") or r.get("status"))
            for r in snapshot.kind(kind)
            if r.get("deploymentStatus") or r.get("status")
        )
        if tally:
            statuses.append({"kind": kind.replace("_", " "), "counts": sorted(tally.items())})
    stack_tally = Counter(str(s.get("StackStatus", "UNKNOWN")) for s in snapshot.stacks)
    if stack_tally:
        statuses.append({"kind": "stacks", "counts": sorted(stack_tally.items())})
    meta = snapshot.meta
    return {
        "kinds": kinds,
        "stacks": len(snapshot.stacks),
        "statuses": statuses,
        "unreachableStacks": sum(1 for s in snapshot.stacks if not s.get("reachable", True)),
        "accounts": sorted(set(meta.get("accounts") or []) | set(stats.get("accounts") or [])),
        "regions": sorted(set(meta.get("regions") or []) | set(stats.get("regions") or [])),
        "capturedAt": meta.get("capturedAt"),
        "source": meta.get("source"),
        "digest": snapshot.digest(),
        "dependencyDepth": stats.get("dependencyDepth"),
        "blastRadius": stats.get("largestBlastRadius") or [],
        "missing": stats.get("missing") or [],
    }


def audit_context(report: dict[str, Any], redact: Redactor) -> dict[str, Any]:
    """Audit counts, effort and findings (errors first), each finding with its rule's title."""
    rules = report.get("rules") or {}
    findings = sorted(
        report.get("findings") or [],
        key=lambda f: (_SEVERITY_ORDER.get(f["severity"], 9), f["code"], f["label"], f["resource"]),
    )
    rows = [
        {**f, "message": redact(f["message"]), "title": (rules.get(f["code"]) or {}).get("title", "")}
        for f in findings
    ]
    return {
        "counts": report["counts"],
        "effort": report["effort"],
        "findings": rows,
        "unreachableAccounts": report.get("unreachableAccounts") or [],
        "rules": [{"code": c, **rules[c]} for c in sorted(rules)],
    }


def plan_context(plan: dict[str, Any]) -> dict[str, Any]:
    """Schedule, warnings and one row per wave with its resources."""
    waves = []
    for wave in plan.get("waves") or []:
        resources = [
            {
                "label": r.get("label", r.get("arn", "")),
                "kind": str(r.get("kind", "")).replace("_", " "),
                "account": r.get("account", ""),
                "blockedBy": r.get("blockedBy") or [],
                "manual": r.get("manual") or [],
            }
            for r in wave.get("resources") or []
        ]
        flags = [f for f in ("pilot", "blocked", "late") if wave.get(f)]
        waves.append(
            {
                "number": wave.get("number"),
                "date": wave.get("date"),
                "risk": wave.get("risk", ""),
                "flags": flags,
                "resources": resources,
            }
        )
    return {
        "target": plan.get("target"),
        "schedule": plan.get("schedule") or {},
        "warnings": plan.get("warnings") or [],
        "counts": plan.get("counts") or {},
        "waves": waves,
        "digest": plan.get("digest"),
    }


def verify_context(data: dict[str, Any], redact: Redactor) -> dict[str, Any]:
    """Verify outcome with every value redacted; secret-named properties are masked outright."""
    diffs = []
    for d in data.get("differences") or []:
        secret = any(SECRET_NAME_RE.search(str(d.get(key, ""))) for key in ("name", "path"))
        diffs.append(
            {k: (MASK if secret and k in ("deployed", "exported") else redact(v)) for k, v in d.items()}
        )
    change_sets = []
    for c in sorted(data.get("changeSets") or [], key=lambda c: str(c.get("stack", ""))):
        row = {key: [redact(x) for x in c.get(key) or []] for key in ("changes", "replacements", "removals")}
        row.update(stack=redact(c.get("stack")), error=redact(c.get("error") or ""))
        row["outcome"] = (
            "error"
            if row["error"]
            else "replacement"
            if row["replacements"]
            else "removal"
            if row["removals"]
            else "ok"
        )
        change_sets.append(row)
    return {
        "stacks": data.get("stacks", 0),
        "failed": bool(data.get("failed")),
        "differences": diffs,
        "changeSets": change_sets,
        "notes": [redact(n) for n in data.get("notes") or []],
    }
