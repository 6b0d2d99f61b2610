"""Schema parsing, defaults and validation: every keyword reports its path; minor-version compatibility."""

from __future__ import annotations

import pytest

from proton_exodus.errors import SchemaError
from proton_exodus.proton.schema import TemplateSchema, check_minor_compatible
from tests.proton.render.helpers import ENV_SCHEMA, SVC_SCHEMA

SVC = TemplateSchema.parse(SVC_SCHEMA)


def check(values: dict, path: str = "instances[1].spec") -> str:
    with pytest.raises(SchemaError) as err:
        SVC.apply_defaults_and_validate("service", values, path=path)
    return err.value.message


def test_defaults_fill_missing_inputs_and_optional_stays_absent() -> None:
    out = SVC.apply_defaults_and_validate("service", {"image": "nginx", "scaling": {}}, path="spec")
    assert out == {"image": "nginx", "desired_count": 1, "size": "small", "scaling": {"max": 4}}
    assert "optional_thing" not in out


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"image": "x", "desired_count": 60},
            "instances[1].spec.desired_count: 60 is greater than the maximum of 50",
        ),
        (
            {"image": "x", "desired_count": 0},
            "instances[1].spec.desired_count: 0 is less than the minimum of 1",
        ),
        (
            {"image": "x", "desired_count": "2"},
            "instances[1].spec.desired_count: '2' is not of type 'number'",
        ),
        ({"image": "x", "size": "huge"}, "instances[1].spec.size: 'huge' is not one of ['small', 'large']"),
        ({"image": "x", "name_tag": "Abc"}, "instances[1].spec.name_tag: 'Abc' does not match '^[a-z]+$'"),
        ({"image": ""}, "instances[1].spec.image: '' should be non-empty"),
        ({"image": "x" * 21}, "instances[1].spec.image: '" + "x" * 21 + "' is too long"),
        ({"image": "x", "ports": []}, "instances[1].spec.ports: [] should be non-empty"),
        ({"image": "x", "ports": [1, 2, 3]}, "instances[1].spec.ports: [1, 2, 3] is too long"),
        ({"image": "x", "ports": [1, "a"]}, "instances[1].spec.ports[1]: 'a' is not of type 'number'"),
        (
            {"image": "x", "scaling": {"max": 11}},
            "instances[1].spec.scaling.max: 11 is greater than the maximum of 10",
        ),
        ({}, "instances[1].spec.image: is required but missing"),
    ],
)
def test_each_keyword_reports_path_and_problem(values: dict, message: str) -> None:
    assert check(values) == message


def test_every_violation_is_listed() -> None:
    message = check({"desired_count": 60, "size": "huge"})
    assert message.count(";") == 2
    assert (
        "desired_count: 60 is greater" in message
        and "size: 'huge'" in message
        and "image: is required" in message
    )


def test_openapi_nullable_and_exclusive_minimum() -> None:
    schema = TemplateSchema.parse(
        ENV_SCHEMA.replace("          pattern:", "          nullable: true\n          pattern:")
        + "        ratio: {type: number, minimum: 0, exclusiveMinimum: true}\n"
    )
    assert (
        schema.apply_defaults_and_validate("environment", {"vpc_cidr": None}, path="spec")["vpc_cidr"] is None
    )
    with pytest.raises(SchemaError, match=r"spec.ratio: 0 is less than or equal to the minimum of 0"):
        schema.apply_defaults_and_validate("environment", {"ratio": 0}, path="spec")


def test_unanchored_pattern_as_proton_samples_use() -> None:
    env = TemplateSchema.parse(ENV_SCHEMA)
    assert env.apply_defaults_and_validate("environment", {"vpc_cidr": "10.1.0.0/24"}, path="spec")
    with pytest.raises(SchemaError, match=r"spec.vpc_cidr: 'ten' does not match"):
        env.apply_defaults_and_validate("environment", {"vpc_cidr": "ten"}, path="spec")


def test_kind_without_input_type_takes_no_inputs() -> None:
    env = TemplateSchema.parse(ENV_SCHEMA)
    with pytest.raises(SchemaError, match="defines no pipeline_input_type"):
        env.apply_defaults_and_validate("pipeline", {"a": 1}, path="pipeline")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema: [", "schema.yaml line 1: not valid YAML"),
        ("types: {}", "the top-level key must be `schema:`"),
        (
            "schema:\n  format: {openapi: '2.0'}\n  environment_input_type: X\n  types: {X: {type: object}}",
            "schema.format.openapi must be \"3.0.0\"",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  types: {}",
            "needs environment_input_type or service_input_type",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  service_input_type: Missing\n  types: {}",
            "names type 'Missing', which is not defined under schema.types",
        ),
        (
            "schema:\n  format: {openapi: 3.0.0}\n  environment_input_type: X\n  types:\n    X:\n"
            "      type: object\n      properties: {a: {type: string, minLength: many}}",
            "schema.types.X.properties.a.minLength: 'many'",
        ),
    ],
)
def test_bad_schema_files(text: str, message: str) -> None:
    with pytest.raises(SchemaError) as err:
        TemplateSchema.parse(text)
    assert message in err.value.message


def test_minor_compatibility() -> None:
    assert check_minor_compatible(SVC, SVC) == []
    new = TemplateSchema.parse(
        SVC_SCHEMA.replace("      required: [image]", "      required: [image, name_tag]")
        .replace("enum: [small, large]", "enum: [small]")
        .replace("optional_thing: {type: string}", "optional_thing: {type: number}")
        .replace(
            "        unit_test_command: {type: string, default: make test}\n",
            "        other: {type: string}\n",
        )
    )
    assert check_minor_compatible(SVC, new) == [
        "pipeline input 'unit_test_command' was removed",
        "service input 'name_tag' became required without a default",
        "service input 'optional_thing' changed type from string to number",
        "service input 'size' narrowed its enum",
    ]
    added = TemplateSchema.parse(
        SVC_SCHEMA.replace(
            "        optional_thing: {type: string}\n",
            "        optional_thing: {type: string}\n        extra: {type: string, default: a}\n",
        )
    )
    assert check_minor_compatible(SVC, added) == []
