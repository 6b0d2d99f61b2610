"""What a rehearsal records: every step it ran, what the step changed, and the verdict.

A target's deployer (the exporter's optional `rehearse` hook) returns `Step`s; the library decides
which changes were planned and whether the rehearsal passed. Plain data, no AWS calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OK, NO_OP, FAILED, SKIPPED = "ok", "no-op", "failed", "skipped"
BLOCKED = "blocked"  # the plan holds the unit back (an E finding) until a person fixes it: not deployed


@dataclass(frozen=True)
class Change:
    """One change a change set (or a stack-tag comparison) announces.

    `action` is CloudFormation's `Add`, `Modify` or `Remove`, or `Tags` for the stack's own tags (which
    CloudFormation propagates to every taggable resource); `replacement` is `True`, `False` or
    `Conditional` for a Modify, empty otherwise; `properties` the changed property (or tag) names."""

    action: str
    logical_id: str
    resource_type: str = ""
    replacement: str = ""
    properties: tuple[str, ...] = ()
    planned: bool = False

    @property
    def replaces(self) -> bool:
        return self.action == "Modify" and self.replacement in ("True", "Conditional")


@dataclass(frozen=True)
class StackTarget:
    """A stack a wave hands over, as the plan names it."""

    account: str
    region: str
    stack_name: str
    kind: str = ""
    label: str = ""
    blocked: str = ""  # why the plan holds it back (its blocking findings and reason); "" when it does not


@dataclass
class Step:
    """One thing the rehearsal did: reproduce a stack, or deploy one the way the target would."""

    wave: int  # 0: reproducing the estate before the first wave
    action: str  # "reproduce", "deploy", ...
    stack: str
    account: str = ""
    region: str = ""
    command: str = ""  # what ran, in words an operator recognises
    outcome: str = OK  # ok | no-op | failed | skipped | blocked
    status: str = ""  # the stack's status after the step
    message: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.outcome == FAILED

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["changes"] = [{**asdict(c), "properties": list(c.properties)} for c in self.changes]
        return data


CloudFormationFactory = Callable[[str, str], Any]
"""(account, Region) -> a boto3 CloudFormation client acting in that account and Region."""


@dataclass(frozen=True)
class RehearsalContext:
    """What a target's deployer gets: the export on disk, a scratch folder of its own, the waves to run
    (number -> stacks, in plan order), CloudFormation clients per account and Region, and the endpoint
    they talk to."""

    export_dir: Path
    work_dir: Path
    waves: Sequence[tuple[int, Sequence[StackTarget]]]
    cloudformation: CloudFormationFactory
    options: Mapping[str, str] = field(default_factory=dict)
    poll: float = 0.05
    timeout: float = 600.0
    endpoint_url: str = ""  # the cloud's one endpoint, for deployers that run the `aws` CLI against it
    home_account: str = ""  # the account that ran Proton (where pipelines and CI roles live)
    rebuilt: bool = True  # the estate was rebuilt from the snapshot (stack ids are new, not the recorded)
    # The export that deploys the stacks when the target's own deploys none (the exporter's
    # `deploys_through` hook: Backstage's catalog points at a Git sync export); None: `export_dir` does.
    deploy_dir: Path | None = None
