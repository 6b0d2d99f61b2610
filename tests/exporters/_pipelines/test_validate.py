"""The validation step of every target, on real exports of the demo: the pull-request workflow
(cfn-git-sync, argocd) is actionlint-clean, the CodePipeline Validate stage's buildspec runs the
shipped script, and each step refuses a bad input with the script's exit code."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from exporters._pipelines.validate import COMMANDS, WORKFLOW_PATH, codebuild_buildspec
from proton_exodus.repo.check import INDEX
from tests.exporters._pipelines.estates import actionlint
from tests.support.exports import checkout, demo_exports, demo_snapshot

__all__ = ["checkout", "demo_exports", "demo_snapshot"]  # the fixtures this module uses


@pytest.mark.parametrize("target", ["cfn-git-sync", "argocd"])
def test_the_pull_request_workflow_lints_and_runs_the_shipped_script(
    target: str, demo_exports: dict[str, Path], tmp_path: Path
) -> None:
    text = (demo_exports[target] / WORKFLOW_PATH).read_text()
    assert actionlint({WORKFLOW_PATH: text}, tmp_path) == []
    workflow = yaml.safe_load(text)
    assert set(workflow["on"]) == {"pull_request", "push"}
    (job,) = workflow["jobs"].values()
    assert job["steps"][-1]["run"].splitlines() == COMMANDS


def test_the_codepipeline_stage_runs_the_buildspec_commands(demo_exports: dict[str, Path]) -> None:
    root = demo_exports["codepipeline"]
    for path in sorted((root / "pipelines").rglob("*.yaml")):
        stages = yaml.safe_load(path.read_text())  # the pipelines are plain JSON-style YAML
        resources = stages["Resources"]
        spec = yaml.safe_load(resources["ValidateProject"]["Properties"]["Source"]["BuildSpec"])
        assert spec["phases"]["build"]["commands"] == COMMANDS, path
        assert resources["ValidateProject"]["Properties"]["Source"]["BuildSpec"] == codebuild_buildspec()


def test_the_step_refuses_a_bad_input_with_exit_1(checkout) -> None:
    root = checkout("codepipeline")
    index = json.loads((root / INDEX).read_text())
    record = next(i for i in index["instances"] if i["name"] == "catalog-web/dev")
    config = root / record["parameters_file"]
    doc = json.loads(config.read_text())
    doc["Parameters"]["Image"] = ""
    config.write_text(json.dumps(doc, indent=2) + "\n")
    run_line = shlex.split(COMMANDS[-1])  # `python3 .exodus-repo/validate.py .`, in the checkout
    run = subprocess.run([sys.executable, *run_line[1:]], cwd=root, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stdout == f"{record['parameters_file']}: spec.image: '' should be non-empty\n"  # minLength 1
