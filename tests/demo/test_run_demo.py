"""`exodus demo` end to end, once per module (it seeds a whole estate): it exits 0, its summary points
at real files, it reproduces the committed sample_exports/ byte for byte, publishes no planted secret,
verify finds no difference, and it tells today's story (Proton retired, the estate rebuilt from its
stacks, a plan that calls no Proton API)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from proton_exodus.demo import planted_secrets
from tests.conftest import REPO

SAMPLES = REPO / "sample_exports"
EXODUS = Path(sys.executable).with_name("exodus")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the README's command the way `make sample-exports` does, from a scratch working directory."""
    cwd = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(cwd / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(cwd / "no-credentials"),
    }
    proc = subprocess.run(
        [str(EXODUS), "demo", "--out", "sample_exports"],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=600,
        check=False,
    )
    return proc, cwd / "sample_exports"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_demo_exits_zero_and_its_summary_names_real_files(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, out = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    listed = re.findall(r"^  \S+\s+(sample_exports\S*)$", proc.stdout, flags=re.MULTILINE)
    assert {
        "sample_exports/SUMMARY.md",
        "sample_exports/verify.json",
        "sample_exports/audit/audit.md",
        "sample_exports/plan/README.md",
        "sample_exports/snapshot",
        "sample_exports/exports/cfn-git-sync",
        "sample_exports/report.html",
    } <= set(listed), proc.stdout
    missing = [p for p in listed if not (out.parent / p).exists()]
    assert missing == [], proc.stdout
    assert re.search(r"finished in \d+\.\d s", proc.stdout), proc.stdout
    for rel in (
        "SUMMARY.md",
        "audit/audit.json",
        "plan/plan.json",
        "plan/wave-01.md",
        "snapshot/snapshot.json",
        "report.html",
    ):
        assert (out / rel).is_file(), rel


def test_summary_links_the_html_report(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """SUMMARY.md sends the reader to report.html, which has the graph, the waves and the verify result."""
    _, out = demo
    assert "[report.html](report.html)" in (out / "SUMMARY.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<svg id="estate-graph"' in html and 'id="waves"' in html and 'id="verify"' in html
    assert "exodus-demo-secret" not in html


def test_demo_output_matches_sample_exports_byte_for_byte(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, out = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    fresh, committed = _files(out), _files(SAMPLES)
    hint = "regenerate with `make sample-exports` (`exodus demo --out sample_exports`) and commit it"
    assert sorted(set(fresh) - set(committed)) == [], f"new files not in sample_exports/; {hint}"
    assert sorted(set(committed) - set(fresh)) == [], f"files the demo no longer writes; {hint}"
    differing = [rel for rel in sorted(fresh) if fresh[rel] != committed[rel]]
    assert differing[:10] == [], f"{len(differing)} files drifted; {hint}"


def test_no_path_of_this_machine_in_the_output(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """The checkout and scratch directories differ per machine (CI clones elsewhere): a path of either in
    the output breaks byte-for-byte reproduction on every other machine."""
    _, out = demo
    machine = [str(REPO).encode(), str(out.parent).encode()]
    hits = sorted({rel for rel, data in _files(out).items() for path in machine if path in data})
    assert hits == []


def test_no_planted_secret_anywhere_in_the_output(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, out = demo
    secrets = planted_secrets()
    assert secrets, "the demo estate plants no secret: this test would prove nothing"
    files = _files(out)
    assert files
    hits = sorted((rel, s) for rel, data in files.items() for s in secrets if s.encode() in data)
    assert hits == []
    assert proc.stdout.count("exodus-demo-secret") == 0 and "secrets.json" not in files


def test_verify_reports_zero_differences(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = demo
    verify = json.loads((out / "verify.json").read_text(encoding="utf-8"))
    assert verify["stacks"] > 0
    # the only differences are planned (the rewritten service pipelines: Proton is retired)
    assert verify["unplanned"] == 0 and verify["failed"] is False
    assert all(d.get("planned") for d in verify["differences"])
    summary = (out / "SUMMARY.md").read_text(encoding="utf-8")
    assert f"OK: {verify['stacks']} stacks" in summary
    assert "finished in" not in summary  # timings vary run to run: they stay out of the files


def test_demo_tells_todays_story(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """Proton retired after seeding: the published snapshot is the stacks rebuild of both accounts,
    captured after end of support, and the plan calls no Proton API and never rolls back to Proton."""
    _, out = demo
    meta = json.loads((out / "snapshot" / "snapshot.json").read_text(encoding="utf-8"))
    assert meta["source"] == "stacks" and meta["protonAnswered"] is False
    assert meta["capturedAt"] > "2026-10-07" and meta["accounts"] == ["111111111111", "222222222222"]
    assert meta["recovery"]["counts"]["exact"] == 38
    plan = json.loads((out / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert plan["protonRetired"] is True and plan["schedule"]["start"] == meta["capturedAt"][:10]
    dates = [w["date"] for w in plan["waves"]]
    assert dates == sorted(set(dates))  # one wave a day: production shares its day with no other tier
    for rel in ["README.md"] + [f"wave-{w['number']:02d}.md" for w in plan["waves"]]:
        text = (out / "plan" / rel).read_text(encoding="utf-8")
        assert not re.search(r"aws proton [a-z]", text), rel
        assert "Proton managing" not in text, rel
    audit = (out / "audit" / "audit.md").read_text(encoding="utf-8")
    assert "accounts 111111111111, 222222222222;" in audit
    assert "Today's story" in (out / "SUMMARY.md").read_text(encoding="utf-8")


def test_the_demo_rehearsal_passes(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """The demo ends with `exodus rehearse` (cfn-git-sync, every wave, day 2, a rollback) passing: no
    failed step, no unplanned change; the units the plan blocks are reported blocked, not deployed."""
    _, out = demo
    doc = json.loads((out / "rehearsal" / "rehearsal.json").read_text(encoding="utf-8"))
    summary = doc["summary"]
    assert summary["passed"] is True, summary
    assert summary["failed"] == 0 and summary["unplanned"] == 0 and summary["waves"] >= 1
    plan = json.loads((out / "plan" / "plan.json").read_text(encoding="utf-8"))
    held = {r["stackName"] for w in plan["waves"] for r in w["resources"] if r.get("blockedBy")}
    assert {b["unit"] for b in summary["blockedUnits"]} == held and summary["blocked"] == len(held)
    day2 = summary["day2"]
    assert {k: v["outcome"] for k, v in day2.items() if k != "rollback"} == {
        "ship-image": "ok",
        "change-input": "ok",
        "minor-version": "ok",
    }
    assert day2["rollback"]["failed"] == 0
    assert "Result: **passed**." in (out / "rehearsal" / "REHEARSAL.md").read_text(encoding="utf-8")
    text = (out / "SUMMARY.md").read_text(encoding="utf-8")
    assert "- passed: " in text and f"{len(held)} blocked by the plan" in text


def test_customer_tags_survive_the_stacks_rebuild(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """Proton never put the customer tags on the stacks: the demo takes an API snapshot before retiring
    Proton and rebuilds with --tags-from, so legacy-network stays `stage: prod` and lands in a production
    wave (its approvals kept), while the published snapshot is still the stacks rebuild."""
    _, out = demo
    meta = json.loads((out / "snapshot" / "snapshot.json").read_text(encoding="utf-8"))
    assert meta["source"] == "stacks"
    envs = {e["name"]: e for e in json.loads((out / "snapshot" / "environments.json").read_text())}
    assert envs["legacy-network"]["tags"]["stage"] == "prod" and envs["dev"]["tags"]["stage"] == "dev"
    plan = json.loads((out / "plan" / "plan.json").read_text(encoding="utf-8"))
    (wave,) = [w for w in plan["waves"] if any(r["label"] == "legacy-network" for r in w["resources"])]
    assert wave["risk"] == "production"
