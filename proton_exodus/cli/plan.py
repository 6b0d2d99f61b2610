"""`exodus plan`: wave-by-wave migration plan and runbooks derived from the graph."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from proton_exodus.cli.options import global_options, out_dir_option, settings_of, snapshot_option


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


class TargetOption(click.Option):
    """`--target`: any installed exporter. The names shown in --help and the default (the exporter marked
    `default`) are read from the registry only when needed, so importing the command loads no exporter;
    an unknown name is refused by the library, as `exodus export` refuses it."""

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        from exporters import Registry

        return Registry.from_entry_points().default_target()

    def make_metavar(self, ctx: click.Context) -> str:
        from exporters import Registry

        return "[" + "|".join(Registry.from_entry_points().names()) + "]"


def _summary(data: dict[str, Any]) -> str:
    lines = [
        f"{data['counts']['resources']} resources in {data['counts']['waves']} waves "
        f"({data['schedule']['start']} to {data['schedule'].get('lastWave')}, "
        f"deadline {data['schedule']['deadline'] or 'none: after end of support'})"
    ]
    for wave in data["waves"]:
        flags = "".join(f" [{f}]" for f in ("pilot", "blocked", "late") if wave[f])
        lines.append(
            f"  wave {wave['number']:>3}  {wave['date']}  {wave['risk']:<15} {len(wave['resources']):>4} "
            f"resources{flags}"
        )
    lines += [f"Warning: {w}" for w in data["warnings"]]
    return "\n".join(lines)


@click.command("plan")
@global_options
@snapshot_option
@out_dir_option
@click.option("--target", cls=TargetOption, show_default=True, help="Exporter the runbooks hand over to.")
@click.option(
    "--max-wave-size",
    type=click.IntRange(min=1),
    default=25,
    show_default=True,
    help="Most resources in one wave.",
)
@click.option(
    "--deadline",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="Finish before this date (default: Proton's end of support, 2026-10-07, "
    "when the start is before it; none after it).",
)
@click.option(
    "--start", callback=_date, metavar="YYYY-MM-DD", help="Plan date: the first wave's date (default: today)."
)
@click.option(
    "--soak-days",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Working days to watch each tier (and the pilot) before the next one starts.",
)
@click.option(
    "--pilot",
    multiple=True,
    metavar="NAME",
    help="Environment, service or service/instance to move first, with what it needs; repeatable.",
)
@click.pass_context
def plan_cmd(
    ctx: click.Context,
    snapshot: Path,
    out: Path,
    target: str,
    max_wave_size: int,
    deadline: date | None,
    start: date | None,
    soak_days: int,
    pilot: tuple[str, ...],
) -> None:
    """Wave-by-wave migration plan and runbooks derived from the graph.

    Writes plan.json, README.md and one wave-NN.md runbook per wave into OUT.
    """
    from proton_exodus.cli.output import emit
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.plan import plan_snapshot, write_plan

    plan, graph = plan_snapshot(
        load_snapshot(snapshot),
        max_wave_size=max_wave_size,
        pilot=pilot,
        deadline=deadline,
        start=start or date.today(),
        target=target,
        soak_days=soak_days,
    )
    write_plan(plan, graph, out, snapshot_ref=str(snapshot))
    data = plan.to_dict()
    emit(
        settings_of(ctx),
        {k: v for k, v in data.items() if k != "waves"} | {"out": str(out)},
        lambda _: f"wrote {out}\n{_summary(data)}",
    )
