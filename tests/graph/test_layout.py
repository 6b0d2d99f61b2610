"""The graph's layout comes from Graphviz's dot (the graphviz-pure command): positions follow
dependencies, environments frame their instances, the output repeats byte for byte, and a missing
or failing engine is one clear error line."""

from __future__ import annotations

import pytest

from proton_exodus.cli import main
from proton_exodus.errors import ExitCode
from proton_exodus.graph import build_graph, render_graph
from proton_exodus.graph.layout import PROGRAM_ENV, GraphvizError, build_dot, find_program
from proton_exodus.graph.svg import frames, layout
from proton_exodus.model.snapshot import write_snapshot
from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

SIZE = SyntheticSize(3, 4, 2, True, components=1, account_connections=1, repositories=True)


def test_the_engine_is_graphviz_pure() -> None:
    import subprocess

    version = subprocess.run([find_program(), "-V"], capture_output=True, text=True, check=True)
    assert "graphviz-pure" in version.stderr + version.stdout


def test_positions_follow_dependencies_left_to_right() -> None:
    g = build_graph(build_synthetic_snapshot(SIZE))
    drawn = layout(g)
    assert set(drawn.boxes) == set(g) and len(drawn.routes) == g.number_of_edges()
    for r in drawn.routes:
        pre, dep = (r.target, r.source) if r.reversed else (r.source, r.target)
        if g.nodes[pre]["kind"] == "environment" and r.relation == "hosts":
            assert drawn.boxes[pre].x < drawn.boxes[dep].x, (pre, dep)
        assert len(r.points) >= 4 and (len(r.points) - 1) % 3 == 0  # start + cubic pieces


def test_each_environment_frames_its_instances() -> None:
    g = build_graph(build_synthetic_snapshot(SIZE))
    drawn = layout(g)
    labels = frames(g)
    boxes = {c.label: c.box for c in drawn.clusters}
    assert {"environment dev-000", "environment prod-002", "services and their pipelines"} <= set(boxes)
    for node, label in labels.items():
        b, f = drawn.boxes[node], boxes[label]
        assert f.x <= b.x and b.x + b.w <= f.x + f.w and f.y <= b.y and b.y + b.h <= f.y + f.h, node


def test_the_engine_sees_no_names_and_the_svg_repeats() -> None:
    g = build_graph(build_synthetic_snapshot(SIZE))
    dot = build_dot(g)
    assert "arn:aws" not in dot and "dev-000" not in dot.replace('"environment dev-000"', "")
    assert render_graph(g, "svg") == render_graph(build_graph(build_synthetic_snapshot(SIZE)), "svg")


@pytest.mark.parametrize(
    ("program", "message"),
    [("no-such-dot-program", "'no-such-dot-program' command was not found"), ("false", "failed (exit 1)")],
)
def test_missing_or_failing_engine_is_one_error_line(
    program: str, message: str, tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_snapshot(build_synthetic_snapshot(SyntheticSize(1, 1, 1, False)), tmp_path / "s")
    monkeypatch.setenv(PROGRAM_ENV, program)
    with pytest.raises(SystemExit) as exc:
        main(
            ["graph", "--snapshot", str(tmp_path / "s"), "--format", "svg", "--out", str(tmp_path / "g.svg")]
        )
    err = capsys.readouterr().err
    assert exc.value.code == int(ExitCode.BAD_INPUT)
    assert err.count("\n") == 1 and err.startswith("Error: graph layout: ") and message in err, err
    assert not (tmp_path / "g.svg").exists()
    with pytest.raises(GraphvizError):
        layout(build_graph(build_synthetic_snapshot(SyntheticSize(1, 1, 1, False))))
