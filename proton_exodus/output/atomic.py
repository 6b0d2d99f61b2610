"""Atomic file and directory writes, so an interrupted or failed command never leaves half a file."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def dump_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, 2-space indent, final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write `text` to `path` through a temporary file in the same directory and a rename."""
    if path.is_dir():
        from proton_exodus.errors import BadInput

        raise BadInput(f"{path}: is a directory; give a file path to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree_atomic(root: Path, files: Mapping[str, str | bytes], *, replace: bool = True) -> None:
    """Write a whole tree of files at once: build it beside `root`, then swap it in.

    With `replace`, whatever was at `root` is replaced in one rename (the old tree is removed only
    after the new one is in place), so readers never see a mix of old and new files.
    """
    root = root.resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".tmp", dir=root.parent))
    made: set[Path] = {staging}
    try:
        for rel, content in sorted(files.items()):
            # checked by its text, not resolved on disk: the fresh staging directory holds no links, and
            # one lstat per path component of 40,000 files was seconds of a large export
            if os.path.isabs(rel) or ".." in Path(rel).parts or not Path(rel).parts:
                raise ValueError(f"refusing to write outside the output directory: {rel}")
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="\n")
        if root.exists() and replace:
            old = root.with_name(f".{root.name}.old-{os.getpid()}")
            os.replace(root, old)
            os.replace(staging, root)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
