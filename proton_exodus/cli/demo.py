"""`exodus demo`: run the whole migration on the embedded demo estate (no AWS account needed)."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("demo", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def demo_cmd(args: tuple[str, ...]) -> None:
    """Run the whole migration on the embedded demo estate (no AWS account needed)."""
    raise NotImplementedYet("`exodus demo` is not implemented yet (issue 12).")
