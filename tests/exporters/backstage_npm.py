"""Backstage's own validators for the tests, installed from the npm registry into a cache folder outside
the repository (never vendored): @backstage/catalog-model and @backstage/plugin-scaffolder-common, and the
scaffolder's nunjucks, each from the lock file committed in tests/exporters/npm/<name>/."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

LOCKS = Path(__file__).with_name("npm")  # one folder per tool set: package.json and package-lock.json
SCRIPT = Path(__file__).with_name("backstage_validate.cjs")
FORMS = Path(__file__).with_name("backstage_forms.cjs")
_UNREACHABLE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "network", "proxy")


# The template engine of the scaffolder's fetch:template (@backstage/plugin-scaffolder-backend: nunjucks ^3.2)
NUNJUCKS = "nunjucks"
RENDER = Path(__file__).with_name("nunjucks_render.cjs")


def cache_dir(name: str = "backstage") -> Path:
    """`$EXODUS_NPM_CACHE`, or ~/.cache/proton-exodus/<name>-<digest of its package-lock.json>."""
    base = os.environ.get("EXODUS_NPM_CACHE") or str(Path.home() / ".cache" / "proton-exodus")
    digest = hashlib.sha256((LOCKS / name / "package-lock.json").read_bytes()).hexdigest()[:16]
    return Path(base) / f"{name}-{digest}"


def install(name: str = "backstage") -> Path:
    """The node_modules folder of tests/exporters/npm/<name>, installed once with `npm ci` from its
    committed package-lock.json (every package, transitive ones included, at its locked version and
    integrity); a skip only when npm cannot reach the registry, a failure when node or npm is missing or
    the install breaks otherwise."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: the Backstage validators need node 20 and npm")
    target = cache_dir(name)
    target.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "w") as lock:  # pytest-xdist workers install one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _install(name, target)


def _install(name: str, target: Path) -> Path:
    modules = target / "node_modules"
    if (target / ".installed").is_file():
        return modules
    for file in ("package.json", "package-lock.json"):
        shutil.copyfile(LOCKS / name / file, target / file)
    run = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(target)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if run.returncode != 0:
        if any(word in run.stderr for word in _UNREACHABLE):
            pytest.skip(
                "npm cannot reach the registry to install Backstage's validators: " + run.stderr[-300:]
            )
        pytest.fail("npm ci of Backstage's validators failed: " + run.stderr[-2000:])
    (target / ".installed").write_text("npm ci done\n", encoding="utf-8")
    return modules


def validate(modules: Path, entities: Mapping[str, Any]) -> dict[str, str]:
    """path -> Backstage's error, for every entity its validators refuse (empty: all accepted)."""
    payload = json.dumps([{"path": p, "entity": e} for p, e in sorted(entities.items())])
    run = subprocess.run(
        ["node", str(SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(modules)},
        timeout=300,
        check=True,
    )
    out = json.loads(run.stdout)
    assert out["checked"] == len(entities)
    return dict(out["errors"])


def form_verdicts(modules: Path, cases: list[tuple[Any, Any]]) -> list[Any]:
    """For each (form schema, data): True/False as the scaffolder's form validator (Ajv 8) decides, or
    the schema's compile error."""
    run = subprocess.run(
        ["node", str(FORMS)],
        input=json.dumps([{"schema": s, "data": d} for s, d in cases]),
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(modules)},
        timeout=300,
        check=True,
    )
    return list(json.loads(run.stdout))


def render(modules: Path, cases: list[tuple[str, Mapping[str, Any]]]) -> list[Any]:
    """Each (template text, context) rendered as the scaffolder renders a step's input (context
    `{"parameters": ...}`) and fetch:template a skeleton's file names and contents (`{"values": ...}`):
    nunjucks, `${{ }}` variables, autoescape off. A template nunjucks refuses gives `{"error": ...}`."""
    run = subprocess.run(
        ["node", str(RENDER)],
        input=json.dumps([{"template": t, "context": c} for t, c in cases]),
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(modules)},
        timeout=300,
        check=True,
    )
    return list(json.loads(run.stdout))
