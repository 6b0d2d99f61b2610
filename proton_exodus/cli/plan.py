"""`exodus plan`: wave-by-wave migration plan and runbooks derived from the graph."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("plan", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def plan_cmd(args: tuple[str, ...]) -> None:
    """Wave-by-wave migration plan and runbooks derived from the graph."""
    raise NotImplementedYet("`exodus plan` is not implemented yet (issue 11).")
