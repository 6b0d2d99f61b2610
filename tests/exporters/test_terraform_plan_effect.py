"""The plan-effect model of the AWS provider's aws_cloudformation_stack (exporters/terraform/plan_effect.py):
each rule it encodes from the provider's stack.go / flex.go, over DescribeStacks-shaped records."""

from __future__ import annotations

import json

import pytest

from exporters.terraform.plan_effect import (
    MASK,
    StackConfig,
    apply_state,
    cloudformation_updates,
    normalise_template,
    plan_module,
    plan_stack,
    read_stack,
    summary,
)

YAML = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n" + "Outputs:\n  Arn:\n    Value: !Ref Topic\n"
JSON = (
    '{\n  "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},\n'
    '  "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}}\n}'
)


def described(name: str = "AWSProton-dev-cloudformation--X", **extra: object) -> dict:
    record = {
        "StackId": f"arn:aws:cloudformation:us-east-1:111111111111:stack/{name}/uuid",
        "StackName": name,
        "Parameters": [],
        "Tags": [
            {"Key": "proton:environment", "Value": "arn:env"},
            {"Key": "aws:cloudformation:x", "Value": "y"},
        ],
        "Capabilities": ["CAPABILITY_IAM"],
        "RoleARN": "arn:aws:iam::111111111111:role/proton",
        "Outputs": [{"OutputKey": "Arn", "OutputValue": "arn:sns"}],
    }
    record.update(extra)
    return record


def config(**extra: object) -> StackConfig:
    base = {
        "address": "environment_dev",
        "name": "AWSProton-dev-cloudformation--X",
        "template_body": YAML,
        "tags": {"proton:environment": "arn:env"},
        "capabilities": ("CAPABILITY_IAM",),
        "iam_role_arn": "arn:aws:iam::111111111111:role/proton",
    }
    base.update(extra)
    return StackConfig(**base)  # type: ignore[arg-type]


def test_an_exact_configuration_imports_with_no_change() -> None:
    effect = plan_stack(config(), read_stack(described(), YAML), importing=True)
    assert (effect.action, effect.changed, effect.importing) == ("no-op", (), True)
    assert summary([effect]) == "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."


def test_yaml_is_compared_byte_for_byte_and_json_semantically() -> None:
    state = read_stack(described(), YAML)
    effect = plan_stack(config(template_body=YAML.replace("  Topic", "    Topic")), state, importing=True)
    assert effect.action == "update" and effect.changed[0][0] == "template_body"
    # a trailing newline alone is a diff for YAML (the exporter writes chomp(file()) for such stacks)
    assert plan_stack(config(template_body=YAML + "\n"), state, importing=True).action == "update"
    json_state = read_stack(described(), JSON)
    reordered = json.dumps(json.loads(JSON), indent=4, sort_keys=False)
    assert plan_stack(config(template_body=reordered), json_state, importing=True).action == "no-op"
    assert normalise_template(JSON) == normalise_template(reordered) != JSON


def test_the_import_keeps_no_parameters_so_the_first_plan_updates_them() -> None:
    record = described(Parameters=[{"ParameterKey": "Size", "ParameterValue": "2"}])
    state = read_stack(record, YAML)
    assert state.parameters == {}
    cfg = config(parameters={"Size": "2"})
    first = plan_stack(cfg, state, importing=True)
    assert first.action == "update" and [a for a, _ in first.changed] == ["parameters"]
    # the apply is a no-op UpdateStack; reading back keeps the configured keys: the next plan is empty
    reread = read_stack(record, YAML, prior=cfg.parameters)
    assert reread.parameters == {"Size": "2"} == apply_state(cfg, state).parameters
    assert plan_stack(cfg, reread, importing=False).action == "no-op"
    changed = plan_stack(config(parameters={"Size": "3"}), reread, importing=False)
    assert changed.changed == (("parameters", "differ: Size"),)


def test_noecho_parameters_show_an_update_on_every_plan() -> None:
    record = described(Parameters=[{"ParameterKey": "Password", "ParameterValue": MASK}])
    cfg = config(parameters={"Password": MASK}, sensitive=frozenset({"Password"}))
    after = apply_state(cfg, read_stack(record, YAML))
    assert after.parameters == {"Password": MASK}
    effect = plan_stack(cfg, after, importing=False)
    assert effect.action == "update" and "NoEcho" in effect.changed[0][1]


@pytest.mark.parametrize(
    ("change", "attribute", "action"),
    [
        ({"name": "Other"}, "name", "replace"),
        ({"tags": {}}, "tags", "update"),
        ({"capabilities": ()}, "capabilities", "update"),
        ({"iam_role_arn": ""}, "iam_role_arn", "update"),
    ],
)
def test_each_attribute_diff_has_the_providers_effect(change: dict, attribute: str, action: str) -> None:
    effect = plan_stack(config(**change), read_stack(described(), YAML), importing=True)
    assert effect.action == action and attribute in [a for a, _ in effect.changed]


def test_a_timeout_the_configuration_does_not_set_forces_a_new_stack() -> None:
    effect = plan_stack(config(), read_stack(described(TimeoutInMinutes=30), YAML), importing=True)
    assert effect.action == "replace" and effect.changed[0][0] == "timeout_in_minutes"
    assert summary([effect]) == "Plan: 1 to import, 1 to add, 0 to change, 1 to destroy."


def test_aws_tags_are_ignored_as_the_provider_ignores_them() -> None:
    state = read_stack(described(), YAML)
    assert "aws:cloudformation:x" not in state.tags
    assert plan_stack(
        config(tags={"proton:environment": "arn:env", "aws:x": "1"}), state, importing=True
    ).action == ("no-op")


def test_a_reference_to_a_changing_stack_is_known_after_apply() -> None:
    env_record = described(Parameters=[{"ParameterKey": "Size", "ParameterValue": "2"}])
    inst_record = described(
        "AWSProton-api-dev-cloudformation--Y",
        Parameters=[{"ParameterKey": "TopicArn", "ParameterValue": "arn:sns"}],
    )
    env = config(parameters={"Size": "2"})
    inst = config(
        address="instance_api_dev",
        name="AWSProton-api-dev-cloudformation--Y",
        parameters={"TopicArn": "arn:sns"},
        references={"TopicArn": "environment_dev"},
    )
    states = {
        "environment_dev": read_stack(env_record, YAML),
        "instance_api_dev": read_stack(inst_record, YAML),
    }
    effects = plan_module([env, inst], states, importing=False)
    assert [e.action for e in effects] == ["update", "update"]
    assert "known after apply" in effects[1].changed[0][1]
    assert summary(effects) == "Plan: 0 to add, 2 to change, 0 to destroy."
    quiet = {k: apply_state(c, states[k]) for k, c in (("environment_dev", env), ("instance_api_dev", inst))}
    assert summary(plan_module([env, inst], quiet, importing=False)).startswith("No changes.")


SHARED = (
    "Parameters:\n  TopicName:\n    Type: String\n"
    "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref TopicName\n"
    "Outputs:\n  Arn:\n    Value: !Ref Topic\n"
)
DEPLOYED = (
    "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: orders\n"
    "Outputs:\n  Arn:\n    Value: !Ref Topic\n"
)


def test_a_shared_template_is_stored_by_the_apply_so_the_next_plan_is_empty() -> None:
    """The shared template declares what the deployed copy resolved: CloudFormation sees a changed
    template, performs the update (no resource changes) and stores it; the provider reads it back."""
    state = read_stack(described(), DEPLOYED)
    cfg = config(template_body=SHARED, parameters={"TopicName": "orders"})
    first = plan_stack(cfg, state, importing=True)
    assert [a for a, _ in first.changed] == ["template_body", "parameters"]
    assert cloudformation_updates(cfg, state)
    after = apply_state(cfg, state)
    assert after.template_body == SHARED and after.parameters == {"TopicName": "orders"}
    assert plan_stack(cfg, after, importing=False).action == "no-op"


def test_a_template_that_differs_only_in_text_keeps_its_diff_on_every_plan() -> None:
    """Same template once parsed, same parameters and tags: "No updates are to be performed", the stack
    keeps its text, and every refresh reads that text back: a permanent ~ template_body."""
    state = read_stack(described(), DEPLOYED)
    reworded = "# shared\n" + DEPLOYED.replace("TopicName: orders", "TopicName: 'orders'")
    cfg = config(template_body=reworded)
    assert not cloudformation_updates(cfg, state)
    after = apply_state(cfg, state)
    assert after.template_body == DEPLOYED
    again = plan_stack(cfg, after, importing=False)
    assert [a for a, _ in again.changed] == ["template_body"]
    # a tag change makes it an update CloudFormation performs: the text is stored with it
    retagged = config(template_body=reworded, tags={"proton:environment": "arn:env", "team": "a"})
    assert cloudformation_updates(retagged, state)
    assert plan_stack(retagged, apply_state(retagged, state), importing=False).action == "no-op"
    # a changed parameter value, too
    record = described(Parameters=[{"ParameterKey": "TopicName", "ParameterValue": "orders"}])
    moved = config(template_body=SHARED, parameters={"TopicName": "billing"})
    assert cloudformation_updates(moved, read_stack(record, SHARED))
    assert not cloudformation_updates(
        config(template_body=SHARED, parameters={"TopicName": "orders"}), read_stack(record, SHARED)
    )
