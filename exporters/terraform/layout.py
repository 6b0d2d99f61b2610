"""Where the `terraform` export puts things: one root module per account and Region under
`live/<account>/<region>/` (provider pinned to that account, S3 backend), one `<address>.tf` per adopted
stack holding its `import` block and its `aws_cloudformation_stack`, templates under `templates/`, and
`plan-effect.json`, the configuration of every stack and what its plans will show. Read by the exporter,
by `exodus plan` (`handover`), by `exodus verify` (`exported_stacks`) and by the rehearsal."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from exporters import ExportedStack, Handover, StackRef
from exporters.terraform.hcl import identifier
from exporters.terraform.plan_effect import StackConfig
from proton_exodus.errors import BadInput

RESOURCE = "aws_cloudformation_stack"
PLAN_EFFECT = "plan-effect.json"
_KIND_PREFIX = {
    "environment": "environment",
    "service_instance": "instance",
    "service_pipeline": "pipeline",
    "component": "component",
}


def module_dir(account: str, region: str) -> str:
    """The root module of one account and Region."""
    return f"live/{account}/{region}"


def address(kind: str, name: str, service: str | None = None) -> str:
    """The resource name of a stack in its root module, from what a plan knows of it (a StackRef)."""
    if kind == "service_pipeline":
        return identifier(f"pipeline_{service or name}")
    if kind == "service_instance":
        return identifier(f"instance_{service}_{name}")
    return identifier(f"{_KIND_PREFIX.get(kind, kind)}_{name}")


def stack_file(account: str, region: str, addr: str) -> str:
    return f"{module_dir(account, region)}/{addr}.tf"


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The stack's own .tf file (import + resource), or for an account the module's versions.tf."""
    if ref.kind == "account":
        return (
            Handover(
                f"{module_dir(ref.account, ref.region)}/versions.tf", module_dir(ref.account, ref.region)
            ),
        )
    if not ref.stack_name:
        return ()
    addr = address(ref.kind, ref.name, ref.service)
    return (Handover(stack_file(ref.account, ref.region, addr), ref.stack_name, f"{RESOURCE}.{addr}"),)


def load_effects(export: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(module dir, plan-effect.json contents) for every root module of an export on disk."""
    export = Path(export)
    for path in sorted((export / "live").glob(f"*/*/{PLAN_EFFECT}")):
        rel = path.relative_to(export).as_posix()
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise BadInput(f"{rel}: not JSON ({err})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("stacks"), list):
            raise BadInput(f"{rel}: not a plan-effect file (no stacks list)")
        yield path.parent.relative_to(export).as_posix(), doc


def exported_stacks(export: Path) -> Iterator[ExportedStack]:
    """Every stack the export adopts, read back from each module's plan-effect.json and the template
    file it names; BadInput for a record naming a missing template."""
    export = Path(export)
    for folder, doc in load_effects(export):
        _, account, region = folder.split("/")
        for record in doc["stacks"]:
            template = export / folder / record["template_file"]
            if not template.is_file():
                raise BadInput(f"{folder}/{PLAN_EFFECT}: template {record['template_file']} is missing")
            yield ExportedStack(
                account,
                region,
                record["name"],
                f"{folder}/{record['address']}.tf",
                f"{folder}/{record['template_file']}",
                template.read_text(encoding="utf-8"),
                {k: str(v) for k, v in record["parameters"].items()},
                {k: str(v) for k, v in record["tags"].items()},
            )


def stack_config(record: Mapping[str, Any], template_text: str) -> StackConfig:
    """A plan-effect.json stack record as the plan-effect model's configuration."""
    return StackConfig(
        address=record["address"],
        name=record["name"],
        template_body=template_text[:-1] if record.get("chomp") else template_text,
        parameters=dict(record["parameters"]),
        tags=dict(record["tags"]),
        capabilities=tuple(record["capabilities"]),
        iam_role_arn=record["iam_role_arn"],
        references=dict(record["references"]),
        sensitive=frozenset(record["sensitive"]),
        noecho=frozenset(record.get("noecho", ())),
    )
