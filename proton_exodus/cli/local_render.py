"""`exodus local render`: render a bundle with a spec, as Proton did (CloudFormation, Terraform or CodeBuild)."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("render", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def render_cmd(args: tuple[str, ...]) -> None:
    """Render a bundle with a spec, as Proton did (CloudFormation, Terraform or CodeBuild)."""
    raise NotImplementedYet("`exodus local render` is not implemented yet (issue 4).")
