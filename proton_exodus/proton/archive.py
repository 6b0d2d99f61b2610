"""Read a bundle's files into memory from a directory, a tar(.gz) or a zip, refusing anything unsafe;
and pack files into the .tar.gz Proton takes from S3.

Nothing is ever extracted to disk: members that are links, devices, absolute paths or `..` escapes are
refused, and sizes are checked before a member is read (so a zip bomb cannot exhaust memory).
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from proton_exodus.errors import BundleError

__all__ = ["pack_archive", "read_archive", "read_directory"]

_SKIP_DIRS = {".git", "__MACOSX"}


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


def _add(files: dict[str, bytes], path: str, data: bytes, source: str, total: list[int], max_size: int) -> None:
    total[0] += len(data)
    if total[0] > max_size:
        raise BundleError(f"{source}: unpacked bundle is larger than Proton's 5 MB limit")
    if path in files:
        raise BundleError(f"{source}: member {path!r} appears twice")
    files[path] = data


def _read_tar(data: bytes, source: str, max_size: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = [0]
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for member in tar:
            path = _safe_name(member.name, source)
            if member.issym() or member.islnk():
                raise BundleError(f"{source}: member {member.name!r} is a link; bundles may not contain links")
            if member.isdir() or path is None:
                continue
            if not member.isfile():
                raise BundleError(f"{source}: member {member.name!r} is not a regular file")
            if member.size > max_size - total[0]:
                raise BundleError(f"{source}: unpacked bundle is larger than Proton's 5 MB limit")
            handle = tar.extractfile(member)
            _add(files, path, handle.read() if handle else b"", source, total, max_size)
    return files


def _read_zip(data: bytes, source: str, max_size: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = [0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            path = _safe_name(info.filename, source)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise BundleError(f"{source}: member {info.filename!r} is a link; bundles may not contain links")
            if info.is_dir() or path is None:
                continue
            if info.file_size > max_size - total[0]:
                raise BundleError(f"{source}: unpacked bundle is larger than Proton's 5 MB limit")
            with archive.open(info) as handle:
                blob = handle.read(max_size - total[0] + 1)
            _add(files, path, blob, source, total, max_size)
    return files


def read_archive(data: bytes, *, source: str, max_size: int) -> dict[str, bytes]:
    """Files of a .tar.gz/.tar/.zip archive held in memory; BundleError when it is neither or unsafe."""
    try:
        if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
            return _read_zip(data, source, max_size)
        return _read_tar(data, source, max_size)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as err:
        reason = " ".join(str(err).split())  # tarfile lists each method it tried on its own line
        raise BundleError(f"{source}: not a readable .tar.gz or .zip archive ({reason})") from None


def read_directory(root: Path, *, max_size: int) -> dict[str, bytes]:
    """Files under a bundle directory; symlinks are refused like archive links."""
    files: dict[str, bytes] = {}
    total = [0]
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if _SKIP_DIRS & set(PurePosixPath(rel).parts) or path.name == ".DS_Store":
            continue
        if path.is_symlink():
            raise BundleError(f"{root}: {rel} is a symbolic link; bundles may not contain links")
        if path.is_file():
            _add(files, rel, path.read_bytes(), str(root), total, max_size)
    return files


def pack_archive(files: Mapping[str, bytes]) -> bytes:
    """A .tar.gz of {relative POSIX path: bytes}, members in the mapping's order (pass them sorted),
    as uploaded to S3 for Proton: regular files, mode 0644, mtime 0, PAX headers."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel, data in files.items():
            info = tarfile.TarInfo(rel)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
