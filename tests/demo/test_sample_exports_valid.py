"""The committed demo exports (sample_exports/) pass the real validators of each target:
cfn-lint on every CloudFormation template, actionlint and the workflow schema on every GitHub
workflow, the real CRDs on every Argo CD / Crossplane manifest; and nothing calls `aws proton`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.exporters._pipelines.estates import actionlint, cfn_lint_errors, workflow_schema_errors
from tests.exporters.k8s_schema import CRDS, crd_errors

EXPORTS = REPO / "sample_exports" / "exports"


def _tree(target: str) -> dict[str, str]:
    root = EXPORTS / target
    if not root.is_dir():
        pytest.fail(f"{root} is missing: regenerate with `exodus demo --out sample_exports`")
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        # .exodus/ (the writer's manifest) and .exodus-repo/ (the Proton bundles and schemas `exodus repo`
        # renders from: Jinja sources, not deployable files) are not the target's files
        if p.is_file() and not any(part.startswith(".exodus") for part in p.relative_to(root).parts)
    }


def _is_cfn(text: str) -> bool:
    return "AWSTemplateFormatVersion" in text or ("\nResources:" in text and "Type: AWS::" in text)


@pytest.mark.parametrize("target", ["cfn-git-sync", "codepipeline"])
def test_cloudformation_templates_lint_clean(target: str) -> None:
    files = {k: v for k, v in _tree(target).items() if k.endswith((".yaml", ".yml", ".json")) and _is_cfn(v)}
    assert files, f"no CloudFormation templates in the {target} export"
    problems = {path: errs for path, text in files.items() if (errs := cfn_lint_errors(text))}
    assert problems == {}


def test_github_workflows_pass_actionlint_and_schema(tmp_path: Path) -> None:
    files = _tree("github-actions")
    workflows = {
        k: v for k, v in files.items() if "/.github/workflows/" in f"/{k}" and k.endswith((".yml", ".yaml"))
    }
    assert workflows, "no workflows in the github-actions export"
    assert actionlint(workflows, tmp_path) == []
    assert workflow_schema_errors(workflows) == []


def test_argocd_manifests_match_the_real_crds() -> None:
    """Every manifest as Argo CD applies it: the shared CloudFormation templates under templates/ reach
    it only through the Kustomize build of a stack directory, which is checked instead."""
    from exporters.argocd import kustomize

    checked = 0
    tree = _tree("argocd")
    for path, text in tree.items():
        if (
            not path.endswith(".yaml")
            or path.startswith("templates/")
            or path.endswith("/kustomization.yaml")
        ):
            continue
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and (doc.get("apiVersion"), doc.get("kind")) in CRDS:
                assert crd_errors(doc) == [], path
                checked += 1
    for path in tree:
        if path.startswith("stacks/") and path.endswith("/kustomization.yaml"):
            for doc in kustomize.render(EXPORTS / "argocd", path.rpartition("/")[0]):
                assert crd_errors(doc) == [], path
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("target", ["codepipeline", "github-actions"])
def test_no_generated_pipeline_calls_the_retired_proton_api(target: str) -> None:
    offenders = [path for path, text in _tree(target).items() if "aws proton" in text]
    assert offenders == []


def test_the_redacted_sample_snapshot_verifies_against_its_export() -> None:
    """sample_exports/snapshot has no secrets.json: its deployed templates and specs hold the same
    placeholder for each secret, so verify still proves the export equal to what is deployed."""
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.verify import verify_export

    snap = load_snapshot(REPO / "sample_exports" / "snapshot")
    assert snap.secrets == {}
    report = verify_export(snap, EXPORTS / "cfn-git-sync")
    assert report.stacks == len(snap.stacks) and report.unplanned == [] and not report.failed
