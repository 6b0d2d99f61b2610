"""`exodus repo`: Proton's day-2 operations on a checkout of an export, offline (files only, no AWS)."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of

_repo_option = click.option(
    "--repo",
    "root",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Checkout of an export (it holds .exodus-repo/index.json).",
)


@click.group("repo")
@global_options
def repo_group() -> None:
    """Work on an exported repository as Proton did: validate inputs against the template schemas,
    list outdated instances, change inputs, upgrade versions, add instances. Each edits files only."""


def _notes(notes: list[str]) -> None:
    """Which shared template an instance moved to, or that it got its own copy: on stderr, one a line."""
    for note in notes:
        click.echo(f"note: {note}", err=True)


def _changed(files: list[str]) -> str:
    return "\n".join(f"changed {rel}" for rel in files)


@repo_group.command("validate")
@global_options
@_repo_option
@click.pass_context
def validate_cmd(ctx: click.Context, root: Path) -> None:
    """Check every instance's inputs against its template version's schema. Exit 1 on a violation."""
    from proton_exodus.cli.output import emit
    from proton_exodus.errors import ExitCode
    from proton_exodus.repo.ops import validate

    errors = validate(root)
    emit(settings_of(ctx), {"errors": errors}, lambda d: "\n".join(d["errors"]) or "every instance is valid")
    if errors:
        ctx.exit(int(ExitCode.FINDINGS))


@repo_group.command("outdated")
@global_options
@_repo_option
@click.pass_context
def outdated_cmd(ctx: click.Context, root: Path) -> None:
    """List instances not on their template's recommended version."""
    from proton_exodus.cli.output import emit
    from proton_exodus.repo.ops import outdated

    def text(rows: list[dict[str, str]]) -> str:
        return (
            "\n".join(
                f"{r['instance']}: {r['template']} {r['version']}, recommended {r['recommended']}"
                + (f" (minor {r['minor_available']} available)" if r["minor_available"] else "")
                for r in rows
            )
            or "every instance is on its recommended version"
        )

    emit(settings_of(ctx), outdated(root), text)


@repo_group.command("set")
@global_options
@_repo_option
@click.argument("instance")
@click.argument("assignments", nargs=-1, required=True)
@click.pass_context
def set_cmd(ctx: click.Context, root: Path, instance: str, assignments: tuple[str, ...]) -> None:
    """Change inputs of INSTANCE (INPUT=VALUE ...), validated against its schema."""
    from proton_exodus.cli.output import emit
    from proton_exodus.repo.ops import set_inputs

    notes: list[str] = []
    emit(settings_of(ctx), set_inputs(root, instance, assignments, notes), _changed)
    _notes(notes)


@repo_group.command("upgrade")
@global_options
@_repo_option
@click.argument("instances", nargs=-1)
@click.option("--to", "to", required=True, help="Template version to move to, e.g. 1.1.")
@click.option("--template", help="Roll --to out to every instance of this template on an older minor.")
@click.option("--major", is_flag=True, help="Allow a new major version (Proton never did this implicitly).")
@click.pass_context
def upgrade_cmd(
    ctx: click.Context, root: Path, instances: tuple[str, ...], to: str, template: str | None, major: bool
) -> None:
    """Move INSTANCES (or with --template, all its instances on an older minor) to version --to of their
    template: a newer compatible minor, or a major with --major."""
    from proton_exodus.cli.output import emit
    from proton_exodus.errors import BadInput
    from proton_exodus.repo.ops import behind, upgrade

    names = list(instances) + (behind(root, template, to) if template else [])
    if not names:
        raise BadInput("nothing to upgrade: name instances, or a --template with instances behind --to")
    notes: list[str] = []
    emit(settings_of(ctx), upgrade(root, sorted(set(names)), to, major=major, notes=notes), _changed)
    _notes(notes)


@repo_group.command("new-instance")
@global_options
@_repo_option
@click.argument("name")
@click.argument("assignments", nargs=-1)
@click.option("--template", required=True, help="Template as in the index: service/NAME or environment/NAME.")
@click.option("--version", "version", help="Template version (default: the recommended one).")
@click.option("--environment", help="Environment of a service instance.")
@click.option("--stack-name", help="Stack name (default: SERVICE-INSTANCE, or the environment's name).")
@click.pass_context
def new_instance_cmd(
    ctx: click.Context,
    root: Path,
    name: str,
    assignments: tuple[str, ...],
    template: str,
    version: str | None,
    environment: str | None,
    stack_name: str | None,
) -> None:
    """Add NAME (ENV, or SERVICE/INSTANCE) from a template version with inputs INPUT=VALUE ..."""
    from proton_exodus.cli.output import emit
    from proton_exodus.repo.ops import new_instance

    files = new_instance(
        root,
        name,
        template=template,
        version=version,
        environment=environment,
        pairs=assignments,
        stack_name=stack_name,
    )
    emit(settings_of(ctx), files, _changed)
