"""The shipped `.exodus-repo/validate.py`: built from exodus's own source, self-contained, pinned to the
versions exodus is tested with."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from proton_exodus.repo.script import REQUIREMENTS, validation_script
from tests.support.paths import REPO


def test_the_script_imports_nothing_from_exodus() -> None:
    tree = ast.parse(validation_script())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {m.split(".")[0] for m in imported} == {
        "__future__",
        "collections",
        "copy",
        "json",
        "jsonschema",
        "pathlib",
        "re",
        "sys",
        "typing",
        "yaml",
    }


def test_the_script_runs_with_python_alone_outside_the_checkout(tmp_path: Path) -> None:
    script = tmp_path / "validate.py"
    script.write_text(validation_script())
    run = subprocess.run(
        [sys.executable, "-I", str(script), str(tmp_path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == ".exodus-repo/index.json: cannot be read (FileNotFoundError)\n"


def test_the_pins_are_the_locked_versions() -> None:
    locked = dict(re.findall(r"^([a-z0-9-]+)==([^ ]+) ", (REPO / "requirements.lock").read_text(), re.M))
    for pin in REQUIREMENTS.split():
        name, _, version = pin.partition("==")
        assert locked[name.lower()] == version, pin
