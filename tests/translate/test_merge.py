"""translate.merge: renders per combination of finite-domain variables merged into one template whose
resolution with each combination's parameter values is that combination's render."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from proton_exodus.cfn.normalise import normalise
from proton_exodus.cfn.resolve import resolve_parameters
from proton_exodus.translate.merge import Choice, Conditions, NotMergeable, merge_renders

SIZES = {"small": ("256", "512"), "large": ("1024", "2048")}


def _render(assigned: dict[str, str]) -> dict[str, Any]:
    """A stand-in for a Jinja render: shape and values depend on Exec (bool) and Size (enum)."""
    cpu, memory = SIZES[assigned["Size"]]
    env = [{"Name": "A", "Value": "1"}]
    if assigned["Exec"] == "true":
        env.append({"Name": "EXEC", "Value": "on"})
    env.append({"Name": "Z", "Value": "26"})
    props: dict[str, Any] = {"Cpu": cpu, "Memory": memory, "Env": env}
    if assigned["Exec"] == "true":
        props["Policy"] = ["arn:x"]
    resources: dict[str, Any] = {"Task": {"Type": "T", "Properties": props}}
    if assigned["Size"] == "large":
        resources["Alarm"] = {"Type": "A", "Properties": {"Threshold": "90"}}
    return {"Resources": resources, "Outputs": {"Cpu": {"Value": cpu}}}


CHOICES = [Choice("Exec", ("true", "false")), Choice("Size", ("small", "large"))]


def _merged() -> tuple[dict[str, Any], Conditions]:
    conditions = Conditions()
    return merge_renders(CHOICES, _render, conditions), conditions


@pytest.mark.parametrize(("exec_", "size"), list(itertools.product(["true", "false"], ["small", "large"])))
def test_merged_template_resolves_to_each_render(exec_: str, size: str) -> None:
    merged, conditions = _merged()
    template = {
        "Parameters": {"Exec": {"Type": "String"}, "Size": {"Type": "String"}},
        "Conditions": conditions.body,
        **merged,
    }
    resolved = resolve_parameters(normalise(template), {"Exec": exec_, "Size": size})
    assert resolved == normalise(_render({"Exec": exec_, "Size": size}))


def test_differences_become_conditions_not_copies() -> None:
    merged, conditions = _merged()
    task = merged["Resources"]["Task"]["Properties"]
    assert task["Cpu"] == {"Fn::If": ["IsSizeSmall", "256", "1024"]}
    assert task["Policy"] == {"Fn::If": ["IsExec", ["arn:x"], {"Ref": "AWS::NoValue"}]}
    assert task["Env"][1] == {"Fn::If": ["IsExec", {"Name": "EXEC", "Value": "on"}, {"Ref": "AWS::NoValue"}]}
    assert merged["Resources"]["Alarm"]["Condition"] == "NotIsSizeSmall"
    assert set(conditions.body) == {"IsExec", "IsSizeSmall", "NotIsSizeSmall"}


def test_a_type_that_differs_cannot_be_a_condition() -> None:
    def render(assigned: dict[str, str]) -> dict[str, Any]:
        return {"Resources": {"R": {"Type": "A" if assigned["Exec"] == "true" else "B"}}}

    with pytest.raises(NotMergeable, match="Type"):
        merge_renders([CHOICES[0]], render, Conditions())


def test_a_choice_with_its_own_tests_conditions_on_them_not_on_a_parameter() -> None:
    """A list's length is no parameter: its renders merge under the condition bodies the choice carries,
    and the merged tree resolves to each length's render."""
    from proton_exodus.translate.stacks import _length_tests

    tests = _length_tests("Names", ("1", "2"))
    choice = Choice("NamesLength", ("1", "2"), tests)

    def render(assigned: dict[str, str]) -> Any:
        n = int(assigned["NamesLength"])
        queues = {f"Q{i + 1}": {"Type": "AWS::SQS::Queue"} for i in range(n)}
        return {"Resources": queues, "Outputs": {"All": {"Value": [{"Ref": q} for q in queues]}}}

    conditions = Conditions()
    merged = merge_renders([choice], render, conditions)
    assert conditions.body["IsNamesLength1"] == tests["1"]
    assert "'Ref': 'NamesLength'" not in str(conditions.body)  # no such parameter is referenced
    template = {
        "Parameters": {"Names": {"Type": "CommaDelimitedList"}},
        "Conditions": conditions.body,
        **merged,
    }
    for names in ("a", "a,b"):
        resolved = resolve_parameters(normalise(template), {"Names": names})
        assert resolved == normalise(render({"NamesLength": str(len(names.split(",")))})), names
