"""`exodus rehearse`: run the plan wave by wave on the local cloud with Proton retired; prove each step."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of, snapshot_option


@click.command("rehearse")
@global_options
@snapshot_option
@click.option(
    "--plan",
    "plan_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Plan directory (`exodus plan`): the waves to run, in order.",
)
@click.option("--target", required=True, help="Export target whose deployer to emulate (e.g. cfn-git-sync).")
@click.option("--through-wave", type=click.IntRange(min=1), help="Run waves 1..N only (default: every wave).")
@click.option(
    "--opt", "opts", multiple=True, metavar="KEY=VALUE", help="Exporter option, as for `exodus export`."
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Rehearse this export (written by `exodus export --target TARGET`) instead of a fresh one.",
)
@click.option(
    "--day2/--no-day2",
    "with_day2",
    default=True,
    show_default=True,
    help="After the waves: ship an image, change an input, move an instance to the next minor version, "
    "and roll one wave back.",
)
@click.option(
    "--rollback-wave",
    type=click.IntRange(min=1),
    help="The wave day 2's rollback returns to its previous deployment path (default: the last wave day 2 "
    "did not change).",
)
@click.option(
    "--bundles",
    "bundles",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Template bundles in a template-sync layout (<template>/v<major>[.<minor>]/), for day 2's "
    "minor-version move.",
)
@click.option(
    "--runbooks/--no-runbooks",
    default=True,
    show_default=True,
    help="Also run every command of the plan's wave runbooks as written (aws CLI against the local "
    "endpoint, per-account credentials; CodeConnections emulated). The aws CLI is kept warm (one "
    "resident process): some 300 commands on the demo.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for REHEARSAL.md, rehearsal.json, the export and the deployer's work files.",
)
@click.pass_context
def rehearse_cmd(
    ctx: click.Context,
    snapshot: Path,
    plan_dir: Path,
    target: str,
    through_wave: int | None,
    opts: tuple[str, ...],
    export_dir: Path | None,
    with_day2: bool,
    rollback_wave: int | None,
    bundles: Path | None,
    runbooks: bool,
    out: Path,
) -> None:
    """Rebuild the estate from the snapshot in a local cloud (Proton retired; or use --endpoint-url's
    estate as it is), export, then deploy waves 1..N the way TARGET does, inspecting every change set.
    Writes OUT/REHEARSAL.md and OUT/rehearsal.json. Exit 1 on a failed step, an unplanned change or a
    replacement."""
    from proton_exodus.cli.export import parse_kv
    from proton_exodus.cli.output import emit
    from proton_exodus.errors import ExitCode
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.rehearse.report import write_rehearsal
    from proton_exodus.rehearse.run import rehearse
    from proton_exodus.report.context import load_plan

    settings = settings_of(ctx)
    result = rehearse(
        load_snapshot(snapshot),
        load_plan(plan_dir),
        target,
        out,
        through_wave=through_wave,
        endpoint_url=settings.endpoint_url,
        options=parse_kv(opts),
        export=export_dir,
        with_day2=with_day2,
        rollback_wave=rollback_wave,
        bundles=bundles,
        plan_dir=plan_dir if runbooks else None,  # --no-runbooks: the deployer's steps only
    )
    paths = write_rehearsal(result, out)
    summary = {**result.summary(), "seconds": result.seconds, "files": [str(p) for p in paths]}

    def text(s: dict) -> str:
        verdict = "passed" if s["passed"] else "FAILED"
        return (
            f"rehearsal {verdict}: {s['waves']} wave(s), {s['steps']} step(s), {s['failed']} failed, "
            f"{s['modifications']} modification(s), {s['replacements']} replacement(s), "
            f"{s['unplanned']} unplanned change(s), {s['blocked']} unit(s) blocked by the plan "
            "(not deployed); "
            f"see {paths[0]}"
        )

    emit(settings, summary, text)
    if not result.passed:
        ctx.exit(int(ExitCode.FINDINGS))
