"""Check that a rendered CloudFormation template is one: non-empty, valid YAML/JSON, a mapping with Resources.

Reads with cfn/text.py's loader (libyaml when present, every `!Tag` short form accepted) so the check
stays cheap enough for >1,000 renders per second.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from proton_exodus.cfn.text import parse_template
from proton_exodus.errors import RenderError

__all__ = ["check_cloudformation", "check_cloudformation_shaped"]

_GOOD_SHAPES: dict[str, None] = {}  # shapes (jinja_env._shape) known to parse as CloudFormation
_MAX_SHAPES = 4096


def check_cloudformation(text: str, *, source: str) -> dict[str, Any]:
    """The parsed template; RenderError saying why when the render is not a CloudFormation template."""
    if not text.strip():
        raise RenderError(f"{source}: the rendered template is empty")
    try:
        doc = parse_template(text)
    except json.JSONDecodeError as err:
        raise RenderError(
            f"{source}: the rendered template is not valid JSON (line {err.lineno}: {err.msg})"
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (rendered line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise RenderError(
            f"{source}: the rendered template is not valid YAML{where}: {problem}",
            hint="check the indentation around {{ }} placeholders and quote values "
            "that contain ': ' or start with a YAML special character",
        ) from None
    if not isinstance(doc, dict):
        raise RenderError(
            f"{source}: the rendered template is not a CloudFormation template "
            f"(top level is {type(doc).__name__}, not a mapping)"
        )
    if not isinstance(doc.get("Resources"), dict) or not doc["Resources"]:
        raise RenderError(
            f"{source}: the rendered template has no Resources; CloudFormation needs at least one"
        )
    return doc


def check_cloudformation_shaped(text: str, shape: str | None, *, source: str) -> None:
    """check_cloudformation, skipped when a render of the same YAML shape already passed it."""
    if shape is not None and shape in _GOOD_SHAPES:
        return
    check_cloudformation(text, source=source)
    if shape is not None:
        if len(_GOOD_SHAPES) >= _MAX_SHAPES:
            _GOOD_SHAPES.pop(next(iter(_GOOD_SHAPES)))
        _GOOD_SHAPES[shape] = None
