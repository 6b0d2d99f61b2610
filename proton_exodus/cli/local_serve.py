"""`exodus local serve`: serve a Proton-compatible API (and a local cloud) on localhost."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of


@click.command("serve")
@global_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=4566,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="State file: Proton resources, stacks and buckets survive restarts.",
)
@click.option("--seed", type=click.Choice(["demo"]), help="Load the demo account before listening.")
@click.option("--page-size", type=click.IntRange(1, 100), help="Default page size of List operations.")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, help="Added to every Proton call.")
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per second per account and Region; above it: ThrottlingException.",
)
@click.option("--burst", type=click.IntRange(min=1), help="Token-bucket size for --rate-limit.")
@click.option(
    "--throttle-rate",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.0,
    help="Fraction of Proton calls refused with ThrottlingException at random.",
)
@click.option("--seed-random", type=int, help="Seed for --throttle-rate, for reproducible runs.")
@click.option("--retired", is_flag=True, help="Answer as the retired Proton service (stacks stay).")
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    host: str,
    port: int,
    state: Path | None,
    seed: str | None,
    page_size: int | None,
    latency_ms: float,
    rate_limit: float | None,
    burst: int | None,
    throttle_rate: float,
    seed_random: int | None,
    retired: bool,
) -> None:
    """Serve a Proton-compatible API (and moto's local cloud) on one endpoint until SIGTERM/Ctrl-C."""
    from proton_exodus.engine.faults import FaultConfig
    from proton_exodus.engine.server import LocalProtonServer, serve_until_signal

    seeder = None
    if seed == "demo":
        from proton_exodus.demo.seed import local_seed

        seeder = local_seed()
    faults = FaultConfig(
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        burst=burst,
        throttle_rate=throttle_rate,
        seed_random=seed_random,
        page_size=page_size,
    )
    server = LocalProtonServer(
        host,
        port,
        seed=seeder,
        state_path=state,
        faults=faults,
        retired=retired,
        verbose=settings_of(ctx).verbose > 0,
    )
    serve_until_signal(server, lambda url: click.echo(f"exodus local proton listening on {url}"))
