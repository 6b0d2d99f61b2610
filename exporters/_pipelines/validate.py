"""The validation step every target runs before a deploy: the export's own `.exodus-repo/validate.py`
(python3 + pinned PyYAML and jsonschema from PyPI, nothing private) checks each instance's parameters
against its template version's JSON Schema and refuses with Proton's wording. CodePipeline runs it in a
CodeBuild stage, GitHub Actions before each change set, Git sync and Argo CD repositories on pull
requests (neither validates anything itself)."""

from __future__ import annotations

from typing import Any

from proton_exodus.repo.script import REQUIREMENTS, SCRIPT

COMMANDS = [f"python3 -m pip install --quiet {REQUIREMENTS}", f"python3 {SCRIPT} ."]
WORKFLOW_PATH = ".github/workflows/validate.yml"


def github_steps() -> list[dict[str, Any]]:
    """Steps that validate the checked-out repository (after `actions/checkout`)."""
    return [
        {"uses": "actions/setup-python@v6", "with": {"python-version": "3.12"}},
        {"name": "Validate inputs against the template schemas", "run": "\n".join(COMMANDS)},
    ]


def pull_request_workflow() -> dict[str, Any]:
    """`.github/workflows/validate.yml`: validate every pull request and push, as data."""
    return {
        "name": "validate inputs",
        "on": {"pull_request": {}, "push": {"branches": ["main"]}},
        "permissions": {"contents": "read"},
        "jobs": {
            "validate": {
                "name": "Validate inputs against the template schemas",
                "runs-on": "ubuntu-latest",
                "steps": [{"uses": "actions/checkout@v5"}, *github_steps()],
            }
        },
    }


def codebuild_buildspec() -> str:
    """The buildspec of the CodeBuild project a CodePipeline Validate stage runs."""
    lines = ["version: 0.2", "phases:", "  build:", "    commands:"]
    lines += [f"      - {command}" for command in COMMANDS]
    return "\n".join(lines) + "\n"
