"""build_graph on synthetic estates: counts by kind and relation, queries, and the renderings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from proton_exodus.errors import BadInput
from proton_exodus.graph import (
    build_graph,
    dependants,
    dependencies,
    find_nodes,
    focus,
    render_graph,
    summary,
)
from proton_exodus.model.snapshot import load_snapshot, write_snapshot
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

SIZES = [SyntheticSize(3, 4, 2, True), SyntheticSize(5, 9, 3, False), SyntheticSize(1, 1, 1, True)]


@pytest.mark.parametrize("size", SIZES, ids=str)
def test_counts_by_kind_and_relation(size: SyntheticSize) -> None:
    g = build_graph(build_synthetic_snapshot(size))
    inst, pipes = size.services * size.instances_per_service, size.services if size.pipelines else 0
    kinds = Counter(k for _, k in g.nodes(data="kind"))
    assert kinds == {
        "environment_template": 1,
        "environment_template_version": 1,
        "service_template": 1,
        "service_template_version": 1,
        "environment": size.environments,
        "service": size.services,
        "service_instance": inst,
        **({"service_pipeline": pipes} if pipes else {}),
        "stack": size.environments + inst + pipes,
    }
    relations = Counter(r for _, _, r in g.edges(data="relation"))
    assert relations == {
        "has_version": 2,
        "compatible_with": 1,
        "deployed_from": size.environments + inst + pipes,
        "hosts": inst,
        "has_instance": inst,
        "provisioned_by": size.environments + inst + pipes,
        **({"has_pipeline": pipes, "outputs_to": inst} if pipes else {}),
    }


def test_optional_parts_add_their_edges() -> None:
    snap = build_synthetic_snapshot(
        SyntheticSize(3, 4, 2, True, components=2, account_connections=1, repositories=True)
    )
    g = build_graph(snap)
    relations = Counter(r for _, _, r in g.edges(data="relation"))
    assert relations["attaches"] == 2 and relations["connected_via"] == 1
    assert (
        relations["syncs"] == 3 and relations["syncs_to"] == 3
    )  # 2 template sync configs + 1 service sync config
    conn = find_nodes(g, "dev-000 (account 222222222222)")
    assert len(conn) == 1 and g.nodes[conn[0]]["kind"] == "environment_account_connection"
    env = find_nodes(g, "dev-000")[0]
    assert (
        g.nodes[g.nodes[env]["stack_id"]]["account"] == "222222222222"
    )  # the stack lives in the env account


def test_every_node_has_the_documented_attributes() -> None:
    g = build_graph(
        build_synthetic_snapshot(SyntheticSize(2, 3, 2, True, components=1, repositories=True, faults=True))
    )
    for node, attrs in g.nodes(data=True):
        assert {"kind", "name", "label", "account", "region"} <= set(attrs), node
        assert node.startswith("arn:aws:"), node
    provisioning = Counter(a.get("provisioning") for _, a in g.nodes(data=True) if a["kind"] == "environment")
    assert provisioning == {"cloudformation": 2, "terraform": 1, "codebuild": 1, "customer-managed": 1}


def test_missing_template_version_becomes_a_placeholder() -> None:
    snap = build_synthetic_snapshot(SyntheticSize(1, 1, 1, False))
    snap.records["service_template_versions"] = []
    g = build_graph(snap)
    missing = [n for n, m in g.nodes(data="missing") if m]
    assert len(missing) == 1 and g.nodes[missing[0]]["label"] == "syn-svc:1.0"
    assert summary(g)["missing"] == ["syn-svc:1.0"]


def test_dependencies_and_dependants() -> None:
    g = build_graph(build_synthetic_snapshot(SyntheticSize(2, 2, 2, True)))
    inst = find_nodes(g, "svc-00000/dev-000-0")[0]
    labels = {g.nodes[n]["label"] for n in dependencies(g, inst)}
    assert {"dev-000", "svc-00000", "syn-svc:1.0", "syn-svc", "syn-env:1.0", "syn-env"} <= labels
    assert {g.nodes[n]["label"] for n in dependants(g, inst) if g.nodes[n]["kind"] != "stack"} == {
        "svc-00000/pipeline"
    }
    env = find_nodes(g, "dev-000")[0]
    assert {"svc-00000/dev-000-0", "svc-00001/dev-000-1", "svc-00000/pipeline"} <= {
        g.nodes[n]["label"] for n in dependants(g, env)
    }
    assert dependencies(g, inst, transitive=False) == {
        env,
        find_nodes(g, "svc-00000")[0],
        find_nodes(g, "syn-svc:1.0")[0],
    } | {g.nodes[inst]["stack_id"]}


def test_focus_narrows_and_rejects_unknown_names() -> None:
    g = build_graph(build_synthetic_snapshot(SyntheticSize(3, 6, 1, True)))
    sub = focus(g, "dev-000")
    kinds = Counter(k for _, k in sub.nodes(data="kind"))
    assert kinds["environment"] == 1 and kinds["service_instance"] == 2
    assert sub.number_of_nodes() < g.number_of_nodes()
    with pytest.raises(BadInput, match="no resource"):
        focus(g, "no-such-thing")


def test_renderings_parse_and_are_deterministic() -> None:
    snap = build_synthetic_snapshot(SyntheticSize(2, 3, 2, True, components=1, account_connections=1))
    g = build_graph(snap)
    data = json.loads(render_graph(g, "json", summary=summary(g)))
    assert len(data["nodes"]) == g.number_of_nodes() and len(data["edges"]) == g.number_of_edges()
    dot = render_graph(g, "dot")
    assert dot.startswith("digraph exodus {") and dot.rstrip().endswith("}")
    assert dot.count(" -> ") == g.number_of_edges()
    mermaid = render_graph(g, "mermaid")
    assert mermaid.startswith("flowchart LR") and mermaid.count(" -->|") == g.number_of_edges()
    svg = ET.fromstring(render_graph(g, "svg").encode())
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg"
    assert len(svg.findall(f"./{ns}g[@id='nodes']/{ns}g")) == g.number_of_nodes()
    assert len(svg.findall(f"./{ns}g[@id='edges']/{ns}path")) == g.number_of_edges()
    again = build_graph(
        build_synthetic_snapshot(SyntheticSize(2, 3, 2, True, components=1, account_connections=1))
    )
    for fmt in ("json", "dot", "mermaid", "svg"):
        assert render_graph(again, fmt) == render_graph(g, fmt)
    with pytest.raises(BadInput):
        render_graph(g, "png")


def test_names_with_markup_are_escaped() -> None:
    snap = build_synthetic_snapshot(SyntheticSize(1, 1, 1, False))
    snap.records["environments"][0]["name"] = 'dev "<&>"'
    snap.records["service_instances"][0]["environmentName"] = 'dev "<&>"'
    g = build_graph(snap)
    ET.fromstring(render_graph(g, "svg").encode())
    assert '\\"' in render_graph(g, "dot")
    assert "#quot;" in render_graph(g, "mermaid")


def test_loaded_snapshot_gives_the_same_graph(tmp_path: Path) -> None:
    snap = build_synthetic_snapshot(SyntheticSize(2, 2, 2, True, repositories=True))
    write_snapshot(snap, tmp_path / "s")
    assert render_graph(build_graph(load_snapshot(tmp_path / "s")), "json") == render_graph(
        build_graph(snap), "json"
    )


def test_cli_writes_the_graph_and_prints_figures(tmp_path: Path) -> None:
    from proton_exodus.cli import cli

    write_snapshot(build_synthetic_snapshot(SyntheticSize(2, 2, 1, True)), tmp_path / "s")
    result = CliRunner().invoke(
        cli,
        [
            "graph",
            "--snapshot",
            str(tmp_path / "s"),
            "--format",
            "svg",
            "--focus",
            "dev-000",
            "--out",
            str(tmp_path / "g.svg"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "nodes" in result.output and "dependency depth" in result.output
    ET.parse(tmp_path / "g.svg")
    result = CliRunner().invoke(cli, ["graph", "--snapshot", str(tmp_path / "s"), "--format", "mermaid"])
    assert result.exit_code == 0 and result.output.startswith("flowchart LR")
