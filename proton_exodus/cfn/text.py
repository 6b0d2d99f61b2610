"""CloudFormation text in and out: the one YAML loader that reads short-form tags (`!Ref`, `!GetAtt a.b`,
`!Sub`, ...) into their long form, the project's one libyaml fallback, and the one template dumper.

Named `text` (not `yaml`) so no module here ever shadows PyYAML in an import.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from proton_exodus.errors import BadInput

__all__ = ["INTRINSIC_TAGS", "SafeLoader", "dump_template", "load_template", "load_yaml", "parse_template"]

# libyaml's C loader when PyYAML was built with it: the same results, about 10x faster (20,000 stacks,
# every spec). This is the project's only fallback between the two.
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# CloudFormation's intrinsic functions and condition functions in short form (`strict` reads only these).
INTRINSIC_TAGS = frozenset(
    {
        "Ref",
        "Condition",
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "ImportValue",
        "Join",
        "Select",
        "Split",
        "Sub",
        "Transform",
        "And",
        "Equals",
        "If",
        "Not",
        "Or",
        "Length",
        "ToJsonString",
        "ForEach",
    }
)
_UNPREFIXED = ("Ref", "Condition")  # the long forms without `Fn::`


def load_yaml(text: str) -> Any:
    """`yaml.safe_load(text)` for YAML that is not CloudFormation (specs, manifests), through libyaml
    when present; raises yaml.YAMLError like safe_load."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader is a safe loader (C or Python)


class _CfnLoader(SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader plus every `!Tag` short form, read into long form (`{"Fn::Tag": value}`).

    `strict` is set per load (see parse_template): False reads any `!Tag` the way cfn-flip does;
    True reads only INTRINSIC_TAGS, with `!GetAtt [a, b]` items read as YAML data.
    """

    strict = False


def _intrinsic(loader: Any, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if loader.strict and suffix not in INTRINSIC_TAGS:
        loader.construct_undefined(node)  # raises ConstructorError naming the tag
    name = suffix if suffix in _UNPREFIXED else f"Fn::{suffix}"
    value: Any
    if suffix == "GetAtt" and isinstance(node, yaml.ScalarNode):
        value = node.value.split(".", 1)
    elif suffix == "GetAtt" and not loader.strict and isinstance(node, yaml.SequenceNode):
        value = [item.value for item in node.value]  # cfn-flip's reading: each item's text, as written
    elif isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


class _CfnTextLoader(_CfnLoader):
    """_CfnLoader without YAML's timestamp rule: CloudFormation reads `Version: 2012-10-17` as the
    string it is (the local cloud's reading, where a date object breaks JSON)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _CfnLoader.yaml_implicit_resolvers.items()
    }


def parse_template(text: str, *, strict: bool = False, json_first: bool = True, dates: bool = True) -> Any:
    """A CloudFormation template (JSON or YAML) as plain data, intrinsics in long form.

    `json_first`: text starting with `{` is read by the json module (raises ValueError), else by YAML
    (raises yaml.YAMLError). `strict` rejects tags that are not CloudFormation functions and reads
    `!GetAtt [a, !Ref b]` items as data; the default reads every tag as cfn-flip does. `dates=False`
    keeps unquoted dates as strings, as CloudFormation does.
    """
    if json_first and text.lstrip().startswith("{"):
        return json.loads(text)
    loader = (_CfnLoader if dates else _CfnTextLoader)(text)
    loader.strict = strict
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_template(text: str, *, source: str = "template") -> Any:
    """parse_template, with a one-line BadInput naming `source` when the text is neither JSON nor YAML."""
    try:
        return parse_template(text)
    except (ValueError, yaml.YAMLError) as err:
        first_line = str(err).splitlines()[0]
        raise BadInput(f"{source}: not a readable CloudFormation template ({first_line})") from None


def _ordered(node: Any, odict: type) -> Any:
    if isinstance(node, dict):
        return odict((k, _ordered(v, odict)) for k, v in node.items())
    if isinstance(node, list):
        return [_ordered(v, odict) for v in node]
    return node


def dump_template(tree: Any, *, shorten_all: bool = True) -> str:
    """CloudFormation YAML text of `tree` (cfn-flip's format): intrinsics in short form, keys in order.

    `shorten_all=False` writes `tree` as given: only cfn-flip's own ordered mappings (what cfn_flip.load
    returns) get short forms and their order; plain dicts added by code are written in long form with
    sorted keys. The service pipeline templates (sample_exports) depend on that.
    """
    from cfn_flip import dump_yaml  # imported on use: 30 ms that loading specs need not pay
    from cfn_tools.odict import ODict

    return dump_yaml(_ordered(tree, ODict) if shorten_all else tree, clean_up=False, long_form=False)
