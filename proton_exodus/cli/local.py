"""`exodus local`: the local Proton (render templates, serve a Proton-compatible API)."""

from __future__ import annotations

import click

from proton_exodus.cli.local_render import render_cmd
from proton_exodus.cli.local_serve import serve_cmd
from proton_exodus.cli.options import global_options


@click.group("local")
@global_options
def local_group() -> None:
    """The local Proton: render bundles exactly as Proton did, or serve its API on localhost."""


local_group.add_command(render_cmd)
local_group.add_command(serve_cmd)
