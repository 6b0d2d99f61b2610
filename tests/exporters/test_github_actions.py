"""The `github-actions` exporter: actionlint-clean and schema-valid workflows, OIDC, one GitHub
environment per Proton environment, previews that fail on replacement, deploys in `needs:` order,
typed dispatch inputs, converted service pipelines, Terraform plan/apply, and no Proton CLI anywhere."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from exporters.github_actions import exporter
from exporters.github_actions.reusable import PATH as REUSABLE
from tests.exporters._pipelines.estates import (
    GOLDENS,
    actionlint,
    check_goldens,
    corpus_context,
    corpus_pipeline_bundles,
    synthetic_context,
    workflow_schema_errors,
)

SYNTHETIC = synthetic_context()


@pytest.fixture(scope="module")
def files():
    return exporter.export(SYNTHETIC).files


@pytest.fixture(scope="module")
def corpus_files():
    out: dict[str, str] = {}
    findings = []
    for bundle in corpus_pipeline_bundles():
        result = exporter.export(corpus_context(bundle))
        out.update({f"{bundle.parent.name}/{p}": t for p, t in result.files.items()})
        findings.extend(result.findings)
    return out, findings


def _workflows(files):
    return {p: yaml.safe_load(t) for p, t in files.items() if "/.github/workflows/" in f"/{p}"}


def test_workflows_pass_actionlint_and_the_schema(files, tmp_path) -> None:
    assert actionlint(files, tmp_path) == []
    assert workflow_schema_errors(files) == []


def test_corpus_workflows_pass_actionlint_and_the_schema(corpus_files, tmp_path) -> None:
    files, _ = corpus_files
    lint_input = {
        p.split("/", 1)[1] if p.split("/", 1)[1].startswith("service-repos/") else p: t
        for p, t in files.items()
    }
    service_ci = [p for p in lint_input if p.startswith("service-repos/")]
    assert len(service_ci) == len(corpus_pipeline_bundles())
    assert actionlint({p: lint_input[p] for p in service_ci}, tmp_path / "ci") == []
    assert workflow_schema_errors(files) == []


def test_no_generated_file_mentions_the_proton_cli(files, corpus_files) -> None:
    all_files = {**files, **corpus_files[0]}
    assert [p for p, t in all_files.items() if "aws proton" in t] == []
    assert "aws proton" not in " ".join(f.message for f in corpus_files[1])


def test_reusable_workflow_gates_previews_and_deploys(files) -> None:
    wf = yaml.safe_load(files[REUSABLE])
    assert set(wf["on"]) == {"workflow_call"}
    preview, deploy = wf["jobs"]["preview"], wf["jobs"]["deploy"]
    for job in (preview, deploy):
        creds = next(
            s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials")
        )
        assert creds["uses"].endswith("@v6") and set(creds["with"]) == {"role-to-assume", "aws-region"}
        # the inputs (with a pipeline's overrides) are checked against their schemas before any AWS call
        names = [s.get("name", s.get("uses")) for s in job["steps"]]
        validate = names.index("Validate inputs against the template schemas")
        assert job["steps"][validate]["run"].splitlines()[-1] == "python3 .exodus-repo/validate.py ."
        assert validate < names.index("Assume the AWS role (OIDC)") < names.index("Gate on stack status")
        assert ("Apply parameter overrides to the configuration" in names[:validate]) == (job is deploy)
        gate = job["steps"][names.index("Gate on stack status")]
        assert "UPDATE_ROLLBACK_COMPLETE)" not in gate["run"].split("*)")[1]
    check = next(s["run"] for s in preview["steps"] if s.get("name") == "Fail on replacement or removal")
    assert '.Action == "Remove"' in check and '.Replacement == "True"' in check and "Conditional" in check
    assert preview["steps"][-1] == {
        "name": "Delete change set",
        "if": "always()",
        "run": preview["steps"][-1]["run"],
    }
    # previews assume the stack account's plan role, trusted for the named NAME-plan environment only
    assert preview["environment"] == "${{ inputs.environment }}-plan"
    assert deploy["environment"] == "${{ inputs.environment }}"
    assert deploy["concurrency"]["group"] == "exodus-stack-${{ inputs.stack-name }}"


def test_environment_jobs_deploy_in_dependency_order(files) -> None:
    units = {u.stack_name: u for u in SYNTHETIC.units}
    by_arn = {u.arn: u for u in SYNTHETIC.units}
    for path, wf in _workflows(files).items():
        if path == REUSABLE:
            continue
        deploys = {
            j["with"]["stack-name"]: (jid, j)
            for jid, j in wf["jobs"].items()
            if j["with"]["mode"] == "deploy"
        }
        for stack, (_jid, job) in deploys.items():
            unit = units[stack]
            expected = sorted(
                deploys[by_arn[d].stack_name][0] for d in unit.depends_on if by_arn[d].stack_name in deploys
            )
            assert job.get("needs", []) == expected, (path, stack)
            if unit.environment:
                assert job["with"]["environment"] == unit.environment  # one GitHub environment per Proton one
        assert len(deploys) * 2 == len(wf["jobs"])  # a preview job per deploy job


def test_dispatch_inputs_are_typed_from_the_schema() -> None:
    env = next(u for u in SYNTHETIC.units if u.kind == "environment")
    template = env.deployed_template.replace(
        "Resources:", "Parameters:\n  VpcCidr:\n    Type: String\n  Tier:\n    Type: String\nResources:", 1
    )
    units = tuple(
        dataclasses.replace(
            u, deployed_template=template, parameters={"VpcCidr": "10.0.0.0/16", "Tier": "dev"}
        )
        if u is env
        else u
        for u in SYNTHETIC.units
    )
    result = exporter.export(dataclasses.replace(SYNTHETIC, units=units))
    wf = yaml.safe_load(result.files[f".github/workflows/environments-{env.name}.yml"])
    inputs = wf["on"]["workflow_dispatch"]["inputs"]
    assert inputs["Tier"] == {
        "description": "tier (Tier)",
        "required": False,
        "type": "choice",
        "options": ["dev", "staging", "prod"],
        "default": "dev",
    }
    assert inputs["VpcCidr"]["type"] == "string" and inputs["VpcCidr"]["default"] == "10.0.0.0/16"
    root = next(j for j in wf["jobs"].values() if j["with"]["mode"] == "deploy" and "needs" not in j)
    assert "toJSON(inputs)" in root["with"]["parameter-overrides"]


def test_service_pipeline_becomes_build_and_deploy_jobs(corpus_files) -> None:
    files, _ = corpus_files
    wf = yaml.safe_load(
        files["backend-fargate-svc/service-repos/backend-fargate-svc/.github/workflows/pipeline.yml"]
    )
    jobs = list(wf["jobs"].items())
    assert jobs[0][0].endswith("build-build") and "environment" not in jobs[0][1]
    deploys = jobs[1:]
    assert [j["environment"] for _, j in deploys] == ["dev", "prod"]
    # CodePipeline runs stages one after another: each deploy job needs the previous stage's job
    assert [j["needs"] for _, j in deploys] == [[jobs[0][0]], [deploys[0][0]]]
    run = "\n".join(s.get("run", "") for s in deploys[1][1]["steps"])
    assert (
        "create-change-set" in run and "EXODUS_STACK=AWSProton-backend-farg-backend-fargate-svc-prod" in run
    )


def test_terraform_estate_gets_plan_and_apply_without_notify(tmp_path) -> None:
    units = tuple(
        dataclasses.replace(u, provisioning="terraform") if u.kind != "service_pipeline" else u
        for u in SYNTHETIC.units
    )
    result = exporter.export(dataclasses.replace(SYNTHETIC, units=units))
    wf_text = result.files["terraform/.github/workflows/terraform.yml"]
    wf = yaml.safe_load(wf_text)
    env = next(u for u in units if u.kind == "environment")
    plan, apply = wf["jobs"][f"plan-{env.name}"], wf["jobs"][f"apply-{env.name}"]
    # a role trusted for repo:ORG/REPO:environment:NAME is assumable only by a job naming that environment
    assert plan["if"] == "github.event_name == 'pull_request'" and plan["environment"] == f"{env.name}-plan"
    assert plan["steps"][1]["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    assert apply["environment"] == env.name and apply["steps"][-1]["run"].startswith("terraform apply")
    inst = next(u for u in units if u.kind == "service_instance" and u.environment == env.name)
    assert wf["jobs"][f"apply-{env.name}-{inst.service}-{inst.name}"]["needs"] == [f"apply-{env.name}"]
    assert "notify" not in wf_text and "proton" not in wf_text.lower().replace("was proton", "")
    assert actionlint({"terraform/.github/workflows/terraform.yml": wf_text}, tmp_path) == []


def test_deterministic_and_golden(files, corpus_files, update_goldens: bool) -> None:
    assert exporter.export(synthetic_context()).files == files
    check_goldens(GOLDENS / "synthetic-small" / "github-actions", files, update_goldens)
    corpus = {
        p.split("/", 1)[1]: t for p, t in corpus_files[0].items() if p.startswith("backend-fargate-svc/")
    }
    check_goldens(GOLDENS / "corpus-backend-fargate-svc" / "github-actions", corpus, update_goldens)


def test_each_account_gets_the_roles_its_workflows_assume(files) -> None:
    """The preview role a workflow names and the deploy role its GitHub environment's variable names
    exist in the stack's account through bootstrap/<account>/github-roles.yaml, trusted over GitHub's
    OIDC for exactly that environment (deploys) and its `-plan` twin (previews)."""
    calls = [
        job["with"]
        for w in _workflows(files).values()
        for job in (w.get("jobs") or {}).values()
        if isinstance(job, dict) and (job.get("with") or {}).get("mode") == "preview"
    ]
    assert calls
    for call in calls:
        account, role = call["plan-role-arn"].split(":")[4], call["plan-role-arn"].rsplit("/", 1)[1]
        template = yaml.safe_load(files[f"bootstrap/{account}/github-roles.yaml"])
        res = template["Resources"]
        assert res["PlanRole"]["Properties"]["RoleName"] == role == "exodus-github-plan"
        assert res["DeployRole"]["Properties"]["RoleName"] == "exodus-github-deploy"
        for key, suffix in (("DeployRole", ""), ("PlanRole", "-plan")):
            (statement,) = res[key]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
            subjects = statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
            wanted = {"Fn::Sub": f"repo:${{Repository}}:environment:{call['environment']}{suffix}"}
            assert wanted in subjects and not any("*" in s["Fn::Sub"] for s in subjects)
        plan_actions = res["PlanRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
        assert "cloudformation:ExecuteChangeSet" not in plan_actions["Action"]  # previews only


def test_the_roles_stack_of_an_account_lives_in_one_region_whatever_the_wave_moves() -> None:
    """IAM roles are global: the runbook deploys an account's exodus-github-roles in $ROLES_REGION (a
    setting) for a stack in us-east-1 and for one in eu-west-1 alike; in the stack's own Region the
    second wave would create the same role names again and fail."""
    from exporters import Handover, Use

    roles = Handover("bootstrap/111111111111/github-roles.yaml", "exodus-github-roles", role="bootstrap")
    lines = [
        exporter.runbook.stack_commands(Use(roles, region, True, False, 1))["handover"][-1]
        for region in ("us-east-1", "eu-west-1")
    ]
    assert lines[0] == lines[1] and '--region "$ROLES_REGION"' in lines[0]
    assert any(v.startswith("ROLES_REGION=") for v in exporter.runbook.variables)
