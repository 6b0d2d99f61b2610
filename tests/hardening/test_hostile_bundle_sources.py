"""`exodus inventory --bundles DIR` over a directory of hostile archives and bundle folders: the crawl still
completes (bundles are optional), each bad one is a warning, no hostile member reaches the snapshot, and
nothing outside the output directory is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.cli import main
from tests.hardening import hostile as H
from tests.hardening.test_hostile_corpus import _tree


def test_inventory_bundles_from_a_hostile_directory(
    estate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    srv, _ = estate
    source = tmp_path / "bundles"
    source.mkdir()
    blobs = H.archive_blobs()
    for name, (suffix, blob) in blobs.items():
        (source / f"{name}{suffix}").write_bytes(blob)
    for name, payload in H.yaml_payloads().items():
        H.write_bundle_dir(source / "folders" / name, {**H.env_bundle(), "schema/schema.yaml": payload})
    os.symlink("/", source / "root-link")
    os.symlink("..", source / "folders" / "parent-link")
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "--endpoint-url",
                srv.url,
                "--region",
                "us-east-1",
                "inventory",
                "--out",
                str(tmp_path / "snap"),
                "--bundles",
                str(source),
            ]
        )
    out, err = capsys.readouterr()
    assert exit_.value.code == 0, err
    assert "Traceback" not in out + err
    after = {k: v for k, v in _tree(tmp_path).items() if not k.startswith("snap")}
    assert after == before
    names = [p.relative_to(tmp_path / "snap").as_posix() for p in (tmp_path / "snap").rglob("*")]
    assert [
        n for n in names if any(bad in n for bad in ("evil", "passwd", "escape", "pwn", "link", "big.yaml"))
    ] == []
    print(f"{len(blobs)} hostile archives and {len(H.yaml_payloads())} hostile bundle folders crawled past")
