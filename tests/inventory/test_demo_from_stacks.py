"""The demo estate after end of support: rebuilt from its stacks (both accounts, through
--assume-role), its bundles and its Terraform provisioning folders, it must match the API
snapshot taken before retirement: every resource, edge, output and effective input.

The demo is the hard case: enums looked up in Jinja dicts, inputs rendered through filters,
component outputs, secrets rendered into templates, a customer-managed environment without a
stack, a failed create, a pipeline looping over instances in another account.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from proton_exodus.demo import BUNDLES_DIR
from proton_exodus.graph import build_graph
from proton_exodus.model.secrets import PLACEHOLDER_RE, restore_data
from proton_exodus.model.snapshot import Snapshot, load_snapshot
from proton_exodus.proton.bundle import load_bundle

REPO = Path(__file__).resolve().parents[2]
KINDS = ("environments", "services", "service_instances", "service_pipelines", "components")
# demo-lambda-svc's bundles hold only `v1/` (1.1); 1.0's bundle is gone and the folder is no sync checkout
# (no history to count minors by). Its template's Description says "demo-lambda-svc 1.1", and so do the
# deployed stacks' Descriptions: the folder is 1.1, as the API said.
DESCRIBED = "demo-lambda-svc"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Snapshot]:
    out = tmp_path_factory.mktemp("demo-retired")
    done = subprocess.run(
        [sys.executable, "-m", "tests.inventory.demo_retired", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {"api": load_snapshot(out / "api"), "stacks": load_snapshot(out / "stacks")}


def _key(rec: dict[str, Any]) -> tuple[str, str, str]:
    return (rec["account"], rec.get("serviceName") or "", rec.get("name") or "")


def _defaults(template: str, version: str, kind: str) -> dict[str, Any]:
    folder = (
        BUNDLES_DIR
        / template
        / (
            f"v{version}"
            if (BUNDLES_DIR / template / f"v{version}").is_dir()
            else f"v{version.split('.')[0]}"
        )
    )
    schema = load_bundle(folder).schema
    props = schema.properties(kind) if schema else {}
    return {k: p["default"] for k, p in props.items() if isinstance(p, dict) and "default" in p}


def _instance_inputs(snap: Snapshot, rec: dict[str, Any]) -> dict[str, Any]:
    doc = restore_data(yaml.safe_load(rec["spec"]), snap.secrets)
    return dict(next(i for i in doc["instances"] if i["name"] == rec["name"]).get("spec") or {})


def test_every_stack_is_recovered_exactly(demo: dict[str, Snapshot]) -> None:
    meta = demo["stacks"].meta
    assert meta["recovery"]["counts"] == {"exact": 38, "partial": 0, "unrecoverable": 0}
    assert not any(f"{DESCRIBED}/v1: minor version unknown" in w for w in meta["warnings"])
    minors = {
        r["templateMinorVersion"]
        for r in demo["stacks"].kind("service_instances")
        if r["templateName"] == DESCRIBED
    }
    assert minors == {"1"}


def test_resources_edges_and_outputs_match(demo: dict[str, Snapshot]) -> None:
    api, stacks = demo["api"], demo["stacks"]
    for kind in KINDS:
        want = {_key(r): r for r in api.kind(kind)}
        got = {_key(r): r for r in stacks.kind(kind)}
        assert got.keys() == want.keys(), kind
        for key, rec in got.items():
            if kind != "service_pipelines":
                assert rec["arn"] == want[key]["arn"], (kind, key)
            for member in (
                "environmentName",
                "serviceName",
                "serviceInstanceName",
                "templateName",
                "environmentAccountId",
                "templateMajorVersion",
                "repositoryId",
                "branchName",
                "repositoryConnectionArn",
            ):
                if member in want[key] and member in rec:
                    assert rec[member] == want[key][member], (kind, key, member)
            if "templateMinorVersion" in rec:
                assert rec["templateMinorVersion"] == want[key]["templateMinorVersion"], (kind, key)
            if (
                rec["provenance"] == "recovered"
                and not rec.get("provisionedResources")
                and kind == "environments"
            ):
                # No stack of its own (customer-managed): the outputs its instances read are recovered.
                assert rec["outputs"].items() <= want[key]["outputs"].items() and rec["outputs"]
            elif rec.get("provenance") != "provisioning-repo":  # Terraform outputs live in its state
                assert rec.get("outputs") == want[key].get("outputs"), (kind, key)
    graph_api, graph_stacks = build_graph(api), build_graph(stacks)
    wanted = {"environment", "service", "service_instance", "service_pipeline", "component"}

    def edges(g: Any) -> set[tuple[str, str, str]]:
        kinds = {n: d["kind"] for n, d in g.nodes(data=True)}
        return {
            (u, v, d["relation"])
            for u, v, d in g.edges(data=True)
            if kinds[u] in wanted and kinds[v] in wanted
        }

    assert edges(graph_stacks) == edges(graph_api)
    # The roles Proton gave CloudFormation come back from the stacks' RoleARN.
    for member in ("protonServiceRoleArn", "componentRoleArn"):
        assert {e["name"]: e.get(member) for e in stacks.kind("environments")} == {
            e["name"]: e.get(member) for e in api.kind("environments")
        }, member
    assert [r["pipelineServiceRoleArn"] for r in stacks.kind("account_settings")] == [
        r["pipelineServiceRoleArn"] for r in api.kind("account_settings")
    ]


def test_effective_inputs_match(demo: dict[str, Snapshot]) -> None:
    """Recovered specs name every input (defaults included); Proton's spec may leave defaults out."""
    api, stacks = demo["api"], demo["stacks"]
    want = {_key(r): r for r in api.kind("service_instances")}
    for rec in stacks.kind("service_instances"):
        api_rec = want[_key(rec)]
        version = f"{api_rec['templateMajorVersion']}.{api_rec['templateMinorVersion']}"
        expected = {
            **_defaults(api_rec["templateName"], version, "service"),
            **_instance_inputs(api, api_rec),
        }
        assert _instance_inputs(stacks, rec) == expected, _key(rec)
    for rec in stacks.kind("environments"):
        api_rec = next(r for r in api.kind("environments") if r["name"] == rec["name"])
        if "spec" not in rec or not rec.get("templateName"):
            continue
        version = f"{api_rec['templateMajorVersion']}.{api_rec['templateMinorVersion']}"
        expected = {
            **_defaults(api_rec["templateName"], version, "environment"),
            **(restore_data(yaml.safe_load(api_rec["spec"]), api.secrets).get("spec") or {}),
        }
        got = restore_data(yaml.safe_load(rec["spec"]), stacks.secrets).get("spec") or {}
        unknown = set(rec.get("recovery", {}).get("unknownInputs", {}))  # none from a provisioning repo
        assert got == {k: v for k, v in expected.items() if k not in unknown}, rec["name"]
        if "recovery" in rec:
            assert rec["recovery"]["status"] == ("partial" if unknown else "exact"), rec["name"]
    # The customer-managed environment left no stack: its template is the one customer-managed
    # template its instances' outputs fit; VpcId, which no instance reads, is reported unknown.
    legacy = next(r for r in stacks.kind("environments") if r["name"] == "legacy-network")
    assert legacy["templateName"] == "demo-customer-managed-env"
    assert legacy["provisioning"]["engine"] == "customer-managed"
    assert legacy["recovery"]["unknownInputs"] == {"VpcId": []}
    pipelines = {r["serviceName"]: r for r in api.kind("service_pipelines")}
    for svc in stacks.kind("services"):
        if svc["name"] in pipelines:
            api_svc = next(r for r in api.kind("services") if r["name"] == svc["name"])
            got = restore_data(yaml.safe_load(svc["spec"]), stacks.secrets)["pipeline"]
            expected = restore_data(yaml.safe_load(api_svc["spec"]), api.secrets)["pipeline"]
            assert got == {**_defaults(api_svc["templateName"], "1.1", "pipeline"), **expected}, svc["name"]


def test_secrets_rendered_into_templates_stay_out_of_the_snapshot(demo: dict[str, Snapshot]) -> None:
    stacks = demo["stacks"]
    assert stacks.root is not None
    clear = [str(v).encode() for v in stacks.secrets.values() if len(str(v)) >= 6]
    assert len(clear) >= 20
    leaks = [
        p.name
        for p in stacks.root.rglob("*")
        if p.is_file() and p.name != "secrets.json" and any(v in p.read_bytes() for v in clear)
    ]
    assert leaks == []
    # ... and loading the snapshot gives the deployed templates back exactly.
    api = demo["api"]
    for stack in stacks.stacks:
        raw = (stacks.root / stack["templatePath"]).read_text()
        text = stacks.stack_template(stack)
        assert PLACEHOLDER_RE.search(text or "") is None
        twin = next((s for s in api.stacks if s["StackName"] == stack["StackName"]), None)
        if twin is not None:
            assert text == api.stack_template(twin)
        if raw != text:
            assert PLACEHOLDER_RE.search(raw)


# What the stacks cannot tell: environment tags (the customer-managed legacy-network is tagged
# stage=prod, which makes its deployments production-like: a manual approval). Every other exported
# file is byte-identical, roles included (each stack's RoleARN is the role Proton provisioned with).
# PLANNED_CHANGES.* list the secret values to stage by their snapshot ids, which the two inventories
# name differently; cfn-git-sync's README and MANUAL_TASKS.md repeat those staging lines.
# The repository index (.exodus-repo/index.json) differs only by what no stack shows (`_index_gaps`):
# legacy-network's VpcId (customer-managed, no instance reads it), tf-sandbox's outputs (in its Terraform
# state) and demo-lambda-svc 1.0 (bundle gone, no stack on it: only the API knew it, and its schema).
_STAGING = {"PLANNED_CHANGES.json", "PLANNED_CHANGES.md"}
INDEX = ".exodus-repo/index.json"
API_ONLY = {".exodus-repo/templates/service/demo-lambda-svc/1.0/service.schema.json"}
EXPECTED_DIFFERENCES = {
    "cfn-git-sync": _STAGING | {"MANUAL_TASKS.md", "README.md", INDEX},
    "argocd": _STAGING | {INDEX},
    "github-actions": _STAGING | {"README.md", INDEX},
    "codepipeline": _STAGING | {"README.md", "pipelines/environments/legacy-network.yaml", INDEX},
}


def _index_gaps(text: bytes) -> tuple[dict[str, Any], int]:
    """The index without what no stack shows, and how many such members it held."""
    index, gaps = json.loads(text), 0
    for inst in index["instances"]:
        if inst["kind"] == "environment" and inst["name"] == "legacy-network":
            for member in ("inputs", "outputs"):
                gaps += inst[member].pop("VpcId", None) is not None
        if inst["kind"] == "environment" and inst["name"] == "tf-sandbox":
            gaps += bool(inst["outputs"])
            inst["outputs"] = {}
    gaps += index["templates"]["service/demo-lambda-svc"]["versions"].pop("1.0", None) is not None
    return index, gaps


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() != ".exodus/manifest.json"
    }  # names the snapshot's digest


@pytest.mark.parametrize("target", sorted(EXPECTED_DIFFERENCES))
def test_exports_from_both_snapshots_agree(demo: dict[str, Snapshot], target: str, tmp_path: Path) -> None:
    from proton_exodus.export import run_export
    from proton_exodus.verify import verify_export

    for name in ("api", "stacks"):
        run_export(target, demo[name], tmp_path / name)
    api, stacks = _files(tmp_path / "api"), _files(tmp_path / "stacks")
    assert stacks.keys() == api.keys() - API_ONLY and api.keys() >= API_ONLY
    assert {rel for rel in stacks if api[rel] != stacks[rel]} == EXPECTED_DIFFERENCES[target]
    (api_index, api_gaps), (stacks_index, stacks_gaps) = _index_gaps(api[INDEX]), _index_gaps(stacks[INDEX])
    assert api_index == stacks_index and (api_gaps, stacks_gaps) == (4, 0)
    if target == "cfn-git-sync":
        report = verify_export(demo["stacks"], tmp_path / "stacks")
        assert report.stacks == len(demo["stacks"].stacks) and report.unplanned == []


PROTON_KINDS = ("environments", "services", "service_instances", "components")


def test_proton_tags_come_back_from_the_stacks(demo: dict[str, Snapshot]) -> None:
    """Proton copied its own aws:proton:* tags onto the stacks as proton:*: every rebuilt record carries
    exactly the aws:proton:* tags the API gave it (the customer-managed environment's from its instances'
    stacks and its recovered template); customer tags never reached the stacks."""
    api, stacks = demo["api"], demo["stacks"]
    checked = 0
    for kind in PROTON_KINDS:
        before = {r["arn"]: r.get("tags") or {} for r in api.kind(kind)}
        for rec in stacks.kind(kind):
            own = {k: v for k, v in before[rec["arn"]].items() if k.startswith("aws:proton:")}
            assert own and rec["tags"] == own, (kind, rec["arn"])
            checked += 1
    assert checked == sum(len(stacks.kind(k)) for k in PROTON_KINDS) > 40
    assert all("tags" not in p or not p["tags"] for p in stacks.kind("service_pipelines"))


@pytest.mark.parametrize("target", ["codepipeline", "github-actions"])
def test_tags_from_an_earlier_snapshot_bring_the_production_approval_back(
    demo: dict[str, Snapshot], target: str, tmp_path: Path
) -> None:
    """legacy-network is production only by its customer tag stage=prod, which lived in Proton's records;
    carried from the API snapshot taken before end of support (`--tags-from`), its on-prem instances get
    their manual approval back and the export equals the API one except the secret staging ids."""
    import copy
    import dataclasses

    from proton_exodus.export import run_export
    from proton_exodus.inventory.stacks_tags import carry_tags

    records, warnings = copy.deepcopy(demo["stacks"].records), []
    assert carry_tags(records, demo["api"], warnings) > 0 and warnings == []
    legacy = next(r for r in records["environments"] if r["name"] == "legacy-network")
    assert legacy["tags"]["stage"] == "prod"
    tagged = dataclasses.replace(demo["stacks"], records=records)
    for name, snap in (("api", demo["api"]), ("stacks", demo["stacks"]), ("tagged", tagged)):
        run_export(target, snap, tmp_path / name)
    api, stacks, carried = (_files(tmp_path / n) for n in ("api", "stacks", "tagged"))
    lost = {rel for rel in stacks if api[rel] != stacks[rel]} - _STAGING - {INDEX}
    assert any(b"legacy-network" in api[rel] for rel in lost)  # the approval the rebuild lost
    still = {rel for rel in carried if api[rel] != carried[rel]}
    assert still <= _STAGING | {"README.md", INDEX} and not (lost - {"README.md"}) & still


def test_tags_from_must_be_a_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from proton_exodus.cli import main

    bad = tmp_path / "not-a-snapshot"
    bad.mkdir()
    with pytest.raises(SystemExit) as exit_:
        main(["inventory", "--source", "stacks", "--tags-from", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith("Error: --tags-from: ") and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_template_records_say_what_the_bundles_say(demo: dict[str, Snapshot]) -> None:
    """Rebuilt template records carry what the API gave: the recommended version (the newest minor of the
    newest major among the bundles, as template sync published them), each version's recommended minor,
    and CUSTOMER_MANAGED provisioning (a schema-only environment bundle; a service bundle without a
    pipeline). demo-lambda-svc's v1/ is the 1.1 its Description and its stacks' Descriptions name."""
    api, stacks = demo["api"], demo["stacks"]
    members = ("recommendedVersion", "provisioning", "pipelineProvisioning")
    for kind in ("environment_templates", "service_templates"):
        for rec in stacks.kind(kind):
            twin = next(r for r in api.kind(kind) if r["name"] == rec["name"])
            assert {m: rec.get(m) for m in members} == {m: twin.get(m) for m in members}, rec["name"]
    for kind in ("environment_template_versions", "service_template_versions"):
        for rec in stacks.kind(kind):
            twin = next(r for r in api.kind(kind) if r["arn"] == rec["arn"])
            assert rec["recommendedMinorVersion"] == twin["recommendedMinorVersion"], rec["arn"]


def test_older_minor_versions_are_flagged_on_the_retired_estate(demo: dict[str, Snapshot]) -> None:
    """I122 needs the recommended version, which only the API gave until the bundles said it: the
    rebuilt estate flags the same resources on an older minor as the API snapshot does."""
    from proton_exodus.audit import audit_snapshot

    def older(snap: Snapshot) -> set[tuple[str, str]]:
        return {(f.resource, f.message) for f in audit_snapshot(snap).findings if f.code == "I122"}

    found = older(demo["stacks"])
    assert found and found == older(demo["api"])
    assert all(m.endswith("the recommended version is 1.1") for _, m in found)
