"""Read a bundle's files into memory from a directory, a tar(.gz) or a zip, never reading outside the bundle.

Nothing is ever extracted to disk: devices, absolute member paths and `..` escapes are refused, and sizes
are checked before a member is read (so a zip bomb cannot exhaust memory). Bundles kept in Git may hold
symbolic links (a `Makefile` pointing at a shared scripts folder): a link that resolves inside the bundle
is read as its target; one that is absolute, points outside, dangles or loops is not followed and is
returned in `ReadBundle.unresolved` (link path -> why), so the caller can warn, or refuse when the link
is a file Proton reads (schema, manifest, IaC template).
"""

from __future__ import annotations

import gzip
import io
import os
import posixpath
import stat
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from proton_exodus.errors import BundleError

__all__ = ["ReadBundle", "pack_archive", "read_archive", "read_directory"]

_SKIP_DIRS = {".git", "__MACOSX"}
_MAX_HOPS = 40  # like the kernel's MAXSYMLINKS: past this a chain of links is treated as a loop


@dataclass
class ReadBundle:
    """The files read (POSIX relative path -> bytes) and the links not followed (path -> reason)."""

    files: dict[str, bytes] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)


def _safe_name(name: str, source: str) -> str | None:
    """Normalised POSIX relative path, None for entries to skip, BundleError for unsafe ones."""
    raw = name.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise BundleError(f"{source}: member {name!r} has an absolute path")
    parts = [p for p in PurePosixPath(raw).parts if p not in ("", ".")]
    if ".." in parts:
        raise BundleError(f"{source}: member {name!r} escapes the bundle root (..)")
    if not parts or _SKIP_DIRS & set(parts) or parts[-1] == ".DS_Store":
        return None
    return "/".join(parts)


class _Budget:
    """The running total of bytes read, against Proton's 5 MB bundle limit."""

    def __init__(self, source: str, max_size: int) -> None:
        self.source, self.max_size, self.total = source, max_size, 0

    def check(self, size: int) -> None:
        if size > self.max_size - self.total:
            raise BundleError(f"{self.source}: unpacked bundle is larger than Proton's 5 MB limit")

    def add(self, out: ReadBundle, path: str, data: bytes) -> None:
        self.check(len(data))
        self.total += len(data)
        if path in out.files:
            raise BundleError(f"{self.source}: member {path!r} appears twice")
        out.files[path] = data


def _under(path: str, top: str) -> bool:
    return top == "" or path == top or path.startswith(top + "/")


class _VirtualTree:
    """Link resolution inside an archive: regular files, directories and links, all by archive path."""

    def __init__(self, files: Mapping[str, bytes], links: Mapping[str, tuple[str, str]]) -> None:
        self.files, self.links = files, links  # links: path -> (target from the archive root, as written)

    def is_dir(self, path: str) -> bool:
        return path == "" or any(p.startswith(path + "/") for p in (*self.files, *self.links))

    def resolve(self, path: str) -> tuple[str | None, str]:
        """(resolved path, "") or (None, why it cannot be followed)."""
        parts, done, hops = path.split("/"), "", 0
        while parts:
            part = parts.pop(0)
            here = f"{done}/{part}" if done else part
            if here in self.links:
                hops += 1
                if hops > _MAX_HOPS:
                    return None, "is part of a loop of links"
                target, written = self.links[here]
                if target.startswith("/"):
                    return None, f"points to {written}, an absolute path"
                joined = posixpath.normpath(target)
                if joined == ".." or joined.startswith("../"):
                    return None, f"points to {written}, outside the bundle"
                parts = [p for p in joined.split("/") if p not in ("", ".")] + parts
                done = ""
                continue
            done = here
        if done in self.files or self.is_dir(done):
            return done, ""
        return None, "is not in the bundle (it dangles)"


def _link_target(member_path: str, written: str, *, hard: bool) -> tuple[str, str]:
    """(the link's target from the archive root, `/...` kept absolute; as written). Hard links name a
    member, so they already are relative to the root."""
    target = written.replace("\\", "/")
    if not hard and not target.startswith("/") and (parent := posixpath.dirname(member_path)):
        target = posixpath.join(parent, target)
    return target, written


def _resolve_links(out: ReadBundle, links: dict[str, tuple[str, str]], budget: _Budget) -> None:
    """Copy each link's target into `out.files` under the link's path, or record why not."""
    tree = _VirtualTree(dict(out.files), links)
    for path in sorted(links):
        target = links[path][1]
        resolved, why = tree.resolve(path)
        if resolved is None:
            out.unresolved[path] = why if why.startswith("points") else f"points to {target}, which {why}"
            continue
        if resolved in tree.files:
            budget.add(out, path, tree.files[resolved])
        elif _under(path, resolved):
            out.unresolved[path] = f"points to {resolved or '.'}, a folder that contains it (a loop)"
        else:
            for name in sorted(n for n in tree.files if _under(n, resolved)):
                budget.add(out, path + name[len(resolved) :], tree.files[name])


def _read_tar(data: bytes, source: str, max_size: int) -> ReadBundle:
    out, links, budget = ReadBundle(), {}, _Budget(source, max_size)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for member in tar:
            path = _safe_name(member.name, source)
            if member.isdir() or path is None:
                continue
            if member.issym() or member.islnk():
                links[path] = _link_target(path, member.linkname, hard=member.islnk())
                continue
            if not member.isfile():
                raise BundleError(f"{source}: member {member.name!r} is not a regular file")
            budget.check(member.size)
            handle = tar.extractfile(member)
            budget.add(out, path, handle.read() if handle else b"")
    _resolve_links(out, links, budget)
    return out


def _read_zip(data: bytes, source: str, max_size: int) -> ReadBundle:
    out, links, budget = ReadBundle(), {}, _Budget(source, max_size)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            path = _safe_name(info.filename, source)
            if info.is_dir() or path is None:
                continue
            budget.check(info.file_size)
            with archive.open(info) as handle:
                blob = handle.read(max_size - budget.total + 1)
            if stat.S_ISLNK(info.external_attr >> 16):  # a zip symlink's content is its target
                links[path] = _link_target(path, blob[:4096].decode("utf-8", "replace"), hard=False)
                continue
            budget.add(out, path, blob)
    _resolve_links(out, links, budget)
    return out


def read_archive(data: bytes, *, source: str, max_size: int) -> ReadBundle:
    """Files of a .tar.gz/.tar/.zip archive held in memory; BundleError when it is neither or unsafe."""
    try:
        if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
            return _read_zip(data, source, max_size)
        return _read_tar(data, source, max_size)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as err:
        reason = " ".join(str(err).split())  # tarfile lists each method it tried on its own line
        raise BundleError(f"{source}: not a readable .tar.gz or .zip archive ({reason})") from None


def _skip(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return bool(_SKIP_DIRS & set(parts)) or (bool(parts) and parts[-1] == ".DS_Store")


def _follow(path: Path, real_root: Path, ancestors: frozenset[Path]) -> tuple[Path | None, str]:
    """Where a symbolic link inside the bundle leads, or None and why it is not followed."""
    target = os.readlink(path)
    if os.path.isabs(target):
        return None, f"points to {target}, an absolute path"
    try:
        real = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return None, f"points to {target}, which does not exist (it dangles)"
    except OSError:
        return None, f"points to {target}, part of a loop of links"
    if real != real_root and real_root not in real.parents:
        return None, f"points to {target}, outside the bundle"
    if real.is_dir() and real in ancestors:
        return None, f"points to {target}, a folder that contains it (a loop)"
    return real, ""


def read_directory(root: Path, *, max_size: int) -> ReadBundle:
    """Files under a bundle directory; links are followed only when they resolve inside `root`."""
    out, budget = ReadBundle(), _Budget(str(root), max_size)
    real_root = Path(os.path.realpath(root))
    # (directory to walk, its path in the bundle, the real folders above it: a link to one of them loops)
    pending: list[tuple[Path, str, frozenset[Path]]] = [(root, "", frozenset({real_root}))]
    while pending:
        folder, prefix, ancestors = pending.pop()
        for path in sorted(folder.iterdir()):
            rel = f"{prefix}{path.name}"
            if _skip(rel):
                continue
            real: Path | None = path
            if path.is_symlink():
                real, why = _follow(path, real_root, ancestors)
                if real is None:
                    out.unresolved[rel] = why
                    continue
            if real.is_dir():
                pending.append((real, rel + "/", ancestors | {Path(os.path.realpath(real))}))
            elif real.is_file():
                budget.check(real.stat().st_size)
                budget.add(out, rel, real.read_bytes())
    return out


def pack_archive(files: Mapping[str, bytes]) -> bytes:
    """A .tar.gz of {relative POSIX path: bytes}, members in the mapping's order (pass them sorted),
    as uploaded to S3 for Proton: regular files, mode 0644, mtime 0, PAX headers."""
    buffer = io.BytesIO()
    # the gzip header's mtime is 0 as well, so the same files give the same bytes on any day
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for rel, data in files.items():
            info = tarfile.TarInfo(rel)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
