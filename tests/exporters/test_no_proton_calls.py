"""No export of any built-in target calls the retired Proton API: the demo estate is exported to every
target, and every file that runs or deploys (templates, deployment files, scripts, workflows, manifests)
is searched for `aws proton`, IAM `proton:<Action>` grants and boto3 Proton clients. Markdown is
documentation (MANUAL_TASKS.md names the calls that were replaced) and is left out; a step that could
not be rewritten must be listed in MANUAL_TASKS.md with its file and line."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from exporters import Registry
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units
from tests.plan import BUILTIN_EXPORTERS

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"
PROTON_API = re.compile(
    r"\baws\s+proton\b"  # the CLI
    r"|(?<![\w:/.-])proton:(?:\*|[A-Z][A-Za-z]+\b)"  # an IAM action (tags are proton:lowercase)
    r"|\bclient\(\s*['\"]proton['\"]"  # boto3
    r"|\bnew\s+Proton(?:Client)?\b"  # AWS SDK for JavaScript
)


@pytest.fixture(scope="module")
def demo():
    return load_snapshot(DEMO)


def api_calls(root: Path) -> list[str]:
    """`file:line: text` of every Proton API call in the non-Markdown files under `root`. The Proton
    bundles `exodus repo` renders from (`.exodus-repo/templates/.../bundle/`) are Proton's own template
    sources, kept as they were registered: nothing runs or deploys them."""
    found = []
    for path in sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix != ".md"
        and ".exodus" not in p.parts
        and not (p.relative_to(root).parts[0] == ".exodus-repo" and "bundle" in p.parts)
    ):
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if PROTON_API.search(line):
                found.append(f"{path.relative_to(root).as_posix()}:{n}: {line.strip()[:160]}")
    return found


def test_the_pattern_finds_what_the_old_exports_held() -> None:
    assert PROTON_API.search('- aws proton --region "$R" get-service --name "$S"')
    assert PROTON_API.search("                  - proton:GetService")
    assert PROTON_API.search('"Action": ["proton:*"]')
    assert PROTON_API.search("c = boto3.client('proton')")
    assert not PROTON_API.search('"proton:service": "arn:aws:proton:us-east-1:111111111111:service/x"')
    assert not PROTON_API.search(
        "    proton:environment-template: arn:aws:proton:us-east-1:1:environment-template/a"
    )


@pytest.mark.parametrize("target", BUILTIN_EXPORTERS)
def test_no_export_calls_the_proton_api(demo, target: str, tmp_path: Path) -> None:
    run_export(target, demo, tmp_path)
    assert api_calls(tmp_path) == []


@pytest.mark.parametrize("target", ["cfn-git-sync", "argocd"])
def test_a_call_that_cannot_be_rewritten_is_listed_with_file_and_line(
    demo, target: str, tmp_path: Path
) -> None:
    """A pipeline step calling a Proton operation with no direct equivalent now fails on purpose, and
    MANUAL_TASKS.md names the export file and the line of that step."""
    units = []
    for unit in build_units(demo):
        if unit.kind == "service_pipeline" and unit.service == "orders-api":
            text = str(unit.deployed_template)
            assert "get-service --name" in text
            unit = replace(
                unit,
                deployed_template=text.replace(
                    "get-service --name", "list-service-instances --service-name", 1
                ),
            )
        units.append(unit)
    from exporters.argocd import exporter as argocd
    from exporters.cfn_git_sync import exporter as gitsync

    registry = Registry({"cfn-git-sync": lambda: gitsync, "argocd": lambda: argocd})
    run_export(target, demo, tmp_path, units=units, registry=registry)
    assert api_calls(tmp_path) == []
    tasks = [
        line
        for line in (tmp_path / "MANUAL_TASKS.md").read_text().splitlines()
        if "W-PIPE-UNKNOWN-CALL" in line
    ]
    assert len(tasks) == 1, tasks
    where = re.search(r"rewrite the step at (\S+) line (\d+) by hand", tasks[0])
    assert where, tasks[0]
    line = (tmp_path / where.group(1)).read_text().splitlines()[int(where.group(2)) - 1]
    assert "a retired Proton API call was removed here" in line
