"""Backstage's own validators for the tests, installed from the npm registry into a cache folder outside
the repository (never vendored): @backstage/catalog-model and @backstage/plugin-scaffolder-common."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

PACKAGES = ("@backstage/catalog-model@1.10.3", "@backstage/plugin-scaffolder-common@2.4.0")
SCRIPT = Path(__file__).with_name("backstage_validate.cjs")
FORMS = Path(__file__).with_name("backstage_forms.cjs")
_UNREACHABLE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "network", "proxy")


# The template engine of the scaffolder's fetch:template (@backstage/plugin-scaffolder-backend: nunjucks ^3.2)
NUNJUCKS = ("nunjucks@3.2.4",)
RENDER = Path(__file__).with_name("nunjucks_render.cjs")


def cache_dir(packages: tuple[str, ...] = PACKAGES, name: str = "backstage") -> Path:
    """`$EXODUS_NPM_CACHE`, or ~/.cache/proton-exodus/<name>-<pinned versions>."""
    base = os.environ.get("EXODUS_NPM_CACHE") or str(Path.home() / ".cache" / "proton-exodus")
    tag = "-".join(p.rsplit("@", 1)[1] for p in packages)
    return Path(base) / f"{name}-{tag}"


def install(packages: tuple[str, ...] = PACKAGES, name: str = "backstage") -> Path:
    """The node_modules folder holding the pinned packages (installed once); a skip only when npm cannot
    reach the registry, a failure when node or npm is missing or the install breaks otherwise."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: the Backstage validators need node 20 and npm")
    target = cache_dir(packages, name)
    modules = target / "node_modules"
    if all((modules / p.rsplit("@", 1)[0] / "package.json").is_file() for p in packages):
        return modules
    target.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(target), *packages],
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
        pytest.fail("npm install of Backstage's validators failed: " + run.stderr[-2000:])
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
