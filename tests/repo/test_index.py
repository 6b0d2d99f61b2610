"""The repository index every export ships, over real exports of the demo: one format for all targets,
instances found through their parameter files, schemas that are the Proton schemas, no secret in clear."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import build_units
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.repo import check
from proton_exodus.repo.check import INDEX
from proton_exodus.repo.index import DRAFT4, repo_files, version_key
from tests.support.exports import TARGETS

FORMATS = {
    "cfn-git-sync": "git-sync-deployment-file",
    "codepipeline": "template-configuration",
    "github-actions": "template-configuration",
    "argocd": "crossplane-stack",
}


def _index(root: Path) -> dict:
    return json.loads((root / INDEX).read_text())


@pytest.mark.parametrize("target", TARGETS)
def test_every_cloudformation_instance_has_its_parameter_file(
    target: str, demo_exports: dict[str, Path], demo_snapshot: Snapshot
) -> None:
    root = demo_exports[target]
    index = _index(root)
    assert index["format"] == 1 and index["target"] == target
    units = [u for u in build_units(demo_snapshot) if u.template_name and u.kind != "component"]
    assert sorted(i["name"] for i in index["instances"]) == sorted(u.label for u in units)
    cfn = {u.label for u in units if u.provisioning == "cloudformation" and u.name != "legacy-network"}
    for record in index["instances"]:
        if record["name"] in cfn:
            assert record["parameters_format"] == FORMATS[target], record["name"]
            assert (root / record["parameters_file"]).is_file() and (root / record["template_file"]).is_file()
            named = record["parameters_file"] + (root / record["parameters_file"]).read_text()
            assert record["stack"]["name"] in named, record["name"]
        else:  # Terraform and customer-managed: listed, with no CloudFormation parameter file
            assert record["parameters_file"] is None, record["name"]


def test_the_four_targets_share_one_index_format(demo_exports: dict[str, Path]) -> None:
    def shape(root: Path) -> tuple:
        index = _index(root)
        keep = ("parameters_file", "parameters_format", "template_file", "parameters")
        records = [{k: v for k, v in i.items() if k not in keep} for i in index["instances"]]
        return index["templates"], records

    shapes = {target: shape(root) for target, root in demo_exports.items()}
    assert all(s == shapes["cfn-git-sync"] for s in shapes.values())


def test_inputs_carried_by_parameters_are_mapped_to_them(demo_exports: dict[str, Path]) -> None:
    """On the shared templates every non-secret input a parameter carries is mapped (TEMPLATES.json says
    which parameter stands for which input); the pipelines' Image among them; the value in the file is
    the input's. Secret inputs are never mapped."""
    for target in ("cfn-git-sync", "codepipeline", "github-actions"):
        root = demo_exports[target]
        meanings = {
            s["parameterFile"]: s["parameters"]
            for s in json.loads((root / "TEMPLATES.json").read_text())["stacks"]
        }
        mapped = [i for i in _index(root)["instances"] if i["parameters"]]
        fargate = [i for i in mapped if i["template"] == "service/demo-fargate-svc"]
        assert fargate and all(i["parameters"]["image"] == "Image" for i in fargate), target
        for record in mapped:
            assert not set(record["parameters"]) & set(record["sensitive"])
            written = check.parameter_document(
                record["parameters_format"],
                (root / record["parameters_file"]).read_text(),
                record["parameters_file"],
            )
            for name, parameter in record["parameters"].items():
                meaning = meanings[record["parameters_file"]][parameter]
                assert meaning["path"].endswith(f".inputs.{name}"), (target, record["name"], name)
                value = record["inputs"][name]
                items = value if isinstance(value, list) else [value]
                expected = ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in items)
                assert str(written[parameter]) == expected, (target, record["name"], name)


def test_shipped_schemas_are_the_proton_schemas_as_json_schema(demo_exports: dict[str, Path]) -> None:
    root = demo_exports["cfn-git-sync"]
    templates = _index(root)["templates"]
    assert templates["service/demo-fargate-svc"]["recommended"] == "1.1"
    assert templates["environment/demo-vpc-ecs-env"]["versions"]["1.0"]["upgrades_to"] == ["1.1"]
    for key, template in templates.items():
        for version, entry in template["versions"].items():
            bundle = load_bundle(root / entry["bundle"])
            assert sorted(entry["schemas"]) == sorted(bundle.schema.input_types()), (key, version)
            for kind, rel in entry["schemas"].items():
                shipped = json.loads((root / rel).read_text())
                Draft4Validator.check_schema(shipped)
                assert shipped == {"$schema": DRAFT4, **bundle.schema.json_schema(kind)}
        assert sorted(template["versions"], key=version_key)[-1] == template["recommended"]


def test_no_secret_leaves_in_clear_nor_as_a_placeholder(
    demo_exports: dict[str, Path], demo_snapshot: Snapshot
) -> None:
    sensitive = {u.label: u.sensitive_inputs for u in build_units(demo_snapshot)}
    assert any(sensitive.values())
    clear = [str(v) for v in demo_snapshot.secrets.values() if len(str(v)) >= 6]
    for root in demo_exports.values():
        for record in _index(root)["instances"]:
            assert set(record["sensitive"]) == sensitive[record["name"]]
            assert not set(record["sensitive"]) & set(record["inputs"]), record["name"]
        for path in sorted((root / ".exodus-repo").rglob("*")):
            if path.is_file():
                text = path.read_text()
                assert "{{exodus:secret:" not in text and not [v for v in clear if v in text], path


def test_the_index_is_deterministic(demo_snapshot: Snapshot, demo_exports: dict[str, Path]) -> None:
    root = demo_exports["cfn-git-sync"]
    files = {
        p.relative_to(root).as_posix(): p.read_text()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith((".exodus/", ".exodus-repo/"))
    }
    first = repo_files(demo_snapshot, build_units(demo_snapshot), files, "cfn-git-sync")
    again = repo_files(demo_snapshot, list(reversed(build_units(demo_snapshot))), dict(files), "cfn-git-sync")
    assert first == again
    assert all((root / rel).read_text() == text for rel, text in first.items())
