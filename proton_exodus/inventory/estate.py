"""`crawl_estate`: crawl every account and Region, merge, match bundles, write the snapshot atomically.

Units of work are journaled in `<out>.partial/journal.jsonl`, so `resume=True` after an
interruption (even SIGKILL) re-fetches nothing that was done and writes the same snapshot.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proton_exodus.aws import build_client
from proton_exodus.errors import BadInput, NotImplementedYet
from proton_exodus.inventory import assemble
from proton_exodus.inventory.bundles import Candidate, match_bundles, read_repo_file, scan_directory, scan_s3
from proton_exodus.inventory.calls import Caller
from proton_exodus.inventory.journal import Journal, partial_dir
from proton_exodus.inventory.proton import ProtonCrawler
from proton_exodus.inventory.runner import TaskRunner
from proton_exodus.inventory.scopes import Scope, build_scopes
from proton_exodus.inventory.stackflow import StackFollower
from proton_exodus.inventory.stacks import StackReader
from proton_exodus.inventory.stats import CallStats
from proton_exodus.inventory.throttle import tune_adaptive_retries
from proton_exodus.model.secrets import scrub_text
from proton_exodus.model.snapshot import KINDS, Snapshot, write_snapshot
from proton_exodus.settings import Settings

ProgressFn = Callable[[dict[str, Any]], None]
STACK_SHARE = 8  # at most one thread in eight reads stacks while Proton tasks are queued


@dataclass(frozen=True)
class CrawlReport:
    """What a crawl did: where the snapshot is, what it holds, what it cost, what to look at."""

    out: Path
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    counts: dict[str, int]
    api_calls: dict[str, Any]
    duration_seconds: float
    stacks: int
    unreachable_stacks: int
    versions_without_bundle: tuple[str, ...]
    reused_units: int
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The `--output json` summary."""
        return {
            "out": str(self.out),
            "accounts": list(self.accounts),
            "regions": list(self.regions),
            "counts": self.counts,
            "apiCalls": self.api_calls,
            "durationSeconds": self.duration_seconds,
            "stacks": self.stacks,
            "unreachableStacks": self.unreachable_stacks,
            "versionsWithoutBundle": list(self.versions_without_bundle),
            "resumedUnits": self.reused_units,
            "warnings": list(self.warnings),
        }


@dataclass
class _ScopeResult:
    account: str
    records: dict[str, list[dict[str, Any]]]
    stacks: list[dict[str, Any]]
    templates: dict[str, str]


def crawl_estate(
    settings: Settings,
    out: Path,
    *,
    bundles: tuple[str, ...] = (),
    resume: bool = False,
    concurrency: int = 16,
    assume_role: str | None = None,
    accounts_file: Path | None = None,
    redact: bool = False,
    source: str = "api",
    progress: ProgressFn | None = None,
) -> CrawlReport:
    """Snapshot every Proton resource of the accounts and Regions in `settings` into `out`.

    Raises ProtonRetired when Proton answers as the retired service, AwsAccessDenied naming the
    permission to add, AwsError when AWS cannot be reached, BadInput for bad options. Stacks that
    cannot be read are recorded as unreachable and reported in `warnings`, not raised.
    """
    if source == "stacks":
        raise NotImplementedYet("`exodus inventory --source stacks` is not implemented yet (issue 14)")
    if source != "api":
        raise BadInput(f"--source {source!r} is not one of: api, stacks")
    if concurrency < 1:
        raise BadInput("--concurrency must be at least 1")
    started = time.monotonic()
    stats, warnings = CallStats(), []
    scopes = build_scopes(
        settings, stats, assume_role=assume_role, accounts_file=accounts_file, warnings=warnings
    )
    journal = Journal(
        partial_dir(out) / "journal.jsonl", _fingerprint(settings, scopes, assume_role), resume=resume
    )
    ticker = _Ticker(progress, stats, journal)
    try:
        with ThreadPoolExecutor(max_workers=min(8, len(scopes))) as pool:
            results = list(
                pool.map(lambda s: _crawl_scope(settings, s, journal, stats, concurrency, warnings), scopes)
            )
        snapshot = _build_snapshot(results, bundles, settings, stats, redact, warnings)
        snapshot.meta["durationSeconds"] = round(time.monotonic() - started, 3)
        snapshot.meta["apiCalls"] = stats.snapshot()
        write_snapshot(snapshot, Path(out))
    finally:
        ticker.stop()
        journal.close()
    journal.discard()
    return _report(snapshot, Path(out), journal.reused, time.monotonic() - started)


def _fingerprint(settings: Settings, scopes: list[Scope], assume_role: str | None) -> str:
    data = {
        "scopes": sorted(s.label for s in scopes),
        "assumeRole": assume_role,
        "endpoint": settings.endpoint_url,
        "profile": settings.profile,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _crawl_scope(
    settings: Settings,
    scope: Scope,
    journal: Journal,
    stats: CallStats,
    concurrency: int,
    warnings: list[str],
) -> _ScopeResult:
    client = stats.attach(
        tune_adaptive_retries(
            build_client(
                "proton",
                settings,
                region=scope.region,
                session=scope.session,
                max_attempts=15,
                pool_size=concurrency,
            )
        )
    )
    caller = Caller(
        client, journal, label=scope.label, service="proton", region=scope.region, account=scope.account or ""
    )
    with TaskRunner(concurrency, name=f"crawl-{scope.region}") as runner:
        # Stacks named by ARN in the crawled account are read while the Proton crawl runs.
        early = StackReader(settings, scope.session, stats, journal, scope.account) if scope.account else None
        follower = StackFollower(
            early, runner, scope.account, scope.region, in_flight=max(1, concurrency // STACK_SHARE)
        )
        crawler = ProtonCrawler(caller, runner, on_resources=follower.on_resources)
        crawler.start()
        runner.wait()
        account = scope.account or _account_from_arns(crawler.parts, warnings)
        records = assemble.build_records(crawler.parts, account, scope.region, warnings)
        refs = assemble.stack_refs(records)
        reader = early or StackReader(settings, scope.session, stats, journal, account)
        stacks, templates = follower.finish(reader, refs)
    return _ScopeResult(account, records, stacks, templates)


def _account_from_arns(parts: dict[Any, dict[str, Any]], warnings: list[str]) -> str:
    for part in parts.values():
        arn = (part.get("detail") or part.get("summary") or {}).get("arn", "")
        if arn.count(":") >= 5 and arn.split(":")[4]:
            return str(arn.split(":")[4])
    warnings.append("could not tell which account was crawled (STS GetCallerIdentity failed, no ARNs seen)")
    return "unknown"


def _build_snapshot(
    results: list[_ScopeResult],
    bundle_sources: tuple[str, ...],
    settings: Settings,
    stats: CallStats,
    redact: bool,
    warnings: list[str],
) -> Snapshot:
    records: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    stacks: list[dict[str, Any]] = []
    templates: dict[str, str] = {}
    for result in results:
        for kind, recs in result.records.items():
            records.setdefault(kind, []).extend(recs)
        stacks.extend(result.stacks)
        templates.update(result.templates)
    assemble.merge_connections(records)
    assemble.add_provisioning(records)
    secrets = assemble.redact_records(records)
    _add_ops_files(records, bundle_sources)
    candidates = _bundle_candidates(bundle_sources, settings, stats, warnings)
    bundle_files = match_bundles(records, candidates)
    _warn_stacks_and_bundles(records, stacks, warnings)
    meta = {
        "source": "proton-api",
        "protonAnswered": True,
        "toolVersion": _tool_version(),
        "capturedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "accounts": sorted(
            {r["account"] for recs in records.values() for r in recs} | _scope_accounts(results)
        ),
        "regions": sorted(
            {r["region"] for recs in records.values() for r in recs}
            | set(settings.regions or (settings.region,))
        ),
        "warnings": sorted(set(warnings)),
        "redacted": redact,
    }
    templates = {rel: scrub_text(text, secrets) for rel, text in templates.items()}
    return Snapshot(
        meta=meta,
        records=records,
        stacks=stacks,
        templates=templates,
        bundles=bundle_files,
        secrets={} if redact else secrets,
    )


def _scope_accounts(results: list[_ScopeResult]) -> set[str]:
    return {r.account for r in results}


def _add_ops_files(records: dict[str, list[dict[str, Any]]], sources: tuple[str, ...]) -> None:
    for rec in records.get("service_sync_configs", []):
        text = read_repo_file(list(sources), rec.get("filePath") or "")
        if text is not None:
            rec["opsFile"] = text


def _bundle_candidates(
    sources: tuple[str, ...], settings: Settings, stats: CallStats, warnings: list[str]
) -> list[Candidate]:
    found: list[Candidate] = []
    for source in sources:
        if source.startswith("s3://"):
            s3 = stats.attach(build_client("s3", settings))
            try:
                found += scan_s3(source, s3, warnings)
            except Exception as err:  # noqa: BLE001 - bundles are optional; say what failed
                from proton_exodus.inventory.awserrors import describe

                warnings.append(f"bundles from {source} could not be read: {describe(err)}")
        elif Path(source).is_dir():
            found += scan_directory(Path(source), source, warnings)
        else:
            raise BadInput(f"--bundles {source}: not a directory or s3://bucket/prefix")
    return found


def _warn_stacks_and_bundles(
    records: dict[str, list[dict[str, Any]]], stacks: list[dict[str, Any]], warnings: list[str]
) -> None:
    unreachable = [s for s in stacks if not s.get("reachable")]
    if unreachable:
        reasons = sorted({s.get("unreachableReason", "") for s in unreachable})
        warnings.append(
            f"{len(unreachable)} of {len(stacks)} stacks could not be read: " + "; ".join(reasons[:3])
        )
    for kind in ("environment_template_versions", "service_template_versions"):
        missing = [r for r in records.get(kind, []) if not r.get("bundle")]
        if missing:
            warnings.append(f"{len(missing)} {kind.replace('_', ' ')} have no bundle (pass --bundles)")


def _tool_version() -> str:
    from proton_exodus import __version__

    return __version__


def _report(snapshot: Snapshot, out: Path, reused: int, duration: float) -> CrawlReport:
    missing = tuple(
        sorted(
            f"{r['templateName']}:{r['majorVersion']}.{r['minorVersion']}"
            for kind in ("environment_template_versions", "service_template_versions")
            for r in snapshot.kind(kind)
            if not r.get("bundle")
        )
    )
    return CrawlReport(
        out=out,
        accounts=tuple(snapshot.meta["accounts"]),
        regions=tuple(snapshot.meta["regions"]),
        counts={k: len(snapshot.kind(k)) for k in KINDS},
        api_calls=snapshot.meta["apiCalls"],
        duration_seconds=round(duration, 3),
        stacks=len(snapshot.stacks),
        unreachable_stacks=sum(1 for s in snapshot.stacks if not s.get("reachable")),
        versions_without_bundle=missing,
        reused_units=reused,
        warnings=tuple(snapshot.meta["warnings"]),
    )


class _Ticker:
    """Calls `progress` about five times a second from its own thread, and once at the end."""

    def __init__(self, progress: ProgressFn | None, stats: CallStats, journal: Journal) -> None:
        self.progress, self.stats, self.journal = progress, stats, journal
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True) if progress else None
        if self._thread:
            self._thread.start()

    def _tick(self) -> None:
        if self.progress:
            self.progress(
                {"calls": self.stats.total, "retries": self.stats.retries, "resumed": self.journal.reused}
            )

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self._tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._tick()
