"""The house keeps its shape (docs/architecture.md): one-way imports between packages, one home per
concept. Read from the source with `ast`, so a violation fails here before it spreads."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from tests.support.paths import REPO

BUILTIN_TARGETS = (
    "cfn_git_sync",
    "codepipeline",
    "github_actions",
    "argocd",
    "terraform",
    "spacelift",
    "backstage",
    "service_catalog",
    "_pipelines",
)


def _modules() -> dict[str, Path]:
    found = {}
    for root in ("proton_exodus", "exporters"):
        for path in sorted((REPO / root).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """Every proton_exodus/exporters module `module` imports (at any level, lazily or not)."""
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {n for n in names if n in MODULES}


IMPORTS = {module: _imports(module, path) for module, path in MODULES.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def _importers_of(prefix: str) -> set[str]:
    return {m for m, deps in IMPORTS.items() if any(d == prefix or d.startswith(prefix + ".") for d in deps)}


def test_no_import_cycle_between_packages() -> None:
    graph = nx.DiGraph()
    for module, deps in IMPORTS.items():
        for dep in deps:
            a, b = _package(module), _package(dep)
            if a != b and not b.startswith(a + ".") and not a.startswith(b + "."):
                graph.add_edge(a, b)
    assert list(nx.simple_cycles(graph)) == []


def test_the_library_names_no_built_in_target() -> None:
    """proton_exodus reaches targets through the registry only (the demo aside)."""
    offenders = {
        m
        for m in _importers_of("exporters")
        if m.startswith("proton_exodus.")
        and not m.startswith("proton_exodus.demo")
        and any(
            d.split(".")[1:2] and d.split(".")[1] in BUILTIN_TARGETS
            for d in IMPORTS[m]
            if d.startswith("exporters.")
        )
    }
    assert offenders == set()


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("proton_exodus.model", "proton_exodus.inventory"),
        ("proton_exodus.engine", "proton_exodus.demo"),
        ("proton_exodus.cfn", "proton_exodus.proton"),
        ("proton_exodus.proton", "proton_exodus.model"),
        ("proton_exodus", "proton_exodus.cli"),
    ],
)
def test_lower_layers_import_no_upper_one(lower: str, upper: str) -> None:
    offenders = {
        m
        for m in _importers_of(upper)
        if (m == lower or m.startswith(lower + ".")) and not (m == upper or m.startswith(upper + "."))
    }
    assert offenders == set()


def test_no_production_path_imports_the_estate_generators() -> None:
    offenders = {
        m for m in _importers_of("proton_exodus.testing") if not m.startswith("proton_exodus.testing")
    }
    assert offenders == set()


def test_one_cloudformation_yaml_loader() -> None:
    """Only proton_exodus/cfn/text.py subclasses a PyYAML loader or picks libyaml's."""
    homes = defaultdict(list)
    for module, path in MODULES.items():
        text = path.read_text()
        if re.search(r"class \w+\((yaml\.)?(C?Safe)?Loader\b|getattr\(yaml, \"CSafeLoader\"", text):
            homes["loader"].append(module)
    assert homes["loader"] == ["proton_exodus.cfn.text"]


def test_one_module_holds_the_secret_patterns() -> None:
    """Secret-looking names and credential shapes are matched in proton_exodus/model/secrets.py only."""
    pattern = re.compile(
        r"re\.compile\([^)]*(pass\(?w|api\[_-\]\?key|private\[_-\]\?key)", re.IGNORECASE | re.DOTALL
    )
    homes = [m for m, path in MODULES.items() if pattern.search(path.read_text())]
    assert homes == ["proton_exodus.model.secrets"]
