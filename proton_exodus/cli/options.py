"""Shared click options: the global ones (valid before and after a sub-command) and common ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from proton_exodus.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def settings_of(ctx: click.Context) -> Settings:
    """The Settings object shared by the root group and every sub-command of this invocation."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _store(attr: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        settings = settings_of(ctx)
        if value in (None, (), False, 0):
            return value
        if attr == "regions":
            settings.regions = tuple(dict.fromkeys(settings.regions + tuple(value)))
        elif attr == "verbose":
            settings.verbose += value
        else:
            setattr(settings, attr, value)
        return value

    return callback


def global_options(func: F) -> F:
    """Attach the AWS-CLI-like global options; the values land in the shared Settings."""
    decorators = [
        click.option(
            "--profile",
            metavar="NAME",
            expose_value=False,
            callback=_store("profile"),
            help="AWS named profile to use.",
        ),
        click.option(
            "--region",
            "regions",
            metavar="REGION",
            multiple=True,
            expose_value=False,
            callback=_store("regions"),
            help="AWS Region; repeat where a command spans Regions.",
        ),
        click.option(
            "--endpoint-url",
            metavar="URL",
            expose_value=False,
            callback=_store("endpoint_url"),
            help="Endpoint for every AWS client (e.g. the local Proton). "
            "Also honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>.",
        ),
        click.option(
            "--output",
            type=click.Choice(["text", "json"]),
            default=None,
            expose_value=False,
            callback=_store("output"),
            help="Output format (default: text).",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_store("verbose"),
            help="More detail; repeat for more.",
        ),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_store("debug"),
            help="Show tracebacks and AWS wire logs.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def snapshot_option(func: F) -> F:
    """`--snapshot DIR`: a snapshot directory written by `exodus inventory`."""
    return click.option(
        "--snapshot",
        "snapshot",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Snapshot directory written by `exodus inventory`.",
    )(func)


def out_dir_option(func: F) -> F:
    """`--out DIR`: where a command writes its files (atomically)."""
    return click.option(
        "--out",
        "out",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Output directory.",
    )(func)
