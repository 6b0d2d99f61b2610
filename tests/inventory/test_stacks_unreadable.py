"""`--source stacks` when a stack cannot be read: a create that failed and rolled back, a stack whose
DescribeStacks or GetTemplate is refused. Such a stack is recorded with the reason and the others
are recovered; only a whole-account failure (ListStacks refused) stops the crawl, with exit 3."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.model.snapshot import load_snapshot
from tests.inventory import seeding
from tests.inventory.seeding import ENV_BUNDLE, SVC_BUNDLE, EstateSize, seed_estate

engine_server = pytest.importorskip("proton_exodus.engine.server")
ACCOUNT = "555555555555"  # moto keeps CloudFormation state per process: our own account
BROKEN = "AWSProton-broken-env-cloudformation-ABCDEFGHIJKLMNO"
PROTON = f"arn:aws:proton:us-east-1:{ACCOUNT}"
# The create fails (moto creates no resource of an unknown type) and rolls back; an output
# references the resource that was never created.
FAILED_CREATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Never:
    Type: AWS::Exodus::NeverCreated
Outputs:
  TopicArn:
    Value: !Ref Topic
  NeverArn:
    Value: !GetAtt Never.Arn
"""


def _bundles(root: Path) -> Path:
    for name, files, version in (("env-tpl", ENV_BUNDLE, "1.1"), ("svc-tpl", SVC_BUNDLE, "1.0")):
        for rel, text in files.items():
            path = root / name / version / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def _create_failing_stack(url: str) -> None:
    cfn = seeding.client(url, "cloudformation")
    tags = [
        {"Key": "proton:environment", "Value": f"{PROTON}:environment/broken-env"},
        {"Key": "proton:template", "Value": f"{PROTON}:environment-template/env-tpl"},
    ]
    change_set = cfn.create_change_set(
        StackName=BROKEN,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=FAILED_CREATE,
        Tags=tags,
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"])


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("unreadable")
    with (
        pytest.MonkeyPatch.context() as mp,
        engine_server.LocalProtonServer(port=0, default_account=ACCOUNT) as srv,
    ):
        for var, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_CONFIG_FILE", str(tmp / "none")),
            ("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "none")),
        ):
            mp.setenv(var, value)
        mp.setattr(seeding, "BUCKET", "exodus-unreadable-tests")  # S3 bucket names are global in moto too
        seed_estate(srv.url, EstateSize(1, 1, 1, components=False))
        _create_failing_stack(srv.url)
        srv.retire(True)
        yield {"url": srv.url, "bundles": _bundles(tmp / "bundles")}


def _inventory(estate: dict[str, Any], out: Path, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    from proton_exodus.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "inventory",
                "--source",
                "stacks",
                "--out",
                str(out),
                "--region",
                "us-east-1",
                "--endpoint-url",
                estate["url"],
                "--bundles",
                str(estate["bundles"]),
            ]
        )
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def _fail(
    mp: pytest.MonkeyPatch, method: str, code: str, message: str, when: Callable[[str | None], bool]
) -> None:
    """Make moto's CloudFormation `method` answer `code` when `when(stack name or id)` holds."""
    from moto.cloudformation.models import CloudFormationBackend
    from moto.core.exceptions import ServiceException

    original = getattr(CloudFormationBackend, method)

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        if when(args[0] if args else None):
            raise ServiceException(code, message)
        return original(self, *args, **kwargs)

    mp.setattr(CloudFormationBackend, method, failing)


def _verdict(out: Path, name: str) -> dict[str, Any]:
    return load_snapshot(out).meta["recovery"]["stacks"][f"{ACCOUNT}/us-east-1/{name}"]


def _healthy_ones_recovered(out: Path) -> None:
    snap = load_snapshot(out)
    env = next(r for r in snap.kind("environments") if r["name"] == "env-0")
    # partial, not exact: `insights` is in no template (seeding.ENV_BUNDLE), so it is assumed
    assert env["recovery"]["status"] == "partial" and env["recovery"]["templateVersion"] == "1.1"
    assert env["recovery"]["assumedInputs"] == {"insights": False} and env["outputs"]["TopicArn"]
    (inst,) = snap.kind("service_instances")
    assert inst["recovery"]["status"] != "unrecoverable" and inst["templateMinorVersion"] == "0"
    assert inst["outputs"]["EnvTopic"] == env["outputs"]["TopicArn"]


def test_a_rolled_back_create_reads_like_cloudformation(estate: dict[str, Any]) -> None:
    cfn = seeding.client(estate["url"], "cloudformation")
    (stack,) = cfn.describe_stacks(StackName=BROKEN)["Stacks"]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack  # CloudFormation keeps no outputs of a create it rolled back
    assert BROKEN in {s["StackName"] for s in cfn.describe_stacks()["Stacks"]}


def test_a_failed_create_is_recorded_and_the_rest_recovered(
    estate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code, text, err = _inventory(estate, tmp_path / "snap", capsys)
    assert code == 0, err
    snap = load_snapshot(tmp_path / "snap")
    broken = next(r for r in snap.kind("environments") if r["name"] == "broken-env")
    assert broken["deploymentStatus"] == "FAILED" and broken["outputs"] == {}
    assert _verdict(tmp_path / "snap", BROKEN)["status"] == "unrecoverable"  # no bundle renders it
    _healthy_ones_recovered(tmp_path / "snap")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationError", "Template error: instance of Fn::GetAtt references undefined resource Never"),
        (
            "AccessDenied",
            f"User: arn:aws:iam::{ACCOUNT}:user/x is not authorized to perform: "
            "cloudformation:DescribeStacks with an explicit deny",
        ),
    ],
)
def test_a_stack_that_cannot_be_described_is_recorded_unreadable(
    estate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture, code: str, message: str
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        # As moto answered before its rollback kept no outputs: the listing fails, and so does the stack.
        _fail(mp, "describe_stacks", code, message, lambda name: not name or BROKEN in name)
        status, text, err = _inventory(estate, tmp_path / "snap", capsys)
    assert status == 0, err
    snap = load_snapshot(tmp_path / "snap")
    record = next(s for s in snap.stacks if s["StackName"] == BROKEN)
    assert record["reachable"] is False and record["StackStatus"] == "ROLLBACK_COMPLETE"
    assert record["unreachableReason"] == f"DescribeStacks failed: {code}: {message}"
    verdict = _verdict(tmp_path / "snap", BROKEN)
    assert verdict["status"] == "unrecoverable"
    assert verdict["reason"] == f"unreadable: DescribeStacks failed: {code}: {message}"
    assert record["recovery"] == verdict
    assert f"unrecoverable {ACCOUNT}/us-east-1/{BROKEN}: unreadable: DescribeStacks failed: {code}" in text
    assert "(1 unreachable)" in text
    assert not any(r["name"] == "broken-env" for r in snap.kind("environments"))
    _healthy_ones_recovered(tmp_path / "snap")


def test_a_template_that_cannot_be_read_is_recorded_with_the_reason(
    estate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _fail(
            mp,
            "get_template",
            "AccessDenied",
            "not authorized to perform: cloudformation:GetTemplate",
            lambda name: "svc-0" in (name or ""),
        )
        status, _, err = _inventory(estate, tmp_path / "snap", capsys)
    assert status == 0, err
    snap = load_snapshot(tmp_path / "snap")
    (inst,) = snap.kind("service_instances")
    assert inst["recovery"]["status"] == "unrecoverable"
    assert inst["recovery"]["reason"] == (
        "the deployed template could not be read: "
        "AccessDenied: not authorized to perform: cloudformation:GetTemplate"
    )
    env = next(r for r in snap.kind("environments") if r["name"] == "env-0")
    assert env["recovery"]["templateVersion"] == "1.1"


def test_list_stacks_refused_stops_the_crawl_with_exit_3(
    estate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _fail(
            mp,
            "list_stacks",
            "AccessDenied",
            "not authorized to perform: cloudformation:ListStacks",
            lambda _: True,
        )
        status, _, err = _inventory(estate, tmp_path / "snap", capsys)
    assert status == 3
    lines = err.strip().splitlines()
    assert lines[0] == (
        "Error: ListStacks was denied in us-east-1 (account 555555555555): "
        "not authorized to perform: cloudformation:ListStacks"
    )
    assert lines[1].startswith("Hint: Add `cloudformation:ListStacks`") and len(lines) == 2
    assert not (tmp_path / "snap").exists()


def test_describe_stacks_refused_for_every_stack_exits_3(
    estate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _fail(
            mp,
            "describe_stacks",
            "AccessDenied",
            "not authorized to perform: cloudformation:DescribeStacks",
            lambda _: True,
        )
        status, _, err = _inventory(estate, tmp_path / "snap", capsys)
    assert status == 3
    assert err.splitlines()[0] == (
        "Error: DescribeStacks was denied in us-east-1 (account 555555555555): "
        "not authorized to perform: cloudformation:DescribeStacks"
    )
