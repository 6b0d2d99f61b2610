"""Secrets: the planted secret inputs of a crawled estate appear only in the snapshot's secrets.json (mode
0600); every other generated file (snapshot, exports for every target, audit, plan, graph, verify) and
every line the commands print hold none of them, and `--redact` leaves them out entirely."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.cli import main
from tests.hardening.estate import settings_for
from tests.inventory.seeding import EstateSize

SIZE = EstateSize(2, 2, 2)  # must match tests/hardening/conftest.py
PLANTED = [f"s3cret-password-{j}-{k}" for j in range(SIZE.services) for k in range(SIZE.instances)]
TARGETS = ["cfn-git-sync", "codepipeline", "github-actions", "argocd", "terraform", "spacelift"]


def _hits(root: Path, text: str = "") -> list[str]:
    found = [
        f"{p.relative_to(root)}: {s}"
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "secrets.json"
        for s in PLANTED
        if s.encode() in p.read_bytes()
    ]
    return found + [f"<output>: {s}" for s in PLANTED if s in text]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_.value.code), out + err


def test_secrets_are_planted_and_kept_in_secrets_json_only(estate: Any) -> None:
    _, snap = estate
    secrets = (snap / "secrets.json").read_text()
    assert all(s in secrets for s in PLANTED)
    assert stat.S_IMODE((snap / "secrets.json").stat().st_mode) == 0o600
    assert _hits(snap) == []


@pytest.mark.parametrize("target", TARGETS)
def test_no_planted_secret_in_any_export(
    estate: Any, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, snap = estate
    code, text = _run(
        capsys, "export", "--snapshot", str(snap), "--target", target, "--out", str(tmp_path / "x")
    )
    assert code in (0, 1), text
    files = [p for p in (tmp_path / "x").rglob("*") if p.is_file()]
    print(f"{target}: {len(files)} files scanned for {len(PLANTED)} planted secrets")
    assert files and _hits(tmp_path / "x", text) == []


def test_no_planted_secret_in_audit_plan_graph_verify_and_their_output(
    estate: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, snap = estate
    texts = []
    for argv in (
        ["audit", "--snapshot", str(snap), "--out", str(tmp_path / "audit")],
        ["plan", "--snapshot", str(snap), "--out", str(tmp_path / "plan")],
        ["graph", "--snapshot", str(snap), "--out", str(tmp_path / "graph.json")],
        ["--output", "json", "audit", "--snapshot", str(snap)],
        ["export", "--snapshot", str(snap), "--target", "cfn-git-sync", "--out", str(tmp_path / "cfn")],
        ["--debug", "verify", "--snapshot", str(snap), "--export", str(tmp_path / "cfn")],
        ["--output", "json", "verify", "--snapshot", str(snap), "--export", str(tmp_path / "cfn")],
    ):
        code, text = _run(capsys, *argv)
        assert code in (0, 1), text
        texts.append(text)
    assert _hits(tmp_path, "\n".join(texts)) == []


def test_redact_leaves_secrets_out_entirely(
    estate: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srv, _ = estate
    code, text = _run(
        capsys,
        "--endpoint-url",
        srv.url,
        "--region",
        "us-east-1",
        "inventory",
        "--out",
        str(tmp_path / "snap"),
        "--redact",
    )
    assert code == 0, text
    assert not (tmp_path / "snap" / "secrets.json").exists()
    assert _hits(tmp_path, text) == []
    assert settings_for(srv.url).endpoint_url == srv.url


def test_demo_publishes_none_of_its_planted_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole demo (inventory, audit, plan, every export target, verify) on the demo estate."""
    from proton_exodus.demo import planted_secrets
    from proton_exodus.demo.run import run_demo

    monkeypatch.chdir(tmp_path)
    planted = planted_secrets()
    messages: list[str] = []
    report = run_demo(tmp_path / "out", progress=messages.append)
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    print(
        f"demo: {len(files)} files and {len(messages)} progress lines scanned for {len(planted)} planted "
        "secrets"
    )
    assert len(planted) >= 10 and len(files) > 100
    text = "\n".join(messages + report.findings)
    hits = [f"{p.relative_to(tmp_path)}: {s}" for p in files for s in planted if s.encode() in p.read_bytes()]
    assert hits + [s for s in planted if s in text] == []
    assert not list((tmp_path / "out").rglob("secrets.json"))
