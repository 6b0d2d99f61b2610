"""The export as a deployer reads it: committed to a real local Git repository and checked out from the
tracked branch (Git sync, a CodePipeline source action, `actions/checkout`, Argo CD's repo server all read
a commit, never a working copy). Deterministic: fixed author, committer and dates."""

from __future__ import annotations

import subprocess
from pathlib import Path

BRANCH = "main"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "exodus rehearse",
    "GIT_AUTHOR_EMAIL": "rehearse@exodus.invalid",
    "GIT_COMMITTER_NAME": "exodus rehearse",
    "GIT_COMMITTER_EMAIL": "rehearse@exodus.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` with the rehearsal's fixed identity; its stdout, stripped."""
    return subprocess.run(
        ["git", *args], cwd=cwd, env=_GIT_ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_export(export_dir: Path, work_dir: Path, checkout_name: str = "checkout") -> tuple[Path, str]:
    """The export pushed to a local bare repository (the one the target watches), and a clone of its
    tracked branch the deployer reads from: (checkout, commit id)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    remote, checkout = work_dir / "repository.git", work_dir / checkout_name
    git(work_dir, "init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(remote))
    source = work_dir / "export-worktree"
    git(work_dir, "init", "--quiet", f"--initial-branch={BRANCH}", str(source))
    git(source, f"--work-tree={export_dir}", "add", "--all", ".")
    git(source, f"--work-tree={export_dir}", "commit", "--quiet", "--no-gpg-sign", "-m", "exodus export")
    git(source, "push", "--quiet", str(remote), f"{BRANCH}:{BRANCH}")
    git(work_dir, "clone", "--quiet", "--branch", BRANCH, str(remote), str(checkout))
    return checkout, git(checkout, "rev-parse", "HEAD")


def commit_change(checkout: Path, message: str) -> str:
    """Commit every change in `checkout` and push it to the tracked branch (a day-2 edit, a revert):
    the new commit id."""
    git(checkout, "add", "--all", ".")
    git(checkout, "commit", "--quiet", "--no-gpg-sign", "--allow-empty", "-m", message)
    git(checkout, "push", "--quiet", "origin", f"{BRANCH}:{BRANCH}")
    return git(checkout, "rev-parse", "HEAD")
