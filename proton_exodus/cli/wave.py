"""`exodus wave`: track a migration plan wave by wave (status, start, complete, rollback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from proton_exodus.cli.options import global_options, settings_of

_plan_option = click.option(
    "--plan",
    "plan_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Plan directory written by `exodus plan`.",
)
_note_option = click.option("--note", help="A note to keep in the journal with this change.")


@click.group("wave")
@global_options
def wave_group() -> None:
    """Track progress through a plan's waves: status, start, complete, rollback.

    The journal (journal.json in the plan directory) records who changed what and when. A wave starts
    only when every earlier wave is complete; otherwise the command exits 2.
    """


def _status_text(rows: list[dict[str, Any]]) -> str:
    lines = ["wave  date        state        resources  last change"]
    for r in rows:
        pilot = " (pilot)" if r["pilot"] else ""
        lines.append(
            f"{r['number']:>4}  {r['date'] or '-':<10}  {r['state']:<11}  {r['resources']:>9}  "
            f"{r['lastChange'] or '-'}{' by ' + r['by'] if r['by'] else ''}{pilot}"
        )
    return "\n".join(lines)


@wave_group.command("status")
@global_options
@_plan_option
@click.pass_context
def status_cmd(ctx: click.Context, plan_dir: Path) -> None:
    """Show each wave's state."""
    from proton_exodus.cli.output import emit
    from proton_exodus.plan import wave_status

    emit(settings_of(ctx), wave_status(plan_dir), _status_text)


def _transition_cmd(
    name: str, doc: str, action: Callable[[], Callable[..., dict[str, Any]]]
) -> click.Command:
    @wave_group.command(name, help=doc)
    @global_options
    @click.argument("number", type=int)
    @_plan_option
    @_note_option
    @click.pass_context
    def command(ctx: click.Context, number: int, plan_dir: Path, note: str | None) -> None:
        from proton_exodus.cli.output import emit

        result = action()(plan_dir, number, note=note)
        emit(
            settings_of(ctx),
            result,
            lambda r: f"wave {r['number']}: {r['from']} -> {r['state']} at {r['at']}",
        )

    return command


def _lib(name: str) -> Callable[[], Callable[..., dict[str, Any]]]:
    def load() -> Callable[..., dict[str, Any]]:
        import proton_exodus.plan as plan

        return getattr(plan, name)

    return load


start_cmd = _transition_cmd(
    "start", "Start wave NUMBER (every earlier wave must be complete).", _lib("wave_start")
)
complete_cmd = _transition_cmd("complete", "Mark wave NUMBER (in progress) complete.", _lib("wave_complete"))
rollback_cmd = _transition_cmd("rollback", "Record that wave NUMBER was rolled back.", _lib("wave_rollback"))
