"""`exodus audit`: readiness report: what can move automatically, what needs hands, and why."""

from __future__ import annotations

import click

from proton_exodus.cli.options import global_options
from proton_exodus.errors import NotImplementedYet


@click.command("audit", context_settings={"ignore_unknown_options": True})
@global_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def audit_cmd(args: tuple[str, ...]) -> None:
    """Readiness report: what can move automatically, what needs hands, and why."""
    raise NotImplementedYet("`exodus audit` is not implemented yet (issue 11).")
