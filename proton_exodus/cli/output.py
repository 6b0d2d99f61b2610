"""Printing results: JSON for machines (`--output json`), plain text or rich tables for people."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from proton_exodus.settings import Settings


def emit(settings: Settings, data: Any, text: Callable[[Any], str] | None = None) -> None:
    """Print `data` as JSON with `--output json`, else through `text` (or JSON if none is given)."""
    if settings.output == "json" or text is None:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        click.echo(text(data))


def warn(message: str) -> None:
    """One warning line on stderr."""
    click.echo(f"Warning: {message}", err=True)
