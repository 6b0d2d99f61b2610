"""Least privilege: every AWS call a command really makes (botocore before-call, whatever client made it)
is allowed by its `exodus iam-policy`, and nothing writes to AWS without --apply: offline commands make
no call at all, `verify --change-set` only creates, describes and deletes its preview change sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proton_exodus.cli import main
from proton_exodus.export import run_export
from proton_exodus.iam import allowed_actions
from proton_exodus.inventory import crawl_estate
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.verify import verify_export
from tests.hardening.estate import CallRecorder, settings_for
from tests.inventory.seeding import BUCKET

# API operations whose IAM action has another name (AWS Service Authorization Reference).
IAM_NAME = {
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
}
READ_PREFIXES = ("Describe", "Get", "List", "Head")
PREVIEW = {
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DeleteChangeSet",
}


def _action(call: str) -> str:
    return IAM_NAME.get(call, call)


def test_crawl_uses_only_actions_of_the_inventory_policy(
    estate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, _ = estate
    with CallRecorder().recording(monkeypatch) as rec:
        crawl_estate(settings_for(srv.url), tmp_path / "snap", bundles=(f"s3://{BUCKET}/",), concurrency=4)
    used = {_action(c) for c in rec.calls}
    print(f"crawl: {len(rec.calls)} calls, {len(used)} distinct actions")
    assert {"proton:ListEnvironments", "cloudformation:GetTemplate"} <= used
    assert sorted(used - allowed_actions("inventory")) == []
    assert [a for a in used if not a.split(":")[1].startswith(READ_PREFIXES)] == []


def test_verify_change_set_makes_only_preview_writes(
    estate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, clean = estate
    snapshot = load_snapshot(clean)
    with CallRecorder().recording(monkeypatch) as rec:
        run_export("cfn-git-sync", snapshot, tmp_path / "export")
        verify_export(snapshot, tmp_path / "export")
    assert rec.calls == [], "export and offline verify must not call AWS"
    with CallRecorder().recording(monkeypatch) as rec:
        report = verify_export(snapshot, tmp_path / "export", change_set=True, endpoint_url=srv.url)
    used = {_action(c) for c in rec.calls}
    assert report.change_sets and used >= PREVIEW
    assert sorted(used - allowed_actions("verify")) == []
    writes = {a for a in used if not a.split(":")[1].startswith(READ_PREFIXES)}
    assert writes <= PREVIEW
    assert rec.calls.count("cloudformation:CreateChangeSet") == rec.calls.count(
        "cloudformation:DeleteChangeSet"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--snapshot", "{snap}", "--out", "{tmp}/audit"],
        ["plan", "--snapshot", "{snap}", "--out", "{tmp}/plan"],
        ["graph", "--snapshot", "{snap}", "--out", "{tmp}/graph.json"],
        ["export", "--snapshot", "{snap}", "--target", "github-actions", "--out", "{tmp}/gha"],
        ["export", "--snapshot", "{snap}", "--target", "codepipeline", "--out", "{tmp}/cp"],
        ["export", "--snapshot", "{snap}", "--target", "argocd", "--out", "{tmp}/argo"],
    ],
    ids=lambda a: "-".join(a[:1] + a[3:4]),
)
def test_offline_commands_make_no_aws_call(
    estate: Any, tmp_path: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, clean = estate
    args = [a.format(snap=clean, tmp=tmp_path) for a in argv]
    with CallRecorder().recording(monkeypatch) as rec, pytest.raises(SystemExit) as exit_:
        main(["--endpoint-url", "http://127.0.0.1:9", *args])
    assert exit_.value.code in (0, 1)
    assert rec.calls == []
