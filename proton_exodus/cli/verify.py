"""`exodus verify`: prove an export equals the deployed stacks; predict replacements."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of, snapshot_option


@click.command("verify")
@global_options
@snapshot_option
@click.option(
    "--export",
    "export_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory written by `exodus export`.",
)
@click.option(
    "--change-set",
    is_flag=True,
    help="Also create (and delete) a CloudFormation change set per stack; needs an account or endpoint.",
)
@click.option(
    "--ssm-values",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON {Parameter Store name: value} standing for what the account holds (default: the "
    "snapshot's values, which the export asks you to stage).",
)
@click.pass_context
def verify_cmd(
    ctx: click.Context, snapshot: Path, export_dir: Path, change_set: bool, ssm_values: Path | None = None
) -> None:
    """Prove an export equals the deployed stacks as CloudFormation compares them (parameters resolved,
    dynamic references as text, stack tags); report each difference's effect. Exit 1 on any unplanned one."""
    from proton_exodus.cli.output import emit
    from proton_exodus.errors import ExitCode
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.verify import verify_export

    settings = settings_of(ctx)
    session = None
    if change_set:
        from proton_exodus.aws import build_session

        session = build_session(settings)
    given = None
    if ssm_values is not None:
        import json

        given = json.loads(ssm_values.read_text(encoding="utf-8"))
    report = verify_export(
        load_snapshot(snapshot),
        export_dir,
        change_set=change_set,
        session=session,
        ssm_values=given,
        endpoint_url=settings.endpoint_for("cloudformation") if change_set else None,
    )
    emit(settings, report.as_dict(), lambda _: report.summary_text())
    if report.failed:
        ctx.exit(int(ExitCode.FINDINGS))
