"""The `spacelift` export of the demo snapshot: a Spacelift stack per unit of the plan (CloudFormation
vendor on the existing stack names, Terraform vendor for self-managed ones), dependencies that follow the
graph, the plan policy attached to every stack and the approval policy to production ones; HCL that
parses (python-hcl2) and is `terraform fmt` clean; and the Rego policies' decisions, evaluated by a Rego
engine (gordon-to-regorus, a fork of microsoft/regorus) on plan inputs in Spacelift's documented shape,
including the real plan effect of the terraform export."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
import regorus

from exporters import Registry, StackRef, Use
from exporters.spacelift import exporter as spacelift
from exporters.spacelift import layout
from exporters.spacelift.exporter import APPROVAL_POLICY, PLAN_POLICY, policy_text
from exporters.terraform import exporter as terraform
from exporters.terraform import layout as tf_layout
from proton_exodus.errors import BadInput
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units
from tests.exporters.test_terraform import LOCK_FILE, TERRAFORM_LEAVES, commit_after_terraform
from tests.support.paths import REPO

SNAPSHOT, PLAN = REPO / "sample_exports" / "snapshot", REPO / "sample_exports" / "plan"
REG = Registry({"spacelift": lambda: spacelift, "terraform": lambda: terraform})
TERRAFORM = shutil.which("terraform")


@pytest.fixture(scope="module")
def snapshot() -> Any:
    return load_snapshot(SNAPSHOT)


@pytest.fixture(scope="module")
def out(snapshot: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("spacelift") / "export"
    run_export("spacelift", snapshot, target, registry=REG)
    return target


def _q(value: Any) -> str:
    return str(value).removeprefix('"').removesuffix('"')


def _local(root: Path, name: str) -> str:
    """A local of spacelift/index.tf, as an expression terraform console can evaluate."""
    match = re.search(rf"^  {name} +=(.*)$", (root / "spacelift" / "index.tf").read_text(), re.M)
    assert match, name
    return "(" + match.group(1).strip() + ")"


def _resources(out: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """type -> name -> body, for every resource of spacelift/*.tf (python-hcl2 keeps labels quoted) but
    index.tf's, whose stacks exist only for rows `exodus repo new-instance` adds (tested on their own)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for path in sorted((out / "spacelift").glob("*.tf")):
        if path.name == "index.tf":
            continue
        for block in hcl2.loads(path.read_text(encoding="utf-8")).get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    found.setdefault(_q(kind), {})[_q(name)] = body
    return found


def test_a_spacelift_stack_per_unit_of_the_plan_on_the_existing_stack_names(out: Path) -> None:
    stacks = _resources(out)["spacelift_stack"]
    plan = json.loads((PLAN / "plan.json").read_text(encoding="utf-8"))
    planned = [r for w in plan["waves"] for r in w["resources"]]
    cfn = {r["stackName"] for r in planned if r.get("stackName")}
    names = {_q(b["cloudformation"][0]["stack_name"]) for b in stacks.values() if "cloudformation" in b}
    assert names == cfn and len(names) >= 30
    tf_units = [r for r in planned if r.get("provisioning") == "terraform"]
    tf_stacks = [b for b in stacks.values() if _q(b.get("terraform_workflow_tool", "")) == "TERRAFORM_FOSS"]
    assert len(tf_stacks) == len(tf_units) >= 1 and all(b["manage_state"] is False for b in tf_stacks)
    listing = {
        f"{r['account']}/{r['region']}/{r['stack']}": r
        for r in json.loads((out / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    }
    shared = 0
    for body in stacks.values():
        if "cloudformation" in body:
            # the project root and entry template are the template file TEMPLATES.json names
            cfn_block = body["cloudformation"][0]
            key = next(k for k in listing if f'"{k}"' in str(body["project_root"]))
            assert key.endswith("/" + _q(cfn_block["stack_name"]))
            assert str(body["project_root"]) == f'${{dirname(local.exodus_stacks["{key}"].templateFile)}}'
            assert "basename(" in str(cfn_block["entry_template_file"])
            assert (out / listing[key]["templateFile"]).is_file()
            assert (out / listing[key]["parameterFile"]).is_file()
            shared += listing[key]["shared"]
        assert body["autodeploy"] is False and body["protect_from_deletion"] is True
    assert shared >= 0.8 * len(names)  # most stacks deploy their version's shared template


def test_dependencies_follow_the_graph(snapshot: Any, out: Path) -> None:
    resources = _resources(out)
    by_stack = {name: body for name, body in resources["spacelift_stack"].items()}
    units = {u.arn: u for u in build_units(snapshot)}
    address = {
        layout.address(u.kind, u.name, u.service, u.account): u.arn
        for u in units.values()
        if layout.address(u.kind, u.name, u.service, u.account) in by_stack
    }
    edges = set()
    for body in resources["spacelift_stack_dependency"].values():
        stack = str(body["stack_id"]).split(".")[1]
        dep = str(body["depends_on_stack_id"]).split(".")[1]
        edges.add((address[stack], address[dep]))
    expected = {
        (u.arn, d)
        for u in units.values()
        if u.arn in address.values()
        for d in u.depends_on
        if d in address.values()
    }
    assert edges == expected and len(edges) >= 20


def test_the_plan_policy_is_attached_to_every_stack_and_approval_to_production(out: Path) -> None:
    resources = _resources(out)
    stacks = resources["spacelift_stack"]
    attached: dict[str, set[str]] = {}
    for body in resources["spacelift_policy_attachment"].values():
        attached.setdefault(str(body["stack_id"]).split(".")[1], set()).add(
            str(body["policy_id"]).split(".")[1]
        )
    assert set(attached) == set(stacks)
    assert all("migration_freeze" in p for p in attached.values())
    production = {n for n, b in stacks.items() if '"production"' in [str(x) for x in b["labels"]]}
    assert production and {n for n, p in attached.items() if "production_approval" in p} == production
    policies = resources["spacelift_policy"]
    assert _q(policies["migration_freeze"]["type"]) == "PLAN"
    assert _q(policies["production_approval"]["type"]) == "APPROVAL"
    for name in (PLAN_POLICY, APPROVAL_POLICY):
        assert (out / "spacelift" / "policies" / name).read_text() == policy_text(name)


def test_contexts_hold_the_environments_outputs_and_are_attached(out: Path) -> None:
    resources = _resources(out)
    contexts = set(resources["spacelift_context"])
    attached = {
        str(b["context_id"]).split(".")[1] for b in resources["spacelift_context_attachment"].values()
    }
    assert contexts and attached == contexts
    variables = [b for b in resources["spacelift_environment_variable"].values() if "context_id" in b]
    assert any(_q(v["name"]).startswith("PROTON_ENVIRONMENT_OUTPUT_") for v in variables)


@pytest.mark.skipif(
    TERRAFORM is None, reason="terraform is not installed (needed for `terraform fmt -check`)"
)
def test_terraform_fmt_check_is_clean(out: Path) -> None:
    result = subprocess.run(
        [str(TERRAFORM), "fmt", "-check", "-recursive", "-diff", str(out / "spacelift")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runbook_and_handover_name_the_files(out: Path) -> None:
    record = next(
        r
        for r in json.loads((SNAPSHOT / "stacks" / "index.json").read_text())
        if r["resourceKind"] == "environment"
    )
    name = record["resourceArn"].rsplit("/", 1)[1]
    (handover,) = spacelift.handover(
        StackRef("environment", name, record["account"], record["region"], record["StackName"])
    )
    assert (out / handover.path).is_file() and handover.watch == record["StackName"]
    commands = spacelift.runbook.stack_commands(Use(handover, record["region"], True, False, 1))
    assert any("apply" in c and "$TARGETS" in c for c in commands["handover"])
    assert any(f"spacectl stack preview --id {handover.name}" in c for c in commands["handover"])
    (shared,) = spacelift.handover(StackRef("account", "", record["account"], record["region"]))
    assert (out / shared.path).is_file() and shared.role == "bootstrap"


def test_the_configuration_keeps_its_state_in_the_runbooks_s3_bucket(out: Path) -> None:
    """spacelift/ declares a partial S3 backend (no terraform.tfstate in the checkout); the runbook checks
    the state bucket, then completes the backend at init as terraform's runbook does, under its own key."""
    doc = hcl2.loads((out / layout.SHARED_FILE).read_text(encoding="utf-8"))
    (settings,) = doc["terraform"]
    assert settings["backend"] == [{'"s3"': {"__is_block__": True}}]  # nothing named: given at init
    settings_lines = spacelift.runbook.variables
    assert any(line.startswith("TF_STATE_BUCKET=... TF_STATE_REGION=...") for line in settings_lines)
    (shared,) = spacelift.handover(StackRef("account", "", "111111111111", "us-east-1"))
    lines = spacelift.runbook.account_commands(
        "111111111111", "us-east-1", [Use(shared, "us-east-1", True, False, 1)]
    )["handover"]
    (init,) = [c for c in lines if " init " in c]
    assert init.startswith('$TF -chdir="$EXPORT"/spacelift init -input=false ')
    for option in (
        'bucket=$TF_STATE_BUCKET"',
        f'key={layout.STATE_KEY}"',
        'region=$TF_STATE_REGION"',
        'use_lockfile=true"',
    ):
        assert f'-backend-config="{option}' in init
    assert layout.STATE_KEY == "exodus/spacelift/terraform.tfstate"
    check = next(i for i, c in enumerate(lines) if "head-bucket" in c and "$TF_STATE_BUCKET" in c)
    assert check < lines.index(init)


def test_git_ignores_what_terraform_leaves_in_spacelift_and_keeps_the_lock_file(
    snapshot: Any, out: Path, tmp_path: Path
) -> None:
    """The runbook runs terraform in spacelift/ of the checkout and a later wave commits it with `git add
    -A`: in a real Git repository the export's .gitignore leaves out providers, saved plans, local state
    and crash logs, and adds the lock file and every file exodus wrote; a re-run keeps the .gitignore."""
    manifest = json.loads((out / ".exodus" / "manifest.json").read_text(encoding="utf-8"))
    assert ".gitignore" in manifest["files"]
    root = tmp_path / "checkout"
    added, ignored = commit_after_terraform(out, root, ["spacelift"])
    assert ignored == {f"spacelift/{rel}" for rel in TERRAFORM_LEAVES}
    assert added == set(manifest["files"]) | {".exodus/manifest.json", f"spacelift/{LOCK_FILE}"}
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "wave 1"], cwd=root, check=True
    )
    again = run_export("spacelift", snapshot, root, registry=REG)
    assert ".gitignore" in again.write.paths("unchanged")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
    assert status.stdout == ""


# ---------------------------------------------------------------- the Rego policies, evaluated


def _decide(policy: str, data: dict[str, Any], rule: str) -> Any:
    engine = regorus.Engine()
    engine.add_policy(policy, policy_text(policy))
    engine.set_input_json(json.dumps(data))
    return json.loads(engine.eval_rule_as_json(f"data.spacelift.{rule}"))


def _tf_change(address: str, *actions: str) -> dict[str, Any]:
    return {"address": address, "type": address.split(".")[0], "change": {"actions": list(actions)}}


def _cfn_change(address: str, action: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": action,
        "phase": "plan",
        "entity": {
            "address": address,
            "type": "AWS::S3::Bucket",
            "entity_vendor": "CloudFormation",
            "data": data,
        },
    }


@pytest.mark.parametrize(
    ("changes", "denied"),
    [
        ([_tf_change("aws_cloudformation_stack.env", "update")], 0),
        ([_tf_change("aws_cloudformation_stack.env", "no-op")], 0),
        ([_tf_change("aws_cloudformation_stack.env", "delete", "create")], 1),
        ([_tf_change("aws_cloudformation_stack.env", "create", "delete")], 1),
        ([_tf_change("aws_cloudformation_stack.env", "delete")], 1),
        ([_tf_change("aws_sns_topic.t", "create")], 0),
    ],
)
def test_the_plan_policy_on_terraform_plans(changes: list[dict[str, Any]], denied: int) -> None:
    assert len(_decide(PLAN_POLICY, {"terraform": {"resource_changes": changes}}, "deny")) == denied


@pytest.mark.parametrize(
    ("change", "denied", "warned"),
    [
        (_cfn_change("Bucket", "changed", {"Replacement": "False"}), 0, 0),
        (_cfn_change("Bucket", "changed", {"Replacement": "True"}), 1, 0),
        (_cfn_change("Bucket", "changed", {"ResourceChange": {"Replacement": "Conditional"}}), 1, 0),
        (_cfn_change("Bucket", "deleted", {}), 1, 0),
        (_cfn_change("Bucket", "added", {}), 0, 0),
        (_cfn_change("Bucket", "changed", {}), 0, 1),  # no replacement information: a human looks
    ],
)
def test_the_plan_policy_on_cloudformation_changes(change: dict[str, Any], denied: int, warned: int) -> None:
    data = {"spacelift": {"run": {"changes": [change]}}}
    assert len(_decide(PLAN_POLICY, data, "deny")) == denied
    assert len(_decide(PLAN_POLICY, data, "warn")) == warned


def test_the_terraform_exports_import_plan_passes_the_plan_policy(snapshot: Any, tmp_path: Path) -> None:
    """The terraform export's computed import plan (plan-effect.json), as Terraform's JSON plan shows it:
    no deny; the same plan with one replacement is denied."""
    run_export("terraform", snapshot, tmp_path / "tf", registry=REG)
    changes = [
        _tf_change(f"aws_cloudformation_stack.{r['address']}", r["action"])
        for _folder, doc in tf_layout.load_effects(tmp_path / "tf")
        for r in doc["import_plan"]["resources"]
    ]
    assert len(changes) >= 30 and {c["change"]["actions"][0] for c in changes} == {"no-op", "update"}
    assert _decide(PLAN_POLICY, {"terraform": {"resource_changes": changes}}, "deny") == []
    changes[0]["change"]["actions"] = ["delete", "create"]
    (message,) = _decide(PLAN_POLICY, {"terraform": {"resource_changes": changes}}, "deny")
    assert changes[0]["address"] in message


@pytest.mark.parametrize(
    ("approvals", "rejections", "approve", "reject"),
    [(2, 0, True, None), (1, 0, None, None), (3, 1, None, True), (0, 0, None, None)],
)
def test_the_production_approval_policy(approvals: int, rejections: int, approve: Any, reject: Any) -> None:
    data = {"reviews": {"current": {"approvals": [{}] * approvals, "rejections": [{}] * rejections}}}
    undefined = "<undefined>"
    assert _decide(APPROVAL_POLICY, data, "approve") == (approve if approve is not None else undefined)
    assert _decide(APPROVAL_POLICY, data, "reject") == (reject if reject is not None else undefined)


def test_the_export_is_deterministic_and_bad_options_are_one_clear_error(
    snapshot: Any, out: Path, tmp_path: Path
) -> None:
    run_export("spacelift", snapshot, tmp_path / "again", registry=REG)
    again = tmp_path / "again"
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()
    }
    with pytest.raises(BadInput, match="spacelift: unknown option 'colour'"):
        run_export("spacelift", snapshot, tmp_path / "bad", registry=REG, options={"colour": "x"})
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


def test_verify_reads_every_taken_over_stack_back(snapshot: Any, out: Path) -> None:
    from proton_exodus.verify import verify_export

    stacks = list(spacelift.exported_stacks(out))
    cfn = {
        _q(b["cloudformation"][0]["stack_name"])
        for b in _resources(out)["spacelift_stack"].values()
        if "cloudformation" in b
    }
    assert {s.stack_name for s in stacks} == cfn
    report = verify_export(snapshot, out)
    assert report.stacks == len(cfn) and report.unplanned == [] and not report.failed


@pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed (needed for `terraform console`)")
def test_each_stack_reads_its_template_and_parameters_from_the_files_the_listing_names(
    out: Path, tmp_path: Path
) -> None:
    """`terraform console` evaluates each CloudFormation stack's project_root/entry_template_file and its
    CF_PARAM_ variables' for_each (spacelift/index.tf's local over TEMPLATES.json): the template file and
    parameters `exodus verify` reads back (exported_stacks), the masked NoEcho ones left to variables."""
    resources = _resources(out)
    local = _local(out, "exodus_stacks")

    def concrete(expr: Any) -> str:
        text = str(expr).removeprefix("${").removesuffix("}")
        return text.replace("local.exodus_stacks", local).replace("${path.module}", str(out / "spacelift"))

    exprs, expected = [], []
    exported = {s.deployment_file: s for s in layout.exported_stacks(out)}
    for name, body in resources["spacelift_stack"].items():
        if "cloudformation" not in body:
            continue
        stack = exported[layout.stack_file(name)]
        each = resources["spacelift_environment_variable"][f"{name}_parameters"]["for_each"]
        root, entry = body["project_root"], body["cloudformation"][0]["entry_template_file"]
        exprs.append(f'[join("/", [{concrete(root)}, {concrete(entry)}]), {concrete(each)}]')
        expected.append([stack.template_path, {k: v for k, v in stack.parameters.items() if v != "****"}])
    assert len(exprs) >= 30
    result = subprocess.run(
        [str(TERRAFORM), "console"],
        input="jsonencode([" + ", ".join(exprs) + "])\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(json.loads(result.stdout)) == expected


@pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed (needed for `terraform console`)")
def test_exodus_repo_new_instance_gets_a_spacelift_stack_of_its_own(out: Path, tmp_path: Path) -> None:
    """On a checkout, `exodus repo new-instance` writes a parameter file and a TEMPLATES.json row and no
    .tf; index.tf then gives that row (and no other) a Spacelift stack with its CF_PARAM_ variables
    (python-hcl2 parses index.tf: its resources are the added stack's)."""
    from proton_exodus.repo import ops

    root = tmp_path / "checkout"
    shutil.copytree(out, root)
    ops.new_instance(
        root,
        "orders-api/qa",
        template="service/demo-fargate-svc",
        version=None,
        environment="dev",
        pairs=["listener_priority=77", "path_pattern=/qa/*"],
    )
    assert ops.validate(root) == []
    index = hcl2.loads((root / "spacelift" / "index.tf").read_text(encoding="utf-8"))
    kinds = {_q(k): {_q(n) for n in named} for block in index["resource"] for k, named in block.items()}
    assert kinds["spacelift_stack"] == {"added"}
    rows = json.loads((root / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    row = next(r for r in rows if r["stack"] == "orders-api-qa")
    assert row["parameterFile"] == "cloudformation/111111111111/us-east-1/orders-api-qa.json"
    given = json.loads((root / row["parameterFile"]).read_text(encoding="utf-8"))["Parameters"]
    stacks, adopted = _local(root, "exodus_stacks"), _local(root, "exodus_adopted")
    added = _local(root, "exodus_added").replace("local.exodus_stacks", stacks)
    added = added.replace("local.exodus_adopted", adopted)
    parameters = _local(root, "exodus_added_parameters").replace("local.exodus_added", added)
    expr = f"jsonencode([keys({added}), {{ for k, v in {parameters} : v.name => v.value }}])"
    result = subprocess.run(
        [str(TERRAFORM), "console"],
        input=expr.replace("${path.module}", str(root / "spacelift")) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    keys, values = json.loads(json.loads(result.stdout))
    assert keys == ["111111111111/us-east-1/orders-api-qa"] and values == given
