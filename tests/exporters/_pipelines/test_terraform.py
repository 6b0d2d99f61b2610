"""The Terraform path of the github-actions export, on the demo's self-managed environment (tf-sandbox):
the working directory Terraform would see (the bundle's .tf files plus the regenerated Proton files)
declares every variable it references, no tfvars holds a secret placeholder, and the pull-request plan
job names the GitHub environment its role is trusted for."""

from __future__ import annotations

import json
from functools import cache

import networkx as nx
import yaml

from exporters import ExportContext
from exporters.github_actions import exporter
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units
from tests.conftest import REPO

WORKFLOW = "terraform/.github/workflows/terraform.yml"
IDENT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@cache
def _export() -> tuple[dict[str, str], dict[str, str], tuple]:
    snap = load_snapshot(REPO / "sample_exports" / "snapshot")
    units = tuple(build_units(snap))
    ctx = ExportContext(snapshot=snap, graph=nx.MultiDiGraph(), options={}, units=units)
    result = exporter.export(ctx)
    unit = next(u for u in units if u.provisioning == "terraform")
    bundle = {
        rel.split("/", 1)[1]: data.decode()
        for rel, data in (snap.bundle_files(unit.bundle) or {}).items()
        if rel.startswith("infrastructure/") and rel.endswith(".tf")
    }
    return dict(result.files), bundle, tuple(result.findings)


def declared_variables(text: str) -> set[str]:
    """Names of `variable "NAME" {` blocks (HCL), read line by line."""
    names = set()
    for line in text.splitlines():
        words = line.strip().split('"')
        if len(words) >= 3 and words[0].strip() == "variable":
            names.add(words[1])
    return names


def referenced_variables(text: str) -> set[str]:
    """Names X of every `var.X` reference outside comments."""
    names, pos = set(), 0
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    while (pos := code.find("var.", pos)) >= 0:
        before = code[pos - 1] if pos else " "
        pos += 4
        if before in IDENT or before == ".":
            continue
        end = pos
        while end < len(code) and code[end] in IDENT:
            end += 1
        names.add(code[pos:end])
    return names


def test_every_referenced_variable_is_declared() -> None:
    files, bundle, _ = _export()
    folder = {p.rsplit("/", 1)[1]: t for p, t in files.items() if p.startswith("terraform/tf-sandbox/")}
    tf = {**bundle, **{k: v for k, v in folder.items() if k.endswith(".tf")}}
    declared = set().union(*(declared_variables(t) for t in tf.values()))
    referenced = set().union(*(referenced_variables(t) for t in bundle.values()))
    assert "proton_tags" in referenced  # config.tf: provider default_tags
    assert referenced <= declared, f"undeclared: {sorted(referenced - declared)}"
    tfvars = json.loads(folder["proton.auto.tfvars.json"])
    assert tfvars["proton_tags"]["proton:environment"].endswith(":environment/tf-sandbox")
    assert set(tfvars) - {"//"} <= declared


def test_no_tfvars_carries_a_secret_or_placeholder() -> None:
    files, _, findings = _export()
    tfvars = {
        p: t for p, t in files.items() if p.endswith(".tfvars.json") or p.endswith("proton-inputs.json")
    }
    assert tfvars
    for path, text in tfvars.items():
        assert "{{exodus:secret:" not in text, path
        assert "db_admin_password" not in json.loads(text)["environment"]["inputs"], path
    # the workflow supplies it from the CI secret store, through a var file outside the repository
    plan = yaml.safe_load(files[WORKFLOW])["jobs"]["plan-tf-sandbox"]["steps"][-1]
    assert plan["env"] == {
        "EXODUS_INPUT_DB_ADMIN_PASSWORD": "${{ secrets.EXODUS_TF_SANDBOX_DB_ADMIN_PASSWORD }}"
    }
    assert '-var-file="$RUNNER_TEMP/exodus-secrets.tfvars.json"' in plan["run"]
    assert any(
        f.code == "W-PIPE-TF-SECRET" and "EXODUS_TF_SANDBOX_DB_ADMIN_PASSWORD" in f.message for f in findings
    )


def test_plan_job_names_its_environment() -> None:
    files, _, _ = _export()
    jobs = yaml.safe_load(files[WORKFLOW])["jobs"]
    assert jobs["plan-tf-sandbox"]["environment"] == "tf-sandbox-plan"
    assert jobs["apply-tf-sandbox"]["environment"] == "tf-sandbox"
