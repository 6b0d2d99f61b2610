"""`exodus audit`: readiness report: what can move automatically, what needs hands, and why."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of, snapshot_option
from proton_exodus.errors import ExitCode


@click.command("audit")
@global_options
@snapshot_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write audit.md and audit.json into this directory.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["none", "error", "warning"]),
    default="none",
    show_default=True,
    help="Exit 1 when findings of this severity (or worse) exist.",
)
@click.pass_context
def audit_cmd(ctx: click.Context, snapshot: Path, out: Path | None, fail_on: str) -> None:
    """Readiness report: what can move automatically, what needs hands, and why.

    Finding codes start with their severity: E blocks a wave, W needs a manual step, I is information.
    """
    from proton_exodus.audit import audit_snapshot, write_audit
    from proton_exodus.cli.output import emit
    from proton_exodus.model.snapshot import load_snapshot

    report = audit_snapshot(load_snapshot(snapshot))
    if out is not None:
        write_audit(report, out)
    emit(settings_of(ctx), report.to_dict(), lambda _: report.to_markdown())
    if report.fails(fail_on):
        ctx.exit(int(ExitCode.FINDINGS))
