"""An input no template file uses cannot be recovered from a stack: recovery takes its schema
default (or leaves it absent), says so, and calls the stack `partial` with the input's candidates,
never `exact`."""

from __future__ import annotations

from pathlib import Path

import pytest

from proton_exodus.proton.bundle import Bundle, load_bundle
from proton_exodus.proton.recover import Candidate, recover_environment
from proton_exodus.proton.recover.solver import ABSENT
from proton_exodus.proton.recover.versions import Known
from proton_exodus.proton.render import render_environment

MANIFEST = (
    "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n"
    "      template_language: cloudformation\n"
)
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: "{{ environment.inputs.prefix }}-{{ environment.name }}"
"""
USED = "        prefix: {type: string, default: app}\n"
UNUSED = (
    "        size: {type: string, enum: [small, medium, large], default: medium}\n"
    "        debug: {type: boolean, default: false}\n"
    "        note: {type: string}\n"
    "        retention: {type: number, default: 7}\n"
)


def _bundle(root: Path, properties: str) -> Bundle:
    files = {
        "schema/schema.yaml": (
            "schema:\n  format:\n    openapi: \"3.0.0\"\n  environment_input_type: In\n"
            "  types:\n    In:\n      type: object\n      properties:\n" + properties
        ),
        "infrastructure/manifest.yaml": MANIFEST,
        "infrastructure/cloudformation.yaml": TEMPLATE,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return load_bundle(root)


def _deployed(bundle: Bundle, **inputs: object) -> str:
    return render_environment(bundle, name="prod", inputs={"prefix": "shop", **inputs}).text or ""


KNOWN = Known(environment="prod", account_id="111111111111")


def test_inputs_every_template_uses_are_exact(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, USED)
    result = recover_environment(_deployed(bundle), [Candidate("t", "1", "0", bundle)], KNOWN)
    assert (result.status, dict(result.inputs), dict(result.assumed)) == ("exact", {"prefix": "shop"}, {})


def test_an_assumed_input_makes_the_stack_partial_with_its_candidates(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, USED + UNUSED)
    # Deployed with values the template never shows: nothing in the stack can tell them apart.
    deployed = _deployed(bundle, size="large", debug=True, note="hello", retention=30)
    result = recover_environment(deployed, [Candidate("t", "1", "0", bundle)], KNOWN)
    assert result.status == "partial"
    assert dict(result.assumed) == {"size": "medium", "debug": False, "note": ABSENT, "retention": 7}
    assert dict(result.unknown_inputs) == {
        "size": ["medium", "small", "large"],
        "debug": [False, True],
        "note": [ABSENT],
        "retention": [7],
    }
    assert result.inputs["prefix"] == "shop"  # what the stack shows stays determined
    assert result.reason == (
        "not shown in the deployed template, assumed: debug=False (schema default), "
        "note absent, retention=7 (schema default), size='medium' (schema default)"
    )
    record = result.as_record()
    assert record["status"] == "partial" and record["assumedInputs"]["note"] == "<absent>"
    assert record["unknownInputs"]["note"] == ["<absent>"]


def test_a_spec_file_value_for_the_input_is_not_assumed(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, USED + "        size: {type: string, enum: [small, medium], default: small}\n")
    known = Known(
        environment="prod", account_id="111111111111", spec_inputs={"prefix": "shop", "size": "medium"}
    )
    result = recover_environment(_deployed(bundle, size="medium"), [Candidate("t", "1", "0", bundle)], known)
    assert (result.status, dict(result.assumed), result.inputs["size"]) == ("exact", {}, "medium")


@pytest.mark.parametrize("newer_unused", [True, False])
def test_versions_are_weighed_as_before_an_assumption(tmp_path: Path, newer_unused: bool) -> None:
    """A version that needs an assumed input still reproduces the stack: it is not passed over for
    an older one, and the verdict names both versions and the assumption."""
    plain = _bundle(tmp_path / "plain", USED)
    extra = _bundle(
        tmp_path / "extra", USED + "        size: {type: string, enum: [small, medium], default: small}\n"
    )
    old, new = (plain, extra) if newer_unused else (extra, plain)
    result = recover_environment(
        _deployed(plain), [Candidate("t", "1", "0", old), Candidate("t", "1", "1", new)], KNOWN
    )
    assert result.status == "partial" and result.version_candidates == ("1.1", "1.0")
    assert (result.major, result.minor) == ("1", "1")
    assert result.reason.startswith("versions 1.1, 1.0 reproduce the stack equally; took the newest")
    assert ("assumed: size='small'" in result.reason) is newer_unused
