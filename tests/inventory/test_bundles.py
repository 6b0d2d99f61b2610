"""Bundles from --bundles sources matched to versions: by path, by schema, by template-sync folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from proton_exodus.inventory.bundles import match_bundles, read_repo_file, scan_directory
from tests.support.bundles import files_of, tar_gz

VPC = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/aws-samples__aws-proton-cloudformation-sample-templates/environment-templates/vpc-env/v1"
)


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
