"""argocd's day 2 on the demo goes through `exodus repo` on the Kustomize layout: a change of input is one
parameter of the instance's Stack, a minor version moves the Stack's kustomization to the next version's
shared template component; Argo CD's build of the edited directory is what the deployer applies. The
plan is argocd's own (`exodus plan --target argocd`), so its wave runbooks run through waves 1-2 too:
the `aws` checks for real, the `kubectl` lines recorded as stood in for by the sync emulation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from exporters.argocd import kustomize
from proton_exodus.cli import cli
from tests.rehearse.test_deployers import BUNDLES, SNAPSHOT, deploys

PAYMENTS_STAGING = "AWSProton-payments-api-st-cloudformation--DDDEPTACKUAKETI"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("rehearse")
    plan, out = root / "plan-argocd", root / "argocd"
    made = CliRunner().invoke(
        cli,
        [
            "plan",
            "--snapshot",
            str(SNAPSHOT),
            "--target",
            "argocd",
            "--start",
            "2026-12-07",
            "--out",
            str(plan),
        ],
    )
    assert (plan / "plan.json").is_file(), made.output
    result = CliRunner().invoke(
        cli,
        [
            *("--output", "json", "rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(plan)),
            *("--target", "argocd", "--out", str(out), "--through-wave", "2", "--bundles", str(BUNDLES)),
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    doc = json.loads((out / "rehearsal.json").read_text(encoding="utf-8"))
    return {"out": out, "code": result.exit_code, "summary": json.loads(result.output), "doc": doc}


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


def test_the_own_plan_runbooks_run_with_the_sync_emulation_standing_in_for_kubectl(
    run: dict[str, Any],
) -> None:
    """argocd's plan runbooks pass through waves 1-2 (and the rollback): the `aws` lines run against the
    local cloud (the Crossplane role's check included), every `kubectl` line is recorded as the sync
    emulation's."""
    runbook = [s for w in run["doc"]["waves"] for s in w["steps"] if s["action"] == "runbook"]
    assert not [s for s in runbook if s["outcome"] == "failed"], [
        (s["command"], s["message"]) for s in runbook if s["outcome"] == "failed"
    ][:5]
    ok = [s for s in runbook if s["outcome"] == "ok" and s["wave"] in (1, 2)]
    assert len(ok) > 30 and all(s["command"].startswith(("aws ", "DRIFT_ID=$(aws ")) for s in ok)
    # README.md's Bootstrap role, which the rehearsal creates as a person would: checked before the sync
    assert [s["account"] for s in ok if "iam get-role --role-name exodus-crossplane" in s["command"]] == [
        "111111111111"
    ]
    kubectl = [s for s in runbook if s["command"].startswith("kubectl ")]
    assert len(kubectl) > 40 and all(s["outcome"] == "manual" for s in kubectl)
    assert all(
        "`kubectl` is the target's own tool; the rehearsal's Argo CD sync" in s["message"] for s in kubectl
    )
    verbs = {v for s in kubectl for v in ("apply", "patch", "get", "delete") if f" {v} " in s["command"]}
    assert verbs == {"apply", "patch", "get", "delete"}  # hand-over, checks and the rollback
