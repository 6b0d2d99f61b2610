"""audit_snapshot: clean estates move automatically; each deliberate fault gets its code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proton_exodus.audit import RULES, audit_snapshot, write_audit
from proton_exodus.model.snapshot import write_snapshot
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

FAULTY = SyntheticSize(3, 4, 2, True, components=2, account_connections=1, repositories=True, faults=True)


@pytest.fixture(scope="module")
def faulty():
    return audit_snapshot(build_synthetic_snapshot(FAULTY))


def _codes(report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in report.findings:
        found.setdefault(f.label, set()).add(f.code)
    return found


def test_clean_estate_moves_automatically() -> None:
    report = audit_snapshot(build_synthetic_snapshot(SyntheticSize(3, 4, 2, True)))
    manual = {r.label for r in report.resources if r.verdict != "automatic"}
    assert manual == {"svc-00001/pipeline"}  # W141: its pipeline deploys prod-002 before staging-001
    assert report.counts()["resources"] == 3 + 8 + 4
    assert {f.code for f in report.findings} == {"I192", "W141"}  # synthetic stacks have no service role
    assert report.effort()["hours"] == pytest.approx(15 * 0.1 + 0.25 + 0.5)


def test_each_fault_has_its_code(faulty) -> None:
    codes = _codes(faulty)
    assert codes["svc-00000/dev-000-0"] >= {"E101", "E110", "W160"}  # FAILED, UPDATE_ROLLBACK_FAILED, blocker
    assert codes["svc-00000/staging-001-1"] >= {"E101", "E110"}  # DELETE_FAILED
    assert codes["prod-002"] == {"E102", "E110"}  # IN_PROGRESS / UPDATE_IN_PROGRESS
    assert codes["svc-00001/staging-001-0"] == {"W120"}  # version 1.1 has no bundle
    assert codes["svc-00001/prod-002-1"] == {"E111"}  # unreachable stack
    assert codes["svc-00002/prod-002-0"] == {"W170"}  # db_password in clear
    assert codes["svc-00000/pipeline"] == {"W140"}  # pipeline runs `aws proton`
    assert (
        codes["tf-legacy"] == {"W130"} and codes["cb-legacy"] == {"W131"} and codes["cm-legacy"] == {"W132"}
    )
    assert codes["cmp-000"] == {"W150"} and codes["cmp-001"] == {"W150"}
    assert codes["syn-env"] == {"I190"} and codes["svc-00000"] == {"I190"}


def test_verdicts_counts_and_effort(faulty) -> None:
    verdicts = {r.label: r for r in faulty.resources}
    assert verdicts["prod-002"].verdict == "blocked"
    assert verdicts["tf-legacy"].verdict == "manual" and verdicts["tf-legacy"].why[0].startswith("W130")
    assert verdicts["dev-000"].verdict == "automatic"
    counts = faulty.counts()
    assert (
        counts["resources"]
        == counts["automatic"] + counts["manual"] + counts["blocked"]
        == len(faulty.resources)
    )
    assert (
        counts["blocked"] == 4
        and faulty.fails("error")
        and faulty.fails("warning")
        and not faulty.fails("none")
    )
    assert set(faulty.blocking()) == {r.id for r in faulty.resources if r.verdict == "blocked"}
    assert faulty.effort()["hours"] > 20


def test_secret_placeholders_and_dynamic_references_are_not_flagged() -> None:
    snap = build_synthetic_snapshot(SyntheticSize(1, 1, 1, False))
    inst = snap.records["service_instances"][0]
    head = "    spec:\n"
    inst["spec"] = inst["spec"].replace(
        head,
        head + "      api_token: '{{exodus:secret:00ab12cd00ab12cd}}'\n"
        "      db_password: '{{resolve:secretsmanager:db}}'\n"
        "      note: AKIAABCDEFGHIJKLMNOP\n",
        1,
    )
    codes = [(f.code, f.message) for f in audit_snapshot(snap).findings if f.code == "W170"]
    assert codes == [("W170", "spec input 'note' looks like a secret and is stored in clear")]


def test_rules_are_documented() -> None:
    for code, rule in RULES.items():
        assert code[0] in "EWI" and code == rule.code and len(code) == 4
        assert rule.severity == {"E": "error", "W": "warning", "I": "info"}[code[0]]
        assert rule.title and rule.description and rule.remedy and rule.source


def test_markdown_and_json(faulty, tmp_path: Path) -> None:
    md = faulty.to_markdown()
    for heading in (
        "# Readiness audit",
        "## Summary",
        "## Blocking findings (E)",
        "## Manual steps (W)",
        "## Resources",
        "## Finding codes",
    ):
        assert heading in md
    data = json.loads(faulty.to_json())
    assert data["counts"]["resources"] == len(data["resources"])
    assert set(data["rules"]) == {f["code"] for f in data["findings"]}
    assert all(set(r) >= {"id", "kind", "verdict", "why", "codes"} for r in data["resources"])
    write_audit(faulty, tmp_path / "a")
    assert json.loads((tmp_path / "a" / "audit.json").read_text()) == data
    assert faulty.to_json() == audit_snapshot(build_synthetic_snapshot(FAULTY)).to_json()  # deterministic


def test_cli_fail_on_maps_to_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from proton_exodus.cli import main

    write_snapshot(build_synthetic_snapshot(FAULTY), tmp_path / "s")
    with pytest.raises(SystemExit) as exc:
        main(["audit", "--snapshot", str(tmp_path / "s"), "--fail-on", "error"])
    assert exc.value.code == 1
    assert "# Readiness audit" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["audit", "--snapshot", str(tmp_path / "s"), "--output", "json", "--out", str(tmp_path / "a")])
    assert exc.value.code == 0
    assert json.loads(capsys.readouterr().out)["counts"]["blocked"] == 4
    assert (tmp_path / "a" / "audit.md").is_file()
