"""`exodus inventory`: snapshot a whole Proton estate (API or, after end of support, --source stacks)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from proton_exodus.cli.options import global_options, settings_of


@click.command("inventory")
@global_options
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Snapshot directory to write (atomically).",
)
@click.option(
    "--source",
    type=click.Choice(["api", "stacks"]),
    default="api",
    show_default=True,
    help="Read the Proton API, or (after end of support) rebuild from the CloudFormation stacks.",
)
@click.option(
    "--bundles",
    "bundles",
    multiple=True,
    metavar="SOURCE",
    help="Template bundles: a template-sync checkout, a directory, or s3://bucket/prefix. Repeatable.",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted crawl from its journal (OUT.partial/).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Parallel API calls per account and Region.",
)
@click.option(
    "--assume-role",
    "assume_role",
    metavar="ARN_TEMPLATE",
    help="Role to assume in each member account, e.g. arn:aws:iam::{account}:role/ExodusReadOnly.",
)
@click.option(
    "--accounts",
    "accounts_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Account IDs to crawl with --assume-role, one a line (default: AWS Organizations).",
)
@click.option("--redact", is_flag=True, help="Leave sensitive spec values out entirely (no secrets.json).")
@click.option(
    "--specs",
    "specs",
    multiple=True,
    metavar="PATH",
    help="With --source stacks: spec files or folders (.aws-proton/*.yaml, environment specs). Repeatable.",
)
@click.option(
    "--provisioning-repo",
    "provisioning_repos",
    multiple=True,
    metavar="PATH",
    help="With --source stacks: a self-managed Terraform provisioning repository checkout. Repeatable.",
)
@click.option(
    "--tags-from",
    "tags_from",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="SNAPSHOT",
    help="With --source stacks: an earlier snapshot taken through the API; its records' tags "
    "(stage, team, ...), which Proton never put on the stacks, are carried over.",
)
def inventory_cmd(
    out: Path,
    source: str,
    bundles: tuple[str, ...],
    resume: bool,
    concurrency: int,
    assume_role: str | None,
    accounts_file: Path | None,
    redact: bool,
    specs: tuple[str, ...],
    provisioning_repos: tuple[str, ...],
    tags_from: Path | None,
) -> None:
    """Snapshot a whole Proton estate (API or, after end of support, --source stacks)."""
    from proton_exodus.cli.output import emit, warn
    from proton_exodus.inventory import crawl_estate, crawl_stacks

    settings = settings_of(click.get_current_context())
    if tags_from is not None and source != "stacks":
        raise click.UsageError("--tags-from: only with --source stacks (the API crawl reads the tags itself)")
    with _progress(settings.output == "text") as progress:
        if source == "stacks":
            report = crawl_stacks(
                settings,
                out,
                bundles=bundles,
                specs=specs,
                provisioning_repos=provisioning_repos,
                concurrency=concurrency,
                assume_role=assume_role,
                accounts_file=accounts_file,
                redact=redact,
                progress=progress,
                tags_from=tags_from,
            )
        else:
            report = crawl_estate(
                settings,
                out,
                bundles=bundles,
                resume=resume,
                concurrency=concurrency,
                assume_role=assume_role,
                accounts_file=accounts_file,
                redact=redact,
                source=source,
                progress=progress,
            )
    emit(settings, report.as_dict(), _text)
    if settings.output == "text":
        for message in report.warnings:
            warn(message)


@contextlib.contextmanager
def _progress(wanted: bool) -> Iterator[Any]:
    """A rich spinner with live call counts on a terminal's stderr; nothing otherwise."""
    import sys

    if not wanted or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("Crawling Proton", total=None)

        def update(state: dict[str, Any]) -> None:
            bar.update(
                task,
                description=f"Crawling Proton: {state['calls']} API calls, "
                f"{state['retries']} retries, {state['resumed']} units resumed",
            )

        yield update


def _text(data: dict[str, Any]) -> str:
    counts = data["counts"]
    width = max(len(k) for k in counts)
    lines = [
        f"Snapshot written to {data['out']} "
        f"({', '.join(data['accounts']) or 'no account'}; {', '.join(data['regions'])})"
    ]
    lines += [f"  {kind:<{width}}  {n:>6}" for kind, n in counts.items()]
    calls = data["apiCalls"]
    lines.append(f"  {'stacks':<{width}}  {data['stacks']:>6}  ({data['unreachableStacks']} unreachable)")
    lines.append(
        f"{calls['total']} API calls, {calls['retries']} retries, {data['durationSeconds']:.1f} s"
        + (f"; {data['resumedUnits']} units taken from the journal" if data["resumedUnits"] else "")
    )
    if "recovery" in data:
        lines += _recovery_text(data["recovery"])
    return "\n".join(lines)


def _recovery_text(recovery: dict[str, Any]) -> list[str]:
    """Per-stack recovery verdicts: counts, then every stack not recovered exactly and why."""
    counts = recovery["counts"]
    lines = [
        f"Recovered from stacks: {counts['exact']} exact, {counts['partial']} partial, "
        f"{counts['unrecoverable']} unrecoverable"
    ]
    for stack, verdict in recovery["stacks"].items():
        if verdict["status"] == "exact":
            continue
        unknown = ", ".join(
            f"{k} (candidates: {', '.join(map(str, v)) or 'none'})"
            for k, v in verdict["unknownInputs"].items()
        )
        lines.append(
            f"  {verdict['status']:<13} {stack}: {verdict['reason']}"
            + (f"; unknown: {unknown}" if unknown else "")
        )
    return lines
