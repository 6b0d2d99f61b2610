"""Every Secrets Manager secret a pipeline export references is listed, with where to create it (the
account and Region of the stack that reads it) and a command that reads its value from a file."""

from __future__ import annotations

from functools import cache

import networkx as nx
import pytest

from exporters import ExportContext
from exporters._pipelines.secrets import referenced_secrets, runbook_lines
from exporters.codepipeline import exporter as codepipeline
from exporters.github_actions import exporter as github_actions
from proton_exodus.model.secrets import PLACEHOLDER_RE
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units
from tests.conftest import REPO


@cache
def _files(target: str) -> tuple[dict[str, str], dict[str, str]]:
    root = REPO / "sample_exports" / "snapshot"
    snap = load_snapshot(root)
    # sample_exports keeps no secrets.json: give every placeholder a clear value, as a real snapshot has
    ids = {
        m
        for p in root.rglob("*")
        if p.is_file()
        for m in PLACEHOLDER_RE.findall(p.read_text(errors="ignore"))
    }
    snap.secrets.update({i: f"clear-value-{i}" for i in ids})
    units = tuple(build_units(snap))
    # Secrets Manager references are the `--secrets dynamic-reference` choice (the default stages SSM Strings)
    ctx = ExportContext(
        snapshot=snap, graph=nx.MultiDiGraph(), options={"secrets": "dynamic-reference"}, units=units
    )
    exporter = codepipeline if target == "codepipeline" else github_actions
    accounts = {str(u.stack_name): u.account for u in units if u.stack_name}
    return dict(exporter.export(ctx).files), accounts


@pytest.mark.parametrize("target", ["codepipeline", "github-actions"])
def test_every_referenced_secret_is_listed_in_its_stacks_account(target: str) -> None:
    files, accounts = _files(target)
    wanted: dict[str, str] = {}
    for path, text in files.items():
        if path.startswith("stacks/") and path.endswith((".yaml", ".json")):
            stack = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
            wanted.update({name: accounts[stack] for name in referenced_secrets(text)})
    assert len(wanted) == 22 and "222222222222" in wanted.values()
    listed = {
        name: path.split("/")[1].split("-")[0]
        for path, text in files.items()
        if path.startswith("secrets/")
        for name in text.split("\n")
        if name and not name.startswith("#")
    }
    assert listed == wanted
    readme = files["README.md"]
    for name, account in wanted.items():
        section = readme.split(f"### Account {account},", 1)[1].split("### Account", 1)[0]
        assert f'--name {name} --secret-string "file://$SECRETS_DIR/{name}"' in section


@pytest.mark.parametrize("target", ["codepipeline", "github-actions"])
def test_runbook_creates_the_accounts_secrets(target: str) -> None:
    runbook = (codepipeline if target == "codepipeline" else github_actions).runbook
    handover = "\n".join(runbook.account_commands("222222222222", "us-east-1", [])["handover"])
    assert "\n".join(runbook_lines("222222222222", "us-east-1")) in handover
    assert (
        '"$EXPORT/secrets/222222222222-us-east-1.txt"' in handover and "file://$SECRETS_DIR/$name" in handover
    )


def test_the_rehearsals_secrets_dir_holds_each_listed_secret(tmp_path) -> None:
    """runbook_settings' SECRETS_DIR: one file per secret the export lists (named like it), holding the
    clear value of the snapshot's secrets.json the reference stands for; mode 0700/0600, outside the
    export."""
    import json
    import shutil

    from exporters._pipelines.secrets import listed_secrets, write_secrets_dir

    files, _ = _files("codepipeline")
    export = tmp_path / "export"
    for path, text in files.items():
        (export / path).parent.mkdir(parents=True, exist_ok=True)
        (export / path).write_text(text, encoding="utf-8")
    snapshot = tmp_path / "snapshot"
    shutil.copytree(REPO / "sample_exports" / "snapshot", snapshot)
    clear = load_snapshot(snapshot)
    ids = {
        m
        for p in snapshot.rglob("*")
        if p.is_file()
        for m in PLACEHOLDER_RE.findall(p.read_text(errors="ignore"))
    }
    (snapshot / "secrets.json").write_text(json.dumps({i: f"clear-value-{i}" for i in ids}), encoding="utf-8")
    (snapshot / "secrets.json").chmod(0o600)
    assert not clear.secrets
    folder = write_secrets_dir(export, tmp_path / "work", snapshot)
    names = listed_secrets(export)
    assert len(names) == 22 and folder.parent == tmp_path / "work"
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in names:
        path = folder / name
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.read_text(encoding="utf-8") in {f"clear-value-{i}" for i in ids}
