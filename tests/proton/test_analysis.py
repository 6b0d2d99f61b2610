"""proton/analysis.py: the parameterisation rule (analyse_template) and the read-back rule (name_uses)."""

from __future__ import annotations

import pytest
from jinja2 import nodes

from proton_exodus.proton.analysis import (
    analyse_template,
    dotted_path,
    name_uses,
    structural_names,
)
from proton_exodus.proton.render.jinja_env import ENV


def _expr(source: str) -> nodes.Node:
    (output,) = ENV.parse("{{ " + source + " }}").body
    return output.nodes[0]


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("a", "a"),
        ("a.b.c", "a.b.c"),
        ("a['b'].c", "a.b.c"),
        ("a[0]", None),
        ("a.b | upper", None),
        ("f().x", None),
    ],
)
def test_dotted_path(source: str, path: str | None) -> None:
    assert dotted_path(_expr(source)) == path


# ------------------------------------------------------------ analyse_template: may it become a parameter?


def test_bare_outputs_are_substitutions() -> None:
    result = analyse_template("A: {{ environment.inputs.cidr }}\nB: x-{{ service.name }}\n")
    assert result.substitutions == ("environment.inputs.cidr", "service.name")
    assert result.structural == ()
    assert result.fully_substitution
    assert not result.has_loops and not result.has_conditionals


def test_filters_tests_and_loops_are_structural() -> None:
    text = (
        "{% if environment.inputs.public %}P: 1{% endif %}\n"
        "N: {{ service.name | upper }}\n"
        "{% for s in service_instances %}- {{ s.name }} {{ loop.index }}{% endfor %}\n"
        "D: {{ environment.inputs.size }}\n"
    )
    result = analyse_template(text)
    assert result.substitutions == ("environment.inputs.size",)
    # Loop variables (`s`, `loop`) are listed as structural too: they are never parameters.
    assert result.structural == (
        "environment.inputs.public",
        "loop.index",
        "s",
        "s.name",
        "service.name",
        "service_instances",
    )
    assert result.has_loops and result.has_conditionals
    assert not result.fully_substitution


def test_a_prefix_used_structurally_makes_its_children_structural() -> None:
    result = analyse_template("{% if environment.outputs %}x{% endif %}\nV: {{ environment.outputs.Vpc }}\n")
    assert result.substitutions == ()
    assert result.structural == ("environment.outputs", "environment.outputs.Vpc")


def test_set_counts_as_conditional_shaping() -> None:
    result = analyse_template("{% set n = service.name %}A: {{ n }}\n")
    assert "service.name" in result.structural and result.has_conditionals


def test_transparent_filter_is_still_structural_for_parameters() -> None:
    assert analyse_template("A: {{ service.name | proton_cfn_sanitize }}\n").structural == ("service.name",)


# ---------------------------------------------------------------- name_uses: can it be read back?


def test_name_uses_transparent_filters_keep_substitution() -> None:
    uses = name_uses(
        "A: {{ service.name | proton_cfn_sanitize }}\nB: {{ service_instance.inputs.x | upper }}\n"
    )
    assert uses == {"service.name": False, "service_instance.inputs.x": True}


def test_name_uses_tests_loops_and_conditional_expressions() -> None:
    text = (
        "{% if service_instance.inputs.a is defined %}x{% endif %}\n"
        "{% for i in pipeline.inputs.items %}{{ i }}{% endfor %}\n"
        "C: {{ service_instance.inputs.b if service_instance.inputs.c else 'n' }}\n"
        "D: {{ service_instance.inputs.d | default(service_instance.inputs.e) }}\n"
    )
    assert name_uses(text) == {
        "service_instance.inputs.a": True,
        "pipeline.inputs.items": True,
        "service_instance.inputs.b": False,
        "service_instance.inputs.c": True,
        "service_instance.inputs.d": False,
        "service_instance.inputs.e": True,
    }


def test_name_uses_ignores_bare_names() -> None:
    assert name_uses("{% for i in xs %}{{ i }}{% endfor %}") == {}


def test_structural_names_strips_the_prefix() -> None:
    text = (
        "{% if environment.inputs.a == 'x' %}{{ environment.inputs.b }}{% endif %}{{ service.name | lower }}"
    )
    assert structural_names(text, "environment.inputs.") == {"a"}
    assert structural_names(text, "service.") == {"name"}
