"""Reading and writing snapshot directories (format described in docs/snapshot-format.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from proton_exodus.errors import SnapshotError

FORMAT_NAME = "proton-exodus-snapshot"
FORMAT_VERSION = 1

KINDS: tuple[str, ...] = (
    "environment_templates",
    "environment_template_versions",
    "service_templates",
    "service_template_versions",
    "environments",
    "services",
    "service_instances",
    "service_pipelines",
    "components",
    "environment_account_connections",
    "repositories",
    "template_sync_configs",
    "service_sync_configs",
    "deployments",
    "account_settings",
)

_VERSION_KINDS = {"environment_template_versions", "service_template_versions"}
END_OF_SUPPORT = date(2026, 10, 7)  # Proton's end of support: shared/reference/PROTON.md §5


def _num(value: Any) -> tuple[int, str]:
    text = str(value if value is not None else "")
    return (int(text), "") if text.isdigit() else (0, text)


def record_identity(kind: str, record: dict[str, Any]) -> tuple:
    """The sort key of a record: (account, region, kind-specific identity)."""
    base = (record.get("account", ""), record.get("region", ""))
    if kind in _VERSION_KINDS:
        rest = (
            record.get("templateName", ""),
            _num(record.get("majorVersion")),
            _num(record.get("minorVersion")),
        )
    elif kind == "service_instances":
        rest = (record.get("serviceName", ""), record.get("name", ""))
    elif kind in ("service_pipelines", "service_sync_configs"):
        rest = (record.get("serviceName", ""),)
    elif kind == "template_sync_configs":
        rest = (record.get("templateType", ""), record.get("templateName", ""))
    elif kind == "repositories":
        rest = (record.get("provider", ""), record.get("name", ""))
    elif kind in ("environment_account_connections", "deployments"):
        rest = (record.get("id", ""),)
    else:
        rest = (record.get("name", ""),)
    return base + rest


@dataclass
class Snapshot:
    """An estate as recorded: manifest, records per kind, stack records, and where files live."""

    meta: dict[str, Any] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stacks: list[dict[str, Any]] = field(default_factory=list)
    root: Path | None = None
    templates: dict[str, str] = field(default_factory=dict)  # templatePath -> text, for in-memory snapshots
    bundles: dict[str, dict[str, bytes]] = field(default_factory=dict)  # bundle path -> {rel: bytes}
    secrets: dict[str, Any] = field(default_factory=dict)

    def kind(self, kind: str) -> list[dict[str, Any]]:
        """The records of one kind (empty list when none)."""
        if kind not in KINDS:
            raise KeyError(kind)
        return self.records.get(kind, [])

    def find(self, kind: str, **match: Any) -> Iterator[dict[str, Any]]:
        """Records of `kind` whose members equal every keyword given."""
        for record in self.kind(kind):
            if all(record.get(k) == v for k, v in match.items()):
                yield record

    def stack_for(self, resource_arn: str) -> dict[str, Any] | None:
        """The stack record backing a Proton resource ARN, if any."""
        for stack in self.stacks:
            if stack.get("resourceArn") == resource_arn:
                return stack
        return None

    def stack_template(self, stack: dict[str, Any]) -> str | None:
        """The deployed template body of a stack record, exactly as GetTemplate returned it.

        The snapshot stores templates with clear secret values swapped for placeholders; they are
        restored here from secrets.json when it is present (a --redact snapshot keeps them)."""
        rel = stack.get("templatePath")
        if not rel:
            return None
        from proton_exodus.model.secrets import restore_text

        if rel in self.templates:
            return restore_text(self.templates[rel], self.secrets)
        if self.root is None:
            return None
        path = self.root / rel
        return restore_text(path.read_text(encoding="utf-8"), self.secrets) if path.is_file() else None

    def bundle_files(self, bundle_rel: str | None) -> dict[str, bytes] | None:
        """The files of a bundle recorded at `bundle_rel` (relative to the snapshot), or None."""
        if not bundle_rel:
            return None
        if bundle_rel in self.bundles:
            return self.bundles[bundle_rel]
        if self.root is None:
            return None
        base = self.root / bundle_rel
        if not base.is_dir():
            return None
        return {
            p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()
        }

    def digest(self) -> str:
        """A content digest of the records and stacks, independent of capture time."""
        h = hashlib.sha256()
        for kind in KINDS:
            recs = sorted(self.kind(kind), key=lambda r, k=kind: record_identity(k, r))
            h.update(json.dumps(recs, sort_keys=True, default=str).encode())
        stacks = sorted(
            self.stacks, key=lambda s: (s.get("account", ""), s.get("region", ""), s.get("StackName", ""))
        )
        h.update(json.dumps(stacks, sort_keys=True, default=str).encode())
        return "sha256:" + h.hexdigest()


def captured_on(meta: dict[str, Any]) -> date | None:
    """The capture date in a snapshot manifest (`capturedAt`), if recorded."""
    try:
        return date.fromisoformat(str(meta.get("capturedAt") or "")[:10])
    except ValueError:
        return None


def proton_retired(snapshot: Snapshot | dict[str, Any]) -> bool:
    """Whether planning must treat Proton as gone for this snapshot (or manifest): rebuilt from stacks,
    recorded as not answering (`protonAnswered: false`), or captured after Proton's end of support.
    A snapshot whose manifest records none of these (an older API snapshot) is taken as Proton answering."""
    meta = snapshot.meta if isinstance(snapshot, Snapshot) else snapshot
    if meta.get("source") == "stacks" or meta.get("protonAnswered") is False:
        return True
    captured = captured_on(meta)
    return captured is not None and captured > END_OF_SUPPORT


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"{path}: missing ({what})") from None
    except UnicodeDecodeError as err:
        raise SnapshotError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise SnapshotError(
            f"{path}: invalid JSON at line {err.lineno} column {err.colno}: {err.msg}"
        ) from None
    except RecursionError:
        raise SnapshotError(f"{path}: invalid JSON (nested too deeply)") from None
    except OSError as err:
        raise SnapshotError(f"{path}: cannot read ({err.strerror or err})") from None


def load_snapshot(root: Path) -> Snapshot:
    """Load a snapshot directory; raise SnapshotError naming the file and problem if it is unusable."""
    root = Path(root)
    if not root.is_dir():
        raise SnapshotError(
            f"{root}: not a snapshot directory", hint="Create one with `exodus inventory --out DIR`."
        )
    meta = _read_json(root / "snapshot.json", "the snapshot manifest")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise SnapshotError(
            f"{root / 'snapshot.json'}: not an exodus snapshot manifest (format is not {FORMAT_NAME!r})"
        )
    version = meta.get("formatVersion")
    if type(version) is not int or version != FORMAT_VERSION:  # true == 1 in Python, not in the format
        raise SnapshotError(
            f"{root / 'snapshot.json'}: formatVersion {version!r} is not supported (this exodus reads "
            f"{FORMAT_VERSION})",
            hint="Re-run `exodus inventory` with this version of exodus.",
        )
    records: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        path = root / f"{kind}.json"
        if not path.exists():
            records[kind] = []
            continue
        data = _read_json(path, f"the {kind} records")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise SnapshotError(f"{path}: expected a JSON list of objects")
        records[kind] = data
    stacks_path = root / "stacks" / "index.json"
    stacks = _read_json(stacks_path, "the stack index") if stacks_path.exists() else []
    if not isinstance(stacks, list) or not all(isinstance(s, dict) for s in stacks):
        raise SnapshotError(f"{stacks_path}: expected a JSON list of objects")
    secrets_path = root / "secrets.json"
    secrets = _read_json(secrets_path, "the secrets file") if secrets_path.exists() else {}
    if not isinstance(secrets, dict):
        raise SnapshotError(f"{secrets_path}: expected a JSON object of placeholder -> value")
    return Snapshot(meta=meta, records=records, stacks=stacks, root=root, secrets=secrets)


def snapshot_files(snapshot: Snapshot) -> dict[str, str | bytes]:
    """Every file of a snapshot directory, as relative path -> content, with hashes in the manifest."""
    from proton_exodus.output.atomic import dump_json

    files: dict[str, str | bytes] = {}
    counts: dict[str, int] = {}
    for kind in KINDS:
        recs = sorted(snapshot.kind(kind), key=lambda r, k=kind: record_identity(k, r))
        files[f"{kind}.json"] = dump_json(recs)
        counts[kind] = len(recs)
    stacks = sorted(
        snapshot.stacks, key=lambda s: (s.get("account", ""), s.get("region", ""), s.get("StackName", ""))
    )
    files["stacks/index.json"] = dump_json(stacks)
    # Templates and bundles may live in memory or (for a loaded snapshot) under its root. Clear
    # secret values in deployed templates stay only in secrets.json: templates keep placeholders.
    from proton_exodus.model.secrets import scrub_text

    scrubbed: set[str] = set()  # in-memory templates, scrubbed as they are: restoring first would be undone
    for stack in stacks:
        rel = stack.get("templatePath")
        if rel in snapshot.templates:
            files[rel] = scrub_text(snapshot.templates[rel], snapshot.secrets)
            scrubbed.add(rel)
        elif (text := snapshot.stack_template(stack)) is not None:  # under root: restored, scrubbed again
            files[rel] = scrub_text(text, snapshot.secrets)
    for rel, text in snapshot.templates.items():
        if rel not in scrubbed:
            files[rel] = scrub_text(text, snapshot.secrets)
    bundle_paths = set(snapshot.bundles)
    for kind in _VERSION_KINDS:
        bundle_paths.update(r["bundle"] for r in snapshot.kind(kind) if r.get("bundle"))
    for bundle_rel in sorted(bundle_paths):
        for rel, content in (snapshot.bundle_files(bundle_rel) or {}).items():
            files[f"{bundle_rel}/{rel}"] = content
    hashes = {
        rel: "sha256:" + hashlib.sha256(c if isinstance(c, bytes) else c.encode()).hexdigest()
        for rel, c in sorted(files.items())
        if rel.endswith(".json")
    }
    meta = {"format": FORMAT_NAME, "formatVersion": FORMAT_VERSION, **snapshot.meta}
    meta["format"], meta["formatVersion"] = FORMAT_NAME, FORMAT_VERSION
    meta["counts"] = {k: v for k, v in counts.items()}
    meta["hashes"] = hashes
    files["snapshot.json"] = dump_json(meta)
    return files


def write_snapshot(snapshot: Snapshot, root: Path) -> Path:
    """Write `snapshot` to `root` atomically (the whole directory appears at once); secrets get mode 0600."""
    import os

    from proton_exodus.output.atomic import dump_json, write_tree_atomic

    files = snapshot_files(snapshot)
    write_tree_atomic(root, files)
    if snapshot.secrets:
        secrets = Path(root) / "secrets.json"
        fd = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump_json(snapshot.secrets))
    snapshot.root = Path(root)
    return Path(root)
