"""Where the `cfn-git-sync` export puts each stack's files: one Git sync deployment file per stack, and
per account and Region the sync role the stacks' sync configurations use. Read by the exporter, by
`exodus plan` (through `handover`), so runbooks name the files the export really holds, and by
`exodus verify` (through `exported_stacks`), which reads the deployment files back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from exporters import ExportedStack, Handover, StackRef
from proton_exodus.errors import BadInput

ROLE_STACK = "exodus-cfn-git-sync-role"  # stack name the runbooks deploy git-sync-role.yaml as


def deployment_path(account: str, region: str, stack_name: str) -> str:
    """The Git sync stack deployment file of one stack."""
    return f"deployments/{account}/{region}/{stack_name}.yaml"


def bootstrap_dir(account: str, region: str) -> str:
    """The folder of an account and Region's sync role, sync configurations and commands."""
    return f"bootstrap/{account}/{region}"


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The deployment file a sync configuration points at, or for an account the sync role template."""
    if ref.kind == "account":
        return (Handover(f"{bootstrap_dir(ref.account, ref.region)}/git-sync-role.yaml", ROLE_STACK),)
    if not ref.stack_name:
        return ()
    return (
        Handover(deployment_path(ref.account, ref.region, ref.stack_name), ref.stack_name, ref.stack_name),
    )


def exported_stacks(export: Path) -> Iterator[ExportedStack]:
    """Every Git sync deployment file under `export/deployments/<account>/<region>/<StackName>.yaml`, with
    the template it names; BadInput for a file that is not a deployment file or names a missing template."""
    export = Path(export)
    for path in sorted((export / "deployments").glob("*/*/*.y*ml")):
        rel = path.relative_to(export).as_posix()
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise BadInput(f"{rel}: not YAML ({str(err).splitlines()[0]})") from None
        if not isinstance(doc, dict) or "template-file-path" not in doc:
            raise BadInput(f"{rel}: not a stack deployment file (no template-file-path)")
        tpath = str(doc["template-file-path"]).removeprefix("./")
        template = export / tpath
        if not template.is_file():
            raise BadInput(f"{rel}: template-file-path {tpath} does not exist in the export")
        yield ExportedStack(
            path.parent.parent.name,
            path.parent.name,
            path.stem,
            rel,
            tpath,
            template.read_text(encoding="utf-8"),
            {str(k): str(v) for k, v in (doc.get("parameters") or {}).items()},
            {str(k): str(v) for k, v in (doc.get("tags") or {}).items()},
        )
