"""The exact commands a runbook gives for each resource: hand-over for the chosen target, sync check,
pipeline cut-over and rollback. Everything target-specific comes from the target's exporter, through
the registry: its files (`handover(StackRef)`) and their commands (its `runbook`). A target without a
runbook gets `ListedFiles`: the files to apply, and no commands.

Commands are planned for the whole plan at once, because files are shared: a pipeline per environment
is deployed once in a wave, updated (not re-created) by a later wave, and only the wave that created it
removes it on rollback. Each account and Region is prepared before its first stack moves; what the
preparation shares with later waves (a target's `release_commands`) is removed by whichever wave using
it is rolled back last, never by an earlier one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from exporters import Commands, Handover, Registry, Runbook, StackRef, Use, no_commands
from proton_exodus.errors import ExodusError
from proton_exodus.plan.model import Plan, PlannedResource

Layout = Callable[[StackRef], Sequence[Handover]]
KEYS = ("handover", "check", "rollback", "restore")


class ListedFiles:
    """The runbook of a target whose exporter gives no commands: each file to apply, by hand, as the
    export's README.md says."""

    variables: Sequence[str] = ()
    takes_over_from = "the target can take over from"

    def __init__(self, target: str) -> None:
        self.target = target

    def stack_commands(self, use: Use) -> Commands:
        """A comment naming the file to apply (once a wave), and one to undo it on rollback."""
        path = use.file.path
        if use.repeat:
            return {**no_commands(), "handover": [f"# applied with {path} above"]}
        out = no_commands()
        out["handover"] = [
            f"# apply {path} as the export's README.md says (the {self.target} target gives no commands)"
        ]
        out["rollback"] = [
            f"# undo applying {path} as the export's README.md says"
            if use.first
            else f"# {path} also holds wave {use.since}: keep it; the revert below restores it"
        ]
        return out

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """A comment per file that prepares the account and Region."""
        out = no_commands()
        out["handover"] = [
            f"# apply {use.file.path} for account {account} / {region} as the export's README.md says"
            for use in files
            if not use.repeat
        ]
        return out


@dataclass(frozen=True)
class TargetSteps:
    """What the planner asks a target's exporter: the files that hand a resource over (`layout`, None
    when the exporter names none) and the commands for them (`runbook`)."""

    target: str
    layout: Layout | None
    runbook: Runbook
    deploy_target: str = ""  # the export that deploys the stacks when `target` deploys none (backstage)

    @property
    def deploys(self) -> str:
        """The target whose export and commands hand the stacks over."""
        return self.deploy_target or self.target


def target_steps(target: str, registry: Registry | None = None) -> TargetSteps:
    """The exporter's `handover` and `runbook` hooks, through the registry (entry points by default); a
    target that is not installed, or has no hooks, gets the README fallback and `ListedFiles`. A target
    whose export deploys no stack (`deploys_through`: backstage's catalog points at a cfn-git-sync
    export) hands over with the hooks of the export that does: its runbook deploys that export too."""
    registry = registry or Registry.from_entry_points()
    try:
        exporter: Any = registry.load(target)
    except ExodusError:
        exporter = None
    through = getattr(exporter, "deploys_through", None)
    if callable(through):
        deploying = through({})[0]
        return replace(target_steps(deploying, registry), target=target, deploy_target=deploying)
    layout = getattr(exporter, "handover", None)
    runbook = getattr(exporter, "runbook", None)
    return TargetSteps(target, layout if callable(layout) else None, runbook or ListedFiles(target))


def _where(r: PlannedResource) -> tuple[str, str]:
    return r.extra.get("stack_account") or r.account, r.extra.get("stack_region") or r.region


def stack_ref(r: PlannedResource) -> StackRef:
    """The planned resource as its exporter's `handover` reads it."""
    account, region = _where(r)
    return StackRef(
        kind=r.kind,
        name=r.name,
        account=account,
        region=region,
        stack_name=r.stack_name or "",
        environment=r.environment,
        service=r.service,
        service_instance=r.extra.get("service_instance"),
    )


def _merge(*parts: Commands) -> Commands:
    return {key: [line for part in parts for line in part[key]] for key in KEYS}


def _cutover(r: PlannedResource, ci: Sequence[Handover]) -> list[str]:
    """Pipelines: find the CodePipeline in the handed-over stack and run it once without Proton."""
    _, region = _where(r)
    steps = []
    if "W140" in r.manual:
        steps.append(
            "# replace the steps that call `aws proton` first (the export's MANUAL_TASKS.md lists them)"
        )
    steps += [
        f"# or build with {f.path} instead: commit it to the service's repository, run it, then disable "
        "this CodePipeline (MANUAL_TASKS.md)"
        for f in ci
    ]
    steps += [
        f'PIPELINE=$(aws cloudformation describe-stack-resources --stack-name {r.stack_name} '
        f'--region {region} '
        "--query \"StackResources[?ResourceType=='AWS::CodePipeline::Pipeline'].PhysicalResourceId\" "
        "--output text)",
        f'aws codepipeline start-pipeline-execution --name "$PIPELINE" --region {region}',
    ]
    return steps


def _manual(why: str) -> dict[str, Any]:
    return {**no_commands(), "stack": [], "drift": [], "cutover": [], "manual": why}


def _stack_checks(r: PlannedResource) -> dict[str, list[str]]:
    _, region = _where(r)
    status = (
        f"aws cloudformation describe-stacks --stack-name {r.stack_name} --region {region} "
        "--query 'Stacks[0].StackStatus' --output text"
    )
    drift = [
        f"DRIFT_ID=$(aws cloudformation detect-stack-drift --stack-name {r.stack_name} --region {region} "
        "--query StackDriftDetectionId --output text)",
        f'aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id "$DRIFT_ID" '
        f"--region {region} --query StackDriftStatus",
    ]
    return {"stack": [status], "drift": drift}


class _Planner:
    """Walks the plan in order, remembering which files and accounts earlier resources handed over."""

    def __init__(self, steps: TargetSteps) -> None:
        self.target, self.layout, self.runbook = steps.target, steps.layout, steps.runbook
        self.since: dict[str, int] = {}  # file -> wave that first hands it over
        self.prepared: set[tuple[str, str]] = set()
        self.released: set[tuple[str, str, int]] = set()  # (account, region, wave) given release lines
        self.reopened: set[tuple[str, str, int]] = set()  # (account, region, wave) given wave lines
        self.prepared_in: dict[tuple[str, str], int] = {}  # (account, region) -> wave that prepared it
        self.wave, self.seen = 0, set()

    def use(self, file: Handover, region: str) -> Use:
        first = self.since.setdefault(file.path, self.wave) == self.wave
        repeat = file.path in self.seen
        self.seen.add(file.path)
        return Use(file, region, first, repeat, self.since[file.path])

    def prepare(self, account: str, region: str, name: str) -> Commands:
        if (account, region) in self.prepared:
            return self.reopen(account, region, name)
        self.prepared.add((account, region))
        self.prepared_in[(account, region)] = self.wave
        files = self.layout(StackRef("account", name, account, region)) if self.layout else ()
        return self.runbook.account_commands(account, region, [self.use(f, region) for f in files])

    def reopen(self, account: str, region: str, name: str) -> Commands:
        """A later wave's lines before its first stack in an account and Region prepared by an earlier
        wave: the runbook's optional `wave_commands` (terraform: `init` again, since a wave may run from
        a fresh checkout whose ignored `.terraform/` is gone); once per wave."""
        hook = getattr(self.runbook, "wave_commands", None)
        key = (account, region, self.wave)
        if hook is None or key in self.reopened or self.prepared_in.get((account, region)) == self.wave:
            return no_commands()
        self.reopened.add(key)
        files = self.layout(StackRef("account", name, account, region)) if self.layout else ()
        return hook(account, region, [self.use(f, region) for f in files])

    def release(self, account: str, region: str, name: str) -> list[str]:
        """Rollback lines removing the account's shared preparation once nothing uses it, in every wave
        using the account and Region (once each): the runbook's optional `release_commands` decides at
        run time, so whichever wave is rolled back last removes it and no earlier one takes it away."""
        hook = getattr(self.runbook, "release_commands", None)
        if hook is None or (account, region, self.wave) in self.released:
            return []
        self.released.add((account, region, self.wave))
        files = self.layout(StackRef("account", name, account, region)) if self.layout else ()
        uses = [Use(f, region, False, False, self.since.get(f.path, self.wave)) for f in files]
        return list(hook(account, region, uses))

    def resource(self, r: PlannedResource) -> dict[str, Any]:
        if r.kind == "environment_account_connection":
            account = r.extra.get("environment_account", r.account)
            prep = self.prepare(account, r.region, r.name)
            prep["rollback"] = prep["rollback"] + self.release(account, r.region, r.name)
            return {
                **prep,
                "stack": [],
                "drift": [],
                "cutover": [],
                "manual": None,
            }
        if not r.stack_name or r.provisioning not in (None, "cloudformation"):
            why = (
                f"{r.provisioning} provisioning"
                if r.provisioning not in (None, "cloudformation")
                else "no stack recorded"
            )
            return _manual(
                f"{why}: follow the audit's remedy for {', '.join(r.manual or r.blocked_by) or 'it'}"
            )
        files = list(self.layout(stack_ref(r))) if self.layout else []
        deploy = [f for f in files if f.role != "ci"]
        if not deploy:
            return _manual(
                f"the {self.target} export names no file for it: hand it over as the export's README.md says"
            )
        if r.blocked_by:  # a target file applied now would deploy the unit (a pipeline runs at once)
            why = f"# `{r.label}` is held back by the plan ({', '.join(r.blocked_by)}): not handed over "
            return {
                **no_commands(),
                "handover": [why + "until a person fixes it and the wave is planned again"],
                **_stack_checks(r),
                "cutover": [],
                "manual": None,
            }
        account, region = _where(r)
        prep = self.prepare(account, region, account)
        own = _merge(*(self.runbook.stack_commands(self.use(f, region)) for f in deploy))
        cmds = _merge(prep, own)
        # undo in reverse: the stack, then its account (shared preparation only once no wave uses it)
        cmds["rollback"] = own["rollback"] + prep["rollback"] + self.release(account, region, account)
        cutover = _cutover(r, [f for f in files if f.role == "ci"]) if r.kind == "service_pipeline" else []
        return {**cmds, **_stack_checks(r), "cutover": cutover, "manual": None}


def plan_commands(plan: Plan, steps: TargetSteps | None = None) -> dict[str, dict[str, Any]]:
    """Resource id -> its commands: handover, check, rollback, restore (lists of shell lines), stack and
    drift checks, cutover for pipelines, and `manual` when no command can hand it over. `steps` default
    to the installed target exporter's (`target_steps`)."""
    planner = _Planner(steps or target_steps(plan.target))
    out: dict[str, dict[str, Any]] = {}
    for wave in plan.waves:
        planner.wave, planner.seen = wave.number, set()
        for r in wave.resources:
            out[r.id] = planner.resource(r)
    return out
