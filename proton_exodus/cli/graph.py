"""`exodus graph`: show the dependency graph of a snapshot (json, dot, mermaid, svg)."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("graph", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def graph_cmd(args: tuple[str, ...]) -> None:
    """Show the dependency graph of a snapshot (json, dot, mermaid, svg)."""
    raise NotImplementedYet("`exodus graph` is not implemented yet (issue 7).")
