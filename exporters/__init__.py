"""The exporter plugin contract, and the registry that finds exporters through entry points.

An exporter turns a snapshot into the files of a target repository. Exporters are pure: no boto3,
no file writes, no clock or randomness, sorted output. The shared writer in
`proton_exodus.output.writer` does the writing, diffing and manifest. Built-ins register through
the same entry-point group as third-party exporters (`proton_exodus.exporters`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from proton_exodus.errors import BadInput, UnknownExporter

if TYPE_CHECKING:
    import networkx as nx

    from proton_exodus.model.snapshot import Snapshot
    from proton_exodus.model.units import DeploymentUnit

ENTRY_POINT_GROUP = "proton_exodus.exporters"
API_VERSION = 1


@dataclass(frozen=True)
class Finding:
    """A manual task or remark. `code` starts with E (blocks a wave), W (needs a manual step) or I (info)."""

    code: str
    message: str
    resource: str = ""  # ARN or name of what it is about
    path: str = ""  # file in the export it concerns, if any

    @property
    def severity(self) -> str:
        return {"E": "error", "W": "warning"}.get(self.code[:1], "info")


@dataclass(frozen=True)
class ExportContext:
    """Everything an exporter may read."""

    snapshot: Snapshot
    graph: nx.MultiDiGraph
    options: Mapping[str, str] = field(default_factory=dict)
    only: tuple[str, ...] = ()  # environment or service names to restrict the export to; empty = all
    units: Sequence[DeploymentUnit] = ()  # one per stack, in dependency order
    plan: Mapping[str, Any] | None = None  # plan.json contents when a plan exists
    # Results of exports made in the same run (same snapshot, plan and units), by `sibling_key`: an exporter
    # that builds on another target's files (backstage on cfn-git-sync) takes them from here, and adds them
    # when it has to make them, rather than export twice. Empty: nothing to share.
    siblings: MutableMapping[tuple[Any, ...], ExportResult] = field(
        default_factory=dict, hash=False, compare=False
    )


@dataclass(frozen=True)
class ExportResult:
    """What an exporter returns: files (POSIX relative path -> text, LF, final newline) and findings."""

    files: Mapping[str, str]
    findings: Sequence[Finding] = ()


def sibling_key(target: str, options: Mapping[str, str], ctx: ExportContext) -> tuple[Any, ...]:
    """The key of `target`'s result with `options` in `ctx.siblings`: the same exporter, options, snapshot,
    plan and units give the same files (exporters are pure)."""
    return (
        target,
        tuple(sorted(options.items())),
        id(ctx.snapshot),
        id(ctx.plan),
        tuple(ctx.only),
        tuple(u.arn for u in ctx.units),
    )


@dataclass(frozen=True)
class StackRef:
    """A planned resource, as `exodus plan` asks an exporter where its hand-over files are. `kind` is a
    snapshot kind (`environment`, `component`, `service_instance`, `service_pipeline`) or `account`
    (preparing an account and Region before its stacks move); `account`/`region` are the stack's."""

    kind: str
    name: str
    account: str
    region: str
    stack_name: str = ""
    environment: str | None = None
    service: str | None = None
    service_instance: str | None = None  # the instance a component is attached to


@dataclass(frozen=True)
class Handover:
    """One file of an export that an operator deploys, applies or enables to hand a stack over.

    `name` is what applying it creates (a stack, workflow, Application or ApplicationSet); `watch` is
    what shows the stack's deployments (pipeline, workflow, Application); `role` is `deploy`, `ci` for
    a build pipeline that replaces a Proton service pipeline's build steps, or `bootstrap` for a file
    set up once for the whole export (a wave applies it if missing, never removes it). Several stacks
    may share one file (a pipeline per environment): the runbook applies it once.
    """

    path: str
    name: str
    watch: str = ""
    role: str = "deploy"


Commands = dict[str, list[str]]
"""A runbook's shell lines by step: `handover`, `check`, `rollback`, and `restore` (run after the
runbook's `git revert`, for files an earlier wave already handed over: re-applied, never removed)."""


def no_commands() -> Commands:
    """Commands with every step empty."""
    return {"handover": [], "check": [], "rollback": [], "restore": []}


def export_file(path: str) -> str:
    """A file a runbook command reads from the checkout of the export (`$EXPORT`, set by the runbook),
    as opposed to a path inside the repository."""
    return f'"$EXPORT/{path}"'


@dataclass(frozen=True)
class Use:
    """One export file as a wave uses it: `first` when no earlier wave handed it over, `repeat` when an
    earlier resource of this wave already did, `since` the wave that first did."""

    file: Handover
    region: str
    first: bool
    repeat: bool
    since: int


class Runbook(Protocol):
    """How a target hands its export's files over, for the wave runbooks `exodus plan` writes. The
    files come from the exporter's `handover`; the runbook gives the commands that deploy, apply or
    enable them, check they took, and roll them back without touching the adopted stacks.

    Optional: `release_commands(account, region, files) -> list[str]`, lines that remove the account's
    shared preparation once nothing uses it; the planner ends every wave's rollback that uses the account
    and Region with them (so the last wave rolled back removes it, an earlier one never does),
    `shared`, a phrase naming that preparation for the runbook's rollback text, and
    `wave_commands(account, region, files) -> Commands`, lines every later wave runs before its first
    stack in an account and Region an earlier wave prepared (terraform: `init` of a fresh checkout)."""

    # Lines of the runbook's shell set-up after EXPORT and BRANCH (`NAME=...  # what it is`).
    variables: Sequence[str]
    # Ends "Every stack is in a status ..." in the entry checks, e.g. "the target can take over from".
    takes_over_from: str

    def stack_commands(self, use: Use) -> Commands:
        """The lines for one file that hands a stack over."""
        ...

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """Preparing an account and Region, before its first stack moves; `files` are the export's
        files for it (`handover` of an `account` StackRef)."""
        ...


@dataclass(frozen=True)
class ExportedStack:
    """One stack as an export deploys it, for `exodus verify`: template text, parameters and tags.
    `deployment_file` is the export file that names the stack; `template_path` the template's file."""

    account: str
    region: str
    stack_name: str
    deployment_file: str
    template_path: str
    template: str
    parameters: dict[str, str]
    tags: dict[str, str]


@runtime_checkable
class Exporter(Protocol):
    """What an exporter plugin provides; `exporter` in its module is an instance of this."""

    name: str  # equals the entry-point name
    summary: str  # one line for `exodus export --list-targets`
    api_version: int

    def export(self, ctx: ExportContext) -> ExportResult: ...

    # Optional hooks (looked up with getattr; an exporter without them still exports):
    # - `handover(ref: StackRef) -> Sequence[Handover]`: the export's files that hand `ref` over (empty
    #   when it has none). Without it, the runbook points at the export's README.md.
    # - `runbook: Runbook`: the commands for those files. Without it, the runbook lists the files to
    #   apply and says the target gives no commands.
    # - `exported_stacks(export_dir: Path) -> Iterable[ExportedStack]`: every stack an export written
    #   by this exporter deploys, read back from disk. `exodus verify` needs it.
    # - `default = True`: the target `exodus plan` uses when none is given (one exporter sets it).
    # - `rehearse(ctx: proton_exodus.rehearse.model.RehearsalContext) -> Iterable[Step]`: the target's
    #   deployer, emulated with its documented semantics against the clouds `ctx` gives, one Step per
    #   stack of `ctx.waves` in order. `exodus rehearse` needs it. Contract: read the export from a real
    #   Git commit (`proton_exodus.rehearse.repo.commit_export(ctx.export_dir, ctx.work_dir, ...)`, a
    #   fresh `ctx.work_dir` per call); act in the stack's account through `ctx.cloudformation(account,
    #   region)` (or the `aws` CLI against `ctx.endpoint_url`); describe every change set before it runs
    #   (`rehearse.changeset.run_change_set(..., execute=False)` then `execute_change_set`) and set the
    #   Step's outcome with `rehearse.changeset.judge`; fail a step for what the target would refuse
    #   (wrong account or role, missing permission or capability) with a one-line reason. Never raise
    #   for one stack: a failed Step. `ctx.home_account` is the account that ran Proton; `ctx.rebuilt`
    #   says stack ids are new (rebuilt from the snapshot), not the recorded ones.
    # - `edit_stack(export_dir: Path, account: str, region: str, stack_name: str, edit) -> list[str]`:
    #   a day-2 change as the target's users make it: `edit(template_text, parameters) -> (template_text,
    #   parameters)` is applied to the files of `export_dir` that deploy the stack, which are rewritten;
    #   returns the paths changed (BadInput when the export does not deploy the stack). `exodus rehearse`
    #   uses it for day 2 (rehearse/day2.py), then runs `rehearse` on that stack alone.
    # - `runbook_stand_ins: Mapping[str, str]`: program -> what in the rehearsal stands for it (e.g.
    #   argocd's `kubectl`: "the rehearsal's Argo CD sync emulation applies what it would"); the wave
    #   runbooks' lines of those programs are recorded, not run (rehearse/runbook.py).
    # - `runbook_settings(places, export_dir, endpoint_url, *, work_dir, snapshot_dir) -> dict`: the
    #   values the runbooks' operator settings (`CONNECTION_ARN=...`) take in the rehearsal's local
    #   cloud, creating there what a person would have created first. places: the (account, Region)
    #   pairs the waves use; work_dir: the rehearsal's runbook folder, for files a person keeps outside
    #   Git (a secrets folder); snapshot_dir: the snapshot the runbooks read (secrets.json or the
    #   rehearsal's stand-in).
    # - `follows_listing = True`: the target's deployer reads each stack's template file from the
    #   export's TEMPLATES.json (terraform, spacelift), so `exodus repo upgrade` moves a stack whose
    #   parameters are a template configuration too (rehearse/day2.py's minor-version step uses it).
    # - `deploys_through(options) -> (target, options) | None`: for a target whose export deploys no stack
    #   itself (backstage): the export that does. `exodus rehearse` exports it beside (`RehearsalContext.
    #   deploy_dir`), stages its secrets and reads its planned changes; `rehearse` deploys from it.
    # - `day2(ctx, snapshot, deployed, *, wave, bundles) -> Iterable[Step]`: day 2 made the target's own way
    #   (backstage: through the portal's form and skeletons) instead of `edit_stack`; judged with
    #   rehearse/day2.py's `expected`.


Loader = Callable[[], Any]


class Registry:
    """Exporter names and how to load them; an exporter is imported only when used."""

    def __init__(self, loaders: Mapping[str, Loader] | None = None) -> None:
        self._loaders: dict[str, Loader] = dict(loaders or {})

    @classmethod
    def from_entry_points(cls) -> Registry:
        """Every exporter installed under the `proton_exodus.exporters` entry-point group."""
        loaders: dict[str, Loader] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            loaders.setdefault(ep.name, ep.load)
        return cls(loaders)

    def names(self) -> list[str]:
        return sorted(self._loaders)

    def known(self, name: str) -> str:
        """`name` if an exporter of that name is installed (nothing is imported); UnknownExporter
        listing the names there are otherwise."""
        if name not in self._loaders:
            raise UnknownExporter(
                f"unknown export target {name!r}", hint="available: " + ", ".join(self.names())
            )
        return name

    def load(self, name: str) -> Exporter:
        """Load one exporter, checking its contract; UnknownExporter lists the names there are."""
        exporter = self._loaders[self.known(name)]()
        version = getattr(exporter, "api_version", None)
        if version != API_VERSION:
            raise BadInput(
                f"exporter {name!r} implements exporter API version {version!r}, this exodus needs "
                f"{API_VERSION}"
            )
        if not isinstance(exporter, Exporter):
            raise BadInput(f"exporter {name!r} does not provide name, summary, api_version and export()")
        return exporter

    def available(self) -> list[Exporter]:
        """The exporters that load; a broken one is skipped with a warning naming it."""
        found = []
        for name in self.names():
            try:
                found.append(self.load(name))
            except Exception as err:  # noqa: BLE001 - a broken plugin must not break the others
                warnings.warn(f"exporter {name!r} could not be loaded: {err}", stacklevel=2)
        return found

    def default_target(self) -> str:
        """The exporter marked `default = True`, for commands where the target is optional. Exporters
        are loaded in name order until one says so (a broken one is skipped: asking for it by name
        reports it); BadInput when none does."""
        for name in self.names():
            try:
                exporter = self.load(name)
            except Exception:  # noqa: BLE001, S112 - a broken plugin must not hide the default
                continue
            if getattr(exporter, "default", False) is True:
                return name
        raise BadInput(
            "no installed exporter is marked as the default target",
            hint="pass --target; available: " + ", ".join(self.names()),
        )


__all__ = [
    "API_VERSION",
    "ENTRY_POINT_GROUP",
    "Commands",
    "ExportContext",
    "ExportResult",
    "ExportedStack",
    "Exporter",
    "Finding",
    "Handover",
    "Registry",
    "Runbook",
    "StackRef",
    "Use",
    "export_file",
    "no_commands",
    "sibling_key",
]
