"""proton/schema.py `input_defaults`: the lenient top-level defaults deployment units take from a snapshot."""

from __future__ import annotations

import pytest

from proton_exodus.proton.schema import TemplateSchema, input_defaults

SCHEMA = """\
schema:
  format: {openapi: "3.0.0"}
  service_input_type: Svc
  pipeline_input_type: Pipe
  types:
    Svc:
      type: object
      properties:
        port: {type: number, default: 80}
        name: {type: string}
        nested: {type: object, properties: {depth: {type: number, default: 2}}, default: {}}
    Pipe:
      $ref: '#/types/PipeBody'
    PipeBody:
      type: object
      properties:
        branch: {type: string, default: main}
"""


def test_top_level_defaults_only() -> None:
    # Nested defaults are the renderer's business (apply_defaults_and_validate); units keep top-level ones.
    assert input_defaults(SCHEMA, "service") == {"port": 80, "nested": {}}


def test_ref_to_a_named_type_is_followed() -> None:
    assert input_defaults(SCHEMA, "pipeline") == {"branch": "main"}


@pytest.mark.parametrize("text", [None, "", "not: [valid", "- a list", "schema: 3", "schema: {types: []}"])
def test_unreadable_schema_text_gives_no_defaults(text: str | None) -> None:
    assert input_defaults(text, "service") == {}


def test_kind_without_an_input_type_gives_no_defaults() -> None:
    assert input_defaults(SCHEMA, "environment") == {}


def test_renderer_and_units_agree_on_top_level_defaults() -> None:
    schema = TemplateSchema.parse(SCHEMA)
    filled = schema.apply_defaults_and_validate("service", {"name": "x"}, path="spec")
    assert filled == {"name": "x", **input_defaults(SCHEMA, "service")}
