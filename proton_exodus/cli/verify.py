"""`exodus verify`: prove an export equals the deployed stacks; predict replacements."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("verify", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def verify_cmd(args: tuple[str, ...]) -> None:
    """Prove an export equals the deployed stacks; predict replacements."""
    raise NotImplementedYet("`exodus verify` is not implemented yet (issue 8).")
