"""`exodus iam-policy`: print the minimal IAM policy for an exodus command."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("iam-policy", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def iam_policy_cmd(args: tuple[str, ...]) -> None:
    """Print the minimal IAM policy for an exodus command."""
    raise NotImplementedYet("`exodus iam-policy` is not implemented yet (issue 13).")
