"""`exodus demo`: run the whole migration on the embedded demo estate (no AWS account needed)."""

from __future__ import annotations

import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any

import click

from proton_exodus.cli.options import global_options, settings_of


def _rel(path: Path) -> str:
    """A path as the user would type it from here."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _summary(report: Any, seconds: float) -> str:
    kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in report.counts.items() if n)
    audit = report.audit
    waves = ", ".join(f"{w['number']}: {w['resources']}" for w in report.waves)
    verify = report.verify
    verdict = (
        f"FAILED ({verify['error']})"
        if "error" in verify
        else f"{'FAILED' if verify.get('failed') else 'OK'}: {verify.get('stacks', 0)} stacks, "
        f"{len(verify.get('differences') or [])} differences"
    )
    lines = [
        f"exodus demo finished in {seconds:.1f} s (seed {report.timings.get('seed', 0):.1f} s)",
        f"  inventory  {kinds}",
        f"  audit      {audit.get('resources', 0)} resources: {audit.get('automatic', 0)} automatic, "
        f"{audit.get('manual', 0)} manual, {audit.get('blocked', 0)} blocked",
        f"  plan       {len(report.waves)} waves (resources per wave {waves})",
        "  exports    " + ", ".join(f"{t}: {n} files" for t, n in sorted(report.files.items())),
        f"  verify     {verdict}",
        "",
        "Where everything went:",
    ]
    lines += [f"  {name:<22} {_rel(path)}" for name, path in sorted(report.paths.items())]
    lines += [f"Warning: {finding}" for finding in report.findings]
    return "\n".join(lines)


@click.command("demo")
@global_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("exodus-demo"),
    show_default=True,
    help="Directory for the snapshot, audit, plan, exports and SUMMARY.md.",
)
@click.pass_context
def demo_cmd(ctx: click.Context, out: Path) -> None:
    """Run the whole migration on the embedded demo estate (no AWS account needed).

    Starts a local Proton and local cloud in-process, seeds the demo estate, then runs inventory,
    audit, plan, export to every target and verify, writing everything under OUT. Exits with the
    findings code when verify finds a difference; a target that cannot export is a warning.
    """
    from proton_exodus.cli.output import emit
    from proton_exodus.demo.run import run_demo

    settings = settings_of(ctx)
    # moto warns about every resource type its CloudFormation does not model; the demo knows.
    logging.getLogger("moto").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="moto")
    started = time.monotonic()
    progress = (lambda msg: click.echo(f"... {msg}", err=True)) if settings.verbose else None
    report = run_demo(out, settings, progress=progress)
    seconds = time.monotonic() - started
    data = {
        "out": str(out),
        "seconds": round(seconds, 1),
        "counts": report.counts,
        "audit": report.audit,
        "waves": report.waves,
        "files": report.files,
        "verify": {k: v for k, v in report.verify.items() if k != "changeSets"},
        "findings": report.findings,
        "paths": {k: _rel(v) for k, v in sorted(report.paths.items())},
    }
    emit(settings, data, lambda _: _summary(report, seconds))
    if report.verify.get("failed"):  # the export would not hand the stacks over unchanged
        from proton_exodus.errors import ExitCode

        ctx.exit(int(ExitCode.FINDINGS))
