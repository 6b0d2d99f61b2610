"""The exporter contract: registry from an explicit list, version checks, run_export end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporters import API_VERSION, Registry
from proton_exodus.errors import BadInput, UnknownExporter
from proton_exodus.export import list_targets, run_export
from proton_exodus.model.units import build_units
from proton_exodus.output.writer import load_manifest
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from tests.plugins.dummy_exporter import exporter as dummy


class _Old:
    name, summary, api_version = "old", "old", API_VERSION + 1

    def export(self, ctx):  # pragma: no cover - never called
        raise AssertionError


def registry() -> Registry:
    return Registry({"dummy": lambda: dummy, "old": lambda: _Old()})


def test_registry_lists_names_and_checks_api_version() -> None:
    reg = registry()
    assert reg.names() == ["dummy", "old"]
    with pytest.raises(BadInput, match="API version 2.*needs 1"):
        reg.load("old")
    with pytest.raises(UnknownExporter) as exc:
        reg.load("nope")
    assert "dummy" in (exc.value.hint or "")
    with pytest.warns(UserWarning, match="'old'"):
        assert [row["name"] for row in list_targets(reg)] == ["dummy"]


def test_builtins_are_entry_points() -> None:
    assert {"cfn-git-sync", "codepipeline", "github-actions", "argocd", "terraform", "spacelift"} <= set(
        Registry.from_entry_points().names()
    )


def test_run_export_writes_manifest_and_only_filters(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(2, 2, 2))
    report = run_export("dummy", snap, tmp_path / "out", registry=registry(), only=["dev-000"])
    manifest = load_manifest(tmp_path / "out")
    assert manifest["exporter"]["name"] == "dummy" and manifest["snapshotDigest"] == snap.digest()
    assert manifest["only"] == ["dev-000"]
    assert all("dev-000" in p for p in manifest["files"] if p.startswith("stacks/"))
    assert report.units == 3 and "MANUAL_TASKS.md" in manifest["files"]
    with pytest.raises(BadInput, match="no environment or service"):
        run_export("dummy", snap, tmp_path / "x", registry=registry(), only=["missing"])


def test_known_and_default_target_come_from_the_registry() -> None:
    reg = registry()
    assert reg.known("dummy") == "dummy"
    with pytest.raises(UnknownExporter, match="unknown export target 'nope'"):
        reg.known("nope")
    with pytest.raises(BadInput, match="no installed exporter is marked as the default target") as exc:
        reg.default_target()  # dummy sets no `default`; the broken "old" one is skipped
    assert "dummy" in (exc.value.hint or "")

    class _Default(_Old):
        name, api_version, default = "zz", API_VERSION, True

    assert Registry({**{n: reg._loaders[n] for n in reg.names()}, "zz": _Default}).default_target() == "zz"
    assert Registry.from_entry_points().default_target() == "cfn-git-sync"


def test_builtins_give_the_optional_hooks() -> None:
    reg = Registry.from_entry_points()
    for name in ("cfn-git-sync", "codepipeline", "github-actions", "argocd", "terraform", "spacelift"):
        exporter = reg.load(name)
        assert callable(exporter.handover) and callable(exporter.runbook.stack_commands), name
    assert callable(reg.load("cfn-git-sync").exported_stacks)
    assert callable(reg.load("terraform").exported_stacks) and callable(reg.load("terraform").rehearse)


def test_cfn_git_sync_reads_its_export_back_for_verify(tmp_path: Path) -> None:
    from proton_exodus.verify import load_deployments

    snap = build_synthetic_snapshot(SyntheticSize(1, 1, 1))
    run_export("cfn-git-sync", snap, tmp_path / "out")
    stacks = load_deployments(tmp_path / "out")
    units = [u for u in build_units(snap) if u.stack_name]
    assert sorted(stacks) == sorted((u.account, u.region, u.stack_name) for u in units)
    one = next(iter(stacks.values()))
    assert one.deployment_file.startswith("deployments/") and "Resources" in one.template
    run_export("dummy", snap, tmp_path / "dummy", registry=registry())
    with pytest.raises(BadInput, match="cannot read a dummy export"):
        load_deployments(tmp_path / "dummy", registry=registry())
