"""What a rehearsal counts: change-set changes as classified, stack-tag changes, planned changes."""

from __future__ import annotations

import json
from pathlib import Path

from proton_exodus.rehearse.changeset import resource_changes, tag_changes
from proton_exodus.rehearse.model import Change, Step
from proton_exodus.rehearse.planned import is_planned, load_planned
from proton_exodus.rehearse.run import Rehearsal


def test_describe_change_set_answers_become_classified_changes() -> None:
    described = {
        "Changes": [
            {
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "Task",
                    "ResourceType": "AWS::ECS::TaskDefinition",
                    "Replacement": "True",
                    "Details": [{"Target": {"Attribute": "Properties", "Name": "ContainerDefinitions"}}],
                }
            },
            {
                "ResourceChange": {
                    "Action": "Add",
                    "LogicalResourceId": "Queue",
                    "ResourceType": "AWS::SQS::Queue",
                }
            },
            {
                "ResourceChange": {
                    "Action": "Remove",
                    "LogicalResourceId": "Old",
                    "ResourceType": "AWS::SNS::Topic",
                    "Replacement": "True",
                }
            },
        ]
    }
    changes = resource_changes(described)
    assert [(c.action, c.logical_id, c.replacement, c.properties, c.replaces) for c in changes] == [
        ("Remove", "Old", "", (), False),
        ("Add", "Queue", "", (), False),
        ("Modify", "Task", "True", ("ContainerDefinitions",), True),
    ]


def test_stack_tag_changes_ignore_aws_tags_and_name_what_changed() -> None:
    assert tag_changes({"a": "1", "aws:x": "y"}, {"a": "1"}) == []
    (change,) = tag_changes({"a": "1", "gone": "z"}, {"a": "2", "new": "n"})
    assert (change.action, change.properties) == ("Tags", ("a", "gone", "new"))


def test_planned_changes_match_stack_resource_and_property(tmp_path: Path) -> None:
    assert load_planned(tmp_path) is None
    (tmp_path / "PLANNED_CHANGES.json").write_text(
        json.dumps(
            {
                "changes": [
                    {
                        "stack": "s1",
                        "resource": "Task",
                        "property": "Properties.ContainerDefinitions",
                        "effect": "Replacement",
                    },
                    {"stack": "s1", "resource": "Fn"},
                ]
            }
        )
    )
    planned = load_planned(tmp_path)
    task = Change("Modify", "Task", "AWS::ECS::TaskDefinition", "True", ("ContainerDefinitions",))
    assert is_planned("s1", task, planned) and not is_planned("s2", task, planned)
    assert not is_planned(
        "s1", Change("Modify", "Task", "", "False", ("ContainerDefinitions", "Cpu")), planned
    )
    assert is_planned("s1", Change("Modify", "Fn", "", "False", ("Environment",)), planned)
    assert not is_planned("s1", Change("Tags", "(stack)", properties=("exodus:source",)), planned)


def test_verdict_fails_on_failed_steps_and_unplanned_changes_and_replacements() -> None:
    ok = Rehearsal("t", 1, "local", [Step(1, "deploy", "s", outcome="no-op")])
    assert ok.passed and ok.summary()["noOps"] == 1
    planned_replacement = Change("Modify", "T", "", "True", ("X",), planned=True)
    replaced = Rehearsal("t", 1, "local", [Step(1, "deploy", "s", changes=[planned_replacement])])
    assert (
        replaced.passed and replaced.summary()["replacements"] == 1 and replaced.summary()["unplanned"] == 0
    )
    replaced.steps[0].changes = [Change("Modify", "T", "", "Conditional", ("X",))]
    assert not replaced.passed and replaced.summary()["replacements"] == 1
    unplanned = Rehearsal("t", 1, "local", [Step(1, "deploy", "s", changes=[Change("Tags", "(stack)")])])
    assert not unplanned.passed and unplanned.summary()["modifications"] == 1
    assert not Rehearsal("t", 1, "local", [Step(1, "deploy", "s", outcome="failed")]).passed
