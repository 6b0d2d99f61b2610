"""Hypothesis fuzzing of the spec parser, the schema validator and the renderer: whatever the input, they
return a result or raise an ExodusError subclass (one line), never anything else."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proton_exodus.errors import ExodusError
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.render import render_environment
from proton_exodus.proton.schema import TemplateSchema
from proton_exodus.proton.spec import parse_spec
from tests.proton.render.helpers import ENV_SCHEMA, SVC_SCHEMA
from tests.support.bundles import CFN_MANIFEST, tar_gz

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=10),
)
json_like = st.recursive(
    scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)
    ),
    max_leaves=20,
)
input_names = st.sampled_from(
    [
        "image",
        "desired_count",
        "size",
        "name_tag",
        "ports",
        "scaling",
        "optional_thing",
        "vpc_cidr",
        "max",
        "x",
        "",
        "__class__",
    ]
)
input_maps = st.one_of(
    json_like, st.dictionaries(st.one_of(input_names, st.text(max_size=8)), json_like, max_size=6)
)


def _one_line(err: ExodusError) -> None:
    assert "\n" not in err.message, err.message


@FUZZ
@given(values=input_maps, kind=st.sampled_from(["service", "pipeline", "environment"]))
def test_schema_validator_takes_anything(values: Any, kind: str) -> None:
    schema = TemplateSchema.parse(SVC_SCHEMA if kind != "environment" else ENV_SCHEMA)
    try:
        out = schema.apply_defaults_and_validate(kind, values, path="spec")
    except ExodusError as err:
        _one_line(err)
    else:
        assert isinstance(out, dict)


schema_nodes = st.recursive(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(
                ["string", "number", "integer", "boolean", "array", "object", "null", "frob", 5]
            ),
            "default": json_like,
            "minimum": scalars,
            "maxLength": scalars,
            "pattern": st.sampled_from(["^a$", "(", "[", "\\", "a{99999}"]),
            "enum": st.lists(scalars, max_size=3),
        },
    ),
    lambda kids: st.fixed_dictionaries(
        {"type": st.just("object")},
        optional={
            "properties": st.dictionaries(input_names, kids, max_size=3),
            "required": st.one_of(st.lists(input_names, max_size=2), scalars),
            "items": kids,
        },
    ),
    max_leaves=8,
)


@FUZZ
@given(root=schema_nodes, values=input_maps)
def test_random_schemas_parse_and_validate_or_fail_cleanly(root: dict[str, Any], values: Any) -> None:
    doc = {"schema": {"format": {"openapi": "3.0.0"}, "environment_input_type": "E", "types": {"E": root}}}
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        schema = TemplateSchema.parse(text)
        schema.apply_defaults_and_validate("environment", values, path="spec")
    except ExodusError as err:
        _one_line(err)


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300),
        json_like.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    )
)
def test_spec_and_schema_parsers_take_any_text(text: str | bytes) -> None:
    for parse in (parse_spec, TemplateSchema.parse):
        try:
            parse(text)
        except ExodusError as err:
            _one_line(err)


FREE_SCHEMA = """schema:
  format: {openapi: "3.0.0"}
  environment_input_type: E
  types:
    E:
      type: object
      properties:
        free: {type: string, default: x}
        n: {type: number, default: 1}
        items: {type: array, default: []}
"""
TEMPLATE = """Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: {{ environment.inputs.free }}
      DisplayName: '{{ environment.inputs.free }}-{{ environment.inputs.n }}'
      Tags:
{%- for item in environment.inputs['items'] %}
        - Key: k{{ loop.index }}
          Value: "{{ item }}"
{%- endfor %}
"""


@pytest.fixture(scope="module")
def free_bundle() -> Any:
    return load_bundle(
        tar_gz(
            {
                "schema/schema.yaml": FREE_SCHEMA,
                "infrastructure/manifest.yaml": CFN_MANIFEST,
                "infrastructure/cloudformation.yaml": TEMPLATE,
            }
        )
    )


@FUZZ
@given(
    free=st.one_of(st.text(max_size=200), json_like),
    n=scalars,
    items=st.one_of(st.lists(st.text(max_size=20), max_size=4), json_like),
    name=st.text(max_size=30),
)
def test_substitution_of_arbitrary_values_never_crashes(
    free_bundle: Any, free: Any, n: Any, items: Any, name: str
) -> None:
    try:
        out = render_environment(free_bundle, name=name, inputs={"free": free, "n": n, "items": items})
    except ExodusError as err:
        _one_line(err)
    else:
        assert out.text is not None


jinja_soup = st.lists(
    st.sampled_from(
        [
            "{{",
            "}}",
            "{%",
            "%}",
            "{#",
            "#}",
            "for",
            "if",
            "endfor",
            "endif",
            "x",
            " ",
            "environment",
            ".",
            "inputs",
            "__class__",
            "|",
            "attr",
            "(",
            ")",
            "'",
            "\n",
            "Resources:",
            "  ",
            ":",
            "-",
            "*",
            "**",
            "9",
            "range",
            "in",
            "loop",
        ]
    ),
    max_size=40,
).map("".join)


@FUZZ
@given(template=st.one_of(jinja_soup, st.text(max_size=200)))
def test_arbitrary_templates_render_or_fail_cleanly(template: str) -> None:
    try:
        bundle = load_bundle(
            tar_gz(
                {
                    "schema/schema.yaml": FREE_SCHEMA,
                    "infrastructure/manifest.yaml": CFN_MANIFEST,
                    "infrastructure/cloudformation.yaml": template,
                }
            )
        )
        render_environment(bundle, name="env", inputs={})
    except ExodusError as err:
        _one_line(err)
