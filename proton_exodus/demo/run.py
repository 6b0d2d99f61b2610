"""`run_demo`: the whole migration on the embedded demo estate, in-process and reproducible.

Starts the local Proton + local cloud, seeds the demo estate, retires Proton (today's story: end of
support has passed, the `AWSProton-...` stacks remain), then inventory from the stacks of both
accounts -> audit -> plan -> export (every installed target) -> verify (cfn-git-sync) -> report,
then `exodus rehearse` of the published snapshot and plan (cfn-git-sync, day 2, a rollback, in a fresh
process). Everything written under `out` is deterministic: the capture time is fixed, volatile crawl
statistics are dropped, the ids the local cloud invents are functions of the resource
(engine/cloud_ids.py), paths inside the files are relative to `out`, and the snapshot's secrets.json is
never written there (the planted secrets stay in memory, used only by verify).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from proton_exodus.settings import Settings

__all__ = ["DEMO_CAPTURED_AT", "DemoReport", "run_demo"]

DEMO_STARTED_AT = "2026-06-01T06:00:00+00:00"  # the engine's clocks start here and tick once per reading
DEMO_CAPTURED_AT = "2026-12-07T09:00:00Z"  # fixed capture time, after end of support: dates repeat run to run
DEMO_READ_ROLE = (
    "arn:aws:iam::{account}:role/ExodusReadOnly"  # assumed in each demo account to read its stacks
)
STACK_TIMES = ("CreationTime", "LastUpdatedTime", "DeletionTime")
CLIENT_TOKENS = ("lastClientRequestToken", "clientToken")
BUNDLES_LABEL = "proton_exodus/demo/bundles"  # the checkout's absolute path differs per machine
WORKER_THREAD = "proton-engine-worker"  # proton_exodus/engine/deployments.py names its thread so
PROVISIONING = "local-provisioning"  # self-managed provisioning folders; their scratch prefix is dropped
VOLATILE_META = ("durationSeconds", "apiCalls")
VERIFY_TARGET = "cfn-git-sync"
REHEARSE_TARGET = "cfn-git-sync"  # the default target; one rehearsal keeps `exodus demo` near a minute
REPORT_FILE = "report.html"
DEMO_ENV = {"AWS_ACCESS_KEY_ID": "exodus-demo", "AWS_SECRET_ACCESS_KEY": "exodus-demo"}
DROPPED_ENV = ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
ProgressFn = Callable[[str], None]


@dataclass
class DemoReport:
    """What the demo did and where it wrote it (paths are under `out`)."""

    out: Path
    counts: dict[str, int] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)
    waves: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    verify: dict[str, Any] = field(default_factory=dict)
    rehearsal: dict[str, Any] = field(default_factory=dict)  # the rehearsal's --output json summary
    findings: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step; never written to a file

    @property
    def ok(self) -> bool:
        """True when every step ran and verify found no difference."""
        return not self.findings and not self.verify.get("failed", True)


def run_demo(
    out: Path, settings: Settings | None = None, *, progress: ProgressFn | None = None
) -> DemoReport:
    """Run the demo into `out`; raise ExodusError when a step cannot run at all (step failures on
    single targets are recorded as findings in the report and SUMMARY.md instead)."""
    from proton_exodus.demo.seed import local_seed
    from proton_exodus.engine.server import LocalProtonServer

    settings = settings or Settings()
    out = Path(out)
    report = DemoReport(out=out)
    say = progress or (lambda _msg: None)
    say("starting the local Proton and seeding the demo estate")
    started = time.monotonic()
    with (
        _demo_credentials(),
        tempfile.TemporaryDirectory(prefix="exodus-demo-") as scratch,
        LocalProtonServer(
            port=0,
            seed=local_seed(),
            backend_factory=_demo_backend_class(),
            backend_options={"provisioning_root": Path(scratch) / PROVISIONING},
        ) as server,
    ):
        report.timings["seed"] = round(time.monotonic() - started, 2)
        with _timed(report, "inventory"):
            say("inventory")
            # An API snapshot while Proton still answers keeps the customer tags (`stage: prod`, ...) that
            # Proton never put on the stacks; the rebuild takes them back with --tags-from.
            earlier = _api_snapshot(server.url, settings, Path(scratch) / "api-snapshot")
            server.retire(True)  # the Proton API now answers as the retired service; the stacks remain
            snapshot = _inventory(server.url, settings, Path(scratch), out / "snapshot", tags_from=earlier)
        report.counts = {kind: len(recs) for kind, recs in sorted(snapshot.records.items())}
        report.paths["snapshot"] = out / "snapshot"
        with _timed(report, "audit+plan"):
            say("audit and plan")
            _audit_and_plan(snapshot, out, report)
        with _timed(report, "export"):
            _export_all(snapshot, out, Path(scratch), report, say)
        with _timed(report, "verify"):
            say("verify")
            _verify(snapshot, out, report)
        with _timed(report, "report"):
            say("report")
            _report(snapshot.secrets, out, report)
    with _timed(report, "rehearse"):
        say(f"rehearse ({REHEARSE_TARGET}, Proton retired)")
        _rehearse(out, report)
    _write_summary(report)
    return report


@contextlib.contextmanager
def _demo_credentials() -> Iterator[None]:
    """Fixed fake credentials for the run: the local endpoint needs some, and real ones must not leave."""
    saved = {k: os.environ.get(k) for k in (*DEMO_ENV, *DROPPED_ENV)}
    os.environ.update(DEMO_ENV)
    for key in DROPPED_ENV:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _timed:
    def __init__(self, report: DemoReport, step: str) -> None:
        self.report, self.step = report, step

    def __enter__(self) -> None:
        self.started = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        self.report.timings[self.step] = round(time.monotonic() - self.started, 2)


def _machine_free(data: Any, root: Path) -> Any:
    """`data` with this machine's paths (the scratch dir, the checkout's bundles) as stable labels, so the
    snapshot is byte-identical wherever the project is cloned."""
    from proton_exodus.demo.estate import BUNDLES_DIR

    text = json.dumps(data).replace(str(root / PROVISIONING), PROVISIONING)
    return json.loads(text.replace(str(BUNDLES_DIR), BUNDLES_LABEL))


def _api_snapshot(url: str, settings: Settings, dest: Path) -> Path:
    """`exodus inventory` through the Proton API before end of support (the home account, the demo's
    Region), kept in the scratch folder: only its records' tags are used, by the stacks rebuild."""
    from proton_exodus.inventory import crawl_estate

    crawl_estate(replace(settings, endpoint_url=url, profile=None, regions=(_demo_region(),)), dest)
    return dest


def _inventory(url: str, settings: Settings, root: Path, dest: Path, *, tags_from: Path | None = None) -> Any:
    """Rebuild the retired estate from its stacks (every demo account, through a read role; the bundles;
    the Terraform provisioning folders) into a scratch dir and return that snapshot (fixed capture time,
    no volatile stats, secrets kept); write the demo's public copy to `dest`: no secrets.json, and the
    sensitive values the deployed templates carry in clear swapped for {{exodus:secret:ID}} placeholders."""
    from proton_exodus.demo.estate import BUNDLES_DIR, load_estate
    from proton_exodus.inventory.from_stacks import crawl_stacks
    from proton_exodus.model.secrets import scrub_text
    from proton_exodus.model.snapshot import load_snapshot, write_snapshot

    # The demo estate lives in its own Region of the local cloud:
    # --profile/--region/--endpoint-url do not apply.
    crawl_settings = replace(settings, endpoint_url=url, profile=None, regions=(_demo_region(),))
    accounts = root / "accounts.txt"
    accounts.write_text("".join(f"{a['id']}\n" for a in load_estate()["accounts"]), encoding="utf-8")
    crawl_stacks(
        crawl_settings,
        root / "snapshot",
        bundles=(str(BUNDLES_DIR),),
        assume_role=DEMO_READ_ROLE,
        accounts_file=accounts,
        provisioning_repos=(str(root / PROVISIONING),),
        tags_from=tags_from,
    )
    loaded = load_snapshot(root / "snapshot")
    meta = _machine_free({k: v for k, v in loaded.meta.items() if k not in VOLATILE_META}, root)
    meta["capturedAt"] = DEMO_CAPTURED_AT
    timeline = _stack_timeline(loaded.stacks)
    records = _retime(_normalise_records(_machine_free(loaded.records, root)), timeline)
    loaded = replace(loaded, meta=meta, records=records, stacks=_normalise_stacks(loaded.stacks, timeline))
    templates = {
        s["templatePath"]: scrub_text(loaded.stack_template(s) or "", loaded.secrets)
        for s in loaded.stacks
        if s.get("templatePath") and loaded.stack_template(s) is not None
    }
    write_snapshot(replace(loaded, secrets={}, templates=templates), dest)
    return loaded


def _leaks(root: Path, secrets: dict[str, Any]) -> list[str]:
    """Files under `root` that hold a clear secret value."""
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and _holds_secret(p, secrets)
    )


def _holds_secret(path: Path, secrets: dict[str, Any]) -> bool:
    from proton_exodus.model.secrets import MIN_SCRUB_LENGTH

    data = path.read_bytes()
    return any(str(v).encode() in data for v in secrets.values() if len(str(v)) >= MIN_SCRUB_LENGTH)


def _demo_backend_class() -> type:
    """ProtonBackend whose ids and clock repeat run to run. The stock engine draws both from one
    sequence shared by the API threads and the deployment worker, so their interleaving (timing)
    changed stack names and timestamps; here each side has its own sequence. The seeder makes one
    call at a time and the worker runs jobs in queue order, so each sequence is deterministic."""
    from proton_exodus.engine.backend import ProtonBackend

    start = datetime.fromisoformat(DEMO_STARTED_AT).timestamp()

    class DemoBackend(ProtonBackend):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._demo_counts: dict[str, int] = {}
            self._demo_lock = threading.Lock()
            super().__init__(*args, **kwargs)

        def _demo_tick(self, what: str) -> tuple[str, int]:
            role = "worker" if threading.current_thread().name == WORKER_THREAD else "api"
            with self._demo_lock:
                count = self._demo_counts[f"{what}:{role}"] = self._demo_counts.get(f"{what}:{role}", 0) + 1
            return role, count

        def _random_bytes(self) -> bytes:
            role, count = self._demo_tick("id")
            return hashlib.sha256(f"{self.seed}:{self.account_id}:{role}:{count}".encode()).digest()

        def now(self) -> float:
            role, count = self._demo_tick("clock")
            return round(start + count + (0.5 if role == "worker" else 0.0), 3)

    return DemoBackend


def _normalise_records(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """boto3 fills idempotency tokens with uuid4: derive them from the resource instead."""

    def fix(value: Any, owner: str) -> Any:
        if isinstance(value, dict):
            return {
                k: (
                    str(uuid.UUID(hashlib.sha256(owner.encode()).hexdigest()[:32]))
                    if k in CLIENT_TOKENS
                    else fix(v, owner)
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [fix(v, owner) for v in value]
        return value

    return {
        kind: [
            fix(r, f"{kind}:{r.get('arn') or r.get('name') or json.dumps(r, sort_keys=True)}") for r in recs
        ]
        for kind, recs in records.items()
    }


def _stack_timeline(stacks: list[dict[str, Any]]) -> dict[str, str]:
    """moto stamps stacks with the wall clock: its times, in order, mapped onto the demo's timeline."""
    times = sorted({s[k] for s in stacks for k in STACK_TIMES if isinstance(s.get(k), str)})
    base = datetime.fromisoformat(DEMO_STARTED_AT)
    return {
        t: (base + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000000Z") for i, t in enumerate(times)
    }


def _normalise_stacks(stacks: list[dict[str, Any]], mapped: dict[str, str]) -> list[dict[str, Any]]:
    """The stacks with their times on the demo's timeline."""
    return [
        {k: mapped.get(v, v) if k in STACK_TIMES and isinstance(v, str) else v for k, v in s.items()}
        for s in stacks
    ]


def _retime(value: Any, mapped: dict[str, str]) -> Any:
    """Records rebuilt from the stacks carry the stacks' times (createdAt, ...): the same mapping."""
    if isinstance(value, dict):
        return {k: _retime(v, mapped) for k, v in value.items()}
    if isinstance(value, list):
        return [_retime(v, mapped) for v in value]
    return mapped.get(value, value) if isinstance(value, str) else value


def _demo_region() -> str:
    from proton_exodus.demo.estate import load_estate

    return str(load_estate()["region"])


def _audit_and_plan(snapshot: Any, out: Path, report: DemoReport) -> None:
    from proton_exodus.audit import audit_snapshot, write_audit
    from proton_exodus.graph import build_graph
    from proton_exodus.output.atomic import write_tree_atomic
    from proton_exodus.plan import plan_files, plan_snapshot

    audit = audit_snapshot(snapshot, build_graph(snapshot))
    write_audit(audit, out / "audit")
    counts = audit.counts()
    report.audit = {k: counts[k] for k in ("resources", "automatic", "manual", "blocked", "findings")}
    plan, graph = plan_snapshot(snapshot)
    # Runbooks repeat these references verbatim: keep them relative to `out`, where the reader stands.
    write_tree_atomic(out / "plan", plan_files(plan, graph, snapshot_ref="snapshot", plan_ref="plan"))
    report.waves = [
        {"number": w["number"], "date": w["date"], "risk": w["risk"], "resources": len(w["resources"])}
        for w in plan.to_dict()["waves"]
    ]
    report.paths |= {"audit": out / "audit" / "audit.md", "plan": out / "plan" / "README.md"}


def _export_all(snapshot: Any, out: Path, scratch: Path, report: DemoReport, say: ProgressFn) -> None:
    """Export to every target in scratch, then copy each export that holds no clear secret to `out`."""
    from proton_exodus.errors import ExodusError
    from proton_exodus.export import list_targets, run_export

    plan_file = out / "plan" / "plan.json"
    plan = json.loads(plan_file.read_text(encoding="utf-8")) if plan_file.is_file() else None
    siblings: dict[tuple[Any, ...], Any] = {}  # an export one exporter builds on is made once, not again
    for target in sorted(t["name"] for t in list_targets()):
        say(f"export {target}")
        work, dest = scratch / "exports" / target, out / "exports" / target
        if dest.exists():  # never leave an earlier run's export behind a failure
            shutil.rmtree(dest)
        try:
            run_export(target, snapshot, work, plan=plan, siblings=siblings)
        except ExodusError as err:
            report.findings.append(f"export {target}: {err}")
            continue
        except Exception as err:  # noqa: BLE001 - an exporter bug must not hide the other targets' output
            report.findings.append(f"export {target}: exporter failed: {type(err).__name__}: {err}")
            continue
        leaks = _leaks(work, snapshot.secrets)
        if leaks:
            report.findings.append(
                f"export {target}: not published: {len(leaks)} files hold sensitive input "
                f"values in clear (e.g. {leaks[0]})"
            )
            continue
        shutil.copytree(work, dest)
        report.files[target] = sum(1 for p in dest.rglob("*") if p.is_file())
        report.paths[f"exports/{target}"] = dest


def _verify(snapshot: Any, out: Path, report: DemoReport) -> None:
    """Offline verify of the cfn-git-sync export against the deployed stacks in the snapshot. (Change
    sets against moto took ~18 s and moto's CreateChangeSet answers some demo templates with a 500.)"""
    from proton_exodus.errors import ExodusError
    from proton_exodus.output.atomic import dump_json, write_text_atomic
    from proton_exodus.verify import verify_export

    export = out / "exports" / VERIFY_TARGET
    if not export.is_dir():
        report.verify = {"failed": True, "error": f"no {VERIFY_TARGET} export to verify"}
        return
    try:
        result = verify_export(snapshot, export)
    except ExodusError as err:
        report.findings.append(f"verify: {err}")
        report.verify = {"failed": True, "error": str(err)}
        return
    report.verify = result.as_dict()
    write_text_atomic(out / "verify.json", dump_json(report.verify))
    report.paths["verify"] = out / "verify.json"


def _rehearse(out: Path, report: DemoReport) -> None:
    """`exodus rehearse` of the published snapshot and plan through the default target, with day 2 and a
    rollback (the demo's bundles for the minor-version move), in a fresh process as a user would run it:
    the demo's own local cloud (moto's in-process state) must not leak into the rebuilt estate.
    REHEARSAL.md and rehearsal.json go to `out/rehearsal/`; the rehearsal's own export and Git
    repositories stay in a scratch folder."""
    import multiprocessing

    dest = out / "rehearsal"
    with tempfile.TemporaryDirectory(prefix="exodus-rehearse-") as scratch:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            outcome = pool.apply(_rehearse_child, (str(out), scratch, str(Path(__file__).parent / "bundles")))
        if "error" in outcome:
            report.findings.append(f"rehearse: {outcome['error']}")
            report.rehearsal = {"error": outcome["error"]}
            return
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for name in ("REHEARSAL.md", "rehearsal.json"):
            shutil.copy2(Path(scratch) / name, dest / name)
    report.rehearsal = outcome["summary"]
    if not report.rehearsal.get("passed"):  # the demo ends with a passing rehearsal, or says it did not
        report.findings.append("rehearse: FAILED, see rehearsal/REHEARSAL.md")
    report.timings.update({f"rehearse.{k}": v for k, v in outcome["seconds"].items()})
    report.paths["rehearsal"] = dest / "REHEARSAL.md"


def _rehearse_child(out: str, scratch: str, bundles: str) -> dict[str, Any]:
    """The rehearsal, run in the spawned process: its summary and timings, or the error."""
    from proton_exodus.errors import ExodusError
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.rehearse.report import write_rehearsal
    from proton_exodus.rehearse.run import rehearse
    from proton_exodus.report.context import load_plan

    try:
        result = rehearse(
            load_snapshot(Path(out) / "snapshot"),
            load_plan(Path(out) / "plan"),
            REHEARSE_TARGET,
            Path(scratch),
            bundles=Path(bundles),
            # every wave runbook's commands, as `exodus rehearse` does by default (the aws CLI kept warm)
            plan_dir=Path(out) / "plan",
        )
    except ExodusError as err:
        return {"error": str(err)}
    write_rehearsal(result, Path(scratch))
    return {"summary": result.summary(), "seconds": result.seconds}


def _rehearsal_lines(r: dict[str, Any]) -> list[str]:
    if not r:
        return ["- not run"]
    if "error" in r:
        return [f"- not run: {r['error']}"]
    lines = [
        f"- {'passed' if r['passed'] else 'FAILED'}: {r['waves']} waves, {r['steps']} steps "
        f"({r['reproduced']} stacks rebuilt, {r['staged']} secrets staged), {r['failed']} failed, "
        f"{r['noOps']} no-op deploys, {r['modifications']} modification(s), {r['replacements']} "
        f"replacement(s), {r['unplanned']} unplanned, {r.get('blocked', 0)} blocked by the plan",
        f"- wave runbooks run as written: {r.get('commands', 0)} commands, {r.get('manual', 0)} manual "
        "steps (an operator's `exodus`/`git` lines and console handshakes)",
    ]
    lines += [
        f"- blocked (wave {b['wave']}, not deployed): {b['reason']}" for b in r.get("blockedUnits") or []
    ]
    for name, d in (r.get("day2") or {}).items():
        where = f" of wave {d['wave']} ({d['stacks']} stacks)" if name == "rollback" else f" `{d['stack']}`"
        outcome = d.get("outcome") or ("failed" if d["failed"] else "ok")
        lines.append(
            f"- {name}{where}: {outcome}, {d['changes']} change(s), {d['replacements']} replacement(s), "
            f"{d['unplanned']} unplanned"
        )
    return lines


def _report(secrets: dict[str, Any], out: Path, report: DemoReport) -> None:
    """report.html from the published files, exactly as `exodus report` builds it from them (so the
    page shows what a reader of `out` can check); withheld, like an export, if it holds a secret."""
    from proton_exodus.errors import ExodusError
    from proton_exodus.report import build_report

    page = out / REPORT_FILE
    verify = out / "verify.json"
    try:
        build_report(
            out / "snapshot",
            out=page,
            plan_dir=out / "plan",
            verify_file=verify if verify.is_file() else None,
        )
    except ExodusError as err:
        report.findings.append(f"report: {err}")
        return
    if _holds_secret(page, secrets):
        page.unlink()
        report.findings.append(f"report: not published: {REPORT_FILE} holds sensitive input values in clear")
        return
    report.paths["report"] = page


def _write_summary(report: DemoReport) -> None:
    """SUMMARY.md: what ran and where it went (no timings: the file must repeat byte for byte)."""
    from proton_exodus.output.atomic import write_text_atomic

    lines = [
        "# exodus demo",
        "",
        "The whole migration of the embedded demo estate (proton_exodus/demo/estate.yaml),",
        "run against the local Proton and local cloud by `exodus demo`. Paths are relative to this "
        "directory.",
        "",
        "Today's story: Proton's end of support (2026-10-07) has passed. The local Proton is retired after",
        "seeding, and the estate is rebuilt from what it left behind: the `AWSProton-...` stacks in both "
        "accounts",
        f"(read through {DEMO_READ_ROLE.format(account='ACCOUNT')}), the template bundles and the Terraform",
        f"provisioning folders (`exodus inventory --source stacks`), captured {DEMO_CAPTURED_AT}; the",
        "customer tags (`stage: prod`, ...) come from an API snapshot taken before Proton was retired",
        "(`--tags-from`).",
        "",
    ]
    if "report" in report.paths:
        lines += [
            f"**Start with [{REPORT_FILE}]({REPORT_FILE})**: one page, open it in a browser (no network "
            "needed): the dependency graph, audit findings, waves and verify result.",
            "",
        ]
    lines += ["## Inventory (`snapshot/`, rebuilt from the stacks)", ""]
    lines += [f"- {kind}: {n}" for kind, n in report.counts.items() if n]
    lines += [
        "",
        "Sensitive values are not published here: the snapshot's secrets.json is withheld, and the deployed",
        "templates under snapshot/stacks/ carry the specs' `{{exodus:secret:ID}}` placeholders instead of",
        "the clear values (the demo verifies against the clear templates before writing them out).",
        "",
        "## Audit (`audit/audit.md`, `audit/audit.json`)",
        "",
    ]
    findings = report.audit.get("findings", {})
    lines += [
        f"- {report.audit.get('resources', 0)} resources: {report.audit.get('automatic', 0)} automatic, "
        f"{report.audit.get('manual', 0)} manual, {report.audit.get('blocked', 0)} blocked",
        "- findings: " + ", ".join(f"{n} {sev}" for sev, n in findings.items()),
        "",
        "## Plan (`plan/README.md`, `plan/wave-NN.md`, `plan/plan.json`)",
        "",
    ]
    lines += [
        f"- wave {w['number']:>2}  {w['date']}  {w['risk']}: {w['resources']} resources" for w in report.waves
    ]
    lines += ["", "## Exports (`exports/<target>/`)", ""]
    lines += [f"- {target}: {n} files" for target, n in sorted(report.files.items())]
    lines += [
        "",
        f"## Verify (`verify.json`: the {VERIFY_TARGET} export against the deployed stacks, offline)",
        "",
        _verify_line(report.verify),
    ]
    lines += [
        "",
        f"## Rehearsal (`rehearsal/REHEARSAL.md`: {REHEARSE_TARGET}, every wave, day 2 and a rollback, "
        "on a local cloud rebuilt from snapshot/ with Proton retired)",
        "",
        *_rehearsal_lines(report.rehearsal),
    ]
    if report.findings:
        lines += ["", "## Findings (steps that did not complete)", ""] + [f"- {f}" for f in report.findings]
    path = report.out / "SUMMARY.md"
    write_text_atomic(path, "\n".join(lines) + "\n")
    report.paths["summary"] = path


def _verify_line(verify: dict[str, Any]) -> str:
    if "error" in verify:
        return f"- not verified: {verify['error']}"
    verdict = "FAILED" if verify.get("failed") else "OK"
    return (
        f"- {verdict}: {verify.get('stacks', 0)} stacks, {len(verify.get('differences') or [])} differences"
    )
