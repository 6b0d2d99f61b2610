"""TEMPLATES.md beside every export that ships shared templates: the demo's share, per target, as the
issue asks it reported (32 of 32 environment and instance stacks on a shared parameterised template)."""

from __future__ import annotations

import re

import pytest

from tests.support.paths import REPO

EXPORTS = REPO / "sample_exports" / "exports"
TARGETS = sorted(p.parent.name for p in EXPORTS.glob("*/TEMPLATES.json"))


def test_every_target_with_shared_templates_is_in_the_sample() -> None:
    assert set(TARGETS) >= {
        "argocd",
        "cfn-git-sync",
        "codepipeline",
        "github-actions",
        "service-catalog",
        "spacelift",
        "terraform",
    }


@pytest.mark.parametrize("target", TARGETS)
def test_templates_md_reports_the_share_and_each_template_version(target: str) -> None:
    text = (EXPORTS / target / "TEMPLATES.md").read_text(encoding="utf-8")
    share = re.search(r"on a shared parameterised template: (\d+) of (\d+)", text)
    assert share and share.groups() == ("32", "32"), text[:800]
    assert "## demo-fargate-svc v1 (service_instance): parameterised" in text
