"""`exodus export`: write a target repository (cfn-git-sync, codepipeline, github-actions, argocd) from a snapshot."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("export", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def export_cmd(args: tuple[str, ...]) -> None:
    """Write a target repository (cfn-git-sync, codepipeline, github-actions, argocd) from a snapshot."""
    raise NotImplementedYet("`exodus export` is not implemented yet (issue 8).")
