"""`exodus repo validate` and the shipped `.exodus-repo/validate.py` on real exports of the demo: clean
exports pass; an out-of-range input is refused in Proton's words, naming the file and the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from proton_exodus.cli import main
from proton_exodus.errors import SchemaError
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.repo.check import INDEX, typed, validate_repo
from proton_exodus.repo.script import SCRIPT
from tests.support.exports import TARGETS


def _run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _proton_message(root: Path, template: str, version: str, kind: str, inputs: dict) -> str:
    """What Proton answered for these inputs: the schema check rendering and the local engine apply."""
    index = json.loads((root / INDEX).read_text())
    bundle = load_bundle(root / index["templates"][template]["versions"][version]["bundle"])
    with pytest.raises(SchemaError) as err:
        bundle.schema.apply_defaults_and_validate(kind, inputs, path="spec")
    return err.value.message


def _instance(root: Path, name: str) -> dict:
    return next(i for i in json.loads((root / INDEX).read_text())["instances"] if i["name"] == name)


@pytest.mark.parametrize("target", TARGETS)
def test_a_fresh_export_is_valid_and_the_shipped_script_agrees(
    target: str, demo_exports: dict[str, Path]
) -> None:
    root = demo_exports[target]
    assert validate_repo(root) == []
    run = subprocess.run([sys.executable, str(root / SCRIPT), str(root)], capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.parametrize("target", TARGETS)
def test_an_out_of_range_input_in_the_index_is_refused_as_proton_did(
    target: str, checkout, capsys: pytest.CaptureFixture[str]
) -> None:
    root = checkout(target)
    index = json.loads((root / INDEX).read_text())
    record = next(i for i in index["instances"] if i["name"] == "orders-api/prod")
    record["inputs"]["desired_count"] = 60
    parameter = record["parameters"].get("desired_count")
    if parameter:  # a shared template carries it: the reviewer edits the parameter file, not the index
        rel = record["parameters_file"]
        text = (root / rel).read_text()
        edited = (
            text.replace('  DesiredCount: "3"', '  DesiredCount: "60"')
            .replace('"DesiredCount": "3"', '"DesiredCount": "60"')
            .replace("  DesiredCount: '3'", "  DesiredCount: '60'")  # a Crossplane Stack (argocd)
        )
        assert edited != text
        (root / rel).write_text(edited)
    else:
        (root / INDEX).write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    proton = _proton_message(root, record["template"], record["version"], "service", record["inputs"])
    assert proton == "spec.desired_count: 60 is greater than the maximum of 10"
    expected = f"{record['parameters_file'] if parameter else f'{INDEX}[orders-api/prod]'}: {proton}"

    code, out, _ = _run_cli(capsys, "repo", "validate", "--repo", str(root))
    assert (code, out.splitlines()) == (1, [expected])
    run = subprocess.run([sys.executable, str(root / SCRIPT), str(root)], capture_output=True, text=True)
    assert (run.returncode, run.stdout.splitlines()) == (1, [expected])


@pytest.mark.parametrize("target", ["codepipeline", "github-actions"])
def test_a_bad_parameter_in_a_template_configuration_names_that_file(target: str, checkout, capsys) -> None:
    root = checkout(target)
    record = _instance(root, "catalog-web/dev")
    assert record["parameters"]["image"] == "Image"  # with every other non-secret input (shared template)
    config = root / record["parameters_file"]
    doc = json.loads(config.read_text())
    doc["Parameters"]["Image"] = "x" * 201
    config.write_text(json.dumps(doc, indent=2) + "\n")
    inputs = {**record["inputs"], "image": "x" * 201}
    proton = _proton_message(root, record["template"], record["version"], "service", inputs)

    code, out, _ = _run_cli(capsys, "repo", "validate", "--repo", str(root))
    assert code == 1
    assert out.splitlines() == [f"{record['parameters_file']}: {proton}"]
    assert proton.startswith("spec.image: 'xxxx") and proton.endswith("is too long")


def test_a_repository_without_an_index_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    code, out, err = _run_cli(capsys, "repo", "validate", "--repo", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == f"Error: {INDEX}: cannot be read (FileNotFoundError)"


@pytest.mark.parametrize(
    ("text", "prop", "value"),
    [
        ("3", {"type": "number"}, 3),
        ("2.5", {"type": "number"}, 2.5),
        ("true", {"type": "boolean"}, True),
        ("a,b", {"type": "array"}, ["a", "b"]),
        ("ten", {"type": "number"}, "ten"),
        ("007", {"type": "string"}, "007"),
    ],
)
def test_parameters_read_back_as_the_schema_type(text: str, prop: dict, value: object) -> None:
    assert typed(text, prop) == value
