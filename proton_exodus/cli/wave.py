"""`exodus wave`: track a migration plan wave by wave (status, start, complete, rollback)."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.group("wave")
@global_options
def wave_group() -> None:
    """Track progress through a plan's waves: status, start, complete, rollback."""


@wave_group.command("status", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def status_cmd(args: tuple[str, ...]) -> None:
    """Show each wave's state."""
    raise NotImplementedYet("`exodus wave status` is not implemented yet (issue 11).")
