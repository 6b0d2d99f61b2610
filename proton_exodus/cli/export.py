"""`exodus export`: write a target repository from a snapshot with any installed exporter (--list-targets)."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of
from proton_exodus.errors import BadInput


def parse_kv(pairs: tuple[str, ...]) -> dict[str, str]:
    """`KEY=VALUE` option strings -> dict; BadInput naming the malformed one."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"--opt {pair!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


@click.command("export")
@global_options
@click.option("--list-targets", is_flag=True, help="List the export targets installed, then exit.")
@click.option(
    "--snapshot",
    type=click.Path(file_okay=False, path_type=Path),
    help="Snapshot directory written by `exodus inventory`.",
)
@click.option("--target", help="Exporter name; see --list-targets.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Directory of the exported repository."
)
@click.option(
    "--only", multiple=True, metavar="ENV_OR_SERVICE", help="Only these environments or services (repeat)."
)
@click.option("--dry-run", is_flag=True, help="Show the file plan and diff; write nothing.")
@click.option("--force", is_flag=True, help="Also overwrite files edited by hand since the last export.")
@click.option("--opt", "opts", multiple=True, metavar="KEY=VALUE", help="Exporter option (repeat).")
@click.option(
    "--secrets",
    type=click.Choice(["ssm-parameter", "dynamic-reference"]),
    help="How secrets rendered into templates leave Git: ssm-parameter (default; a Parameter Store "
    "String read by an SSM parameter type: the first deploy changes nothing) or "
    "dynamic-reference (Secrets Manager; a planned change, see PLANNED_CHANGES.md).",
)
@click.option(
    "--plan",
    "plan_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Plan directory (`exodus plan`); exporters that follow migration waves use its plan.json.",
)
@click.option(
    "--through-wave",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --plan: only the stacks of waves 1..N (what a wave's runbook hands over, cumulatively).",
)
@click.pass_context
def export_cmd(
    ctx: click.Context,
    list_targets: bool,
    snapshot: Path | None,
    target: str | None,
    out: Path | None,
    only: tuple[str, ...],
    dry_run: bool,
    force: bool,
    opts: tuple[str, ...],
    plan_dir: Path | None,
    through_wave: int | None,
    secrets: str | None = None,
) -> None:
    """Write TARGET's repository files for the stacks in SNAPSHOT (atomically, with a manifest)."""
    from proton_exodus.cli.output import emit

    settings = settings_of(ctx)
    if list_targets:
        from proton_exodus.export import list_targets as _list

        emit(settings, _list(), lambda rows: "\n".join(f"{r['name']:<16} {r['summary']}" for r in rows))
        return
    missing = [
        flag for flag, value in (("--snapshot", snapshot), ("--target", target), ("--out", out)) if not value
    ]
    if missing:
        raise BadInput(
            f"exodus export needs {', '.join(missing)}", hint="or --list-targets to see the targets"
        )
    from proton_exodus.export import run_export
    from proton_exodus.model.snapshot import load_snapshot

    if through_wave is not None and plan_dir is None:
        raise BadInput("--through-wave needs --plan (the plan whose waves it counts)")
    plan = None
    if plan_dir is not None:
        from proton_exodus.report.context import load_plan

        plan = load_plan(plan_dir)
    options = parse_kv(opts) | ({"secrets": secrets} if secrets else {})
    report = run_export(
        str(target),
        load_snapshot(Path(str(snapshot))),
        Path(str(out)),
        only=only,
        options=options,
        dry_run=dry_run,
        force=force,
        plan=plan,
        through_wave=through_wave,
    )
    emit(settings, report.as_dict(), lambda _: report.summary_text(verbose=settings.verbose))
