"""`exodus iam-policy`: valid policy documents on stdout whatever --output says."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from proton_exodus.cli import cli
from proton_exodus.iam import allowed_actions


@pytest.mark.parametrize("command", ["inventory", "verify", "handover"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_prints_a_policy_document(command: str, output: str) -> None:
    result = CliRunner().invoke(cli, ["--output", output, "iam-policy", "--for", command])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["Version"] == "2012-10-17"
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])


def test_inventory_policy_is_read_only() -> None:
    writes = [
        a
        for a in allowed_actions("inventory")
        if a.split(":")[1].startswith(("Create", "Update", "Delete", "Put", "Tag", "Untag", "Execute"))
    ]
    assert writes == []


def test_verify_never_executes_change_sets() -> None:
    assert "cloudformation:ExecuteChangeSet" not in allowed_actions("verify")
    assert "cloudformation:UpdateStack" not in allowed_actions("verify")


def test_unknown_command_is_usage_error() -> None:
    result = CliRunner().invoke(cli, ["iam-policy", "--for", "everything"])
    assert result.exit_code == 2
