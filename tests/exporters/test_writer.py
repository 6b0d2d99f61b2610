"""The shared writer: dry runs, deterministic manifests, re-runs that change nothing, kept human edits."""

from __future__ import annotations

from pathlib import Path

from proton_exodus.output.writer import build_manifest, render_tree, write_export


def _manifest(files: dict[str, str]) -> dict:
    return build_manifest(
        files, exporter="t", exporter_version="1", api_version=1, snapshot_digest="sha256:x"
    )


def test_dry_run_writes_nothing_and_shows_diff(tmp_path: Path) -> None:
    files = {"a.txt": "one\n"}
    report = write_export(tmp_path / "out", files, _manifest(files), dry_run=True)
    assert not (tmp_path / "out").exists()
    assert report.paths("create") == ["a.txt"] and "+one" in report.diff()


def test_rerun_changes_nothing_and_is_byte_deterministic(tmp_path: Path) -> None:
    files = {"a.txt": "one\n", "d/b.txt": "two\n"}
    write_export(tmp_path / "out", files, _manifest(files))
    first = render_tree(tmp_path / "out")
    again = write_export(tmp_path / "out", files, _manifest(files))
    assert not again.changed and render_tree(tmp_path / "out") == first
    write_export(tmp_path / "other", files, _manifest(files))
    assert render_tree(tmp_path / "other") == first


def test_human_edits_are_kept_and_reported_unowned_files_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"a.txt": "one\n", "b.txt": "two\n", "gone.txt": "x\n"}
    write_export(out, files, _manifest(files))
    (out / "a.txt").write_text("edited\n")
    (out / "mine.txt").write_text("human\n")
    new = {"a.txt": "ONE\n", "b.txt": "TWO\n", "mine.txt": "clash\n"}
    report = write_export(out, new, _manifest(new))
    assert report.paths("edited") == ["a.txt"] and report.paths("conflict") == ["mine.txt"]
    assert report.paths("update") == ["b.txt"] and report.paths("delete") == ["gone.txt"]
    assert (out / "a.txt").read_text() == "edited\n" and (out / "mine.txt").read_text() == "human\n"
    assert (out / "b.txt").read_text() == "TWO\n" and not (out / "gone.txt").exists()
    forced = write_export(out, new, _manifest(new), force=True)
    assert forced.paths("update") == ["a.txt", "mine.txt"] and (out / "a.txt").read_text() == "ONE\n"
