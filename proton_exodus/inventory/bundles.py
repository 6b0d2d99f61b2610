"""Template bundles for the snapshot: Proton's API cannot return them, so they come from `--bundles`
sources (a template-sync checkout, a directory of bundles or archives, or `s3://bucket/prefix`) and
are matched to template versions by name/major/minor and by schema content.

Matching, per version: (1) a bundle whose path names the exact version (`<name>/<major>.<minor>/`,
`<name>-<major>.<minor>.tar.gz`, ...); (2) a bundle of the same template and major (or of unknown
name) whose schema equals the version's schema; (3) a template-sync folder `<name>/v<N>/` maps to
the latest minor of major N, since sync turns the newest content of `vN/` into that minor
(PROTON.md §4.8). Versions left over are recorded with `bundle: null`.

A `--bundles` directory that is a Git checkout's top level is taken as the template-sync repository:
each commit of the checked-out branch (first parent) that changed `<name>/v<N>/` gave major N its next
minor, in order, unchanged content skipped (PROTON.md §4.8), so every past content of the folder is
a bundle of a known minor (`<origin>@<commit>`). A folder deeper in another project's repository is not
(its history is that project's, not a sync branch's): its minor stays unknown.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from proton_exodus.errors import BadInput

ARCHIVES = (".tar.gz", ".tgz", ".zip")
_EXACT = re.compile(
    r"(?:^|/)(?P<name>[0-9A-Za-z][0-9A-Za-z_-]*)[/_-]v?(?P<major>[0-9]+)\.(?P<minor>[0-9]+)"
    r"(?:\.tar\.gz|\.tgz|\.zip)?$"
)
_SYNC = re.compile(r"(?:^|/)(?P<name>[0-9A-Za-z][0-9A-Za-z_-]*)/v(?P<major>[0-9]+)$")


@dataclass(frozen=True)
class Candidate:
    """One bundle found in a source, with whatever its location says about its version."""

    bundle: Any  # proton_exodus.proton.bundle.Bundle
    origin: str  # "<source>:<relative path>", deterministic for the same inputs
    name: str | None
    major: str | None
    minor: str | None
    sync: bool  # from a template-sync `<name>/v<N>/` folder
    commit: str | None = None  # the sync branch's commit that made this minor (Git history)

    @property
    def schema_text(self) -> str | None:
        data = self.bundle.files.get("schema/schema.yaml")
        return data.decode("utf-8", errors="replace") if data is not None else None


def _classify_path(rel: str) -> tuple[str | None, str | None, str | None, bool]:
    rel = rel.strip("/")
    if m := _EXACT.search(rel):
        return m["name"], m["major"], m["minor"], False
    if m := _SYNC.search(rel):
        return m["name"], m["major"], None, True
    return None, None, None, False


def _load(source: Any, rel: str, origin: str, warnings: list[str]) -> Candidate | None:
    from proton_exodus.proton.bundle import load_bundle

    name, major, minor, sync = _classify_path(rel)
    try:
        bundle = load_bundle(source, name=name)
    except BadInput as err:
        warnings.append(f"bundle {origin} skipped: {err.message}")
        return None
    warnings.extend(f"bundle {origin}: {message}" for message in bundle.warnings)
    return Candidate(bundle, origin, name, major, minor, sync)


def scan_directory(root: Path, label: str, warnings: list[str]) -> list[Candidate]:
    """Every bundle folder (holding schema/schema.yaml) and archive under `root`."""
    found: list[Candidate] = []
    if (root / "schema" / "schema.yaml").is_file():
        single = _load(root, root.name, f"{label}:.", warnings)
        return [single] if single is not None else []
    for schema in sorted(root.rglob("schema/schema.yaml")):
        folder = schema.parent.parent
        rel = folder.relative_to(root).as_posix()
        if ".git" in folder.parts or any(p.startswith(".") for p in PurePosixPath(rel).parts):
            continue
        if (c := _load(folder, rel, f"{label}:{rel}", warnings)) is not None:
            found += sync_history(root, rel, c, warnings) if c.sync else [c]
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(ARCHIVES)):
        rel = path.relative_to(root).as_posix()
        if (c := _load(path, rel, f"{label}:{rel}", warnings)) is not None:
            found.append(c)
    return found


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _is_sync_checkout(root: Path) -> bool:
    top = _git(root, "rev-parse", "--show-toplevel")
    return top is not None and Path(top.decode().strip()).resolve() == root.resolve()


def sync_history(root: Path, rel: str, current: Candidate, warnings: list[str]) -> list[Candidate]:
    """The minors template sync made of folder `rel` (`<name>/v<N>`), oldest first, each a candidate
    with its minor; `current` (the working tree) alone when `root` is not a sync checkout or the
    history says nothing. The working tree is kept, minor unknown, only when it differs from every
    content the branch held (not yet pushed: Proton never saw it)."""
    if not _is_sync_checkout(root):
        return [current]
    log = _git(root, "log", "--first-parent", "--reverse", "--format=%H", "HEAD", "--", rel)
    if not log:
        return [current]
    found: list[Candidate] = []
    last_tree = None
    for sha in log.decode().split():
        tree = _git(root, "rev-parse", "--verify", "--quiet", f"{sha}:{rel}")
        if tree is None:  # the folder was deleted: the next content is a new minor again
            last_tree = None
            continue
        if tree == last_tree:
            continue  # unchanged content is skipped: no new minor
        last_tree = tree
        data = _git(root, "archive", "--format=tar", f"{sha}:{rel}")
        minor = str(len(found))
        origin = f"{current.origin}@{sha[:12]}"
        loaded = _load(data, rel, origin, warnings) if data else None
        if loaded is None:
            continue
        found.append(replace(loaded, name=current.name, major=current.major, minor=minor, commit=sha))
    if not found:
        return [current]
    if not any(dict(c.bundle.files) == dict(current.bundle.files) for c in found):
        warnings.append(
            f"bundle {current.origin}: the working tree differs from every content of {rel} on the "
            "branch (not pushed: Proton never synced it); kept, minor unknown"
        )
        found.append(current)
    return found


def scan_s3(url: str, s3: Any, warnings: list[str]) -> list[Candidate]:
    """Every .tar.gz/.zip object under `s3://bucket/prefix` (read in memory)."""
    bucket, _, prefix = url[len("s3://") :].partition("/")
    found: list[Candidate] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in sorted(page.get("Contents") or [], key=lambda o: o["Key"]):
            key = obj["Key"]
            if not key.endswith(ARCHIVES):
                continue
            data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            rel = key[len(prefix) :].lstrip("/") if prefix else key
            if (c := _load(bytes(data), rel, f"{url.rstrip('/')}/{rel}", warnings)) is not None:
                found.append(c)
    return found


def _norm(text: str | None) -> str | None:
    return None if text is None else "\n".join(line.rstrip() for line in text.strip().splitlines())


def _template_type(kind: str) -> str:
    return "environment" if kind.startswith("environment") else "service"


def match_bundles(
    records: dict[str, list[dict[str, Any]]], candidates: list[Candidate]
) -> dict[str, dict[str, bytes]]:
    """Set `bundle`/`bundleSource`/`bundleMatch` on every version record; return path -> files."""
    chosen: dict[str, dict[str, bytes]] = {}
    for kind in ("environment_template_versions", "service_template_versions"):
        ttype = _template_type(kind)
        pool = [c for c in candidates if c.bundle.template_type in (ttype, None)]
        latest: dict[tuple[str, str, str, str], int] = {}
        for rec in records.get(kind, []):
            key = (rec["account"], rec["region"], rec["templateName"], str(rec["majorVersion"]))
            latest[key] = max(latest.get(key, -1), int(rec["minorVersion"]))
        for rec in records.get(kind, []):
            is_latest = latest[
                (rec["account"], rec["region"], rec["templateName"], str(rec["majorVersion"]))
            ] == int(rec["minorVersion"])
            found, how = _match_one(rec, pool, is_latest)
            rec["bundle"] = rec["bundleSource"] = rec["bundleMatch"] = None
            if found is None:
                continue
            path = f"bundles/{ttype}/{rec['templateName']}/{rec['majorVersion']}.{rec['minorVersion']}"
            rec.update(bundle=path, bundleSource=found.origin, bundleMatch=how)
            chosen[path] = dict(found.bundle.files)
    return chosen


def _match_one(rec: dict[str, Any], pool: list[Candidate], is_latest: bool) -> tuple[Candidate | None, str]:
    name, major, minor = rec["templateName"], str(rec["majorVersion"]), str(rec["minorVersion"])
    exact = [c for c in pool if (c.name, c.major, c.minor) == (name, major, minor)]
    if exact:
        return exact[0], "git-history" if exact[0].commit else "path"
    schema = _norm(rec.get("schema"))
    related = [c for c in pool if c.minor is None and c.name in (name, None) and c.major in (major, None)]
    same = [c for c in related if schema is not None and _norm(c.schema_text) == schema]
    same.sort(key=lambda c: (c.name != name, c.major != major, c.origin))
    if same:
        return same[0], "schema"
    sync = [c for c in related if c.sync and c.name == name and c.major == major]
    if sync and is_latest:
        return sync[0], "latest-minor"
    return None, ""


def read_repo_file(sources: list[str], file_path: str) -> str | None:
    """A file of a repository checkout given as a `--bundles` directory (e.g. a proton-ops file)."""
    rel = PurePosixPath(file_path.removeprefix("./").lstrip("/"))
    for source in sources:
        if source.startswith("s3://"):
            continue
        path = Path(source) / rel
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
    return None
