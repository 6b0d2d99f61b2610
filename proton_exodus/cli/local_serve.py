"""`exodus local serve`: serve a Proton-compatible API (and a local cloud) on localhost."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("serve", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def serve_cmd(args: tuple[str, ...]) -> None:
    """Serve a Proton-compatible API (and a local cloud) on localhost."""
    raise NotImplementedYet("`exodus local serve` is not implemented yet (issue 6).")
