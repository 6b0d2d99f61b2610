"""`exodus report`: one self-contained HTML report of a snapshot and its plan."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of, snapshot_option


@click.command("report")
@global_options
@snapshot_option
@click.option(
    "--plan",
    "plan_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory written by `exodus plan` (its plan.json becomes the waves section).",
)
@click.option(
    "--verify",
    "verify_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON written by `exodus verify --output json` (becomes the verify section).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (atomically).",
)
@click.pass_context
def report_cmd(
    ctx: click.Context, snapshot: Path, plan_dir: Path | None, verify_file: Path | None, out: Path
) -> None:
    """One self-contained HTML report: estate summary, dependency graph, audit, waves, verify.

    The page needs no network (no external CSS, scripts or fonts) and never shows secret values.
    """
    from proton_exodus.cli.output import emit
    from proton_exodus.report import build_report

    result = build_report(snapshot, out=out, plan_dir=plan_dir, verify_file=verify_file)
    emit(settings_of(ctx), result, lambda r: f"wrote {r['out']} ({r['bytes']} bytes)")
