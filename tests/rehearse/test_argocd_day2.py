"""argocd's day 2 on the demo goes through `exodus repo` on the Kustomize layout: a change of input is one
parameter of the instance's Stack, a minor version moves the Stack's kustomization to the next version's
shared template component; Argo CD's build of the edited directory is what the deployer applies."""

from __future__ import annotations

from typing import Any

import pytest

from exporters.argocd import kustomize
from tests.rehearse.test_deployers import BUNDLES, deploys, rehearse

PAYMENTS_STAGING = "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("rehearse") / "argocd"
    code, summary, doc = rehearse("argocd", out, "--through-wave", "2", "--bundles", str(BUNDLES))
    return {"out": out, "code": code, "summary": summary, "doc": doc}


def test_day_2_goes_through_exodus_repo_on_the_kustomize_layout(run: dict[str, Any]) -> None:
    assert run["code"] == 0 and run["summary"]["failed"] == 0
    steps = {s["action"]: s for s in deploys(run["doc"], "day2:")}
    count = steps["day2:change-input"]
    assert count["message"].startswith("exodus repo set ") and "/stack.yaml" in count["message"]
    minor = steps["day2:minor-version"]
    assert minor["stack"] == PAYMENTS_STAGING and minor["outcome"] == "ok"
    folder = "stacks/services/payments-api/instances/staging"
    assert f"edited TEMPLATES.json, {folder}/kustomization.yaml, {folder}/stack.yaml" in minor["message"]
    # the edited checkout day 2 deployed: the Stack's template is now the 1.1 component's
    export = run["out"] / "work" / "argocd-day2" / "export"  # rehearse/day2.py's edited copy
    (stack,) = kustomize.render(export, folder)
    text = (export / folder / "kustomization.yaml").read_text()
    assert "/v1.1/" in text and "/v1.0/" not in text
    (component,) = kustomize.components_of(text, folder, folder)
    assert stack["spec"]["forProvider"]["templateBody"] == (export / component / "template.yaml").read_text()
