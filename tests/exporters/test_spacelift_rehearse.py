"""`exodus rehearse --target spacelift` on the demo estate rebuilt from its committed snapshot: each
Spacelift stack's tracked run (a change set on the existing stack, CF_PARAM_ parameters, no tags or
role named) changes no resource apart from the planned pipeline rewrites; the one stack recorded in
ROLLBACK_COMPLETE fails as CloudFormation refuses change sets on it (E-SPACELIFT-STATUS)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.paths import REPO

SNAPSHOT, PLAN = REPO / "sample_exports" / "snapshot", REPO / "sample_exports" / "plan"
ROLLED_BACK = "AWSProton-search-api-stag-cloudformation--KHPGZDKGJGIVBGE"


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # In a process of its own: the local cloud's in-process state does not survive a second rehearsal
    # in one process (the estate would not rebuild), and pytest may run another rehearsal test first.
    out = tmp_path_factory.mktemp("rehearse-spacelift")
    args = ["--output", "json", "rehearse", "--snapshot", str(SNAPSHOT), "--plan", str(PLAN)]
    result = subprocess.run(
        [sys.executable, "-c", "from proton_exodus.cli import main; main()", *args, "--target", "spacelift"]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    doc = json.loads((out / "rehearsal.json").read_text(encoding="utf-8"))
    return {"code": result.returncode, "summary": json.loads(result.stdout), "doc": doc}


def test_each_run_changes_nothing_but_the_planned_rewrites(rehearsal: dict[str, Any]) -> None:
    summary = rehearsal["summary"]
    runs = [s for w in rehearsal["doc"]["waves"] for s in w["steps"] if s["action"] == "run"]
    assert len(runs) == 39 and summary["replacements"] == 0 and summary["unplanned"] == 0
    failed = {s["stack"]: s["message"] for s in runs if s["outcome"] == "failed"}
    assert list(failed) == [ROLLED_BACK] and "ROLLBACK_COMPLETE" in failed[ROLLED_BACK]
    assert rehearsal["code"] == 1  # that stack must be repaired first, as the export's E finding says
    changed = [s for s in runs if s["changes"]]
    assert len(changed) == 6 and all(c["planned"] for s in changed for c in s["changes"])
    assert sum(s["outcome"] == "no-op" for s in runs) == 32
