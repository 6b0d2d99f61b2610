"""`exodus rehearse`: rebuild the estate in the local cloud with Proton retired, then run the plan wave by
wave through the target's own deployer (the exporter's `rehearse` hook) and prove every step.

The library reaches the target only through the exporter registry. Changes the export lists in
PLANNED_CHANGES.json are expected; any other change, any replacement and any failed step fail the
rehearsal."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exporters import Registry
from proton_exodus.errors import BadInput
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.rehearse.estate import reproduce
from proton_exodus.rehearse.model import (
    BLOCKED,
    FAILED,
    SKIPPED,
    CloudFormationFactory,
    RehearsalContext,
    StackTarget,
    Step,
)
from proton_exodus.rehearse.planned import is_planned, load_planned
from proton_exodus.rehearse.warm_aws import warm_aws


@dataclass
class Rehearsal:
    """Everything one rehearsal did, in order, and its verdict."""

    target: str
    through_wave: int
    endpoint: str  # "local (started by exodus rehearse)" or the URL given
    steps: list[Step] = field(default_factory=list)
    planned_file: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    day2: dict[str, Any] | None = None  # day2.summary(): per day-2 change and the rollback
    day2_wave: int = 0  # the step wave numbers day 2 and the rollback use (after the last wave)
    rollback_wave: int = 0
    rolled_back: int = 0  # the plan wave rolled back

    def deploys(self) -> list[Step]:
        return [s for s in self.steps if s.wave > 0]

    def handovers(self) -> list[Step]:
        """The deployer's steps of the plan's waves, whatever the target calls them (deploy, import, run,
        adopt, update): not the rehearsal's own (runbook lines, remedies), nor day 2 and the rollback."""
        own = {"runbook", "remedy", "reproduce", "stage"}
        last = self.day2_wave or self.through_wave
        return [s for s in self.deploys() if s.action not in own and (not self.day2_wave or s.wave < last)]

    @property
    def failed(self) -> list[Step]:
        return [s for s in self.steps if s.failed]

    @property
    def blocked(self) -> list[Step]:
        """Units the plan holds back: reported, never deployed, not a failure of the rehearsal."""
        return [s for s in self.steps if s.outcome == BLOCKED and s.action == "deploy"]

    def unplanned(self) -> list[tuple[Step, Any]]:
        return [(s, c) for s in self.deploys() for c in s.changes if not c.planned]

    def replacements(self) -> list[tuple[Step, Any]]:
        return [(s, c) for s in self.deploys() for c in s.changes if c.replaces]

    def modifications(self) -> list[tuple[Step, Any]]:
        return [(s, c) for s in self.deploys() for c in s.changes if not c.replaces]

    @property
    def passed(self) -> bool:
        # A replacement the export plans (the user chose it, PLANNED_CHANGES.json names it) is reported
        # and counted, not failed; every unplanned one is also an unplanned change.
        return not self.failed and not self.unplanned()

    def summary(self) -> dict[str, Any]:
        """The `--output json` summary."""
        deploys = self.deploys()
        return {
            "target": self.target,
            "throughWave": self.through_wave,
            "passed": self.passed,
            "waves": len({s.wave for s in self.handovers()}),
            "steps": len(self.steps),
            "reproduced": sum(1 for s in self.steps if s.action == "reproduce" and s.outcome == "ok"),
            "staged": sum(1 for s in self.steps if s.action == "stage" and s.outcome == "ok"),
            "failed": len(self.failed),
            "skipped": sum(1 for s in self.steps if s.outcome == SKIPPED),
            "noOps": sum(1 for s in self.handovers() if s.outcome == "no-op"),
            "replacements": len(self.replacements()),
            "modifications": len(self.modifications()),
            "unplanned": len(self.unplanned()),
            "planned": sum(1 for s in deploys for c in s.changes if c.planned),
            "remedies": sum(1 for s in self.steps if s.action == "remedy"),
            "blocked": len(self.blocked),
            "blockedUnits": [
                {"wave": s.wave, "unit": s.stack, "account": s.account, "reason": s.message}
                for s in self.blocked
            ],
            "commands": sum(1 for s in self.steps if s.action == "runbook" and s.outcome != "manual"),
            "manual": sum(1 for s in self.steps if s.outcome == "manual"),
            "day2": self.day2,
        }


def plan_waves(
    plan: Mapping[str, Any], through: int | None, snapshot: Snapshot | None = None
) -> list[tuple[int, list[StackTarget]]]:
    """The plan's waves 1..`through` (all without it), each with the stacks it hands over, in plan order;
    resources without a stack (a connection, a Terraform environment) are StackTargets without a name.
    A stack's account and Region are where the snapshot recorded it (a stack in an environment account
    lives there, not in the Proton management account the plan names)."""
    waves = sorted(
        (w for w in plan.get("waves") or [] if isinstance(w, Mapping)), key=lambda w: int(w["number"])
    )
    if through is not None and not 1 <= through <= len(waves):
        raise BadInput(f"--through-wave {through}: the plan has {len(waves)} wave(s)")

    def target(r: Mapping[str, Any]) -> StackTarget:
        stack = (snapshot.stack_for(str(r.get("arn", ""))) if snapshot is not None else None) or {}
        return StackTarget(
            str(stack.get("account") or r.get("account", "")),
            str(stack.get("region") or r.get("region", "")),
            str(r.get("stackName") or ""),
            str(r.get("kind", "")),
            str(r.get("label") or r.get("name") or ""),
            held_back(r),
        )

    return [
        (int(w["number"]), [target(r) for r in w.get("resources") or []])
        for w in waves
        if through is None or int(w["number"]) <= through
    ]


def held_back(resource: Mapping[str, Any]) -> str:
    """Why the plan holds `resource` back, as plan.json records it (`blockedBy`: the E findings that block
    it or a dependency, and the `held back: ...` part of its reason); "" when nothing blocks it. The plan
    is the one judge: the rehearsal never re-derives what blocks a unit."""
    codes = [str(c) for c in resource.get("blockedBy") or []]
    if not codes:
        return ""
    parts = [p.strip() for p in str(resource.get("reason") or "").split(";")]
    why = next((p.removeprefix("held back:").strip() for p in parts if p.startswith("held back:")), "")
    return (
        f"held back by the plan: {why or 'blocked by ' + ', '.join(codes)}; not deployed until a person "
        "fixes it and the wave is planned again"
    )


@contextlib.contextmanager
def _cloud(endpoint_url: str | None) -> Iterator[tuple[str, CloudFormationFactory]]:
    """CloudFormation clients per account and Region: on the endpoint given, or on a local cloud started
    here with Proton retired (stopped on the way out)."""
    from proton_exodus.engine.cloud import ClientFactory

    if endpoint_url:
        yield endpoint_url, ClientFactory(endpoint_url).cloudformation
        return
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    from proton_exodus.engine.server import LocalProtonServer

    # moto's state is process-wide: a cloud started here starts empty, as a fresh account would (an
    # earlier rehearsal in this process would otherwise leave stacks, and stack ids derived from how many
    # stacks of a name came before, so the rebuilt ids would not be the recorded ones).
    BackendDict.reset()
    reset_model_data()
    with LocalProtonServer(port=0, retired=True) as server:
        assert server.clients is not None
        yield server.url, server.clients.cloudformation


def stage_secrets(
    snapshot: Snapshot, export_dir: Path, work: Path, endpoint_url: str, *, stand_ins: bool = True
) -> list[Step]:
    """PLANNED_CHANGES.md's staging commands (Parameter Store Strings the templates read), run as
    written before the first wave; nothing when the export stages nothing. Without secrets.json the
    placeholder text is staged only when `stand_ins` (a cloud this rehearsal rebuilt); otherwise one
    failed step, and nothing is written."""
    import json

    from proton_exodus.rehearse.runbook import run_lines, shell_lines, stand_in_secrets

    md, js = export_dir / "PLANNED_CHANGES.md", export_dir / "PLANNED_CHANGES.json"
    if not md.is_file() or not js.is_file():
        return []
    doc = json.loads(js.read_text(encoding="utf-8"))
    if not doc.get("stage"):
        return []
    work.mkdir(parents=True, exist_ok=True)
    real = snapshot.root is not None and (Path(snapshot.root) / "secrets.json").is_file()
    if not real and not stand_ins:
        return [
            Step(
                0,
                "stage",
                "PLANNED_CHANGES.md",
                "",
                "",
                outcome=FAILED,
                message="the snapshot has no secrets.json (a --redact snapshot, or one shared without it): "
                "staging would write placeholder text where a deploy reads the secret",
            )
        ]
    folder = Path(snapshot.root) if real and snapshot.root is not None else stand_in_secrets(doc, work)
    steps = list(
        run_lines(
            shell_lines(md.read_text(encoding="utf-8")),
            source="PLANNED_CHANGES.md",
            endpoint_url=endpoint_url,
            variables={"SNAPSHOT": str(folder)},
            cwd=work,
            action="stage",
        )
    )
    if not real:
        for step in steps:
            step.message = step.message or (
                "the snapshot has no secrets.json: staged the placeholder text the rebuilt stack carries"
            )
    return steps


def remedy_failed_creates(
    waves: list[tuple[int, list[StackTarget]]], cloudformation: CloudFormationFactory, url: str, work: Path
) -> Iterator[Step]:
    """The plan's entry-check remedy for a stack whose create failed (E114, ROLLBACK_COMPLETE: nothing in
    it to keep, and CloudFormation can only delete it): delete it with the aws CLI, as the operator does
    before the wave, so the target's deployment file creates it again. Run before the deployer; each step
    belongs to the stack's wave."""
    from proton_exodus.rehearse.changeset import stack_or_none
    from proton_exodus.rehearse.runbook import run_lines

    for number, targets in waves:
        for t in targets:
            stack = stack_or_none(cloudformation(t.account, t.region), t.stack_name)
            if stack is None or stack.get("StackStatus") != "ROLLBACK_COMPLETE":
                continue
            lines = [
                f"# account {t.account}, Region {t.region}: use credentials for this account",
                f"aws cloudformation delete-stack --stack-name {t.stack_name} --region {t.region}",
                "aws cloudformation wait stack-delete-complete "
                f"--stack-name {t.stack_name} --region {t.region}",
            ]
            for step in run_lines(
                lines,
                source=t.stack_name,
                endpoint_url=url,
                variables={},
                cwd=work,
                wave=number,
                action="remedy",
            ):
                step.message = "; ".join(
                    p
                    for p in (
                        "plan entry check E114 (failed create, ROLLBACK_COMPLETE): delete the stack, the "
                        "export's deployment file creates it again",
                        step.message,
                    )
                    if p
                )
                yield step


def _wave_runbooks(
    plan: Mapping[str, Any],
    target: str,
    plan_dir: Path | None,
    waves: list[tuple[int, list[StackTarget]]],
    export_dir: Path,
    work_dir: Path,
    url: str,
    snapshot: Snapshot,
    ctx: RehearsalContext,
    held: Mapping[str, str] | None = None,
    deployer: Any = None,
    planned_for: str = "",
) -> Any:
    """phase -> the steps of the plan's wave runbooks for that phase (rehearse/runbook.py); none without
    the plan directory or when its runbooks were written for another target (neither the deploying
    `target` nor the rehearsed one, `planned_for`: a backstage plan's runbooks deploy cfn-git-sync's).
    The deploying exporter may name the programs its deployer stands in for (`runbook_stand_ins`) and
    fill the runbook's operator settings from the local cloud (`runbook_settings`)."""
    from proton_exodus.rehearse.runbook import run_wave_runbooks

    root = Path(snapshot.root) if snapshot.root is not None else None
    stand_in = work_dir / "runbook" / "stand-in-snapshot"  # stage_secrets' (the cloud rebuilt here)
    if (root is None or not (root / "secrets.json").is_file()) and (stand_in / "secrets.json").is_file():
        root = stand_in  # a runbook staging from "$SNAPSHOT/secrets.json" stages what the stacks hold

    def run(phase: str, only: int | None = None, as_wave: int | None = None) -> list[Step]:
        if plan_dir is None or plan.get("target") not in (target, planned_for):
            return []
        steps = run_wave_runbooks(
            plan_dir,
            phase,
            [w for w in waves if only is None or w[0] == only],
            export_dir,
            work_dir / "runbook",
            url,
            snapshot_dir=root,
            rebuilt=ctx.rebuilt,
            held=held,
            stand_ins=getattr(deployer, "runbook_stand_ins", None),
            settings=getattr(deployer, "runbook_settings", None),
        )
        for step in steps:
            step.wave = step.wave if as_wave is None else as_wave
        return steps

    return run


def home_account(snapshot: Snapshot) -> str:
    """The account that ran Proton: its account settings' account, else the first account crawled."""
    for record in snapshot.kind("account_settings"):
        if record.get("account"):
            return str(record["account"])
    return next(iter(sorted(s.get("account", "") for s in snapshot.stacks if s.get("account"))), "")


def rehearse(
    snapshot: Snapshot,
    plan: Mapping[str, Any],
    target: str,
    out: Path,
    *,
    through_wave: int | None = None,
    endpoint_url: str | None = None,
    options: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    poll: float = 0.05,
    export: Path | None = None,
    with_day2: bool = True,
    bundles: Path | None = None,
    plan_dir: Path | None = None,
    rollback_wave: int | None = None,
) -> Rehearsal:
    """Export, rebuild (without an endpoint), and run waves 1..`through_wave` through `target`'s deployer.
    With `export`, that export (written by `target`, perhaps edited since) is rehearsed instead of a fresh
    one. Then (`with_day2`) day 2 in the target and a rollback of one wave (`rollback_wave`, else the last
    one day 2 left alone; rehearse/day2.py); `bundles` is a template-sync folder of the templates'
    bundles, for the minor-version move."""
    from proton_exodus.export import run_export

    registry = registry or Registry.from_entry_points()
    exporter = registry.load(target)
    deployer = getattr(exporter, "rehearse", None)
    if deployer is None:
        raise BadInput(
            f"target {target!r} has no deployer to rehearse with yet",
            hint="targets that have one: "
            + ", ".join(n for n in registry.names() if getattr(registry.load(n), "rehearse", None)),
        )
    waves = plan_waves(plan, through_wave, snapshot)
    last = waves[-1][0] if waves else 0
    if rollback_wave is not None and (not with_day2 or rollback_wave not in [n for n, _ in waves]):
        raise BadInput(
            f"--rollback-wave {rollback_wave}: "
            + (
                "the rollback runs with day 2 (drop --no-day2)"
                if not with_day2
                else f"the rehearsal deploys waves {', '.join(str(n) for n, _ in waves) or 'none'}"
            )
        )
    out = Path(out)
    export_dir, work_dir = out / "export", out / "work"
    # a target whose export deploys nothing names the export that does (`deploys_through(options) ->
    # (target, options)`): that one is exported beside it, deploys the waves and holds the planned changes
    through = getattr(exporter, "deploys_through", None)
    paired = through(dict(options or {})) if callable(through) else None
    deploy_dir = out / f"export-{paired[0]}" if paired else export_dir
    if export is not None and Path(export).resolve() == export_dir.resolve():
        raise BadInput(f"--export {export}: must not be {export_dir} (the rehearsal writes its copy there)")
    for path in (export_dir, work_dir, deploy_dir):
        if path.exists():
            shutil.rmtree(path)
    result = Rehearsal(target, last, endpoint_url or "local (started by exodus rehearse, Proton retired)")
    clock = time.monotonic()
    siblings: dict[tuple[Any, ...], Any] = {}  # the paired export is made once, for both
    plan_copy = dict(plan)  # one object: a shared result is keyed by the plan it was made with
    if paired:
        run_export(
            paired[0],
            snapshot,
            deploy_dir,
            options=paired[1],
            plan=plan_copy,
            force=True,
            through_wave=last or None,
            siblings=siblings,
        )
    if export is not None:
        if not Path(export).is_dir() or Path(export).resolve() == export_dir.resolve():
            raise BadInput(f"--export {export}: not a directory outside --out/export")
        shutil.copytree(export, export_dir, ignore=shutil.ignore_patterns(".git"))
    else:
        run_export(
            target,
            snapshot,
            export_dir,
            options=options,
            plan=plan_copy,
            force=True,
            through_wave=last or None,
            siblings=siblings,
        )
    result.seconds["export"] = round(time.monotonic() - clock, 2)
    planned = load_planned(deploy_dir)
    result.planned_file = planned is not None
    # one warm `aws` CLI server for every shell command the rehearsal runs (rehearse/warm_aws.py)
    with _cloud(endpoint_url) as (url, cloudformation), warm_aws():
        clock = time.monotonic()
        if endpoint_url is None:
            result.steps.extend(reproduce(snapshot, cloudformation, poll=poll))
        result.seconds["reproduce"] = round(time.monotonic() - clock, 2)
        clock = time.monotonic()
        # stand-in placeholder text only in the cloud rebuilt here (it is what the rebuilt stacks hold);
        # against a given endpoint it would be written where a deploy reads the secret
        result.steps.extend(
            stage_secrets(snapshot, deploy_dir, work_dir / "runbook", url, stand_ins=endpoint_url is None)
        )
        result.seconds["stage"] = round(time.monotonic() - clock, 2)
        clock = time.monotonic()
        # a unit the plan blocks is never handed to a deployer (nor remedied): a person fixes it first
        stacks = [(n, [t for t in ts if t.stack_name and not t.blocked]) for n, ts in waves]
        remedies = (  # only in the cloud rebuilt here: a given endpoint's stacks are never deleted
            list(remedy_failed_creates(stacks, cloudformation, url, work_dir / "runbook"))
            if endpoint_url is None
            else []
        )
        result.seconds["remedy"] = round(time.monotonic() - clock, 2)
        clock = time.monotonic()
        ctx = RehearsalContext(
            export_dir,
            work_dir / target,
            stacks,
            cloudformation,
            dict(options or {}),
            poll=poll,
            endpoint_url=url,
            home_account=home_account(snapshot),
            rebuilt=endpoint_url is None,
            deploy_dir=deploy_dir if paired else None,
        )
        held = {t.stack_name: t.blocked for _, ts in waves for t in ts if t.blocked and t.stack_name}
        runbooks = _wave_runbooks(
            plan,
            paired[0] if paired else target,
            plan_dir,
            stacks,
            deploy_dir,
            work_dir,
            url,
            snapshot,
            ctx,
            held,
            registry.load(paired[0]) if paired else exporter,
            planned_for=target,
        )
        before = runbooks("before")
        deployed = list(deployer(ctx))
        after = runbooks("after")
        result.seconds["deploy"] = round(time.monotonic() - clock, 2)
        later: list[Step] = []
        if with_day2 and waves:
            from proton_exodus.rehearse import day2 as day_two

            clock = time.monotonic()
            result.day2_wave, result.rollback_wave = last + 1, last + 2
            # a target whose users make day-2 changes their own way (Backstage: through the portal's form)
            # gives its own `day2(ctx, snapshot, deployed, wave=, bundles=)` hook
            own = getattr(exporter, "day2", None)
            changed = list(
                own(ctx, snapshot, deployed, wave=last + 1, bundles=bundles)
                if callable(own)
                else day_two.day2(ctx, exporter, snapshot, deployed, wave=last + 1, bundles=bundles)
            )
            result.seconds["day2"] = round(time.monotonic() - clock, 2)
            clock = time.monotonic()
            result.rolled_back = day_two.rollback_wave(ctx, changed, rollback_wave)
            touched = {s.stack: {c.logical_id for c in s.changes} for s in changed if s.outcome != SKIPPED}
            stop = runbooks("rollback", result.rolled_back, last + 2)  # the runbook's: stop the sync first
            reverted = list(
                day_two.rollback(ctx, snapshot, result.rolled_back, wave=last + 2, touched=touched)
            )
            if stop:  # the runbook's rollback ran: what other waves share with it must still be there
                # the shared set-up belongs to the export that deploys (backstage's paired cfn-git-sync)
                deployer = registry.load(paired[0]) if paired else exporter
                reverted += day_two.shared_kept(ctx, deployer, result.rolled_back, wave=last + 2)
            result.seconds["rollback"] = round(time.monotonic() - clock, 2)
            result.day2 = day_two.summary(changed, reverted, result.rolled_back)
            later = changed + stop + reverted
    by_wave: dict[int, list[Step]] = {}
    for step in remedies + before:
        by_wave.setdefault(step.wave, []).append(step)
    for step in deployed + after:
        step.changes = [replace(c, planned=is_planned(step.stack, c, planned)) for c in step.changes]
        by_wave.setdefault(step.wave, []).append(step)
    for number, targets in waves:
        result.steps.extend(
            Step(
                number,
                "deploy",
                t.stack_name or t.label or t.kind,
                t.account,
                t.region,
                outcome=BLOCKED,
                message=f"{t.label or t.kind}: {t.blocked}",
            )
            for t in targets
            if t.blocked
        )
        result.steps.extend(by_wave.pop(number, []))
        result.steps.extend(
            Step(
                number,
                "deploy",
                t.label or t.kind,
                t.account,
                t.region,
                outcome=SKIPPED,
                message=f"{t.kind} without a CloudFormation stack: not rehearsed by this slice",
            )
            for t in targets
            if not t.stack_name and not t.blocked
        )
    for rest in by_wave.values():
        result.steps.extend(rest)
    result.steps.extend(later)
    return result


__all__ = ["FAILED", "Rehearsal", "plan_waves", "rehearse"]
