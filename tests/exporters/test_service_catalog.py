"""service-catalog on the demo estate: the portfolio stacks are cfn-lint clean (warnings included), every
Proton template is a product with an artifact per version its stacks run, every stack has an adoption whose
artifact is its template after hand-over, the runbook imports in place; the rehearsal adopts the demo
stacks as provisioned products on the local cloud without changing a resource; and day 2 (`exodus repo` on
the export's parameters/ files, then its servicecatalog-update.sh) changes only what it should."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from exporters import Handover, Registry, StackRef, Use
from exporters.service_catalog import exporter as service_catalog
from exporters.service_catalog.exporter import product_name, version_of
from exporters.service_catalog.layout import adoptions, exported_stacks
from proton_exodus.cfn.text import load_template
from proton_exodus.errors import BadInput
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import Snapshot, load_snapshot
from proton_exodus.model.units import build_units
from tests.support.paths import REPO

REG = Registry({"service-catalog": lambda: service_catalog})
SNAPSHOT = REPO / "sample_exports" / "snapshot"
ROLLED_BACK = "AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE"  # recorded ROLLBACK_COMPLETE


def _files(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".exodus/")
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Path, dict[str, str]]:
    snapshot = load_snapshot(SNAPSHOT)
    out = tmp_path_factory.mktemp("service-catalog") / "export"
    run_export("service-catalog", snapshot, out, registry=REG)
    return snapshot, out, _files(out)


def test_portfolio_stacks_are_cfn_lint_clean(demo: tuple[Snapshot, Path, dict[str, str]]) -> None:
    _, _, files = demo
    portfolios = [p for p in files if p.startswith("portfolio/")]
    assert len(portfolios) == 2  # the demo's two accounts
    for path in portfolios:
        found = [
            f"{m.rule.id} {m.message}" for m in lint(files[path], config=ManualArgs(regions=["us-east-1"]))
        ]
        assert found == [], path
    # the linter does catch a broken product (the check above can fail)
    broken = files[portfolios[0]].replace(
        "Type: AWS::ServiceCatalog::CloudFormationProduct", "Type: AWS::ServiceCatalog::Nope", 1
    )
    assert [m for m in lint(broken, config=ManualArgs(regions=["us-east-1"])) if m.rule.id.startswith("E")]


def test_a_product_per_template_and_an_artifact_per_version(
    demo: tuple[Snapshot, Path, dict[str, str]],
) -> None:
    snapshot, _, files = demo
    units = [u for u in build_units(snapshot) if u.provisioning == "cloudformation" and u.stack_name]
    for account, region in sorted({(u.account, u.region) for u in units}):
        doc = load_template(files[f"portfolio/{account}/{region}/portfolio.yaml"])
        products = {
            r["Properties"]["Name"]: r["Properties"]
            for r in doc["Resources"].values()
            if r["Type"] == "AWS::ServiceCatalog::CloudFormationProduct"
        }
        mine = [u for u in units if (u.account, u.region) == (account, region)]
        assert set(products) == {product_name(u) for u in mine}
        for u in mine:
            names = [a["Name"] for a in products[product_name(u)]["ProvisioningArtifactParameters"]]
            assert any(n == version_of(u) or n.startswith(version_of(u) + "-") for n in names), u.label
        associated = {
            r["Properties"]["ProductId"]["Ref"]
            for r in doc["Resources"].values()
            if r["Type"] == "AWS::ServiceCatalog::PortfolioProductAssociation"
        }
        assert len(associated) == len(products)
        roles = {
            r["Properties"]["RoleArn"]
            for r in doc["Resources"].values()
            if r["Type"] == "AWS::ServiceCatalog::LaunchRoleConstraint"
        }
        assert roles <= {u.role_arn for u in mine if u.role_arn}
        assert bool(roles) == any(u.role_arn for u in mine)


def test_every_stack_is_adopted_with_its_own_template(demo: tuple[Snapshot, Path, dict[str, str]]) -> None:
    snapshot, out, files = demo
    units = {
        u.stack_name: u for u in build_units(snapshot) if u.provisioning == "cloudformation" and u.stack_name
    }
    found = {a.stack_name: a for a in adoptions(out)}
    assert set(found) == set(units)
    for name, a in found.items():
        assert a.data["stackId"] == units[name].stack_id
        artifact = files[a.template_path]
        assert a.data["updateFirst"] == (artifact != units[name].deployed_template)
        if not a.data["updateFirst"]:
            assert artifact == units[name].deployed_template
    assert {s.stack_name for s in exported_stacks(out)} == set(units)
    # secrets leave the artifacts (Parameter Store references), never as exodus placeholders
    assert all("{{exodus:secret" not in files[a.template_path] for a in found.values())


def test_estate_tags_become_tag_options(tmp_path: Path) -> None:
    snapshot = load_snapshot(SNAPSHOT)
    for kind, records in snapshot.records.items():  # only the tags this test sets (the demo has its own)
        snapshot.records[kind] = [{**r, "tags": {}} if "tags" in r else r for r in records]
    snapshot.records["services"] = [
        {**s, "tags": {"team": "payments", "aws:cloudformation:x": "skip"}}
        if s["name"] == "payments-api"
        else s
        for s in snapshot.kind("services")
    ]
    run_export("service-catalog", snapshot, tmp_path / "out", registry=REG)
    doc = load_template((tmp_path / "out" / "portfolio/111111111111/us-east-1/portfolio.yaml").read_text())
    options = [
        r["Properties"] for r in doc["Resources"].values() if r["Type"] == "AWS::ServiceCatalog::TagOption"
    ]
    assert options == [{"Key": "team", "Value": "payments"}]
    links = [r for r in doc["Resources"].values() if r["Type"] == "AWS::ServiceCatalog::TagOptionAssociation"]
    assert len(links) == 1


def test_runbook_imports_in_place_and_releases_without_deleting() -> None:
    exporter = service_catalog
    ref = StackRef("environment", "dev", "111111111111", "us-east-1", stack_name="AWSProton-dev-x")
    (file,) = exporter.handover(ref)
    assert file.path == "adoptions/111111111111/us-east-1/AWSProton-dev-x.json"
    commands = exporter.runbook.stack_commands(Use(file, "us-east-1", True, False, 1))
    text = "\n".join(commands["handover"])
    assert "import-as-provisioned-product" in text and '--profile "${PROFILE_PREFIX}111111111111"' in text
    assert commands["rollback"][0].startswith("aws servicecatalog terminate-provisioned-product")
    assert "--retain-physical-resources" in commands["rollback"][0]
    (portfolio,) = exporter.handover(StackRef("account", "", "111111111111", "us-east-1"))
    account = exporter.runbook.account_commands(
        "111111111111", "us-east-1", [Use(portfolio, "us-east-1", True, False, 1)]
    )
    assert "aws s3 sync" in account["handover"][1] and "ArtifactBucket=" in account["handover"][2]
    assert isinstance(portfolio, Handover) and portfolio.role == "bootstrap"
    script = "\n".join(line for c in (commands, account) for lines in c.values() for line in lines)
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)  # valid shell as written


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    snapshot = load_snapshot(SNAPSHOT)
    with pytest.raises(BadInput, match="unknown option 'colour'"):
        run_export("service-catalog", snapshot, tmp_path / "a", registry=REG, options={"colour": "red"})
    with pytest.raises(BadInput, match="parameterise"):
        run_export(
            "service-catalog", snapshot, tmp_path / "b", registry=REG, options={"parameterise": "maybe"}
        )
    assert not (tmp_path / "a").exists()


def test_same_snapshot_same_bytes(demo: tuple[Snapshot, Path, dict[str, str]], tmp_path: Path) -> None:
    snapshot, _, files = demo
    run_export("service-catalog", snapshot, tmp_path / "again", registry=REG)
    assert _files(tmp_path / "again") == files


_REHEARSE = """
import json, sys
from pathlib import Path
from exporters import Registry
from exporters.service_catalog import exporter
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.rehearse.run import rehearse
snapshot = load_snapshot(Path(sys.argv[1]))
plan_dir = Path(sys.argv[2])
plan = json.loads((plan_dir / "plan.json").read_text())
registry = Registry({"service-catalog": lambda: exporter})
result = rehearse(
    snapshot, plan, "service-catalog", Path(sys.argv[3]), registry=registry, poll=0.0, plan_dir=plan_dir
)
steps = [s.to_json() for s in result.steps]
adoption = [s for s in result.deploys() if not s.action.startswith(("day2", "rollback"))]
counts = {
    "unplanned": len([c for s in adoption for c in s.changes if not c.planned]),
    "replacements": len([c for s in adoption for c in s.changes if c.replaces]),
}
print(json.dumps({"steps": steps, "day2": result.day2, **counts}))
"""


@pytest.fixture(scope="module")
def own_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's plan as a Service Catalog user makes it (`exodus plan --target service-catalog`): its
    wave runbooks hold the service-catalog commands."""
    out = tmp_path_factory.mktemp("sc-plan") / "plan"
    exodus = Path(sys.executable).parent / "exodus"
    subprocess.run(
        [str(exodus), "plan", "--snapshot", str(SNAPSHOT), "--target", "service-catalog"]
        + ["--start", "2026-12-07", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=True,
    )
    return out


@pytest.fixture(scope="module")
def rehearsed(own_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The demo rehearsed with its own plan through every wave, its wave runbooks run as written, day 2
    and the rollback included. In a process of its own: the local cloud lives in the process, and an
    earlier demo seed spoils the rebuild."""
    out = tmp_path_factory.mktemp("sc-rehearsal") / "out"
    run = subprocess.run(
        [sys.executable, "-c", _REHEARSE, str(SNAPSHOT), str(own_plan), str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=1200,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1]), out


def test_rehearsal_adopts_the_demo_stacks_without_changing_a_resource(
    own_plan: Path, rehearsed: tuple[dict[str, Any], Path]
) -> None:
    """Every planned stack is imported by its wave runbook (after its account's artifacts and portfolio
    stack) and the deployer's `adopt` step checks it; each adoption leaves every resource as it was, the
    secret-bearing stacks included (their Parameter Store Strings staged first), but the service
    pipelines, whose rewritten build steps (no retired Proton call) are planned changes; the stack
    recorded ROLLBACK_COMPLETE (nothing can update or import it) is held back by the plan."""
    plan: dict[str, Any] = json.loads((own_plan / "plan.json").read_text(encoding="utf-8"))
    result, out = rehearsed
    steps = result["steps"]
    assert all(s["outcome"] == "ok" for s in steps if s["action"] == "reproduce")
    planned = {r["stackName"] for w in plan["waves"] for r in w["resources"] if r.get("stackName")}
    adopted = [s for s in steps if s["action"] == "adopt"]
    # the plan holds back the stack recorded ROLLBACK_COMPLETE and the pipeline behind it: never adopted
    blocked = {s["stack"] for s in steps if s["outcome"] == "blocked" and s["action"] == "deploy"}
    assert ROLLED_BACK in blocked and len(blocked) == 2
    assert {s["stack"] for s in adopted} == planned - blocked
    # the runbook prepared each account (artifacts to its bucket, then the portfolio stack): no `prepare`
    runbook = [s for s in steps if s["action"] == "runbook"]
    for start in ("aws s3 sync ", "aws cloudformation deploy --template-file \"$EXPORT/portfolio/"):
        assert [s["outcome"] for s in runbook if s["command"].startswith(start)] == ["ok", "ok"]
    assert not [s for s in steps if s["action"] == "prepare"]
    assert all(s["message"].startswith("the wave runbook imported it: ") for s in adopted)
    export = out / "export"
    staged = {a.stack_name for a in adoptions(export) if a.data["stage"]}
    ok = [s for s in adopted if s["outcome"] == "ok"]
    assert len(ok) == len(adopted) == len(planned) - 2
    # the secrets are staged before the waves, by PLANNED_CHANGES.md's commands as written; no adoption
    # finds a Parameter Store String missing
    stage = [s for s in steps if s["action"] == "stage"]
    assert len(staged) >= 10 and len(stage) >= 10 and all(s["outcome"] == "ok" for s in stage)
    assert not [s["stack"] for s in adopted if "not staged" in s["message"]]
    pipelines = {a.stack_name for a in adoptions(export) if a.data["label"].endswith("/pipeline")}
    assert all(
        s["message"].endswith("no resource changed") and s["changes"] == []
        for s in ok
        if s["stack"] not in pipelines
    )
    # a pipeline's artifact no longer calls the retired Proton API: its deploy makes planned changes only
    changed = [s for s in ok if s["stack"] in pipelines]
    assert len(changed) == len(pipelines - blocked) >= 5
    assert all(s["changes"] and all(c["planned"] for c in s["changes"]) for s in changed)
    assert result["unplanned"] == 0 and result["replacements"] == 0


def test_the_own_plans_wave_runbooks_run_as_written(
    own_plan: Path, rehearsed: tuple[dict[str, Any], Path]
) -> None:
    """Every line of the service-catalog plan's wave runbooks runs as written against the local cloud
    (the aws CLI with each account's profile, the artifact buckets the runbook says exist created first):
    none fails; the operator's `exodus` and `git` lines are recorded manual; only the lines of the two
    stacks the plan holds back are not run; each import's exit check prints AVAILABLE. The settings block
    names SNAPSHOT once (a second `SNAPSHOT=...` would overwrite the real one)."""
    for wave in sorted(own_plan.glob("wave-*.md")):
        text = wave.read_text(encoding="utf-8")
        assert len(re.findall(r"^SNAPSHOT=", text, re.M)) == 1, wave.name
    result, _ = rehearsed
    runbook = [s for s in result["steps"] if s["action"] == "runbook"]
    by = {o: [s for s in runbook if s["outcome"] == o] for o in ("ok", "failed", "manual", "blocked")}
    assert by["failed"] == [] and len(by["ok"]) >= 300
    assert len(by["ok"]) + len(by["manual"]) + len(by["blocked"]) == len(runbook)
    # (the rehearsal's CodeConnections connection, made for every target's runbooks, is manual too)
    person = [s for s in by["manual"] if not s["command"].startswith("aws codeconnections create-conn")]
    assert len(person) >= 7 * 3 and all(
        s["command"].split(" ", 1)[0] in ("exodus", "git")
        and s["message"].endswith("the rehearsal's own export, commit and deployer stand for it")
        for s in person
    )
    assert by["blocked"] and all(
        s["wave"] == 3 and s["message"].startswith("not run: held back by the plan") for s in by["blocked"]
    )
    imports = [s for s in by["ok"] if s["command"].startswith("aws servicecatalog import-as-provisioned")]
    adopted = [s for s in result["steps"] if s["action"] == "adopt"]
    assert len(imports) == len(adopted) >= 30
    checks = [s for s in by["ok"] if s["command"].startswith("aws servicecatalog describe-provisioned")]
    assert len(checks) == len(adopted) and all(s["message"] == "printed AVAILABLE" for s in checks)
    # the rollback's runbook releases each rolled-back stack's provisioned product, keeping the stack
    rolled = {s["stack"] for s in result["steps"] if s["action"] == "rollback"}
    released = [s for s in by["ok"] if s["command"].startswith("aws servicecatalog terminate-provisioned")]
    assert rolled and {s["command"].split()[4] for s in released} == rolled
    assert all("--retain-physical-resources" in s["command"] for s in released)


def test_day_2_updates_provisioned_products_and_changes_only_what_it_should(
    rehearsed: tuple[dict[str, Any], Path],
) -> None:
    """Proton's day 2 in Service Catalog, after every wave: a new image and an input change are an
    UpdateProvisionedProduct with new parameters on the same artifact; the minor version moves the product
    to the 1.1 artifact (`exodus repo upgrade` on the export's parameters/ file and TEMPLATES.json). Each
    runs as the export's servicecatalog-update.sh does it: a provisioned product plan (a change set on the
    stack) described before it is executed; each
    changes only the resources it should, and replaces nothing but the task definition (a new revision)."""
    result, _ = rehearsed
    day2 = result["day2"]
    for name in ("ship-image", "change-input", "minor-version"):
        assert day2[name]["outcome"] == "ok" and day2[name]["unplanned"] == 0, (name, day2[name])
    steps = {s["action"]: s for s in result["steps"] if s["action"].startswith("day2:")}
    # the export's own servicecatalog-update.sh, run as written (bash, aws CLI, jq) from a commit
    assert all(s["command"].startswith("bash servicecatalog-update.sh AWSProton-") for s in steps.values())
    assert all(" UPDATE_PROVISIONED_PRODUCT SUCCEEDED (artifact 1.1" in s["message"] for s in steps.values())
    image = steps["day2:ship-image"]
    assert [(c["action"], c["resource_type"], c["replacement"]) for c in image["changes"]] == [
        ("Modify", "AWS::ECS::TaskDefinition", "True")
    ]
    assert "parameter Image: " in image["message"] and "edited parameters/111111111111/" in image["message"]
    count = steps["day2:change-input"]
    assert [(c["resource_type"], c["properties"], c["replacement"]) for c in count["changes"]] == [
        ("AWS::ECS::Service", ["DesiredCount"], "False")
    ]
    assert "exodus repo set " in count["message"] and "desired_count=" in count["message"]
    minor = steps["day2:minor-version"]
    assert minor["stack"] == "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"  # 1.0 -> 1.1
    assert "exodus repo upgrade payments-api/staging --to 1.1" in minor["message"]
    assert {c["logical_id"]: c["properties"] for c in minor["changes"]} == {
        "TargetGroup": ["HealthCheckPath"],
        "TaskDefinition": ["ContainerDefinitions"],
    }
    # one product per shared template, one artifact per version: ship-image stays on the 1.1 artifact,
    # the minor move goes from 1.0 to that same 1.1 artifact of the same product
    assert "(artifact 1.1)" in image["message"] and "(artifact 1.1)" in minor["message"]
    artifact = re.compile(r"provisioned product AVAILABLE on (pa-[0-9a-f]+)")
    assert artifact.search(image["message"])[1] == artifact.search(minor["message"])[1]
    replaced = [
        c for s in steps.values() for c in s["changes"] if c["replacement"] in ("True", "Conditional")
    ]
    assert {c["resource_type"] for c in replaced} == {"AWS::ECS::TaskDefinition"} and len(replaced) == 2
    rollback = day2["rollback"]
    assert rollback["failed"] == 0 and rollback["unplanned"] == 0 and rollback["stacks"] >= 1


def test_a_synthetic_estate_with_faults(tmp_path: Path) -> None:
    """Stacks Service Catalog cannot import are findings, not broken files: the portfolios stay lint clean."""
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

    size = SyntheticSize(3, 4, 2, components=2, account_connections=1, repositories=True, faults=True)
    report = run_export("service-catalog", build_synthetic_snapshot(size), tmp_path / "out", registry=REG)
    codes = {f.code for f in report.findings}
    assert {"E-SC-STATUS", "E-SC-NO-TEMPLATE", "W-SC-NOT-CFN"} <= codes
    files = _files(tmp_path / "out")
    portfolios = [p for p in files if p.startswith("portfolio/")]
    assert portfolios
    for path in portfolios:
        assert list(lint(files[path], config=ManualArgs(regions=["us-east-1"]))) == [], path
    assert all(files[a.template_path] for a in adoptions(tmp_path / "out"))


def test_exodus_verify_proves_every_artifact_against_its_stack(
    demo: tuple[Snapshot, Path, dict[str, str]],
) -> None:
    """`exodus verify` reads the adoptions back (the `exported_stacks` hook): every demo stack's artifact,
    with the adoption's parameters and tags, equals what is deployed (no unplanned difference)."""
    from proton_exodus.verify import verify_export

    snapshot, out, _ = demo
    report = verify_export(snapshot, out, registry=REG)
    assert report.unplanned == [] and not report.failed
    assert report.stacks == len({a.stack_name for a in adoptions(out)}) == 39


def test_demo_with_its_secrets_keeps_them_out_and_adopts_without_change(tmp_path: Path) -> None:
    """The demo estate WITH its planted secrets (as `exodus demo` exports it): no clear secret and no
    placeholder in any file, the secret-bearing stacks read staged Parameter Store Strings, and every
    artifact resolved as CloudFormation would equals its deployed stack (verify, SSM values as staged)."""
    from proton_exodus.verify import verify_export
    from tests.verify.demo_estate import demo_snapshot

    snapshot = demo_snapshot()
    out = tmp_path / "export"
    run_export("service-catalog", snapshot, out, registry=REG)
    secrets = [str(v) for v in snapshot.secrets.values() if len(str(v)) >= 6]
    assert secrets
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        assert "{{exodus:secret:" not in text and not any(s in text for s in secrets), path
    stage = json.loads((out / "PLANNED_CHANGES.json").read_text())["stage"]
    assert len(stage) >= 20 and sum(len(a.data["stage"]) for a in adoptions(out)) == len(stage)
    values = {s["name"]: str(snapshot.secrets[s["secretId"]]) for s in stage}
    report = verify_export(snapshot, out, registry=REG, ssm_values=values)
    assert report.unplanned == [] and report.stacks == 39


def test_quotas_a_large_unshared_estate_would_hit_are_errors(tmp_path: Path) -> None:
    """Without shared (parameterised) templates every stack needs its own artifact: past Service Catalog's
    100 versions per product, and past CloudFormation's template limits, the export says so."""
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

    report = run_export(
        "service-catalog",
        build_synthetic_snapshot(SyntheticSize(2, 60, 2)),
        tmp_path / "out",
        registry=REG,
        options={"parameterise": "false"},
    )
    quota = [f for f in report.findings if f.code == "E-SC-ARTIFACT-QUOTA"]
    assert quota and all("needs 120 provisioning artifacts" in f.message for f in quota)
    assert not [f for f in report.findings if f.code == "E-SC-TEMPLATE-LIMIT"]


def test_no_file_calls_the_retired_proton_api(demo: tuple[Snapshot, Path, dict[str, str]]) -> None:
    """The pipelines' artifacts are rewritten like the pipeline targets' (their builds deploy the stacks
    directly): no `aws proton`, IAM proton:<Action> or Proton client in any file; the rewrite is planned."""
    from tests.exporters.test_no_proton_calls import api_calls

    _, out, files = demo
    assert api_calls(out) == []
    planned = json.loads(files["PLANNED_CHANGES.json"])["changes"]
    pipelines = {a.stack_name for a in adoptions(out) if a.data["label"].endswith("/pipeline")}
    # resource changes: the pipelines' only; the shared templates change the stacks' Description alone
    changed = {c["stack"] for c in planned if c["effect"] != "NoResourceChange"}
    assert planned and changed == pipelines
    assert all(c["section"] == "Description" for c in planned if c["effect"] == "NoResourceChange")


def test_an_artifact_per_template_version_not_per_stack(demo: tuple[Snapshot, Path, dict[str, str]]) -> None:
    """Import needs the stack's template to match the artifact (API Reference), so a product has one artifact
    per distinct template: per version, or per variant of a version when its stacks need different shared
    templates. Stacks on a shared template share its artifact."""
    _, out, files = demo
    by_product: dict[tuple[str, str], dict[str, set[str]]] = {}
    for a in adoptions(out):
        arts = by_product.setdefault((a.data["product"], a.template_path.rsplit("/", 3)[0]), {})
        arts.setdefault(a.template_path, set()).add(a.stack_name)
    shared = 0
    for (product, _), arts in sorted(by_product.items()):
        texts = [files[p] for p in arts]
        assert len(set(texts)) == len(texts), product  # no two artifacts of a product hold one template
        versions = {p.rsplit("/", 1)[1].removesuffix(".yaml").split("-")[0] for p in arts}
        stacks = sum(len(s) for s in arts.values())
        if not product.endswith("-pipeline") and not product.startswith("component-"):
            assert len(arts) <= 2 * len(versions), (product, sorted(arts))
            shared += stacks - len(arts)
    assert shared >= 20  # the demo's 32 instance stacks sit on a handful of shared templates


def test_the_repository_index_lists_every_instance(demo: tuple[Snapshot, Path, dict[str, str]]) -> None:
    """`.exodus-repo/` ships with the portfolio: `exodus repo validate` passes on the export and `outdated`
    names the instances behind their template's recommended version. Every CloudFormation instance has a
    parameters/ file (template-configuration format) with the parameters its adoption gives the stack, on
    the artifact file TEMPLATES.json names: what day 2 sends with UpdateProvisionedProduct."""
    from proton_exodus.repo import ops

    snapshot, out, files = demo
    index = json.loads(files[".exodus-repo/index.json"])
    assert index["target"] == "service-catalog"
    names = {i["name"] for i in index["instances"]}
    units = [
        u for u in build_units(snapshot) if u.kind in ("environment", "service_instance") and u.template_name
    ]
    assert {u.label for u in units} <= names
    found = {a.stack_name: a for a in adoptions(out)}
    rows = {r["stack"]: r for r in json.loads(files["TEMPLATES.json"])["stacks"]}
    indexed = [i for i in index["instances"] if i["stack"]["name"] in found]
    assert len(indexed) >= 30
    for item in indexed:
        adoption = found[item["stack"]["name"]]
        assert item["parameters_format"] == "template-configuration"
        assert item["parameters_file"] == adoption.data["parameterFile"]
        assert (
            item["parameters_file"]
            == f"parameters/{adoption.account}/{adoption.region}/{adoption.stack_name}.json"
        )
        assert item["template_file"] == adoption.template_path == rows[adoption.stack_name]["templateFile"]
        doc = json.loads(files[item["parameters_file"]])
        assert doc["Parameters"] == adoption.data["parameters"] and doc["Tags"] == adoption.data["tags"]
    assert sum(1 for i in indexed if rows[i["stack"]["name"]]["shared"]) >= 20
    assert ops.validate(out) == []
    behind = {r["instance"] for r in ops.outdated(out)}
    assert "payments-api/staging" in behind  # on demo-fargate-svc 1.0, 1.1 recommended


def _checkout(out: Path, to: Path) -> Path:
    import shutil

    shutil.copytree(out, to)
    return to


def test_exodus_repo_day_2_operations_on_the_export(
    demo: tuple[Snapshot, Path, dict[str, str]], tmp_path: Path
) -> None:
    """`exodus repo set / upgrade / new-instance / outdated / validate` on a checkout of the export: each
    edits the parameters/ file (and TEMPLATES.json, the index) a reviewer reads; the artifacts are never
    edited; an out-of-range input is refused with Proton's message and no file changes."""
    from proton_exodus.repo import ops

    _, out, files = demo
    root = _checkout(out, tmp_path / "checkout")
    dev = "parameters/111111111111/us-east-1/AWSProton-inventory-worke-cloudformation--RKDATBFASPDQFHU.json"
    assert json.loads(files[dev])["Parameters"]["DesiredCount"] == "1"
    changed = ops.set_inputs(root, "inventory-worker/dev", ["desired_count=4"])
    assert dev in changed and not [f for f in changed if f.startswith("artifacts/")]
    assert json.loads((root / dev).read_text(encoding="utf-8"))["Parameters"]["DesiredCount"] == "4"
    before = {f: (root / f).read_text(encoding="utf-8") for f in (dev, ".exodus-repo/index.json")}
    with pytest.raises(BadInput, match=r"spec\.desired_count: -5 is less than the minimum of 0"):
        ops.set_inputs(root, "inventory-worker/dev", ["desired_count=-5"])
    assert {f: (root / f).read_text(encoding="utf-8") for f in before} == before
    # the minor version: onto the shared 1.1 artifact of the account, proven for its inputs
    notes: list[str] = []
    changed = ops.upgrade(root, ["payments-api/staging"], "1.1", notes=notes)
    staging = (
        "parameters/111111111111/us-east-1/AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI.json"
    )
    assert staging in changed and "TEMPLATES.json" in changed
    row = next(
        r
        for r in json.loads((root / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
        if r["stack"] == "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"
    )
    assert row["version"] == "1.1" and row["shared"]
    assert row["templateFile"].startswith("artifacts/111111111111/us-east-1/demo-fargate-svc/1.1")
    assert "payments-api/staging" not in {r["instance"] for r in ops.outdated(root)}
    # a new instance: its parameters/ file beside its siblings', on the shared artifact
    made = ops.new_instance(
        root,
        "inventory-worker/qa",
        template="service/demo-fargate-svc",
        version=None,
        environment="dev",
        pairs=["desired_count=2", "listener_priority=77", "path_pattern=/qa/*"],
    )
    assert "parameters/111111111111/us-east-1/inventory-worker-qa.json" in made
    assert ops.validate(root) == []
    assert all(
        (root / f).read_text(encoding="utf-8") == files[f] for f in files if f.startswith("artifacts/")
    )
