"""`exodus repo` set / upgrade / new-instance / outdated on real exports of the demo, in git
repositories: each change is the exact diff a reviewer should see, a refusal writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from proton_exodus.cfn import text as cfn_text
from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER, fold, resolve_parameters
from proton_exodus.cli import main
from proton_exodus.model.secrets import SECRET_REF, secret_name
from proton_exodus.proton.schema import json_schema_violations
from proton_exodus.repo import shared
from proton_exodus.repo.check import INDEX, parameter_document, validate_repo
from proton_exodus.repo.ops import Repo, render_instance
from tests.support.exports import TARGETS, changes, git

GITSYNC_ORDERS_PROD = "templates/service/demo-fargate-svc/v1/stacks/{}.yaml".format(
    "AWSProton-orders-api-prod-cloudformation--ITZRVATXMWMXMRW"
)
ENV_DESCRIPTION = (
    'Description: "exodus demo environment staging: VPC, public subnets, shared ALB and ECS cluster '
    '(demo-vpc-ecs-env {})"'
)
STAGING_ENV = "AWSProton-staging-cloudformation--UWVKMUEFYJMDQKJ"
PAYMENTS_STAGING = "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"


def _cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    try:
        main(["repo", args[0], "--repo", str(root), *args[1:]])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _lint_errors(path: Path) -> list[str]:
    """cfn-lint's errors (not warnings) for a template the operation wrote."""
    found = lint(path.read_text(), config=ManualArgs(regions=["us-east-1"]))
    return [f"{m.rule.id} {m.message}" for m in found if m.rule.id.startswith("E")]


def _index(root: Path) -> dict:
    return json.loads((root / INDEX).read_text())


@pytest.mark.parametrize("target", ["codepipeline", "github-actions"])
def test_set_a_parameter_carried_input_changes_one_parameter(target: str, checkout, capsys) -> None:
    root = checkout(target)
    config = next(i for i in _index(root)["instances"] if i["name"] == "catalog-web/dev")["parameters_file"]
    code, _, err = _cli(capsys, root, "set", "catalog-web/dev", "image=public.ecr.aws/nginx/nginx:1.27")
    assert (code, err) == (0, "")
    assert changes(root) == {
        INDEX: (
            ['        "image": "public.ecr.aws/nginx/nginx:1.25",'],
            ['        "image": "public.ecr.aws/nginx/nginx:1.27",'],
        ),
        # on the shared template Image is one parameter among the instance's others (not the last line)
        config: (
            ['    "Image": "public.ecr.aws/nginx/nginx:1.25",'],
            ['    "Image": "public.ecr.aws/nginx/nginx:1.27",'],
        ),
    }
    assert validate_repo(root) == []


def test_set_an_input_on_the_shared_template_changes_its_deployment_file_line(checkout, capsys) -> None:
    """desired_count was baked into a per-stack template before; on the shared template it is the
    DesiredCount parameter: one line of the deployment file, the shared template untouched."""
    root = checkout("cfn-git-sync")
    record = next(i for i in _index(root)["instances"] if i["name"] == "orders-api/prod")
    assert record["parameters"]["desired_count"] == "DesiredCount"
    code, _, err = _cli(capsys, root, "set", "orders-api/prod", "desired_count=4")
    assert (code, err) == (0, "")
    assert changes(root) == {
        INDEX: (['        "desired_count": 3,'], ['        "desired_count": 4,']),
        record["parameters_file"]: (['  DesiredCount: "3"'], ['  DesiredCount: "4"']),
    }
    assert validate_repo(root) == []


def test_set_on_an_instance_without_the_optional_secret_keeps_it_unset(checkout, capsys) -> None:
    """catalog-web/dev sets no db_password: on the one shared demo-fargate-svc 1.1 template its secret
    parameter names AWS's public parameter and DbPasswordDefined is false; an edit changes one line and
    the instance is still proven (the public parameter reaches no resource)."""
    root = checkout("cfn-git-sync")
    record = next(i for i in _index(root)["instances"] if i["name"] == "catalog-web/dev")
    rel = record["parameters_file"]
    before = parameter_document(record["parameters_format"], (root / rel).read_text(), rel)
    assert (before["ExodusSecretDbPassword"], before["DbPasswordDefined"]) == (PUBLIC_SSM_PARAMETER, "false")
    code, _, err = _cli(capsys, root, "set", "catalog-web/dev", "desired_count=2")
    assert (code, err) == (0, "")
    assert changes(root) == {
        INDEX: (['        "desired_count": 1,'], ['        "desired_count": 2,']),
        rel: (['  DesiredCount: "1"'], ['  DesiredCount: "2"']),
    }
    _proof(root, "catalog-web/dev")
    assert validate_repo(root) == []


@pytest.mark.parametrize("target", ["cfn-git-sync", "codepipeline", "github-actions"])
def test_set_a_list_input_within_its_schema_bounds_edits_one_parameter(target: str, checkout, capsys) -> None:
    """subnet_cidrs takes 2 or 3 items (its schema's minItems/maxItems): one shared file holds both lengths
    (the third subnet under a Condition on the list's length), so three subnets for dev change its
    SubnetCidrs parameter and no template; dev stays on the file prod (three subnets) deploys too."""
    root = checkout(target)
    by_name = {i["name"]: i for i in _index(root)["instances"]}
    prod_file = by_name["prod"]["template_file"]
    assert by_name["dev"]["template_file"] == prod_file
    cidrs = "[10.10.0.0/24, 10.10.1.0/24, 10.10.2.0/24]"
    code, _, err = _cli(capsys, root, "set", "dev", f"subnet_cidrs={cidrs}")
    assert (code, err) == (0, "")
    dev = next(i for i in _index(root)["instances"] if i["name"] == "dev")
    assert dev["template_file"] == prod_file and dev["inputs"]["subnet_cidrs"][2] == "10.10.2.0/24"
    diff = changes(root)
    assert not any(p.startswith("templates/") for p in diff)
    assert dev["parameters_file"] in diff
    assert [line for line in diff[dev["parameters_file"]][1] if "10.10.2.0/24" in line]
    _proof(root, "dev")
    assert validate_repo(root) == []


def test_set_a_structural_value_no_shared_file_fits_gets_its_own_render(checkout, capsys) -> None:
    """An export whose shared 1.1 file holds two subnets only (its third subnet removed by hand): no
    shared file fits three subnets; dev gets its own template, Proton's render with the new inputs, and
    its deployment file points at it."""
    root = checkout("cfn-git-sync")
    shared_file = root / next(i for i in _index(root)["instances"] if i["name"] == "dev")["template_file"]
    tree = cfn_text.load_template(shared_file.read_text())
    del tree["Resources"]["PublicSubnet3"], tree["Resources"]["PublicSubnet3RouteTableAssociation"]
    shared_file.write_text(cfn_text.dump_template(tree))
    git(root, "commit", "-qam", "no shared file for three subnets")
    cidrs = "[10.10.0.0/24, 10.10.1.0/24, 10.10.2.0/24]"
    code, _, err = _cli(capsys, root, "set", "dev", f"subnet_cidrs={cidrs}")
    dev = next(i for i in _index(root)["instances"] if i["name"] == "dev")
    assert (code, err) == (
        0,
        "note: dev: no shared template of environment/demo-vpc-ecs-env 1.1 fits its inputs: "
        f"its own rendered copy {dev['template_file']}\n",
    )
    assert dev["template_file"].endswith(f"/stacks/{dev['stack']['name']}.yaml")
    deployment = (root / dev["parameters_file"]).read_text()
    assert deployment.startswith(f"template-file-path: {dev['template_file']}\n")
    text = (root / dev["template_file"]).read_text()
    assert "10.10.2.0/24" in text and "Parameters" not in text
    assert _lint_errors(root / dev["template_file"]) == []
    row = next(
        r
        for r in json.loads((root / "TEMPLATES.json").read_text())["stacks"]
        if r["stack"] == dev["stack"]["name"]
    )
    assert (row["shared"], row["templateFile"]) == (False, dev["template_file"])
    assert validate_repo(root) == []


@pytest.mark.parametrize("target", TARGETS)
def test_set_refuses_an_out_of_range_value_and_writes_nothing(target: str, checkout, capsys) -> None:
    root = checkout(target)
    record = next(i for i in _index(root)["instances"] if i["name"] == "orders-api/prod")
    # carried by a parameter (shared templates): the error names the parameter file, as validate does
    where = (
        record["parameters_file"] if "desired_count" in record["parameters"] else f"{INDEX}[orders-api/prod]"
    )
    code, out, err = _cli(capsys, root, "set", "orders-api/prod", "desired_count=60")
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"Error: {where}: spec.desired_count: 60 is greater than the maximum of 10"]
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope/prod", "port=1"), f"{INDEX}: no instance named 'nope/prod'"),
        (
            ("orders-api/prod", "colour=red"),
            f"{INDEX}: orders-api/prod: 'colour' is not an input of service/demo-fargate-svc 1.1",
        ),
        (
            ("orders-api/prod", "db_password=hunter2"),
            "orders-api/prod: input db_password is sensitive: its value lives in Parameter Store or "
            "Secrets Manager, change it there",
        ),
        (("orders-api/prod", "desired_count"), "'desired_count': expected INPUT=VALUE"),
    ],
)
def test_set_refuses_bad_requests_in_one_line(args: tuple[str, ...], message: str, checkout, capsys) -> None:
    root = checkout("cfn-git-sync")
    code, _, err = _cli(capsys, root, "set", *args)
    assert code == 2
    assert err.splitlines()[0] == f"Error: {message}"
    assert git(root, "status", "--porcelain") == ""


def test_outdated_lists_what_is_behind_its_recommended_version(checkout, capsys) -> None:
    root = checkout("codepipeline")
    code, out, _ = _cli(capsys, root, "outdated")
    assert code == 0
    assert out.splitlines() == [
        "payments-api/staging: service/demo-fargate-svc 1.0, recommended 1.1 (minor 1.1 available)",
        "staging: environment/demo-vpc-ecs-env 1.0, recommended 1.1 (minor 1.1 available)",
    ]


def _proof(root: Path, name: str) -> None:
    """The instance's template file resolved with its parameter file equals a fresh Proton render of the
    instance with its inputs (the export's proof), and cfn-lint finds no error in the template."""
    repo = Repo.open(root)
    instance = repo.instance(name)
    rel, fmt = instance["parameters_file"], instance["parameters_format"]
    values = {k: str(v) for k, v in parameter_document(fmt, (root / rel).read_text(), rel).items()}
    row = next(
        r for r in json.loads((root / "TEMPLATES.json").read_text())["stacks"] if r["parameterFile"] == rel
    )
    comps = shared.components(values, row["parameters"])
    filled = json_schema_violations(repo.schema(instance), repo.inputs(instance), path="spec")[0]
    fresh = fold(load_normalised(render_instance(repo, instance, instance["version"], filled, comps)))
    stack = instance["stack"]["name"]
    refs = {f"/exodus/{stack}/{n}": SECRET_REF.format(secret_name(stack, n)) for n in instance["sensitive"]}
    template = root / instance["template_file"]
    resolved = resolve_parameters(load_normalised(template.read_text()), values, ssm=refs.get)
    resolved.pop("Description", None)
    fresh.pop("Description", None)
    assert resolved == fresh, name
    assert _lint_errors(template) == []


@pytest.mark.parametrize("target", ["cfn-git-sync", "codepipeline", "github-actions"])
def test_upgrade_to_a_minor_moves_the_instances_to_the_new_versions_shared_templates(
    target: str, checkout, capsys
) -> None:
    """On shared templates an upgrade edits no template: each instance's parameter file points at the
    target version's shared file (one of its variants, the one proven for the instance) with its
    parameters; the pipeline (codepipeline, GitHub Actions) deploys the stack from that file."""
    root = checkout(target)
    by_name = {i["name"]: i for i in _index(root)["instances"]}
    before = {n: by_name[n]["template_file"] for n in ("staging", "payments-api/staging")}
    assert "1.0" in before["staging"] and "1.0" in before["payments-api/staging"]
    assert _cli(capsys, root, "upgrade", "staging", "payments-api/staging", "--to", "1.1")[0] == 0
    diff = changes(root)
    after = {i["name"]: i for i in _index(root)["instances"]}
    moved = {n: after[n]["template_file"] for n in before}
    shared_11 = {
        r["templateFile"]
        for r in json.loads((root / "TEMPLATES.json").read_text())["stacks"]
        if r["version"] == "1.1" and r["shared"] and r["stack"] not in (STAGING_ENV, PAYMENTS_STAGING)
    }
    assert set(moved.values()) <= shared_11  # files other 1.1 instances already deploy from
    params = {after[n]["parameters_file"] for n in before}
    pipelines = {p for p in diff if p.startswith(("pipelines/", ".github/"))}
    assert set(diff) == {INDEX, "TEMPLATES.json", *params, *pipelines}  # no template file changed
    assert bool(pipelines) == (target != "cfn-git-sync")
    for pipeline in pipelines:  # the deploy reads the new file and a change to it triggers the pipeline
        text = (root / pipeline).read_text()
        assert all(text.count(m) >= 2 for m in moved.values()), pipeline
    assert all(after[n]["version"] == "1.1" for n in before)
    assert _cli(capsys, root, "outdated")[1] == "every instance is on its recommended version\n"
    for name in before:
        _proof(root, name)
    assert validate_repo(root) == []


def test_a_minor_rolls_out_to_every_instance_of_a_template(checkout, capsys) -> None:
    root = checkout("github-actions")
    code, out, _ = _cli(capsys, root, "upgrade", "--template", "service/demo-fargate-svc", "--to", "1.1")
    assert code == 0
    # on shared templates the template configuration and the workflow's template-file change, no template
    assert out.splitlines() == [
        f"changed {INDEX}",
        "changed .github/workflows/environments-staging.yml",
        "changed TEMPLATES.json",
        f"changed stacks/environments/staging/{PAYMENTS_STAGING}.json",
    ]
    assert _cli(capsys, root, "outdated")[1].splitlines() == [
        "staging: environment/demo-vpc-ecs-env 1.0, recommended 1.1 (minor 1.1 available)"
    ]
    code, _, err = _cli(capsys, root, "upgrade", "--template", "service/demo-fargate-svc", "--to", "1.1")
    assert (code, err.splitlines()[0]) == (
        2,
        "Error: nothing to upgrade: name instances, or a --template with instances behind --to",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("staging", "--to", "1.0"), "staging: is on 1.0; 1.0 is not newer (Proton does not downgrade)"),
        (
            ("staging", "--to", "2.0"),
            f"{INDEX}: template environment/demo-vpc-ecs-env has no version 2.0 (versions: 1.0, 1.1)",
        ),
        (("dev", "--to", "1.1"), "dev: is on 1.1; 1.1 is not newer (Proton does not downgrade)"),
    ],
)
def test_upgrade_refusals(args: tuple[str, ...], message: str, checkout, capsys) -> None:
    root = checkout("cfn-git-sync")
    code, _, err = _cli(capsys, root, "upgrade", *args)
    assert (code, err.splitlines()[0]) == (2, f"Error: {message}")
    assert git(root, "status", "--porcelain") == ""


def test_a_major_upgrade_needs_the_flag(checkout, capsys) -> None:
    root = checkout("cfn-git-sync")
    index = _index(root)
    versions = index["templates"]["environment/demo-vpc-ecs-env"]["versions"]
    versions["2.0"] = {**versions["1.1"], "upgrades_to": []}
    (root / INDEX).write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    git(root, "commit", "-qam", "a 2.0 shaped like 1.1")
    code, _, err = _cli(capsys, root, "upgrade", "staging", "--to", "2.0")
    assert (code, err.splitlines()[0]) == (
        2,
        "Error: staging: 1.0 -> 2.0 is a major version change: pass --major to make it",
    )
    assert _cli(capsys, root, "upgrade", "staging", "--to", "2.0", "--major")[0] == 0
    assert (
        _index(root)["instances"][[i["name"] for i in _index(root)["instances"]].index("staging")]["version"]
        == "2.0"
    )


@pytest.mark.parametrize(
    ("target", "parameters_file", "pipeline"),
    [
        ("cfn-git-sync", "deployments/111111111111/us-east-1/orders-api-qa.yaml", None),
        (
            "codepipeline",
            "stacks/environments/staging/orders-api-qa.json",
            "pipelines/environments/staging.yaml",
        ),
        (
            "github-actions",
            "stacks/environments/staging/orders-api-qa.json",
            ".github/workflows/environments-staging.yml",
        ),
    ],
)
def test_new_instance_is_a_parameter_file_on_the_shared_template(
    target: str, parameters_file: str, pipeline: str | None, checkout, capsys
) -> None:
    """The new instance deploys the recommended version's shared file proven for its inputs (as its
    siblings do): a parameter file and its TEMPLATES.json row, no template written."""
    root = checkout(target)
    code, out, err = _cli(
        capsys,
        root,
        "new-instance",
        "orders-api/qa",
        "--template",
        "service/demo-fargate-svc",
        "--environment",
        "staging",
        "path_pattern=/qa/*",
        "listener_priority=77",
    )
    assert (code, err) == (0, "")
    written = [INDEX, parameters_file, "TEMPLATES.json", *([pipeline] if pipeline else [])]
    assert out.splitlines() == sorted(f"changed {p}" for p in written)
    record = next(i for i in _index(root)["instances"] if i["name"] == "orders-api/qa")
    assert record["version"] == "1.1" and record["inputs"]["listener_priority"] == 77
    assert record["sensitive"] == ["db_password"]  # as for the template's other instances
    assert record["parameters_file"] == parameters_file and record["parameters"]["listener_priority"]
    shared_11 = {
        r["templateFile"]
        for r in json.loads((root / "TEMPLATES.json").read_text())["stacks"]
        if r["version"] == "1.1"
    }
    assert record["template_file"] in shared_11
    values = parameter_document(
        record["parameters_format"], (root / parameters_file).read_text(), parameters_file
    )
    # the environment's outputs, as Proton rendered them; the secret where the export stages its siblings'
    assert values["ListenerPriority"] == "77" and values["PathPattern"] == "/qa/*"
    assert (
        values["EnvironmentOutputsClusterArn"] == "arn:aws:ecs:us-east-1:111111111111:cluster/staging-cluster"
    )
    assert values["ExodusSecretDbPassword"] == "/exodus/orders-api-qa/db_password"
    _proof(root, "orders-api/qa")
    assert validate_repo(root) == []
    # the environment's pipeline deploys it as it deploys its siblings: preview/change set, then deploy
    if pipeline:
        text = (root / pipeline).read_text()
        named = [ln.strip() for ln in text.splitlines() if ln.strip().lower() == "stackname: orders-api-qa"]
        named += [ln.strip() for ln in text.splitlines() if ln.strip() == "stack-name: orders-api-qa"]
        assert len(named) == 2 and parameters_file in text and text.count(record["template_file"]) >= 2
        assert cfn_text.load_yaml(text)
        if target == "codepipeline":
            assert _lint_errors(root / pipeline) == []
            assert ":stack/orders-api-qa/*" in text  # the pipeline's CloudFormation role may change it


def test_new_instance_refuses_invalid_inputs_and_writes_nothing(checkout, capsys) -> None:
    root = checkout("cfn-git-sync")
    code, _, err = _cli(
        capsys,
        root,
        "new-instance",
        "orders-api/qa",
        "--template",
        "service/demo-fargate-svc",
        "--environment",
        "staging",
        "path_pattern=qa",
    )
    assert code == 2
    assert err.splitlines()[0] == (
        "Error: spec: spec.listener_priority: is required but missing; "
        "spec.path_pattern: 'qa' does not match '^/[a-z0-9/*-]*$'"
    )
    assert git(root, "status", "--porcelain") == ""


def _component(root: Path, stack_dir: str) -> str:
    """The shared template component a stack directory's kustomization.yaml names (repository path)."""
    kust = cfn_text.load_yaml((root / stack_dir / "kustomization.yaml").read_text())
    (component,) = kust["components"]
    return str((root / stack_dir / component).resolve().relative_to(root.resolve()))


def test_crossplane_stacks_move_between_shared_templates_through_their_kustomization(
    checkout, capsys
) -> None:
    """argocd: a Stack holds only parameters; its template is the Kustomize component its directory names.
    `set` changes one parameter line; `upgrade` moves the component path and adds the new parameter."""
    from exporters.argocd import kustomize

    root = checkout("argocd")
    staging = "stacks/environments/staging"
    before = _component(root, staging)
    assert _cli(capsys, root, "set", "orders-api/prod", "desired_count=4")[0] == 0
    assert _cli(capsys, root, "upgrade", "staging", "--to", "1.1")[0] == 0
    after = _component(root, staging)
    assert "/v1.0/" in before and "/v1.1/" in after
    found = changes(root)
    assert found["stacks/services/orders-api/instances/prod/stack.yaml"] == (
        ["      DesiredCount: '3'"],
        ['      DesiredCount: "4"'],
    )
    assert found[f"{staging}/kustomization.yaml"] == (
        [f"- ../../../{before}"],
        [f"- ../../../{after}"],
    )
    assert found[f"{staging}/stack.yaml"] == ([], ['      LogRetentionDays: "30"'])
    assert set(found) == {
        INDEX,
        shared.LISTING,
        f"{staging}/kustomization.yaml",
        f"{staging}/stack.yaml",
        "stacks/services/orders-api/instances/prod/stack.yaml",
    }
    # what Argo CD applies: the 1.1 template with staging's parameters, proven against a fresh render
    (stack,) = kustomize.render(root, staging)
    fp = stack["spec"]["forProvider"]
    assert fp["templateBody"] == (root / after / "template.yaml").read_text()
    repo = Repo.open(root)
    item = repo.instance("staging")
    assert item["template_file"] == f"{after}/template.yaml" and item["version"] == "1.1"
    fresh = render_instance(repo, item, "1.1", repo.inputs(item))
    assert shared.proven(fp["templateBody"], fp["parameters"], fresh, item, after)
    assert validate_repo(root) == []


def test_new_instance_writes_a_crossplane_stack_on_the_shared_template(checkout, capsys) -> None:
    from exporters.argocd import kustomize

    root = checkout("argocd")
    code, _, err = _cli(
        capsys,
        root,
        "new-instance",
        "orders-api/qa",
        "--template",
        "service/demo-fargate-svc",
        "--environment",
        "staging",
        "path_pattern=/qa/*",
        "listener_priority=77",
    )
    assert (code, err) == (0, "")
    folder = "stacks/services/orders-api/instances/qa"
    assert set(changes(root)) == {
        INDEX,
        shared.LISTING,
        "apps/services/orders-api.yaml",
        f"{folder}/kustomization.yaml",
        f"{folder}/stack.yaml",
    }
    assert sorted(p.name for p in (root / folder).iterdir()) == ["kustomization.yaml", "stack.yaml"]
    (stack,) = kustomize.render(root, folder)
    meta, spec = stack["metadata"], stack["spec"]
    assert meta["name"] == "orders-api-qa" and "crossplane.io/external-name" not in meta["annotations"]
    assert "managementPolicies" not in spec  # Crossplane's default, ["*"]: the provider creates the stack
    assert spec["forProvider"]["name"] == "orders-api-qa"
    repo = Repo.open(root)
    item = repo.instance("orders-api/qa")
    assert item["parameters_file"] == f"{folder}/stack.yaml"
    assert item["template_file"] == _component(root, folder) + "/template.yaml"
    fresh = render_instance(repo, item, item["version"], repo.inputs(item))
    assert shared.proven(
        spec["forProvider"]["templateBody"], spec["forProvider"]["parameters"], fresh, item, ""
    )
    # and Argo CD gets an Application for it: a new element of the service's ApplicationSet
    appset = cfn_text.load_yaml((root / "apps/services/orders-api.yaml").read_text())
    (element,) = [e for e in appset["spec"]["generators"][0]["list"]["elements"] if e["path"] == folder]
    assert (element["appName"], element["instance"], element["environment"], element["namespace"]) == (
        "svc-orders-api-qa",
        "qa",
        "staging",
        "proton-staging",
    )
    assert element["inputs"]["path_pattern"] == "/qa/*"
    assert validate_repo(root) == []


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        (
            "git-sync-deployment-file",
            'template-file-path: t.yaml\nparameters:\n  DesiredCount: "3"\n  Image: a:1\ntags:\n  k: v\n',
        ),
        (
            "crossplane-stack",
            "kind: Stack\nspec:\n  forProvider:\n    name: s\n    templateBody: |\n      Resources: {}\n"
            "    parameters:\n      DesiredCount: '3'\n      Image: a:1\n    tags:\n      k: v\n",
        ),
        (
            "template-configuration",
            '{\n  "Parameters": {\n    "DesiredCount": "3",\n    "Image": "a:1"\n  }\n}\n',
        ),
    ],
)
def test_a_parameter_edit_changes_one_line_and_reads_back(fmt: str, text: str) -> None:
    from proton_exodus.repo.check import parameter_document
    from proton_exodus.repo.ops import _set_parameter

    changed = _set_parameter(fmt, text, "f", {"DesiredCount": "4"})
    before, after = text.splitlines(), changed.splitlines()
    assert len(before) == len(after)
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        next((a, b) for a, b in zip(before, after, strict=True) if "DesiredCount" in a)
    ]
    assert parameter_document(fmt, changed, "f") == {"DesiredCount": "4", "Image": "a:1"}
    added = _set_parameter(fmt, text, "f", {"Port": "8080"})
    assert parameter_document(fmt, added, "f") == {"DesiredCount": "3", "Image": "a:1", "Port": "8080"}


def test_a_crossplane_stack_no_shared_template_fits_gets_its_render_inline(checkout, capsys) -> None:
    """No shared file of 1.1 is proven for staging (the export's 1.1 environment template was edited
    by hand): the Stack gets Proton's render as its own templateBody and leaves the component."""
    from exporters.argocd import kustomize

    root = checkout("argocd")
    staging = "stacks/environments/staging"
    listing = json.loads((root / shared.LISTING).read_text())
    for row in listing["stacks"]:
        if row["kind"] == "environment" and row["version"] == "1.1":
            path = root / row["templateFile"]
            path.write_text(
                path.read_text().replace(
                    "Resources:\n", "Resources:\n  Extra:\n    Type: AWS::SNS::Topic\n", 1
                )
            )
    git(root, "commit", "-qam", "a hand edit of the shared 1.1 environment templates")
    before = _component(root, staging)
    code, _, err = _cli(capsys, root, "upgrade", "staging", "--to", "1.1")
    assert code == 0, err
    found = changes(root)
    assert found[f"{staging}/kustomization.yaml"] == (["components:", f"- ../../../{before}"], [])
    (stack,) = kustomize.render(root, staging)
    fp = stack["spec"]["forProvider"]
    repo = Repo.open(root)
    item = repo.instance("staging")
    assert item["template_file"] == f"{staging}/stack.yaml" and item["parameters"] == {}
    fresh = render_instance(repo, item, "1.1", repo.inputs(item))
    assert fp["templateBody"] == fresh.rstrip("\n") + "\n"
    assert "Extra" not in fp["templateBody"]
    assert validate_repo(root) == []


def test_new_environment_on_argocd_gets_its_stack_directory_and_application(checkout, capsys) -> None:
    from exporters.argocd import kustomize
    from exporters.argocd.rehearse import applications

    root = checkout("argocd")
    code, _, err = _cli(
        capsys,
        root,
        "new-instance",
        "qa",
        "--template",
        "environment/demo-vpc-ecs-env",
        "vpc_cidr=10.50.0.0/16",
        "subnet_cidrs=[10.50.0.0/24, 10.50.1.0/24]",
    )
    assert (code, err) == (0, "")
    folder = "stacks/environments/qa"
    assert set(changes(root)) == {
        INDEX,
        shared.LISTING,
        "apps/environments/qa.yaml",
        f"{folder}/kustomization.yaml",
        f"{folder}/stack.yaml",
    }
    (app,) = [a for a in applications(root)[0] if a.path == folder]
    assert (app.name, app.namespace, app.file) == ("env-qa", "proton-qa", "apps/environments/qa.yaml")
    (stack,) = kustomize.render(root, folder)
    assert stack["metadata"]["labels"]["exodus.io/environment"] == "qa"
    repo = Repo.open(root)
    item = repo.instance("qa")
    fresh = render_instance(repo, item, item["version"], repo.inputs(item))
    fp = stack["spec"]["forProvider"]
    assert shared.proven(fp["templateBody"], fp["parameters"], fresh, item, "")
    assert validate_repo(root) == []
