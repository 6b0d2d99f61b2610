"""`exodus graph`: show the dependency graph of a snapshot (json, dot, mermaid, svg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from proton_exodus.cli.options import global_options, settings_of, snapshot_option


def _stats_text(stats: dict[str, Any]) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in stats["byKind"].items())
    lines = [
        f"{stats['nodes']} nodes, {stats['edges']} edges; accounts {', '.join(stats['accounts']) or '-'}; "
        f"Regions {', '.join(stats['regions']) or '-'}; dependency depth {stats['dependencyDepth']}",
        f"by kind: {kinds}",
    ]
    if stats["missing"]:
        lines.append(f"missing references: {', '.join(stats['missing'])}")
    if stats["unreachableStacks"]:
        lines.append(f"unreachable stacks: {len(stats['unreachableStacks'])}")
    return "\n".join(lines)


@click.command("graph")
@global_options
@snapshot_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "dot", "mermaid", "svg"]),
    default="json",
    show_default=True,
    help="Rendering of the graph.",
)
@click.option(
    "--focus",
    "focus_name",
    metavar="NAME",
    help=(
        "Only NAME (environment, service/instance label, ARN or stack name), its dependencies and dependants."
    ),
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the graph here instead of stdout."
)
@click.pass_context
def graph_cmd(ctx: click.Context, snapshot: Path, fmt: str, focus_name: str | None, out: Path | None) -> None:
    """Show the dependency graph of a snapshot (json, dot, mermaid, svg), with summary figures."""
    from proton_exodus.cli.output import emit
    from proton_exodus.graph import graph_view
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.output.atomic import write_text_atomic

    text, stats = graph_view(load_snapshot(snapshot), fmt, focus_name=focus_name)
    if out is None:
        click.echo(text, nl=False)
        click.echo(_stats_text(stats), err=True)
        return
    write_text_atomic(out, text)
    emit(settings_of(ctx), stats, lambda s: f"wrote {out}\n{_stats_text(s)}")
