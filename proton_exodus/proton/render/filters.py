"""Proton's custom Jinja filters (shared/reference/PROTON.md §2.3, UG `parameter-filters`).

The three multi-line filters wrap their output in marker characters; `jinja_env.reindent` later indents
every following line to the column where the `{{ ... }}` placeholder started, which is how the
rendered examples in Proton's docs look (the filter output lands inside an indented YAML list/map).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from jinja2.exceptions import TemplateRuntimeError
from jinja2.runtime import Undefined

__all__ = ["FILTERS", "ML_END", "ML_START", "FilterFailure"]

ML_START, ML_END = "\ue000", "\ue001"  # private-use characters: cannot come from YAML/JSON inputs
SAFE_VALUE = re.compile(r"^[a-zA-Z0-9_-]*$")
IAM_POLICY_ARN = re.compile(r"^arn:[a-zA-Z-]+:iam::\d{12}:policy/")
ARN = re.compile(r"^arn:[a-zA-Z-]+:[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:(?:\d{12}|aws)?:\S+$")
_PLAIN = re.compile(r"^[A-Za-z0-9_./@+=,:-]+$")


class FilterFailure(TemplateRuntimeError):
    """A Proton filter refused its input; the message is Proton's."""


def _outputs(value: Any, name: str) -> Mapping[str, Any]:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if not isinstance(value, Mapping):
        raise FilterFailure(f"{name} expects a mapping of outputs, got {type(value).__name__}")
    return value


def _checked(value: Any, raw: bool) -> str:
    text = "" if value is None else str(value)
    if not raw and not SAFE_VALUE.match(text):
        raise FilterFailure(f'Illegal character(s) detected in "{text}". Must match regex ^[a-zA-Z0-9_-]*$')
    return text


_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=4096)
def yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as the same string (plain when that is safe)."""
    if (
        _PLAIN.match(text)
        and not text.startswith(("-", ":"))
        and not text.endswith(":")
        and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(lines: list[str]) -> str:
    return ML_START + "\n".join(lines) + ML_END if lines else ""


def proton_cfn_ecs_task_definition_formatted_env_vars(value: Any, raw: bool = True) -> str:
    """Outputs dict -> ECS ContainerDefinitions[].Environment list items (`- Name: k` / `Value: v`)."""
    outputs = _outputs(value, "proton_cfn_ecs_task_definition_formatted_env_vars")
    lines: list[str] = []
    for key, val in outputs.items():
        lines += [f"- Name: {yaml_scalar(str(key))}", f"  Value: {yaml_scalar(_checked(val, raw))}"]
    return _block(lines)


def proton_cfn_lambda_function_formatted_env_vars(value: Any, raw: bool = True) -> str:
    """Outputs dict -> Lambda Environment.Variables entries (`k: v`)."""
    outputs = _outputs(value, "proton_cfn_lambda_function_formatted_env_vars")
    return _block([f"{yaml_scalar(str(k))}: {yaml_scalar(_checked(v, raw))}" for k, v in outputs.items()])


def proton_cfn_iam_policy_arns(value: Any) -> str:
    """Outputs dict -> list items of the values that are IAM policy ARNs (for ManagedPolicyArns)."""
    outputs = _outputs(value, "proton_cfn_iam_policy_arns")
    arns = [str(v) for v in outputs.values() if isinstance(v, str) and IAM_POLICY_ARN.match(v)]
    return _block([f"- {yaml_scalar(arn)}" for arn in arns])


def proton_cfn_sanitize(value: Any) -> str:
    """The value itself if it matches ^[a-zA-Z0-9_-]*$ or is an ARN; otherwise rendering fails."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    text = "" if value is None else str(value)
    if SAFE_VALUE.match(text) or ARN.match(text):
        return text
    raise FilterFailure(
        f'Illegal character(s) detected in "{text}". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN'
    )


FILTERS: dict[str, Callable[..., str]] = {
    "proton_cfn_ecs_task_definition_formatted_env_vars": proton_cfn_ecs_task_definition_formatted_env_vars,
    "proton_cfn_lambda_function_formatted_env_vars": proton_cfn_lambda_function_formatted_env_vars,
    "proton_cfn_iam_policy_arns": proton_cfn_iam_policy_arns,
    "proton_cfn_sanitize": proton_cfn_sanitize,
}
