"""The rehearsal's "stage the secrets" step: each PLANNED_CHANGES.json `stage` entry becomes a Parameter
Store String in its own account, holding the secrets.json value (or, without secrets.json, the stand-in
the rebuilt stacks hold); a bad entry or a refused put is a failed step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from proton_exodus.errors import BadInput
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.rehearse.planned import load_stage
from proton_exodus.rehearse.stage import stage_secrets

ENTRIES = [
    {"account": "111111111111", "region": "us-east-1", "name": "/exodus/a/db_password", "secretId": "00aa"},
    {"account": "222222222222", "region": "eu-west-1", "name": "/exodus/b/api_token", "secretId": "11bb"},
]


def _ssm(account: str, region: str) -> Any:
    client = boto3.client("ssm", region_name=region)
    client.meta.events.register(
        "before-sign", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return client


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        yield


def _value(account: str, region: str, name: str) -> str:
    return _ssm(account, region).get_parameter(Name=name)["Parameter"]["Value"]


def test_each_value_is_staged_in_its_own_account_and_region(aws: None) -> None:
    snapshot = Snapshot(secrets={"00aa": "s3cret-value", "11bb": 42})
    steps = list(stage_secrets(snapshot, ENTRIES, _ssm))
    assert [(s.action, s.stack, s.account, s.outcome) for s in steps] == [
        ("stage", "/exodus/a/db_password", "111111111111", "ok"),
        ("stage", "/exodus/b/api_token", "222222222222", "ok"),
    ]
    assert _value("111111111111", "us-east-1", "/exodus/a/db_password") == "s3cret-value"
    assert _value("222222222222", "eu-west-1", "/exodus/b/api_token") == "42"
    with pytest.raises(Exception, match="ParameterNotFound"):  # not in the other account
        _value("111111111111", "eu-west-1", "/exodus/b/api_token")
    assert all("s3cret" not in s.command for s in steps)  # the value never lands in the record


def test_without_secrets_json_the_stand_in_the_stacks_hold_is_staged(aws: None) -> None:
    (step, _) = stage_secrets(Snapshot(), ENTRIES, _ssm)
    assert step.outcome == "ok" and "no secrets.json" in step.message
    assert _value("111111111111", "us-east-1", "/exodus/a/db_password") == "{{exodus:secret:00aa}}"


def test_a_bad_entry_or_a_refused_put_fails_the_step(aws: None) -> None:
    bad = [{"account": "111111111111", "region": "us-east-1", "secretId": "00aa"}]
    (step,) = stage_secrets(Snapshot(), bad, _ssm)
    assert step.outcome == "failed" and "lacks a field" in step.message

    def refusing(account: str, region: str) -> Any:
        raise RuntimeError("AccessDenied: not allowed\nmore")

    (step,) = stage_secrets(Snapshot(), ENTRIES[:1], refusing)
    assert step.outcome == "failed" and step.message == "AccessDenied: not allowed"


def test_the_stage_list_is_read_from_planned_changes(tmp_path: Path) -> None:
    assert load_stage(tmp_path) == []
    (tmp_path / "PLANNED_CHANGES.json").write_text(json.dumps({"changes": [], "stage": ENTRIES}))
    assert load_stage(tmp_path) == ENTRIES
    (tmp_path / "PLANNED_CHANGES.json").write_text(json.dumps({"changes": [], "stage": "x"}))
    with pytest.raises(BadInput, match="expected a `stage` list"):
        load_stage(tmp_path)


def test_against_an_estate_it_did_not_build_a_missing_value_fails_and_nothing_is_staged(aws: None) -> None:
    (step, _) = stage_secrets(Snapshot(secrets={"11bb": "x" * 12}), ENTRIES, _ssm, stand_ins=False)
    assert step.outcome == "failed" and "secrets.json holds no value for 00aa" in step.message
    with pytest.raises(Exception, match="ParameterNotFound"):
        _value("111111111111", "us-east-1", "/exodus/a/db_password")
