"""Bundles from --bundles sources matched to versions: by path, by schema, by template-sync folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.demo import BUNDLES_DIR
from proton_exodus.inventory.bundles import match_bundles, read_repo_file, scan_directory
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.recover import Candidate, recover_service_instance
from proton_exodus.proton.recover.versions import Known
from proton_exodus.proton.render import render_service_instance
from proton_exodus.proton.render.context import EnvironmentContext, ServiceContext
from tests.support.bundles import files_of, tar_gz

VPC = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/aws-samples__aws-proton-cloudformation-sample-templates/environment-templates/vpc-env/v1"
)


DEMO_UNSYNCED = BUNDLES_DIR.parent / "unsynced"


def _version(minor: int, schema: str, major: int = 1, name: str = "vpc-env") -> dict:
    return {
        "account": "111111111111",
        "region": "us-east-1",
        "templateName": name,
        "majorVersion": str(major),
        "minorVersion": str(minor),
        "schema": schema,
    }


@pytest.fixture
def sync_repo(tmp_path: Path) -> Path:
    if not VPC.is_dir():
        pytest.skip("shared corpus not present")
    repo = tmp_path / "templates"
    shutil.copytree(VPC, repo / "vpc-env" / "v1")
    (repo / "configuration").mkdir()
    (repo / "configuration" / "proton-ops.yaml").write_text("sync: {}\n")
    return repo


def test_sync_folder_maps_to_latest_minor_and_schema_matches_older(sync_repo: Path) -> None:
    schema = (VPC / "schema" / "schema.yaml").read_text()
    records = {
        "environment_template_versions": [
            _version(0, "old schema"),
            _version(1, schema + "\n"),
            _version(2, "newest but different"),
        ]
    }
    warnings: list[str] = []
    files = match_bundles(records, scan_directory(sync_repo, "templates", warnings))
    got = {
        r["minorVersion"]: (r["bundle"], r["bundleMatch"]) for r in records["environment_template_versions"]
    }
    assert got["0"] == (None, None)
    assert got["1"] == ("bundles/environment/vpc-env/1.1", "schema")
    assert got["2"] == ("bundles/environment/vpc-env/1.2", "latest-minor")
    assert set(files["bundles/environment/vpc-env/1.1"]) >= {
        "schema/schema.yaml",
        "infrastructure/manifest.yaml",
    }
    assert not warnings


def test_exact_path_and_archives_win(tmp_path: Path) -> None:
    if not VPC.is_dir():
        pytest.skip("shared corpus not present")
    src = tmp_path / "bundles"
    src.mkdir()
    (src / "vpc-env-1.0.tar.gz").write_bytes(tar_gz(files_of(VPC), prefix="vpc-env/"))
    records = {
        "environment_template_versions": [_version(0, "not the bundle's schema")],
        "service_template_versions": [_version(0, "x", name="svc")],
    }
    match_bundles(records, scan_directory(src, "bundles", []))
    env = records["environment_template_versions"][0]
    assert (env["bundle"], env["bundleMatch"], env["bundleSource"]) == (
        "bundles/environment/vpc-env/1.0",
        "path",
        "bundles:vpc-env-1.0.tar.gz",
    )
    assert (
        records["service_template_versions"][0]["bundle"] is None
    )  # an environment bundle never matches a service


def test_broken_bundles_are_skipped_with_a_warning(tmp_path: Path) -> None:
    bad = tmp_path / "x" / "v1" / "schema"
    bad.mkdir(parents=True)
    (bad / "schema.yaml").write_text("not: [valid")
    warnings: list[str] = []
    assert scan_directory(tmp_path, "src", warnings) == []
    assert "x/v1" in warnings[0]


def test_ops_files_are_read_from_local_checkouts(sync_repo: Path) -> None:
    assert read_repo_file([str(sync_repo)], "./configuration/proton-ops.yaml") == "sync: {}\n"
    assert read_repo_file(["s3://b/p", str(sync_repo)], "missing.yaml") is None


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo),
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def _lambda_sync_repo(root: Path) -> Path:
    """A template-sync repository of demo-lambda-svc as Proton saw it: v1/ first held 1.0, an unrelated
    commit, then v1/ changed to 1.1's content (template sync made it minor 1)."""
    repo = root / "proton-templates"
    folder = repo / "demo-lambda-svc" / "v1"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    shutil.copytree(DEMO_UNSYNCED / "demo-lambda-svc" / "v1.0", folder)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "demo-lambda-svc 1.0")
    (repo / "README.md").write_text("templates\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "readme")
    shutil.rmtree(folder)
    shutil.copytree(BUNDLES_DIR / "demo-lambda-svc" / "v1", folder)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "demo-lambda-svc: configurable timeout")
    return repo


def _lambda_stack(bundle: Any, inputs: dict[str, Any]) -> str:
    env = EnvironmentContext(
        "dev", "111111111111", {"SubnetIds": "subnet-1,subnet-2", "ServiceSecurityGroupId": "sg-1"}
    )
    rendered = render_service_instance(
        bundle,
        service=ServiceContext("notifications-fn"),
        instance_name="dev",
        inputs=inputs,
        environment=env,
    )
    return rendered.text or ""


def test_a_sync_checkout_gives_every_minor_its_history_made(tmp_path: Path) -> None:
    """Each commit that changed `v1/` is the next minor (the unrelated one is not); each deployed stack
    is recovered against the minor whose render it is: 1.0 for a stack 1.0 rendered, 1.1 for 1.1's."""
    repo = _lambda_sync_repo(tmp_path)
    warnings: list[str] = []
    found = scan_directory(repo, str(repo), warnings)
    assert [(c.name, c.major, c.minor) for c in found] == [
        ("demo-lambda-svc", "1", "0"),
        ("demo-lambda-svc", "1", "1"),
    ]
    assert warnings == [] and all(c.commit for c in found)
    assert found[1].bundle.files == load_bundle(BUNDLES_DIR / "demo-lambda-svc" / "v1").files
    cands = [Candidate("demo-lambda-svc", c.major, c.minor, c.bundle) for c in found]
    known = Known(
        environment="dev",
        account_id="111111111111",
        environment_outputs={"SubnetIds": "subnet-1,subnet-2", "ServiceSecurityGroupId": "sg-1"},
        service="notifications-fn",
        instance="dev",
    )
    old = _lambda_stack(found[0].bundle, {"api_token": "exodus-test-token-0123456789abcdef"})
    new = _lambda_stack(found[1].bundle, {"api_token": "exodus-test-token-0123456789abcdef", "timeout": 30})
    assert (
        recover_service_instance(old, cands, known).minor,
        recover_service_instance(new, cands, known).minor,
    ) == (
        "0",
        "1",
    )
    # an uncommitted change is no minor Proton made: kept with its minor unknown, and said so
    (repo / "demo-lambda-svc" / "v1" / "schema" / "schema.yaml").write_text(
        (BUNDLES_DIR / "demo-lambda-svc" / "v1" / "schema" / "schema.yaml").read_text() + "\n# local edit\n"
    )
    again: list[str] = []
    found = scan_directory(repo, str(repo), again)
    assert [c.minor for c in found] == ["0", "1", None] and "not pushed" in again[0]


def test_a_folder_inside_another_projects_repository_has_no_history_minors(tmp_path: Path) -> None:
    """The history of a bundles folder deep in some other repository is that project's, not a sync
    branch's: the folder stays a template-sync folder of unknown minor."""
    outer = tmp_path / "project"
    outer.mkdir()
    _git(outer, "init", "-q", "-b", "main")
    shutil.copytree(BUNDLES_DIR / "demo-lambda-svc" / "v1", outer / "bundles" / "demo-lambda-svc" / "v1")
    _git(outer, "add", "-A")
    _git(outer, "commit", "-q", "-m", "bundles")
    found = scan_directory(outer / "bundles", "bundles", [])
    assert [(c.minor, c.sync, c.commit) for c in found] == [(None, True, None)]
