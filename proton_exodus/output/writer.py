"""The shared export writer: dry-run, diff and atomic write of an export tree, and `.exodus/manifest.json`.

Exporters only return `{path: text}`; this module decides what changes on disk. The manifest records
which files exodus owns and their hashes, so a re-run rewrites only exodus' own files, leaves files
a person added alone, and reports (and keeps) owned files that a person edited since the last export.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from proton_exodus.errors import BadInput, ConflictError
from proton_exodus.output.atomic import dump_json, write_tree_atomic

MANIFEST_PATH = ".exodus/manifest.json"
MANIFEST_FORMAT = "proton-exodus-export"
Action = Literal["create", "update", "unchanged", "delete", "edited", "conflict"]


def sha256_text(text: str | bytes) -> str:
    """`sha256:<hex>` of the UTF-8 bytes of `text`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileChange:
    """What the writer does (or would do) with one path. `edited`/`conflict` paths are left alone."""

    path: str
    action: Action
    old: str | None = None  # current text on disk (only kept for create/update/delete/edited)
    new: str | None = None

    def diff(self) -> str:
        """A unified diff of the change (empty for unchanged files)."""
        if self.action == "unchanged":
            return ""
        old, new = (self.old or "").splitlines(keepends=True), (self.new or "").splitlines(keepends=True)
        a = f"a/{self.path}" if self.old is not None else "/dev/null"
        b = f"b/{self.path}" if self.action not in ("delete",) else "/dev/null"
        return "".join(difflib.unified_diff(old, new, a, b))


@dataclass(frozen=True)
class WriteReport:
    """The outcome of one write (or dry run): per-file actions, sorted by path."""

    out: Path
    changes: tuple[FileChange, ...]
    dry_run: bool
    manifest: Mapping[str, Any] = field(default_factory=dict)

    def paths(self, *actions: Action) -> list[str]:
        return [c.path for c in self.changes if c.action in actions]

    @property
    def changed(self) -> bool:
        return any(c.action in ("create", "update", "delete") for c in self.changes)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
        return dict(sorted(counts.items()))

    def diff(self) -> str:
        """Unified diff of everything that changes (what `--dry-run` shows)."""
        return "".join(c.diff() for c in self.changes if c.action in ("create", "update", "delete"))


# The manifest's `only` entry of an export made with `--through-wave N` ("waves 1-N"): it names waves, not
# environments or services, so verify takes the stacks the export has deployment files for.
WAVES_SELECTION = "waves "


def build_manifest(
    files: Mapping[str, str],
    *,
    exporter: str,
    exporter_version: str,
    api_version: int,
    snapshot_digest: str,
    options: Mapping[str, str] | None = None,
    only: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The manifest content for an export: no clock, no absolute paths, so it is byte-deterministic."""
    return {
        "format": MANIFEST_FORMAT,
        "formatVersion": 1,
        "exporter": {"name": exporter, "version": exporter_version, "apiVersion": api_version},
        "snapshotDigest": snapshot_digest,
        "options": dict(sorted((options or {}).items())),
        "only": sorted(only),
        "files": {path: sha256_text(text) for path, text in sorted(files.items())},
    }


def load_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of an earlier export in `out`, or None; BadInput if it is unreadable."""
    path = Path(out) / MANIFEST_PATH
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadInput(f"{path}: not a readable exodus export manifest ({err})") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise BadInput(f"{path}: not an exodus export manifest (format is not {MANIFEST_FORMAT!r})")
    return data


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return ""


def _check_paths(files: Mapping[str, str]) -> None:
    for rel in files:
        parts = rel.split("/")
        if (
            rel.startswith("/")
            or "\\" in rel
            or any(p in ("", ".", "..") for p in parts)
            or parts[0] == ".exodus"
        ):
            raise BadInput(
                f"exporter produced an invalid path {rel!r}: want a relative POSIX path outside .exodus/"
            )
        if not files[rel].endswith("\n"):
            raise BadInput(f"exporter produced {rel!r} without a final newline")


def plan_changes(
    out: Path, files: Mapping[str, str], *, force: bool = False, prune: bool = True
) -> list[FileChange]:
    """Compare `files` with what is in `out` and its manifest; nothing is written.

    With `prune`, owned files the export no longer produces are deleted; without it (partial
    exports, `--only`) they are left as they are.
    """
    _check_paths(files)
    out = Path(out)
    owned: Mapping[str, str] = (load_manifest(out) or {}).get("files", {}) if out.is_dir() else {}
    changes: list[FileChange] = []
    for rel in sorted(set(files) | set(owned) if prune else set(files)):
        new = files.get(rel)
        current = _read(out / rel) if out.is_dir() else None
        changes.append(_change(rel, new, current, owned.get(rel), force))
    return changes


def _change(rel: str, new: str | None, current: str | None, recorded: str | None, force: bool) -> FileChange:
    human_edit = current is not None and recorded is not None and sha256_text(current) != recorded
    if new is None:  # exodus owned it before and no longer produces it
        if current is None:
            return FileChange(rel, "unchanged")
        return (
            FileChange(rel, "edited", old=current)
            if human_edit and not force
            else FileChange(rel, "delete", old=current)
        )
    if current is None:
        return FileChange(rel, "create", new=new)
    if current == new:
        return FileChange(rel, "unchanged")
    if recorded is None and not force:
        return FileChange(rel, "conflict", old=current, new=new)  # a file exodus never wrote
    if human_edit and not force:
        return FileChange(rel, "edited", old=current, new=new)
    return FileChange(rel, "update", old=current, new=new)


def write_export(
    out: Path,
    files: Mapping[str, str],
    manifest: Mapping[str, Any],
    *,
    dry_run: bool = False,
    force: bool = False,
    prune: bool = True,
) -> WriteReport:
    """Write an export tree to `out` (or only plan it with `dry_run`).

    A new `out` appears in one rename. In an existing `out` (perhaps a Git working tree) every new
    file is first written to a staging directory, then renamed into place, and the manifest goes last,
    so an interrupted run is re-run safely. Files a person edited since the last export, or files
    exodus never wrote, are kept and reported (`edited`/`conflict`) unless `force`.
    """
    out = Path(out)
    changes = plan_changes(out, files, force=force, prune=prune)
    kept = {c.path for c in changes if c.action in ("edited", "conflict")}
    # The manifest keeps the recorded hash of an edited file, so the edit is reported again next time.
    old_files = (load_manifest(out) or {}).get("files", {}) if out.is_dir() else {}
    if not prune:
        kept |= set(old_files) - set(files)
    recorded = {p: h for p, h in manifest.get("files", {}).items() if p not in kept}
    recorded.update({p: old_files[p] for p in kept if p in old_files})
    final_manifest = {**manifest, "files": dict(sorted(recorded.items()))}
    manifest_text = dump_json(final_manifest)
    report = WriteReport(out=out, changes=tuple(changes), dry_run=dry_run, manifest=final_manifest)
    if dry_run:
        return report
    if not out.exists():
        write_tree_atomic(out, {**{p: t for p, t in files.items()}, MANIFEST_PATH: manifest_text})
        return report
    if not out.is_dir():
        raise ConflictError(f"{out}: exists and is not a directory")
    if report.changed or _read(out / MANIFEST_PATH) != manifest_text:
        _apply(out, changes, manifest_text)
    return report


def _apply(out: Path, changes: list[FileChange], manifest_text: str) -> None:
    staging = Path(tempfile.mkdtemp(prefix=".exodus-staging.", dir=out))
    try:
        writes = [c for c in changes if c.action in ("create", "update")]
        for index, change in enumerate(writes):
            (staging / str(index)).write_text(change.new or "", encoding="utf-8", newline="\n")
        (staging / "manifest").write_text(manifest_text, encoding="utf-8", newline="\n")
        for index, change in enumerate(writes):
            target = out / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / str(index), target)
        for change in changes:
            if change.action == "delete":
                (out / change.path).unlink(missing_ok=True)
                _prune_empty(out, (out / change.path).parent)
        (out / ".exodus").mkdir(exist_ok=True)
        os.replace(staging / "manifest", out / MANIFEST_PATH)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _prune_empty(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def render_tree(out: Path) -> dict[str, str]:
    """Every text file under `out` (relative POSIX path -> text), for tests and goldens."""
    out = Path(out)
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


__all__ = [
    "MANIFEST_PATH",
    "FileChange",
    "WriteReport",
    "build_manifest",
    "load_manifest",
    "plan_changes",
    "render_tree",
    "sha256_text",
    "write_export",
]
