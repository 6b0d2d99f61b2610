"""translate.rewrite: source rewrites that keep the render exact."""

from __future__ import annotations

from proton_exodus.cfn.resolve import fold
from proton_exodus.proton.render.jinja_env import namespace, render_jinja
from proton_exodus.translate.rewrite import derive_filters, expand_aliases

SOURCE = """A: x
{%- set comp = service_instance.components.default.outputs %}
B: "{{ comp.Bucket }}"
{%- if comp.Policy is defined %}
C: "{{ comp.Policy }}"
{%- endif %}
D: "{{ service_instance.inputs.path | replace('*', '') }}"
"""


def _render(text: str, ctx: dict) -> str:
    return render_jinja(text, {k: namespace(k, v) for k, v in ctx.items()}, source="t")


def test_alias_expansion_renders_the_same_text() -> None:
    ctx = {
        "service_instance": {
            "components": {"default": {"outputs": {"Bucket": "b", "Policy": "p"}}},
            "inputs": {"path": "/a/*"},
        }
    }
    text, aliases = expand_aliases(SOURCE)
    assert aliases == ["comp = service_instance.components.default.outputs"]
    assert "comp." not in text
    assert _render(text, ctx) == _render(SOURCE, ctx)


def test_replace_filter_becomes_join_split_with_the_same_value() -> None:
    text, derived = derive_filters(SOURCE)
    ((name, item),) = derived.items()
    assert name == "exodus_derived.d0" and "{{ exodus_derived.d0 }}" in text
    for value in ("/a/*", "*", "", "/no-star", "**x*"):
        node = item.intrinsic({"Ref": "Path"})
        folded = fold({"Resources": {"R": {"Properties": {"V": _sub(node, value)}}}})
        assert folded["Resources"]["R"]["Properties"]["V"] == value.replace("*", "")


def _sub(node: object, value: str) -> object:
    if node == {"Ref": "Path"}:
        return value
    if isinstance(node, dict):
        return {k: _sub(v, value) for k, v in node.items()}
    if isinstance(node, list):
        return [_sub(v, value) for v in node]
    return node
