"""Customer tags a stacks rebuild cannot see, carried from an earlier snapshot (`--tags-from`).

Proton copied only its own `proton:*` tags onto the stacks it provisioned; the tags its users put on
environments, services, instances and templates (`stage: prod`, `team: ...`) lived in Proton's records,
which were deleted at end of support (PROTON.md §3.2). They decide which deployments are production-like
(a manual approval, a protected GitHub environment) and the plan's risk tiers, so a rebuild from stacks
alone loses them. A snapshot taken through the API before the cutoff still holds them: each rebuilt
record takes the tags of the record of the same ARN there. What the stacks show wins on a conflict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput, SnapshotError
from proton_exodus.model.snapshot import Snapshot, load_snapshot

TAGGABLE = (
    "environments",
    "services",
    "service_instances",
    "components",
    "environment_templates",
    "service_templates",
    "environment_template_versions",
    "service_template_versions",
)


def load_earlier(path: Path) -> Snapshot:
    """The `--tags-from` snapshot; one clear line when it is not one."""
    try:
        return load_snapshot(Path(path))
    except SnapshotError as err:
        raise BadInput(f"--tags-from: {err.message}") from None


def carry_tags(records: dict[str, list[dict[str, Any]]], earlier: Snapshot, warnings: list[str]) -> int:
    """Give each rebuilt record of a taggable kind the tags the earlier snapshot's record of the same ARN
    had (the rebuilt record's own tags win on a key both hold); returns how many records took tags.
    Records the earlier snapshot does not hold are named in one warning (created after it was taken)."""
    carried, missing = 0, []
    for kind in TAGGABLE:
        by_arn = {str(r.get("arn")): r for r in earlier.records.get(kind, []) if r.get("arn")}
        for rec in records.get(kind, []):
            old = by_arn.get(str(rec.get("arn")))
            if old is None:
                missing.append(str(rec.get("arn") or rec.get("name")))
                continue
            tags = {**(old.get("tags") or {}), **(rec.get("tags") or {})}
            if tags != (rec.get("tags") or {}):
                carried += 1
            rec["tags"] = dict(sorted(tags.items()))
    if missing:
        warnings.append(
            f"--tags-from: {len(missing)} rebuilt record(s) are not in the earlier snapshot, so their "
            f"customer tags are unknown: {', '.join(sorted(missing)[:5])}"
            + (", ..." if len(missing) > 5 else "")
        )
    return carried
