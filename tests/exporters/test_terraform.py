"""The `terraform` export of the demo snapshot: every stack adopted by an import block (its StackId) and an
aws_cloudformation_stack with its own name, parameters and tags; HCL that parses (python-hcl2) and is
`terraform fmt` clean; plan-effect.json agrees with the HCL; deterministic; runbook and handover agree
with the files; bad options are one clear error."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from exporters import Finding, Registry, StackRef, Use
from exporters.terraform import exporter as terraform
from exporters.terraform import layout
from exporters.terraform.exporter import Adopted, apply_note, needed_capabilities, stack_tf, wire
from exporters.terraform.exporter import adopt as terraform_adopt
from proton_exodus.errors import BadInput
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.translate.stacks import StackTemplate
from tests.support.paths import REPO

SNAPSHOT = REPO / "sample_exports" / "snapshot"
REG = Registry({"terraform": lambda: terraform})
TERRAFORM = shutil.which("terraform")


@pytest.fixture(scope="module")
def snapshot() -> Any:
    return load_snapshot(SNAPSHOT)


@pytest.fixture(scope="module")
def out(snapshot: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("terraform") / "export"
    run_export("terraform", snapshot, target, registry=REG)
    return target


def _index() -> list[dict[str, Any]]:
    records = json.loads((SNAPSHOT / "stacks" / "index.json").read_text(encoding="utf-8"))
    return [r for r in records if r.get("reachable", True) and r.get("templatePath") and r.get("resourceArn")]


def _parsed(out: Path) -> dict[str, dict[str, Any]]:
    """Every adopted aws_cloudformation_stack and its import block, parsed by python-hcl2 (index.tf's
    `added` stacks exist only for rows `exodus repo new-instance` adds: tested on their own)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((out / "live").glob("*/*/*.tf")):
        if path.name == "index.tf":
            assert '"added"' in path.read_text(encoding="utf-8")
            continue
        doc = hcl2.loads(path.read_text(encoding="utf-8"))
        for block in doc.get("resource", []):
            for name, body in block.get(f'"{layout.RESOURCE}"', {}).items():
                found.setdefault(name.strip('"'), {})["resource"] = body
        for block in doc.get("import", []):
            to = str(block["to"]).strip("${}")
            found.setdefault(to.split(".", 1)[1], {})["import"] = block
    return found


def _local(module: Path, name: str) -> str:
    """A local of a module's index.tf, as an expression terraform console can evaluate."""
    match = re.search(rf"^  {name} +=(.*)$", (module / "index.tf").read_text(encoding="utf-8"), re.M)
    assert match, name
    return "(" + match.group(1).strip() + ")"


def _unquote(value: Any) -> str:
    return str(value).removeprefix('"').removesuffix('"')


def _listing(out: Path) -> dict[str, dict[str, Any]]:
    rows = json.loads((out / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    return {r["stack"]: r for r in rows}


def _file_parameters(out: Path, stack: str) -> dict[str, str]:
    row = _listing(out)[stack]
    return json.loads((out / row["parameterFile"]).read_text(encoding="utf-8"))["Parameters"]


def test_every_stack_is_adopted_by_an_import_block_with_its_name_parameters_and_tags(out: Path) -> None:
    parsed, listing = _parsed(out), _listing(out)
    by_name = {_unquote(p["resource"]["name"]): p for p in parsed.values()}
    stacks = [r for r in _index() if r["resourceKind"] != "environment" or r["StackName"] in by_name]
    assert len(by_name) == len(stacks) >= 30
    for record in stacks:
        adopted = by_name[record["StackName"]]
        assert _unquote(adopted["import"]["id"]) == record["StackId"]
        resource = adopted["resource"]
        tags = {_unquote(k): _unquote(v) for k, v in resource["tags"].items()}
        assert tags == {t["Key"]: t["Value"] for t in record["Tags"] if not t["Key"].startswith("aws:")}
        # the parameters are the parameter file's (references and variables merged over it)
        row = f'local.exodus_stacks["{record["StackName"]}"]'
        assert f"{row}.parameterFile" in str(resource["parameters"])
        assert f"{row}.templateFile" in str(resource["template_body"])
        given = _file_parameters(out, record["StackName"])
        if not listing[record["StackName"]]["shared"]:  # the deployed template: the deployed values
            for p in record["Parameters"]:
                assert given[p["ParameterKey"]] == p["ParameterValue"], (record["StackName"], p)
        if record.get("RoleARN"):
            assert _unquote(resource["iam_role_arn"]) == record["RoleARN"]


def test_plan_effect_records_agree_with_the_hcl_and_the_listing(out: Path) -> None:
    parsed, listing = _parsed(out), _listing(out)
    for folder, doc in layout.load_effects(out):
        for record in doc["stacks"]:
            resource = parsed[record["address"]]["resource"]
            assert _unquote(resource["name"]) == record["name"]
            assert {_unquote(k): _unquote(v) for k, v in resource["tags"].items()} == record["tags"]
            row = listing[record["name"]]
            assert row["templateFile"] == record["template_file"] and row["shared"] == record["shared"]
            assert row["parameterFile"] == record["parameter_file"]
            assert record["parameter_file"].startswith(folder + "/parameters/")
            given = _file_parameters(out, record["name"])
            assert set(given) == set(record["parameters"])
            for key, value in record["parameters"].items():
                if key in record["references"]:
                    assert f'{record["references"][key]}.outputs[' in str(resource["parameters"])
                elif key in record["sensitive"]:
                    assert f"var.{record['address']}_" in str(resource["parameters"]).lower()
                else:
                    assert given[key] == value
            text = (out / record["template_file"]).read_text(encoding="utf-8")
            assert ("chomp(" in str(resource["template_body"])) == record["chomp"]
            assert not (record["chomp"] and record["shared"])
            assert record["chomp"] == (
                not text[:-1].endswith("\n") and text.endswith("\n") and record["chomp"]
            )


def test_the_import_plan_adds_and_destroys_nothing_and_the_next_plan_is_empty(out: Path) -> None:
    effects = list(layout.load_effects(out))
    assert len(effects) == 2  # two accounts, one Region each
    for _folder, doc in effects:
        summary = doc["import_plan"]["summary"]
        assert summary.startswith("Plan: ") and " 0 to add," in summary and summary.endswith("0 to destroy.")
        assert all(r["action"] in ("no-op", "update") for r in doc["import_plan"]["resources"])
        # a shared template's text is not the deployed one: the import plan updates template_body
        shared = {s["address"] for s in doc["stacks"] if s["shared"]}
        pipelines = {s["address"] for s in doc["stacks"] if s["kind"] == "service_pipeline"}
        for r in doc["import_plan"]["resources"]:
            changed = [c["attribute"] for c in r["changed"]]
            if r["address"] not in pipelines:  # (a pipeline's retired Proton calls are rewritten)
                assert ("template_body" in changed) == (r["address"] in shared), r
        # the next plan: only the provider's permanent diff of NoEcho parameters (read back as ****):
        # the apply stored every shared template (each differs from its deployed copy once parsed)
        for resource in doc["next_plan"]["resources"]:
            assert [c["attribute"] for c in resource["changed"]] == ["parameters"]
            assert "NoEcho" in resource["changed"][0]["why"]
    stacks = [s for _f, d in effects for s in d["stacks"]]
    assert sum(s["shared"] for s in stacks) >= 0.8 * len(stacks)  # 32 of 39 on the demo


@pytest.mark.skipif(
    TERRAFORM is None, reason="terraform is not installed (needed for `terraform fmt -check`)"
)
def test_terraform_fmt_check_is_clean(out: Path) -> None:
    result = subprocess.run(
        [str(TERRAFORM), "fmt", "-check", "-recursive", "-diff", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _unit(kind: str, name: str, **extra: Any) -> DeploymentUnit:
    base: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "arn": f"arn:aws:proton:us-east-1:111111111111:{kind}/{name}",
        "account": "111111111111",
        "region": "us-east-1",
        "environment": "dev",
        "service": "api" if kind == "service_instance" else None,
        "template_name": "t",
        "template_major": "1",
        "template_minor": "0",
        "provisioning": "cloudformation",
        "inputs": {},
        "stack_name": f"AWSProton-{name}-cloudformation--X",
        "stack_id": f"arn:aws:cloudformation:us-east-1:1:stack/AWSProton-{name}-cloudformation--X/u",
        "deployed_template": "Resources: {}\n",
    }
    base.update(extra)
    return DeploymentUnit(**base)


def test_a_parameter_carrying_an_environment_output_reads_it_by_reference() -> None:
    env = _unit("environment", "dev", outputs={"ClusterArn": "arn:aws:ecs:cluster/dev", "Vpc": "vpc-1"})
    inst = _unit(
        "service_instance",
        "front",
        depends_on=(env.arn,),
        parameters={"Cluster": "arn:aws:ecs:cluster/dev", "Size": "2"},
    )
    adopted = {
        u.arn: Adopted(
            u,
            StackTemplate(u, "Resources: {}\n", "k", dict(u.parameters), "deployed", ""),
            layout.address(u.kind, u.name, u.service),
            "templates/x.yaml",
            False,
        )
        for u in (env, inst)
    }
    item = adopted[inst.arn]
    findings: list = []
    wire(item, adopted, findings)
    assert item.references == {"Cluster": "environment_dev"} and item.depends_on == []
    text = stack_tf(item)
    # the parameter file's values, with the output read by reference over its recorded value
    reference = 'aws_cloudformation_stack.environment_dev.outputs["ClusterArn"]'
    assert f'.parameterFile}}")).Parameters, {{ Cluster = {reference} }})' in text
    assert "Size" not in text
    # without a matching output the dependency is still an edge of Terraform's graph
    lone = _unit("service_instance", "back", depends_on=(env.arn,), parameters={"Size": "1"})
    other = Adopted(
        lone,
        StackTemplate(lone, "x\n", "k", {"Size": "1"}, "deployed", ""),
        "instance_api_back",
        "templates/y.yaml",
        False,
    )
    wire(other, adopted, findings)
    assert other.depends_on == ["aws_cloudformation_stack.environment_dev"] and findings == []
    assert re.search(r"depends_on += \[aws_cloudformation_stack.environment_dev\]", stack_tf(other))
    assert 'parameterFile}")).Parameters\n' in stack_tf(other)  # nothing merged over the file


def test_the_export_is_deterministic(snapshot: Any, out: Path, tmp_path: Path) -> None:
    run_export("terraform", snapshot, tmp_path / "again", registry=REG)
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {
        p.relative_to(tmp_path / "again"): p.read_bytes()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    }
    assert first == second


def test_handover_and_runbook_name_files_of_the_export(out: Path) -> None:
    record = next(r for r in _index() if r["resourceKind"] == "service_instance")
    service, instance = record["resourceArn"].split(":service/")[1].split("/service-instance/")
    ref = StackRef(
        "service_instance",
        instance,
        record["account"],
        record["region"],
        record["StackName"],
        service=service,
    )
    (handover,) = terraform.handover(ref)
    assert (out / handover.path).is_file() and handover.name == record["StackName"]
    (account,) = terraform.handover(StackRef("account", "", record["account"], record["region"]))
    assert (out / account.path).is_file()
    commands = terraform.runbook.stack_commands(Use(handover, record["region"], True, False, 1))
    assert any(f"-target={handover.watch}" in c and " plan " in c for c in commands["handover"])
    assert any("jq -e" in c for c in commands["handover"])
    rollback = [c.split("#")[0] for c in commands["rollback"]]
    assert all("destroy" not in c for c in rollback) and "state rm" in rollback[0]
    init = terraform.runbook.account_commands(
        record["account"], record["region"], [Use(account, record["region"], True, False, 1)]
    )
    assert any(" init " in c and "backend-config" in c for c in init["handover"])


def test_exported_stacks_read_back_every_adopted_stack(out: Path) -> None:
    stacks = list(terraform.exported_stacks(out))
    assert {s.stack_name for s in stacks} == {_unquote(p["resource"]["name"]) for p in _parsed(out).values()}
    assert all(s.template and s.deployment_file.endswith(".tf") for s in stacks)


@pytest.mark.parametrize(
    ("opts", "message"),
    [({"colour": "x"}, "unknown option"), ({"parameterise": "yes"}, "expected true or false")],
)
def test_bad_options_are_one_clear_error(snapshot: Any, tmp_path: Path, opts: dict, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        run_export("terraform", snapshot, tmp_path / "bad", registry=REG, options=opts)
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


@pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed (needed for `terraform console`)")
def test_terraform_evaluates_each_stack_to_the_files_the_listing_names_and_the_model_says(
    out: Path, tmp_path: Path
) -> None:
    """`terraform console` evaluates each template_body and the parameter file part of each `parameters`
    (index.tf's local over TEMPLATES.json, then file() / chomp(file()) / jsondecode()): the template is
    the deployed one byte for byte exactly where the plan-effect model shows no template change (the
    provider compares YAML as text), else the shared template TEMPLATES.json names; the parameters are
    the parameter file's, which are the model's."""
    parsed, listing = _parsed(out), _listing(out)
    index = {r["StackName"]: r for r in _index()}
    unchanged, expected, exprs, params, wanted = [], [], [], [], []
    for folder, doc in layout.load_effects(out):
        local = _local(out / folder, "exodus_stacks")

        def concrete(expr: str, folder: str = folder, local: str = local) -> str:
            return expr.replace("local.exodus_stacks", local).replace("${path.module}", str(out / folder))

        records = {r["address"]: r for r in doc["stacks"]}
        for r in doc["import_plan"]["resources"]:
            resource = parsed[r["address"]]["resource"]
            name = _unquote(resource["name"])
            body = str(resource["template_body"]).removeprefix("${").removesuffix("}")
            exprs.append(concrete(body))
            same = "template_body" not in [c["attribute"] for c in r["changed"]]
            unchanged.append(same)
            path = SNAPSHOT / index[name]["templatePath"] if same else out / listing[name]["templateFile"]
            expected.append(hashlib.sha256(path.read_bytes()).hexdigest())
            given = str(resource["parameters"]).removeprefix("${").removesuffix("}").removeprefix("merge(")
            params.append(concrete(given.split(".Parameters", 1)[0] + ".Parameters"))
            record = records[r["address"]]
            wanted.append({k: v for k, v in record["parameters"].items() if k not in record["sensitive"]})
    assert 0 < sum(unchanged) < len(unchanged) // 2  # most stacks deploy a shared template
    result = subprocess.run(
        [str(TERRAFORM), "console"],
        input="jsonencode([["  # one expression: a console reading a pipe prints the last result only
        + ", ".join(f"sha256({e})" for e in exprs)
        + "], ["
        + ", ".join(params)
        + "]])\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    hashes, values = json.loads(json.loads(result.stdout))
    assert hashes == expected
    assert [
        {k: v for k, v in got.items() if k in want} for got, want in zip(values, wanted, strict=True)
    ] == (wanted)


@pytest.mark.parametrize(
    ("template", "needed"),
    [
        ("Resources:\n  T:\n    Type: AWS::SNS::Topic\n", []),
        ("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {}\n", ["CAPABILITY_IAM"]),
        (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: x\n",
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        ),
        ("Transform: AWS::Serverless-2016-10-31\nResources: {}\n", ["CAPABILITY_AUTO_EXPAND"]),
    ],
)
def test_needed_capabilities(template: str, needed: list[str]) -> None:
    assert needed_capabilities(template) == needed


def test_a_stack_without_recorded_capabilities_whose_template_needs_some_is_a_warning(out: Path) -> None:
    tasks = (out / "MANUAL_TASKS.md").read_text(encoding="utf-8")
    # the demo snapshot records no Capabilities (a real inventory does): every IAM template is flagged
    assert tasks.count("W-TF-CAPABILITIES") >= 30 and "--query Stacks[0].Capabilities" in tasks


def test_the_customer_managed_environment_is_not_called_another_engine(snapshot: Any, tmp_path: Path) -> None:
    """legacy-network is customer-managed (the units read the snapshot's provisioning engine): nothing to
    adopt, an info; never "provisioned by customer-managed, use another target" (a warning)."""
    result = run_export("terraform", snapshot, tmp_path / "tf", registry=REG)
    legacy = [f for f in result.findings if "legacy-network" in f.message and "on-prem" not in f.message]
    assert [f.code for f in legacy] == ["I-TF-NO-STACK"] and "customer-managed" in legacy[0].message
    assert not any(f.code == "W-TF-NOT-CFN" and "customer-managed" in f.message for f in result.findings)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_exodus_repo_works_on_a_checkout_of_the_export(out: Path, tmp_path: Path) -> None:
    """validate, outdated, set, upgrade and new-instance on a Git checkout of the export: each edits a
    parameter file, TEMPLATES.json and the index, never a .tf file, and the configuration follows (what
    layout.configured reads is what the HCL reads: the console test above)."""
    from proton_exodus.repo import ops

    root = tmp_path / "checkout"
    shutil.copytree(out, root)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "export")
    assert ops.validate(root) == []
    behind = {r["instance"]: r["minor_available"] for r in ops.outdated(root)}
    assert behind["payments-api/staging"] == "1.1"
    stack = next(r for r in _index() if r["StackName"].startswith("AWSProton-payments-api-st"))["StackName"]
    row = _listing(root)[stack]
    ops.set_inputs(root, "payments-api/staging", ["desired_count=3"])
    assert _file_parameters(root, stack)["DesiredCount"] == "3"
    with pytest.raises(BadInput, match=r"parameters/.*\.json: spec\.desired_count: .*maximum of 10"):
        ops.set_inputs(root, "payments-api/staging", ["desired_count=99"])
    ops.upgrade(root, ["payments-api/staging"], "1.1")
    moved = _listing(root)[stack]
    assert moved["templateFile"] != row["templateFile"] and "/v1.1/" in moved["templateFile"]
    assert moved["parameterFile"] == row["parameterFile"] and (root / moved["templateFile"]).is_file()
    folder = layout.module_dir(row["account"], row["region"])
    record = next(
        r for f, d in layout.load_effects(root) if f == folder for r in d["stacks"] if r["name"] == stack
    )
    template_rel, text, params = layout.configured(root, folder, record)
    assert template_rel == moved["templateFile"] and params["DesiredCount"] == "3"
    assert text == (root / moved["templateFile"]).read_text(encoding="utf-8")
    ops.new_instance(
        root,
        "orders-api/qa",
        template="service/demo-fargate-svc",
        version=None,
        environment="dev",
        pairs=["listener_priority=77", "path_pattern=/qa/*"],
    )
    added = _listing(root)["orders-api-qa"]
    assert added["parameterFile"] == f"{folder}/parameters/orders-api-qa.json"
    assert ops.validate(root) == []
    changed = _git(root, "status", "--porcelain").split("\n")
    assert changed and not [line for line in changed if line.endswith(".tf")]
    if TERRAFORM is not None:  # the module's `added` stacks: exactly the new instance
        stacks, adopted = _local(root / folder, "exodus_stacks"), _local(root / folder, "exodus_adopted")
        each = f"keys({{ for name, s in {stacks} : name => s if !contains({adopted}, name) }})".replace(
            "${path.module}", str(root / folder)
        )
        result = subprocess.run(
            [str(TERRAFORM), "console"],
            input=f"jsonencode({each})\n",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(json.loads(result.stdout)) == ["orders-api-qa"]


def test_planned_changes_say_what_the_first_apply_does_to_shared_templates(out: Path) -> None:
    text = (out / "PLANNED_CHANGES.md").read_text(encoding="utf-8")
    note = text.split("## The first `terraform apply` (template_body)", 1)[1].split("\n## ", 1)[0]
    shared = sum(r["shared"] for r in _listing(out).values())
    assert f"{shared} of {len(_listing(out))} stack(s)" in note and "without changing a resource" in note
    assert "```" not in note  # the rehearsal runs this file's shell blocks: the note adds none
    assert text.index("## The first `terraform apply`") < text.index("## Stage the secrets")
    # a stack whose template differs only in text is named, with what every plan then shows
    unit = _unit("environment", "dev")
    st = StackTemplate(unit, "Resources: {}\n", "k", {}, "parameterised", "")
    item = Adopted(unit, st, "environment_dev", "templates/t/v1.0/environment-k.yaml", False)
    finding = Finding(
        "W-TF-TEMPLATE-TEXT", f"the template of {unit.stack_name} differs from the deployed one only in text"
    )
    again = apply_note("# Planned\n", [item], [finding])
    assert "1 of 1 stack(s)" in again and "No updates are to be performed" in again
    assert again.rstrip().endswith(f"{unit.stack_name}.")


def test_a_shared_template_equal_to_the_deployed_one_but_for_its_text_is_named_with_its_permanent_diff() -> (
    None
):
    """The module's plan model: a stack whose shared template parses as its deployed one plans
    ~ template_body on every plan (CloudFormation answers "No updates are to be performed" and keeps the
    old text); one whose shared template declares what the deployed copy resolved plans it once."""
    deployed = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: orders\n"
    same = _unit("environment", "dev", deployed_template=deployed)
    reworded = "# shared\n" + deployed.replace("TopicName: orders", "TopicName: 'orders'")
    other = _unit("environment", "qa", deployed_template=deployed)
    declared = "Parameters:\n  Name:\n    Type: String\n" + deployed.replace("orders", "!Ref Name")
    adopted = [
        terraform_adopt(StackTemplate(same, reworded, "a", {}, "parameterised", ""), "environment_dev"),
        terraform_adopt(
            StackTemplate(other, declared, "b", {"Name": "orders"}, "parameterised", ""), "environment_qa"
        ),
    ]
    findings: list[Finding] = []
    files = terraform.module("111111111111", "us-east-1", adopted, {"aws-provider": ">= 5.0"}, findings)
    doc = json.loads(files["live/111111111111/us-east-1/plan-effect.json"])
    first = {r["address"]: [c["attribute"] for c in r["changed"]] for r in doc["import_plan"]["resources"]}
    assert first == {"environment_dev": ["template_body"], "environment_qa": ["template_body", "parameters"]}
    after = {r["address"]: [c["attribute"] for c in r["changed"]] for r in doc["next_plan"]["resources"]}
    assert after == {"environment_dev": ["template_body"]}
    named = [f for f in findings if f.code == "W-TF-TEMPLATE-TEXT"]
    assert len(named) == 1 and same.stack_name in named[0].message


def test_no_pipeline_input_warning_for_a_stack_whose_shared_template_takes_it(out: Path) -> None:
    """A service pipeline sets `image` on every deploy: the stacks on a shared template take it as their
    Image parameter, so only a stack whose exported template lacks it is warned about."""
    tasks = (out / "MANUAL_TASKS.md").read_text(encoding="utf-8")
    for stack, row in _listing(out).items():
        text = (out / row["templateFile"]).read_text(encoding="utf-8")
        if row["shared"] and "\n  Image:\n" in text:
            assert not [
                line for line in tasks.splitlines() if "W-PIPE-INPUT-NOT-PARAMETER" in line and stack in line
            ], stack
    assert (
        sum(
            r["shared"] and "\n  Image:\n" in (out / r["templateFile"]).read_text()
            for r in _listing(out).values()
        )
        >= 10
    )


# What `terraform init/plan/apply` leave in a root module of the checkout (paths under the module).
TERRAFORM_LEAVES = (
    ".terraform/providers/registry.terraform.io/hashicorp/aws/6.0.0/linux_amd64/terraform-provider-aws",
    ".terraform/terraform.tfstate",  # the backend's configuration, as `init` records it
    "instance_x.tfplan",
    "tfplan",
    "terraform.tfstate",
    "terraform.tfstate.backup",
    ".terraform.tfstate.lock.info",
    "crash.log",
    "crash.20261207.log",
)
LOCK_FILE = ".terraform.lock.hcl"


def commit_after_terraform(out: Path, root: Path, modules: list[str]) -> tuple[set[str], set[str]]:
    """A Git checkout of the export at `root` where terraform ran in each module (TERRAFORM_LEAVES and its
    lock file made there), then `git add -A` as the next wave's runbook step does: (added, ignored)."""
    shutil.copytree(out, root)
    _git(root, "init", "-q")
    for module in modules:
        for rel in (*TERRAFORM_LEAVES, LOCK_FILE):
            path = root / module / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("secret_value = hunter2\n", encoding="utf-8")
    _git(root, "add", "-A")
    added = set(_git(root, "ls-files").splitlines())
    ignored = set(_git(root, "ls-files", "--others", "--ignored", "--exclude-standard").splitlines())
    return added, ignored


def test_git_ignores_what_terraform_leaves_in_the_checkout_and_keeps_the_lock_file(
    snapshot: Any, out: Path, tmp_path: Path
) -> None:
    """The runbooks run terraform in each root module of the checkout and a later wave commits it with
    `git add -A`: in a real Git repository, the export's .gitignore leaves out providers, saved plans
    (every value in clear), local state and crash logs, and adds the lock file and every file exodus
    wrote. A re-run of the export keeps the .gitignore as it is (an owned, unchanged file)."""
    manifest = json.loads((out / ".exodus" / "manifest.json").read_text(encoding="utf-8"))
    assert layout.GITIGNORE in manifest["files"]
    modules = sorted(p.parent.relative_to(out).as_posix() for p in out.glob("live/*/*/versions.tf"))
    assert modules
    root = tmp_path / "checkout"
    added, ignored = commit_after_terraform(out, root, modules)
    assert ignored == {f"{m}/{rel}" for m in modules for rel in TERRAFORM_LEAVES}
    locks = {f"{m}/{LOCK_FILE}" for m in modules}
    assert added == set(manifest["files"]) | {".exodus/manifest.json"} | locks
    _git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "wave 1")
    again = run_export("terraform", snapshot, root, registry=REG)
    assert layout.GITIGNORE in again.write.paths("unchanged")
    assert _git(root, "status", "--porcelain") == ""
