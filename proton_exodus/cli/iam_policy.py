"""`exodus iam-policy`: print the minimal IAM policy for an exodus command."""

from __future__ import annotations

import json

import click

from proton_exodus.cli.options import global_options


@click.command("iam-policy")
@global_options
@click.option(
    "--for",
    "command",
    required=True,
    type=click.Choice(["inventory", "verify", "handover"]),
    help="The command whose policy to print.",
)
def iam_policy_cmd(command: str) -> None:
    """Print the minimal IAM policy document for an exodus command (JSON on stdout, always)."""
    from proton_exodus.iam import iam_policy

    click.echo(json.dumps(iam_policy(command), indent=2))
