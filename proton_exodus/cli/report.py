"""`exodus report`: one self-contained HTML report of a snapshot and its plan."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("report", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def report_cmd(args: tuple[str, ...]) -> None:
    """One self-contained HTML report of a snapshot and its plan."""
    raise NotImplementedYet("`exodus report` is not implemented yet (issue 12).")
