"""`exodus inventory --source stacks`: rebuild the estate's snapshot from what Proton left behind.

After end of support Proton's API and metadata are gone; its CloudFormation stacks remain, with
Proton's tags (which resource, environment, service, template), outputs and deployed templates.
Records are rebuilt from those; template versions and inputs are recovered against the bundles
(proton_exodus.proton.recover): environments first (their outputs feed instances), then instances, then
pipelines. Spec files take precedence but are checked. Same snapshot format as the API crawl,
with `provenance` on every record and `recovery` on recovered ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proton_exodus.inventory import assemble
from proton_exodus.inventory.bundles import match_bundles
from proton_exodus.inventory.estate import CrawlReport, ProgressFn, _bundle_candidates, _report, _tool_version
from proton_exodus.inventory.scopes import build_scopes
from proton_exodus.inventory.stacks_discover import FoundStack, discover_stacks
from proton_exodus.inventory.stacks_inputs import load_provisioning_repos, load_specs
from proton_exodus.inventory.stacks_records import Backed, classify
from proton_exodus.inventory.stacks_recover import Rebuilder
from proton_exodus.inventory.stacks_tags import carry_tags, load_earlier
from proton_exodus.inventory.stats import CallStats
from proton_exodus.model.secrets import scrub_text
from proton_exodus.model.snapshot import KINDS, Snapshot, write_snapshot
from proton_exodus.settings import Settings


@dataclass(frozen=True)
class StacksReport(CrawlReport):
    """A crawl report plus what recovery found per stack."""

    recovery: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "source": "stacks", "recovery": self.recovery}


def crawl_stacks(
    settings: Settings,
    out: Path,
    *,
    bundles: tuple[str, ...] = (),
    specs: tuple[str, ...] = (),
    provisioning_repos: tuple[str, ...] = (),
    concurrency: int = 16,
    assume_role: str | None = None,
    accounts_file: Path | None = None,
    redact: bool = False,
    progress: ProgressFn | None = None,
    tags_from: Path | None = None,
) -> StacksReport:
    """Snapshot the estate from its CloudFormation stacks (and bundles, spec files, provisioning repos);
    `tags_from`, a snapshot taken through the API before end of support, brings back customer tags."""
    started = time.monotonic()
    earlier = load_earlier(tags_from) if tags_from is not None else None  # bad input fails before any call
    stats, warnings = CallStats(), []
    scopes = build_scopes(
        settings, stats, assume_role=assume_role, accounts_file=accounts_file, warnings=warnings
    )
    found: list[FoundStack] = []
    for scope in scopes:
        found += discover_stacks(
            settings, scope.session, scope.account or "unknown", scope.region, stats, concurrency, warnings
        )
    if progress:
        progress({"calls": stats.total, "retries": stats.retries, "resumed": 0})
    candidates = _bundle_candidates(bundles, settings, stats, warnings)
    spec_files = load_specs(specs, warnings)
    backed, stacks, templates = _classify_all(found, warnings)
    rebuilder = Rebuilder(backed, candidates, spec_files, warnings)
    for stack in found:
        if not stack.record["reachable"]:
            rebuilder.unreadable(stack)
    records = rebuilder.rebuild()
    for rec in load_provisioning_repos(provisioning_repos, records, warnings):
        _merge_record(records.setdefault(rec.pop("_kind"), []), rec)
    rebuilder.add_templates()  # again: Terraform resources name templates too
    assemble.add_provisioning(records)
    if earlier is not None:
        carry_tags(records, earlier, warnings)
    secrets = assemble.redact_records(records)
    bundle_files = match_bundles(records, candidates)
    _annotate_stacks(stacks, rebuilder.per_stack)
    summary = rebuilder.summary()
    meta = {
        "source": "stacks",
        "protonAnswered": False,
        "toolVersion": _tool_version(),
        "capturedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "accounts": sorted(
            {r["account"] for recs in records.values() for r in recs}
            | {s.account for s in scopes if s.account}
        ),
        "regions": sorted(
            {r["region"] for recs in records.values() for r in recs}
            | set(settings.regions or (settings.region,))
        ),
        "warnings": sorted(set(warnings)),
        "redacted": redact,
        "recovery": summary,
    }
    templates = {rel: scrub_text(text, secrets) for rel, text in templates.items()}
    snapshot = Snapshot(
        meta=meta,
        records={k: records.get(k, []) for k in KINDS},
        stacks=stacks,
        templates=templates,
        bundles=bundle_files,
        secrets={} if redact else secrets,
    )
    snapshot.meta["durationSeconds"] = round(time.monotonic() - started, 3)
    snapshot.meta["apiCalls"] = stats.snapshot()
    write_snapshot(snapshot, Path(out))
    base = _report(snapshot, Path(out), 0, time.monotonic() - started)
    return StacksReport(**{f: getattr(base, f) for f in base.__dataclass_fields__}, recovery=summary)


def _merge_record(kind_records: list[dict[str, Any]], rec: dict[str, Any]) -> None:
    """Add a provisioning-repo record; it replaces a record only other stacks named (keeping the
    outputs recovered for it when the repository holds none)."""
    for i, old in enumerate(kind_records):
        if old.get("arn") == rec["arn"]:
            kind_records[i] = {**rec, "outputs": rec.get("outputs") or old.get("outputs") or {}}
            return
    kind_records.append(rec)


def _classify_all(
    found: list[FoundStack], warnings: list[str]
) -> tuple[list[Backed], list[dict[str, Any]], dict[str, str]]:
    backed: list[Backed] = []
    stacks: list[dict[str, Any]] = []
    templates: dict[str, str] = {}
    for stack in found:
        record = dict(stack.record)
        what = classify(stack) if record["reachable"] else None  # unreadable: warned when discovered
        if not isinstance(what, Backed):
            if what is not None:
                warnings.append(
                    f"stack {record['StackName']} ({record['account']}/{record['region']}): {what}"
                )
            record.update(resourceArn=None, resourceKind=None)
        else:
            backed.append(what)
            # A pipeline's stack is tagged with its service's ARN; the API crawl (and the pipeline
            # record) name the pipeline `<service ARN>/pipeline`.
            arn = f"{what.arn}/pipeline" if what.kind == "service_pipelines" else what.arn
            record.update(resourceArn=arn, resourceKind=assemble.RESOURCE_KINDS[what.kind])
        stacks.append(record)
        if stack.template is not None and record.get("templatePath"):
            templates[record["templatePath"]] = stack.template
    return backed, stacks, templates


def _annotate_stacks(stacks: list[dict[str, Any]], per_stack: dict[str, dict[str, Any]]) -> None:
    for record in stacks:
        key = f"{record['account']}/{record['region']}/{record['StackName']}"
        if key in per_stack:
            record["recovery"] = per_stack[key]
