"""The `codepipeline` exporter on synthetic and corpus-derived estates: cfn-lint clean, V2/QUEUED,
change sets only, approvals on production-like environments only, dependency order, no Proton CLI."""

from __future__ import annotations

import json

import pytest
import yaml

from exporters.codepipeline import exporter
from proton_exodus.testing.synthetic import SyntheticSize
from tests.exporters._pipelines.estates import (
    GOLDENS,
    cfn_lint_errors,
    check_goldens,
    corpus_context,
    corpus_pipeline_bundles,
    synthetic_context,
)

SYNTHETIC = synthetic_context()


def _pipelines(files):
    return {p: yaml.safe_load(t) for p, t in files.items() if p.startswith("pipelines/")}


def _stacks_in_order(template) -> list[tuple[str, list[str]]]:
    stages = template["Resources"]["Pipeline"]["Properties"]["Stages"]
    assert [s["Name"] for s in stages[:2]] == ["Source", "Validate"]  # inputs are checked before any deploy
    return [(s["Name"], [a for a in s["Actions"]]) for s in stages[2:]]


@pytest.fixture(scope="module")
def synthetic_files():
    return exporter.export(SYNTHETIC).files


def test_every_pipeline_template_lints_clean(synthetic_files) -> None:
    for path, text in synthetic_files.items():
        if path.startswith("pipelines/"):
            assert cfn_lint_errors(text) == [], path


def test_pipelines_are_v2_queued_and_never_replace_on_failure(synthetic_files) -> None:
    for path, tpl in _pipelines(synthetic_files).items():
        props = tpl["Resources"]["Pipeline"]["Properties"]
        assert (props["PipelineType"], props["ExecutionMode"]) == ("V2", "QUEUED"), path
        modes = [a["Configuration"].get("ActionMode") for _, acts in _stacks_in_order(tpl) for a in acts]
        assert "REPLACE_ON_FAILURE" not in modes and set(modes) <= {
            "CHANGE_SET_REPLACE",
            "CHANGE_SET_EXECUTE",
            None,
        }


def _deploys(tpl) -> list[tuple[int, str, list[str]]]:
    """(stage index, stack name, action categories in run order) per deployed stack."""
    out = []
    for index, (_stage, actions) in enumerate(_stacks_in_order(tpl)):
        groups: dict[str, list[dict]] = {}
        for action in actions:
            groups.setdefault(action["Name"].rsplit("-", 1)[0], []).append(action)
        for group in groups.values():
            group.sort(key=lambda a: a["RunOrder"])
            out.append(
                (
                    index,
                    group[0]["Configuration"]["StackName"],
                    [a["ActionTypeId"]["Category"] for a in group],
                )
            )
    return out


def test_environment_stage_comes_before_its_instances_and_approvals_only_in_prod(synthetic_files) -> None:
    units = {u.stack_name: u for u in SYNTHETIC.units}
    arns = {u.arn: u for u in SYNTHETIC.units}
    approvals = 0
    for path, tpl in _pipelines(synthetic_files).items():
        stage_of = {stack: index for index, stack, _ in _deploys(tpl)}
        for index, stack, categories in _deploys(tpl):
            unit = units[stack]
            for dep in unit.depends_on:  # every dependency in the same pipeline is in an earlier stage
                assert stage_of.get(arns[dep].stack_name, -1) < index, (path, stack)
            envs = {unit.environment} if unit.environment else {arns[d].environment for d in unit.depends_on}
            production = any(str(e).startswith("prod") for e in envs)
            assert categories == (["Deploy", "Approval", "Deploy"] if production else ["Deploy", "Deploy"]), (
                stack
            )
            approvals += production
        if "/environments/" in path:
            env_stack = next(s for s in stage_of if units[s].kind == "environment")
            assert stage_of[env_stack] == 0 and all(i > 0 for s, i in stage_of.items() if s != env_stack)
    assert approvals > 0


def test_template_configuration_files_keep_proton_tags(synthetic_files) -> None:
    configs = {
        p: json.loads(t)
        for p, t in synthetic_files.items()
        if p.startswith("stacks/") and p.endswith(".json")
    }
    assert len(configs) == len([u for u in SYNTHETIC.units if u.stack_name])
    for path, config in configs.items():
        assert set(config) == {"Parameters", "Tags"}
        assert "exodus:source" not in config["Tags"] and "proton:account" in config["Tags"], path


def test_role_is_scoped_to_its_stacks(synthetic_files) -> None:
    for path, tpl in _pipelines(synthetic_files).items():
        statements = tpl["Resources"]["PipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"][
            "Statement"
        ]
        cfn = next(s for s in statements if "cloudformation:CreateChangeSet" in s["Action"])
        stacks = [
            a["Configuration"]["StackName"]
            for _, acts in _stacks_in_order(tpl)
            for a in acts
            if a["Configuration"].get("ActionMode") == "CHANGE_SET_REPLACE"
        ]
        assert len(cfn["Resource"]) == len(stacks) and all(
            f"stack/{s}/*" in r["Fn::Sub"] for s, r in zip(stacks, cfn["Resource"], strict=True)
        ), path
        assert all(s["Resource"] != "*" for s in statements)


def test_large_environment_splits_stages_and_uses_tag_scoping() -> None:
    ctx = synthetic_context(
        SyntheticSize(environments=1, services=45, instances_per_service=1, pipelines=False)
    )
    files = exporter.export(ctx).files
    (tpl,) = _pipelines(files).values()
    stages = tpl["Resources"]["Pipeline"]["Properties"]["Stages"]
    assert [len(s["Actions"]) for s in stages] == [1, 1, 2, 32, 32, 26]  # 16 stacks per stage at most
    statements = tpl["Resources"]["PipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[3]["Condition"] == {
        "StringEquals": {
            "aws:ResourceTag/proton:environment": [
                "arn:aws:proton:us-east-1:111111111111:environment/dev-000"
            ]
        }
    }


@pytest.mark.parametrize("bundle", corpus_pipeline_bundles(), ids=lambda p: p.parent.name)
def test_corpus_pipeline_stacks_export_without_proton_calls(bundle) -> None:
    result = exporter.export(corpus_context(bundle))
    assert not [p for p, t in result.files.items() if "aws proton" in t]
    assert "aws proton" not in " ".join(f.message for f in result.findings)
    assert {"I-PIPE-UPDATE-INSTANCE", "W-PIPE-INPUT-NOT-PARAMETER"} <= {f.code for f in result.findings}
    # The environment pipelines come from the same generator the synthetic test lints; lint the
    # service pipeline (it deploys the rewritten Proton pipeline stack) to stay within the time budget.
    (path,) = [p for p in result.files if p.startswith("pipelines/services/")]
    assert cfn_lint_errors(result.files[path]) == [], path


def test_deterministic_and_golden(synthetic_files, update_goldens: bool) -> None:
    assert exporter.export(synthetic_context()).files == synthetic_files
    check_goldens(GOLDENS / "synthetic-small" / "codepipeline", synthetic_files, update_goldens)
    corpus = exporter.export(
        corpus_context(next(b for b in corpus_pipeline_bundles() if b.parent.name == 'backend-fargate-svc'))
    ).files
    check_goldens(GOLDENS / "corpus-backend-fargate-svc" / "codepipeline", corpus, update_goldens)


def test_each_stack_passes_its_own_service_role() -> None:
    """One role for all a pipeline's stacks is a parameter with that default; stacks with different
    roles each pass their own (no value to type in, none changed), a stack without one passes none."""
    import dataclasses

    from exporters._pipelines.convert import converted_estate
    from exporters.codepipeline.exporter import build_pipeline_template

    _, estate = converted_estate(SYNTHETIC)
    group, stacks = next((g, s) for g, s in estate.groups().items() if len(s) >= 3)
    one = build_pipeline_template("p", group, stacks, {})
    assert one["Parameters"]["CloudFormationRoleArn"]["Default"] == stacks[0].role_arn
    roles = [f"arn:aws:iam::111111111111:role/r{i}" for i in range(len(stacks) - 1)] + [None]
    mixed = [dataclasses.replace(a, role_arn=r) for a, r in zip(stacks, roles, strict=True)]
    tpl = build_pipeline_template("p", group, mixed, {})
    assert "CloudFormationRoleArn" not in tpl["Parameters"]
    passed = {
        a["Configuration"]["StackName"]: a["Configuration"].get("RoleArn")
        for _, acts in _stacks_in_order(tpl)
        for a in acts
        if a["Configuration"].get("ActionMode") == "CHANGE_SET_REPLACE"
    }
    assert passed == {a.stack_name: a.role_arn for a in mixed}
    statements = tpl["Resources"]["PipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (pass_role,) = [s for s in statements if s.get("Action") == "iam:PassRole"]
    assert pass_role["Resource"] == sorted(r for r in roles if r)
