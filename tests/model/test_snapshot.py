"""Snapshot round trips, determinism and clear errors on malformed snapshot directories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proton_exodus.errors import SnapshotError
from proton_exodus.model.snapshot import load_snapshot, write_snapshot
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot


def test_round_trip_is_byte_identical(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(environments=3, services=5))
    write_snapshot(snap, tmp_path / "a")
    loaded = load_snapshot(tmp_path / "a")
    write_snapshot(loaded, tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert loaded.digest() == snap.digest()


def test_counts_and_lookups(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(environments=2, services=3, instances_per_service=2))
    write_snapshot(snap, tmp_path / "s")
    loaded = load_snapshot(tmp_path / "s")
    meta = json.loads((tmp_path / "s" / "snapshot.json").read_text())
    assert meta["counts"]["service_instances"] == 6
    assert meta["counts"]["service_pipelines"] == 3
    inst = next(loaded.find("service_instances", serviceName="svc-00001"))
    stack = loaded.stack_for(inst["arn"])
    assert stack is not None and stack["StackName"].startswith("AWSProton-")
    assert "AWS::ECS::Service" in loaded.stack_template(stack)
    assert loaded.bundle_files("bundles/service/syn-svc/1.0")["schema/schema.yaml"].startswith(b"schema:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing (the snapshot manifest)"),
        ("{not json", "invalid JSON at line 1"),
        ('{"format": "other"}', "not an exodus snapshot manifest"),
        ('{"format": "proton-exodus-snapshot", "formatVersion": 99}', "formatVersion 99 is not supported"),
    ],
)
def test_bad_manifest_is_one_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    (tmp_path / "s").mkdir()
    if content is not None:
        (tmp_path / "s" / "snapshot.json").write_text(content)
    with pytest.raises(SnapshotError) as exc:
        load_snapshot(tmp_path / "s")
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_bad_kind_file(tmp_path: Path) -> None:
    write_snapshot(build_synthetic_snapshot(), tmp_path / "s")
    (tmp_path / "s" / "environments.json").write_text('{"a": 1}')
    with pytest.raises(SnapshotError, match="environments.json: expected a JSON list of objects"):
        load_snapshot(tmp_path / "s")


def test_failed_write_leaves_previous_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_snapshot(build_synthetic_snapshot(), tmp_path / "s")
    before = (tmp_path / "s" / "environments.json").read_bytes()
    snap = build_synthetic_snapshot(SyntheticSize(environments=5))
    snap.templates["../escape.template"] = "x"
    with pytest.raises(ValueError, match="outside the output directory"):
        write_snapshot(snap, tmp_path / "s")
    assert (tmp_path / "s" / "environments.json").read_bytes() == before
    assert not (tmp_path / "escape.template").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s"]
