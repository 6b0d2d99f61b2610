"""`exodus inventory`: snapshot a whole Proton estate (API or, after end of support, --source stacks)."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("inventory", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def inventory_cmd(args: tuple[str, ...]) -> None:
    """Snapshot a whole Proton estate (API or, after end of support, --source stacks)."""
    raise NotImplementedYet("`exodus inventory` is not implemented yet (issue 7 and 14).")
