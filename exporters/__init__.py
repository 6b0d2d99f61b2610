"""The exporter plugin contract, and the registry that finds exporters through entry points.

An exporter turns a snapshot into the files of a target repository. Exporters are pure: no boto3,
no file writes, no clock or randomness, sorted output. The shared writer in
`proton_exodus.output.writer` does the writing, diffing and manifest. Built-ins register through
the same entry-point group as third-party exporters (`proton_exodus.exporters`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from proton_exodus.errors import BadInput, UnknownExporter

if TYPE_CHECKING:
    import networkx as nx

    from proton_exodus.model.snapshot import Snapshot

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
    units: Sequence[Any] = ()  # proton_exodus.model.units.DeploymentUnit, one per stack, in dependency order
    plan: Mapping[str, Any] | None = None  # plan.json contents when a plan exists


@dataclass(frozen=True)
class ExportResult:
    """What an exporter returns: files (POSIX relative path -> text, LF, final newline) and findings."""

    files: Mapping[str, str]
    findings: Sequence[Finding] = ()


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


@runtime_checkable
class Exporter(Protocol):
    """What an exporter plugin provides; `exporter` in its module is an instance of this."""

    name: str  # equals the entry-point name
    summary: str  # one line for `exodus export --list-targets`
    api_version: int

    def export(self, ctx: ExportContext) -> ExportResult: ...

    # Optional: `handover(ref: StackRef) -> Sequence[Handover]`, the export's files that hand `ref` over
    # (empty when it has none). `exodus plan` writes its runbook commands from it; without it, the
    # runbook points at the export's README.md.


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

    def load(self, name: str) -> Exporter:
        """Load one exporter, checking its contract; UnknownExporter lists the names there are."""
        if name not in self._loaders:
            raise UnknownExporter(f"unknown export target {name!r}", hint="available: " + ", ".join(self.names()))
        exporter = self._loaders[name]()
        version = getattr(exporter, "api_version", None)
        if version != API_VERSION:
            raise BadInput(
                f"exporter {name!r} implements exporter API version {version!r}, this exodus needs {API_VERSION}"
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


__all__ = [
    "API_VERSION",
    "ENTRY_POINT_GROUP",
    "ExportContext",
    "ExportResult",
    "Exporter",
    "Finding",
    "Handover",
    "Registry",
    "StackRef",
]
