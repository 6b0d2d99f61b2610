"""The HTML report without a browser: it parses, shows the right counts, escapes hostile names, hides
secrets, needs no network, is byte-for-byte deterministic, and the CLI writes it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from proton_exodus.cli import cli, main
from proton_exodus.errors import ExitCode
from proton_exodus.model.snapshot import KINDS, load_snapshot
from proton_exodus.plan import plan_snapshot
from proton_exodus.report import MASK, build_report, render_report
from proton_exodus.report.picture import MAX_WIDTH, build_picture
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot
from tests.report.conftest import FAULTY, HOSTILE, hostile_snapshot

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr", "path", "rect"}


class Page(HTMLParser):
    """Checks tags balance and collects the kinds table and element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.kind_rows: dict[str, int] = {}
        self._row: str | None = None
        self._cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "tr" and a.get("data-kind"):
            self._row, self._cells = str(a["data-kind"]), []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (
            f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        )
        self.stack.pop()
        if tag == "tr" and self._row:
            self.kind_rows[self._row] = int(self._cells[-1])
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and data.strip():
            self._cells.append(data.strip())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.stack == [], f"unclosed tags: {page.stack}"
    return page


@pytest.fixture(scope="module")
def full_html() -> str:
    snap = build_synthetic_snapshot(FAULTY)
    plan, _ = plan_snapshot(snap)
    verify = {
        "stacks": 3,
        "failed": True,
        "changeSets": [],
        "notes": ["key AKIAABCDEFGHIJKLMNOP seen"],
        "differences": [
            {
                "stack": "s1",
                "section": "Resources",
                "name": "Db",
                "path": "Properties.Port",
                "deployed": "5432",
                "exported": "5433",
                "resource_type": "AWS::RDS::DBInstance",
                "replacement": "True",
            }
        ],
    }
    return render_report(snap, plan=plan.to_dict(), verify=verify)


def test_page_parses_and_has_every_section(full_html: str) -> None:
    page = parse(full_html)
    assert {
        "estate",
        "graph",
        "audit",
        "waves",
        "verify",
        "estate-graph",
        "kinds",
        "findings",
        "wave-table",
        "differences",
    } <= page.ids
    svg = full_html[full_html.index("<svg") : full_html.index("</svg>") + 6]
    root = ET.fromstring(svg)  # the inline SVG is well-formed XML
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) >= 10


def test_counts_per_kind_match_the_snapshot(full_html: str) -> None:
    snap = build_synthetic_snapshot(FAULTY)
    rows = parse(full_html).kind_rows
    assert rows.pop("stacks") == len(snap.stacks) == 17
    assert rows == {k: len(snap.kind(k)) for k in KINDS if snap.kind(k)}
    assert rows["service_instances"] == 8
    assert 'id="count-stacks">17<' in full_html


def test_self_contained_no_network(full_html: str) -> None:
    lowered = full_html.lower()
    for needle in ("<script", "<link", "src=", "@import", "<iframe", "<object"):
        assert needle not in lowered, needle
    assert set(re.findall(r"url\(([^)]*)\)", full_html)) == {"#arrow"}  # only the SVG's own marker
    assert set(re.findall(r"https?://[^\s\"'<>]+", full_html)) == {"http://www.w3.org/2000/svg"}


def test_hostile_names_are_escaped() -> None:
    html = render_report(hostile_snapshot())
    assert HOSTILE not in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parse(html)


def test_secrets_never_in_clear(full_html: str) -> None:
    assert "hunter2" not in full_html  # planted db_password in a spec: the audit names it, never its value
    assert "db_password" in full_html
    assert "AKIAABCDEFGHIJKLMNOP" not in full_html and MASK in full_html


def test_known_secret_values_and_secret_properties_are_masked() -> None:
    snap = build_synthetic_snapshot()
    snap.secrets = {"svc/db": {"value": "s3cr3t-value-42"}}
    verify = {
        "stacks": 1,
        "failed": True,
        "changeSets": [{"stack": "s", "replacements": [], "removals": [], "error": "bad s3cr3t-value-42"}],
        "notes": [],
        "differences": [
            {
                "stack": "s",
                "section": "Parameters",
                "name": "DbPassword",
                "path": "",
                "deployed": "plain-old",
                "exported": "plain-new",
                "replacement": "",
            },
            {
                "stack": "s",
                "section": "Resources",
                "name": "Fn",
                "path": "Properties.Env",
                "deployed": "x=s3cr3t-value-42",
                "exported": "x=y",
                "replacement": "False",
            },
        ],
    }
    html = render_report(snap, verify=verify)
    for value in ("s3cr3t-value-42", "plain-old", "plain-new"):
        assert value not in html
    assert html.count(MASK) >= 4


def test_deterministic_bytes(estate_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    snapshot, plan = estate_dirs
    build_report(snapshot, plan_dir=plan, out=tmp_path / "a.html")
    build_report(snapshot, plan_dir=plan, out=tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.html").stat().st_mode & 0o777 == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_large_estates_are_summarised_to_stay_legible() -> None:
    from proton_exodus.graph import build_graph

    big = build_graph(
        build_synthetic_snapshot(SyntheticSize(environments=30, services=40, instances_per_service=5))
    )
    picture = build_picture(big)
    assert picture["summarised"] and picture["nodes"] < big.number_of_nodes() / 5
    width = float(re.search(r'width="(\d+)"', picture["svg"]).group(1))
    assert width <= MAX_WIDTH
    small = build_picture(build_graph(build_synthetic_snapshot(SyntheticSize(environments=2, services=1))))
    assert not small["summarised"]


def test_cli_writes_report_with_plan_and_verify(estate_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    snapshot, plan = estate_dirs
    verify = tmp_path / "verify.json"
    verify.write_text(
        json.dumps({"stacks": 2, "failed": False, "differences": [], "changeSets": [], "notes": []})
    )
    out = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--snapshot",
            str(snapshot),
            "--plan",
            str(plan),
            "--verify",
            str(verify),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    html = out.read_text(encoding="utf-8")
    assert "OK: 2 stack(s), 0 difference(s)" in html
    assert f'id="count-stacks">{len(load_snapshot(snapshot).stacks)}<' in html
    assert 'id="wave-table"' in html and 'id="verify"' in html


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err


def test_cli_bad_inputs_name_the_file(
    estate_dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot, _ = estate_dirs
    code, err = _main(
        ["report", "--snapshot", str(snapshot), "--plan", str(tmp_path), "--out", str(tmp_path / "r.html")],
        capsys,
    )
    assert code == int(ExitCode.BAD_INPUT)
    assert f"{tmp_path / 'plan.json'}: plan file not found" in err
    bad = tmp_path / "v.json"
    bad.write_text("{}")
    code, err = _main(
        ["report", "--snapshot", str(snapshot), "--verify", str(bad), "--out", str(tmp_path / "r.html")],
        capsys,
    )
    assert code == int(ExitCode.BAD_INPUT) and "not a verify result" in err
    assert not (tmp_path / "r.html").exists()


def test_change_sets_show_each_stack_outcome() -> None:
    verify = {
        "stacks": 2,
        "failed": True,
        "differences": [],
        "notes": [],
        "changeSets": [
            {
                "stack": "b-stack",
                "changes": [],
                "replacements": [],
                "removals": [],
                "error": "ResponseParserError: bad",
            },
            {
                "stack": "a-stack",
                "changes": ["Modify Fn (AWS::Lambda::Function) replacement=False"],
                "replacements": ["Fn needs replacement"],
                "removals": [],
                "error": "",
            },
        ],
    }
    html = render_report(build_synthetic_snapshot(), verify=verify)
    table = html[html.index('id="change-sets"') :]
    assert table.index("a-stack") < table.index("b-stack")  # sorted by stack
    assert ">replacement</span>" in table and ">error</span>" in table
    assert "Fn needs replacement" in table and "ResponseParserError: bad" in table
    assert ">FAILED</div>" in html


def test_summary_levels_group_per_environment_then_per_tier() -> None:
    from proton_exodus.graph import build_graph
    from proton_exodus.report.picture import summarise_graph

    graph = build_graph(
        build_synthetic_snapshot(SyntheticSize(environments=6, services=4, instances_per_service=3))
    )
    per_env = {
        d["label"] for _, d in summarise_graph(graph, 1).nodes(data=True) if d["kind"] == "service_instance"
    }
    per_tier = {
        d["label"]: d["count"]
        for _, d in summarise_graph(graph, 2).nodes(data=True)
        if d["kind"] == "environment"
    }
    instances = sum(
        d["count"] for _, d in summarise_graph(graph, 2).nodes(data=True) if d["kind"] == "service_instance"
    )
    assert per_env and all(" ×" in label for label in per_env)
    assert (
        set(per_tier) == {"non-production ×2", "staging ×2", "production ×2"} and sum(per_tier.values()) == 6
    )
    assert instances == 12
    assert not any(d["kind"] == "stack" for _, d in summarise_graph(graph, 1).nodes(data=True))
