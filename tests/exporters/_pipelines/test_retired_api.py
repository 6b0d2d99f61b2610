"""The retired-Proton-API rewrite, production-like detection and dependency order (shared logic)."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from exporters._pipelines import CommandContext, dependency_order, is_production_like, rewrite_command
from exporters._pipelines.service_pipeline import build_steps, convert_pipeline_template, rewrite_lines
from tests.exporters._pipelines.estates import corpus_context, corpus_pipeline_bundles

CTX = CommandContext(
    service="svc",
    instance_stacks={"a": "AWSProton-svc-a-X", "b": "AWSProton-svc-b-Y"},
    variables={"service_instance_name": "a", "service_name": "svc"},
)


def test_update_service_instance_becomes_a_change_set_on_the_resolved_stack() -> None:
    rw = rewrite_command(
        "aws proton --region $AWS_DEFAULT_REGION update-service-instance --deployment-type "
        "CURRENT_VERSION --name $service_instance_name --service-name $service_name "
        "--spec file://out/rendered_service.yaml",
        CTX,
    )
    text = "\n".join(rw.commands)
    assert rw.commands[0] == "EXODUS_STACK=AWSProton-svc-a-X"
    assert "aws cloudformation --region $AWS_DEFAULT_REGION create-change-set" in text
    assert "--use-previous-template" in text and "execute-change-set" in text
    assert "out/rendered_service.yaml a exodus-parameter-keys.json" in text
    assert "proton " not in text.replace("exodus", "")
    assert rw.finding.code == "I-PIPE-UPDATE-INSTANCE"


def test_unresolvable_instance_name_maps_at_run_time() -> None:
    rw = rewrite_command("aws proton wait service-instance-deployed --name $OTHER --service-name svc", CTX)
    assert rw.commands[0].startswith('case "$OTHER" in a) EXODUS_STACK=AWSProton-svc-a-X;; b) ')
    assert rw.commands[1] == 'aws cloudformation wait stack-update-complete --stack-name "$EXODUS_STACK"'


def test_get_service_keeps_the_pipe_and_lists_instances(tmp_path) -> None:
    rw = rewrite_command(
        "aws proton get-service --name $service_name | jq -r .service.spec > service.yaml", CTX
    )
    (cmd,) = rw.commands
    assert cmd.endswith("| jq -r .service.spec > service.yaml") and cmd.startswith("jq -n ")
    subprocess.run(["bash", "-c", cmd], cwd=tmp_path, check=True)  # jq is what CodeBuild images ship too
    assert yaml.safe_load((tmp_path / "service.yaml").read_text()) == {
        "instances": [
            {"name": "a", "stack": "AWSProton-svc-a-X"},
            {"name": "b", "stack": "AWSProton-svc-b-Y"},
        ]
    }


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (
            "aws proton notify-resource-deployment-status-change --resource-arn $RESOURCE_ARN --outputs file://./o.json",
            "I-PIPE-NOTIFY",
        ),
        (
            "aws proton list-service-instance-outputs --service-name svc --service-instance-name b",
            "I-PIPE-OUTPUTS",
        ),
        ("aws proton create-environment --name x", "W-PIPE-UNKNOWN-CALL"),
    ],
)
def test_other_calls(command: str, code: str) -> None:
    rw = rewrite_command(command, CTX)
    assert rw.finding.code == code
    assert all("aws proton" not in c for c in rw.commands)


def test_json_and_yaml_buildspec_lines_stay_valid() -> None:
    json_spec = (
        '{"phases": {"build": {"commands": [\n  "echo hi",\n  "aws proton update-service-instance '
        '--name a --service-name svc --spec file://s.yaml"\n]}}}'
    )
    new, found = rewrite_lines(json_spec, CTX)
    assert len(json.loads(new)["phases"]["build"]["commands"]) == 8 and len(found) == 1
    yaml_spec = (
        "phases:\n  build:\n    commands:\n      - aws proton notify-resource-deployment-status-change "
        "--resource-arn $R --outputs file://o.json\n"
    )
    new, _ = rewrite_lines(yaml_spec, CTX)
    assert yaml.safe_load(new)["phases"]["build"]["commands"] == ["cat o.json"]


@pytest.mark.parametrize(
    ("name", "maps", "expected"),
    [
        ("prod-eu", (), True),
        ("live_2", (), True),
        ("PRD", (), True),
        ("production", (), True),
        ("product-dev", (), False),
        ("staging", (), False),
        ("env-7", ({"tier": "prod"},), True),
        ("env-7", ({"proton:environment": "arn:aws:proton:x:1:environment/prod"},), False),
        ("env-7", ({"owner": "prod-team"},), False),
        ("env-7", ({"Stage": "Production"},), True),
    ],
)
def test_production_like(name: str, maps: tuple, expected: bool) -> None:
    assert is_production_like(name, *maps) is expected


def test_dependency_order_puts_dependencies_first() -> None:
    ctx = corpus_context(corpus_pipeline_bundles()[0])
    order = [u.arn for u in dependency_order(reversed(ctx.units))]
    for unit in ctx.units:
        assert all(order.index(d) < order.index(unit.arn) for d in unit.depends_on)


@pytest.mark.parametrize("bundle", corpus_pipeline_bundles(), ids=lambda p: p.parent.name)
def test_corpus_pipelines_lose_every_proton_call(bundle) -> None:
    ctx = corpus_context(bundle)
    pipeline = ctx.units[-1]
    stacks = {u.name: str(u.stack_name) for u in ctx.units if u.kind == "service_instance"}
    result = convert_pipeline_template(
        str(pipeline.deployed_template), CommandContext(pipeline.service, stacks)
    )
    assert result.changed and "aws proton" not in result.text
    assert "proton:" not in result.text.replace("proton:account", "")  # IAM actions replaced too
    codes = {f.code for f in result.findings}
    assert {"I-PIPE-GET-SERVICE", "I-PIPE-UPDATE-INSTANCE", "I-PIPE-WAIT", "I-PIPE-IAM"} <= codes
    steps = build_steps(result.text, sorted(stacks))
    deploys = [s for s in steps if s.instance]
    assert sorted(s.instance for s in deploys) == sorted(
        stacks
    )  # buildspecs still parse, one deploy per instance
    assert all("build" in s.phases for s in deploys)
