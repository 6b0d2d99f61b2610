"""The one bundle builder of the test suite: {relative path: text or bytes} as .tar.gz, .tar or .zip
bytes, or as a directory tree; hostile members (links, devices, unsafe names) through `tar_members`.

Each test package keeps its own bundle contents (schema types, templates); the manifests, the schema
frame and the layouts (which file goes where) are the synthetic estates' too, so they live in
`proton_exodus.testing.templates` and are re-exported here. Regular archives are packed by production's
`pack_archive`, exactly as the S3 uploads are.
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from proton_exodus.proton.archive import pack_archive
from proton_exodus.testing.templates import (
    CFN_MANIFEST,
    TF_MANIFEST,
    environment_layout,
    schema_file,
    service_layout,
)

__all__ = [
    "CFN_MANIFEST",
    "TF_MANIFEST",
    "as_bytes",
    "build_file_tree",
    "environment_layout",
    "files_of",
    "schema_file",
    "service_layout",
    "tar_gz",
    "tar_members",
    "zip_bytes",
]

Content = str | bytes
Files = Mapping[str, Content]


def as_bytes(content: Content) -> bytes:
    """Text is written as UTF-8; bytes as they are."""
    return content if isinstance(content, bytes) else content.encode()


def tar_gz(files: Files, *, prefix: str = "") -> bytes:
    """A .tar.gz of `files`, sorted by path, each under `prefix` (e.g. "my-template/" for a wrapped
    bundle)."""
    return pack_archive({prefix + rel: as_bytes(content) for rel, content in sorted(files.items())})


def tar_members(members: Iterable[tuple[tarfile.TarInfo, bytes | None]], *, gz: bool = True) -> bytes:
    """A tar(.gz) of hand-made members, in order; a None payload writes the header alone (links, devices)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gz else "w") as tar:
        for info, data in members:
            if data is None:
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(files: Files, *, symlinks: Mapping[str, str] | None = None, deflated: bool = False) -> bytes:
    """A .zip of `files` in their order; `symlinks` adds {name: target} members marked as symbolic links."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED) as archive:
        for rel, content in files.items():
            archive.writestr(rel, as_bytes(content))
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target.encode())
    return buffer.getvalue()


def build_file_tree(root: Path, files: Files) -> Path:
    """Write {relative path: content} under `root` (a bundle directory, a sync checkout) and return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(as_bytes(content))
    return root


def files_of(root: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every file under `root`, sorted (to pack a bundle directory)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
