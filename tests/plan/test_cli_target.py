"""`exodus plan --target`: every registered exporter is accepted, names and the default are read from the
registry (not a fixed list), and an unknown name is refused as `exodus export` refuses it."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from exporters import Registry
from exporters.cfn_git_sync import exporter as gitsync
from proton_exodus.cli import main
from proton_exodus.cli.plan import plan_cmd
from tests.plugins.dummy_exporter import exporter as dummy

SNAPSHOT = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"
WITH_DUMMY = Registry({"cfn-git-sync": lambda: gitsync, "dummy": lambda: dummy})


def _run(args: list[str], registry: Registry = WITH_DUMMY) -> tuple[object, mock.MagicMock]:
    plan = mock.MagicMock()
    plan.to_dict.return_value = {
        "counts": {"resources": 0, "waves": 0},
        "schedule": {"start": "", "deadline": ""},
        "waves": [],
        "warnings": [],
    }
    with (
        mock.patch.object(Registry, "from_entry_points", return_value=registry),
        mock.patch("proton_exodus.plan.plan_snapshot", return_value=(plan, None)) as planned,
        mock.patch("proton_exodus.plan.write_plan"),
        mock.patch("proton_exodus.model.snapshot.load_snapshot"),
    ):
        result = CliRunner().invoke(plan_cmd, ["--snapshot", str(SNAPSHOT), "--out", "p", *args])
    return result, planned


def test_third_party_target_is_accepted() -> None:
    result, planned = _run(["--target", "dummy"])
    assert result.exit_code == 0, result.output
    assert planned.call_args.kwargs["target"] == "dummy"


def test_default_target_is_the_registry_default() -> None:
    result, planned = _run([])
    assert result.exit_code == 0, result.output
    assert planned.call_args.kwargs["target"] == "cfn-git-sync"


def test_help_lists_the_registry_and_its_default() -> None:
    with mock.patch.object(Registry, "from_entry_points", return_value=WITH_DUMMY):
        text = CliRunner().invoke(plan_cmd, ["--help"], terminal_width=200).output
    assert "--target [cfn-git-sync|dummy]" in text and "[default: cfn-git-sync]" in text
    assert "Exporter the runbooks hand over to." in text


def test_unknown_target_is_refused_like_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    errors = {}
    for command in ("plan", "export"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--snapshot", str(SNAPSHOT), "--target", "nope", "--out", str(tmp_path / command)])
        assert exit_.value.code == 2
        errors[command] = capsys.readouterr().err
    assert errors["plan"] == errors["export"]
    assert "Error: unknown export target 'nope'\nHint: available: " in errors["plan"]
    assert not (tmp_path / "plan").exists()
