"""The `exodus` command line: a thin click layer over the library,
and the one place errors become exit codes."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from proton_exodus.cli.options import global_options, settings_of
from proton_exodus.errors import ExitCode, ExodusError

# name -> "module:attribute"; loaded on use so that `exodus --help` stays fast.
COMMANDS: dict[str, str] = {
    "inventory": "proton_exodus.cli.inventory:inventory_cmd",
    "graph": "proton_exodus.cli.graph:graph_cmd",
    "local": "proton_exodus.cli.local:local_group",
    "export": "proton_exodus.cli.export:export_cmd",
    "verify": "proton_exodus.cli.verify:verify_cmd",
    "audit": "proton_exodus.cli.audit:audit_cmd",
    "plan": "proton_exodus.cli.plan:plan_cmd",
    "wave": "proton_exodus.cli.wave:wave_group",
    "report": "proton_exodus.cli.report:report_cmd",
    "demo": "proton_exodus.cli.demo:demo_cmd",
    "iam-policy": "proton_exodus.cli.iam_policy:iam_policy_cmd",
    "rehearse": "proton_exodus.cli.rehearse:rehearse_cmd",
    "repo": "proton_exodus.cli.repo:repo_group",
}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported only when listed or used."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)


def _version() -> str:
    from proton_exodus import __version__

    return __version__


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(_version(), "--version", prog_name="exodus", message="%(prog)s %(version)s")
@global_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """exodus: get off AWS Proton without recreating a single resource.

    \b
    Typical path:
      exodus inventory --out snap          (or --source stacks after end of support)
      exodus audit --snapshot snap
      exodus plan --snapshot snap --out plan
      exodus export --list-targets
      exodus export --snapshot snap --target NAME --out repo
      exodus verify --snapshot snap --export repo

    Global options work before or after the sub-command. Exit codes: 0 ok, 1 checks found
    differences or blocking findings, 2 bad input or usage, 3 AWS/network error, 70 internal error.
    """
    settings_of(ctx)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `exodus` script: run the CLI and turn errors into one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        # With standalone_mode=False, click returns ctx.exit(N)'s code instead of raising it.
        code = cli.main(args=args, prog_name="exodus", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except ExodusError as err:
        click.echo(f"Error: {err.message}", err=True)
        if err.hint:
            click.echo(f"Hint: {err.hint}", err=True)
        if debug:
            raise
        sys.exit(int(err.exit_code))
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except click.ClickException as err:
        err.show()
        sys.exit(int(ExitCode.BAD_INPUT))
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        sys.exit(int(ExitCode.OK))
    except Exception as err:  # noqa: BLE001 - the error edge of the CLI
        if debug:
            raise
        click.echo(f"Error: internal error ({type(err).__name__}: {err}); re-run with --debug", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(int(ExitCode.OK))
