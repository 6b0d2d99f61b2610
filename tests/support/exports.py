"""Real exports of the demo snapshot, one per built-in target, and fresh git repositories holding them
(so a test reads its changes as `git diff`, as a reviewer would). Import the fixtures where needed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from exporters import Registry
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import Snapshot, load_snapshot
from tests.support.paths import REPO

TARGETS = ("cfn-git-sync", "codepipeline", "github-actions", "argocd")
SNAPSHOT = REPO / "sample_exports" / "snapshot"


def git(root: Path, *args: str) -> str:
    """Run git in `root`; its stdout."""
    return subprocess.run(
        ["git", "-c", "user.name=exodus-test", "-c", "user.email=test@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def changes(root: Path) -> dict[str, tuple[list[str], list[str]]]:
    """The working tree's changes since the commit: file -> (removed lines, added lines); new files too."""
    git(root, "add", "-A")
    out: dict[str, tuple[list[str], list[str]]] = {}
    current = ""
    for line in git(root, "diff", "--cached", "-U0", "--no-color").splitlines():
        if line.startswith("+++ "):
            current = line[6:] if line != "+++ /dev/null" else current
            out.setdefault(current, ([], []))
        elif line.startswith("--- "):
            current = line[6:] if line != "--- /dev/null" else ""
        elif line.startswith("-") and current:
            out[current][0].append(line[1:])
        elif line.startswith("+") and current:
            out[current][1].append(line[1:])
    return out


@pytest.fixture(scope="session")
def demo_snapshot() -> Snapshot:
    return load_snapshot(SNAPSHOT)


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory, demo_snapshot: Snapshot) -> dict[str, Path]:
    """target -> its export of the demo snapshot (written once per session; never edited)."""
    registry = Registry.from_entry_points()
    base = tmp_path_factory.mktemp("repo-exports")
    for target in TARGETS:
        run_export(target, demo_snapshot, base / target, registry=registry)
    return {target: base / target for target in TARGETS}


@pytest.fixture
def checkout(tmp_path: Path, demo_exports: dict[str, Path]) -> Callable[[str], Path]:
    """A git repository holding `target`'s export, committed: `checkout("codepipeline")`."""

    def make(target: str) -> Path:
        root = tmp_path / target
        shutil.copytree(demo_exports[target], root)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "export")
        return root

    return make
