"""`exodus local render`: render a bundle with a spec, as Proton did (CloudFormation,
Terraform or CodeBuild)."""

from __future__ import annotations

from pathlib import Path

import click

from proton_exodus.cli.options import global_options, settings_of

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("render")
@global_options
@click.option(
    "--bundle",
    required=True,
    type=click.Path(path_type=Path),
    help="Template bundle: a directory, .tar.gz or .zip.",
)
@click.option("--spec", required=True, type=_FILE, help="Spec file (EnvironmentSpec or ServiceSpec).")
@click.option("--instance", metavar="NAME", help="Render this service instance of the spec.")
@click.option("--pipeline", is_flag=True, help="Render the service pipeline.")
@click.option("--component", metavar="NAME", help="Render a directly defined component of this name.")
@click.option("--template-file", type=_FILE, help="The component's IaC file (with --component).")
@click.option("--manifest", type=_FILE, help="The component's manifest (with --component).")
@click.option("--outputs", type=_FILE, help="JSON of outputs Proton knew at render time.")
@click.option("--account-id", metavar="ID", help="AWS account id of the environment(s).")
@click.option("--name", metavar="NAME", help="Environment or service name (default: the template's name).")
@click.option(
    "--repository-id",
    metavar="ID",
    help="The service's repository (e.g. my-org/my-app), as given to CreateService (pipelines).",
)
@click.option(
    "--repository-connection-arn",
    metavar="ARN",
    help="The service's CodeStar connection ARN, as given to CreateService (pipelines).",
)
@click.option("--branch-name", metavar="BRANCH", help="The service's branch, as given to CreateService.")
@click.option(
    "--snapshot",
    type=click.Path(file_okay=False, path_type=Path),
    help="Read the service's repository values from its record in this snapshot.",
)
@click.option("--service", metavar="NAME", help="The service's name in --snapshot (default: --name).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write here (file for CloudFormation; directory for Terraform/CodeBuild).",
)
@click.pass_context
def render_cmd(
    ctx: click.Context,
    bundle: Path,
    spec: Path,
    instance: str | None,
    pipeline: bool,
    component: str | None,
    template_file: Path | None,
    manifest: Path | None,
    outputs: Path | None,
    account_id: str | None,
    name: str | None,
    repository_id: str | None,
    repository_connection_arn: str | None,
    branch_name: str | None,
    snapshot: Path | None,
    service: str | None,
    out: Path | None,
) -> None:
    """Render the environment (no target option), one --instance, the --pipeline or a --component."""
    from proton_exodus.cli.output import warn
    from proton_exodus.errors import BadInput
    from proton_exodus.proton.render.request import RenderRequest, render_request, write_rendered

    if pipeline and (instance or component) or (component is None and (template_file or manifest)):
        raise BadInput(
            "choose one target: --instance NAME, --pipeline, or --component NAME "
            "(--template-file/--manifest go with --component)"
        )
    settings = settings_of(ctx)
    services: tuple = ()
    if snapshot is not None:
        from proton_exodus.model.snapshot import load_snapshot

        services = tuple(load_snapshot(snapshot).kind("services"))
    req = RenderRequest(
        bundle,
        spec,
        instance,
        pipeline,
        component,
        template_file,
        manifest,
        outputs,
        account_id,
        settings.regions[0] if settings.regions else None,
        name,
        repository_id,
        repository_connection_arn,
        branch_name,
        snapshot,
        service,
        services,
    )
    rendered = render_request(req)
    for message in rendered.warnings:
        warn(message)
    text = write_rendered(rendered, out)
    if text is not None:
        click.echo(text, nl=not text.endswith("\n"))
