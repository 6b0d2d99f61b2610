"""Where the `terraform` export puts things: one root module per account and Region under
`live/<account>/<region>/` (provider pinned to that account, S3 backend), one `<address>.tf` per adopted
stack holding its `import` block and its `aws_cloudformation_stack`, and `plan-effect.json`, the
configuration of every stack and what its plans will show. A stack's template and parameter file are
named by the export's TEMPLATES.json (what `exodus repo` edits): the shared parameterised templates under
`templates/` at the export's root (the files every CloudFormation target ships), a stack's own rendered
copy under its module's `templates/`, its parameters in `parameters/<stack>.json` of its module (a
template configuration, `{"Parameters": {...}}`). Read by the exporter, by `exodus plan` (`handover`),
by `exodus verify` (`exported_stacks`) and by the rehearsal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from exporters import ExportedStack, Handover, StackRef
from exporters.terraform.hcl import identifier
from exporters.terraform.plan_effect import MASK, StackConfig
from proton_exodus.errors import BadInput

RESOURCE = "aws_cloudformation_stack"
PLAN_EFFECT = "plan-effect.json"
LISTING = "TEMPLATES.json"
INDEX_LOCAL = "exodus_stacks"  # the module's rows of TEMPLATES.json, by stack name (index.tf)
ADOPTED_LOCAL = "exodus_adopted"  # the stacks the export adopted (index.tf); any other row is added
ADDED = "added"  # aws_cloudformation_stack.added[<stack>]: the stacks `exodus repo new-instance` adds
ROOT = "../../.."  # the export's root, from a module directory
GITIGNORE = ".gitignore"
_KIND_PREFIX = {
    "environment": "environment",
    "service_instance": "instance",
    "service_pipeline": "pipeline",
    "component": "component",
}


def gitignore() -> str:
    """The export's .gitignore: the runbooks run `terraform init/plan/apply` inside the checkout and a
    later wave commits it with `git add -A`, so what Terraform leaves there must stay out of Git. The
    patterns follow github/gitignore Terraform.gitignore; `.terraform.lock.hcl` stays committed, as
    HashiCorp advises (developer.hashicorp.com/terraform/language/files/dependency-lock), and the
    export's own `*.auto.tfvars.json` (self-managed inputs) are not ignored."""
    return "\n".join(
        [
            "# Written by exodus: what terraform (or tofu) leaves in this checkout, kept out of Git.",
            "# Providers and modules `init` downloads (hundreds of MB; `init` fetches them again)",
            ".terraform/",
            "# Saved plans (`plan -out`, as the runbooks name them or HashiCorp's `tfplan`) hold every value",
            "# in clear, secrets included",
            "*.tfplan",
            "tfplan",
            "# Local state, its backups and lock info: state belongs in the backend, and holds secrets",
            "*.tfstate",
            "*.tfstate.*",
            "# Crash logs (they may hold the same values)",
            "crash.log",
            "crash.*.log",
            "# .terraform.lock.hcl is NOT ignored: commit it, so every `init` selects the same providers",
            "",
        ]
    )


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


def parameter_file(account: str, region: str, stack: str) -> str:
    """A stack's parameter file (a template configuration `exodus repo` reads and edits)."""
    return f"{module_dir(account, region)}/parameters/{stack}.json"


def own_template_file(account: str, region: str, stack: str, ext: str) -> str:
    """Where a stack whose template version fell back to a rendered copy keeps its own template."""
    return f"{module_dir(account, region)}/templates/{stack}.{ext}"


def parameter_text(parameters: Mapping[str, str]) -> str:
    """A parameter file's text: `{"Parameters": {...}}`, sorted, two-space indent, final newline."""
    return json.dumps({"Parameters": dict(sorted(parameters.items()))}, indent=2, sort_keys=True) + "\n"


def listing_rows(export: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(account, Region, stack) -> its TEMPLATES.json row; {} for an export without one."""
    path = Path(export) / LISTING
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8")).get("stacks") or []
    except (ValueError, AttributeError) as err:
        raise BadInput(f"{LISTING}: not a stack listing ({err})") from None
    return {(str(r.get("account")), str(r.get("region")), str(r.get("stack"))): r for r in rows}


def stack_files(
    export: Path, row: Mapping[str, Any], sensitive: Iterable[str] = ()
) -> tuple[str, str, dict[str, str], str]:
    """(template file, its text, parameters, parameter file) of a TEMPLATES.json row as the files are now
    (`exodus repo` may have moved the template or changed a value); `sensitive` parameters (given by a
    variable) stay ****. BadInput naming a missing or unreadable file."""
    template_rel, params_rel = str(row.get("templateFile")), str(row.get("parameterFile"))
    try:
        text = (Path(export) / template_rel).read_text(encoding="utf-8")
        doc = json.loads((Path(export) / params_rel).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BadInput(f"{LISTING}: stack {row.get('stack')}: cannot read its files ({err})") from None
    values = doc.get("Parameters") if isinstance(doc, dict) else None
    if not isinstance(values, dict):
        raise BadInput(f"{params_rel}: no `Parameters` mapping")
    hidden = set(sensitive)
    params = {str(k): (MASK if k in hidden else str(v)) for k, v in sorted(values.items())}
    return template_rel, text, params, params_rel


def configured(
    export: Path,
    folder: str,
    record: Mapping[str, Any],
    rows: Mapping[tuple[str, str, str], Any] | None = None,
) -> tuple[str, str, dict[str, str]]:
    """(template file, its text, parameters) the configuration of a plan-effect.json record deploys as
    the files are now: TEMPLATES.json names the template and parameter file, the parameter file holds the
    values. An export without TEMPLATES.json: the record's own template file and parameters."""
    export = Path(export)
    _, account, region = folder.split("/")
    rows = listing_rows(export) if rows is None else rows
    row = rows.get((account, region, str(record["name"])))
    if row is None:
        rel = str(record["template_file"])  # from the export's root (module-relative in older exports)
        path = export / rel if (export / rel).is_file() else export / folder / rel
        if not path.is_file():
            raise BadInput(f"{folder}/{PLAN_EFFECT}: template {rel} is missing")
        params = {k: str(v) for k, v in (record.get("parameters") or {}).items()}
        return path.relative_to(export).as_posix(), path.read_text(encoding="utf-8"), params
    template_rel, text, params, _ = stack_files(export, row, record.get("sensitive") or ())
    return template_rel, text, params


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
    rows = listing_rows(export)
    for folder, doc in load_effects(export):
        _, account, region = folder.split("/")
        for record in doc["stacks"]:
            template_rel, text, params = configured(export, folder, record, rows)
            yield ExportedStack(
                account,
                region,
                record["name"],
                f"{folder}/{record['address']}.tf",
                template_rel,
                text,
                params,
                {k: str(v) for k, v in record["tags"].items()},
            )


def stack_config(
    record: Mapping[str, Any], template_text: str, parameters: Mapping[str, str] | None = None
) -> StackConfig:
    """A plan-effect.json stack record as the plan-effect model's configuration, with the parameters the
    files now give (`configured`), else the record's."""
    return StackConfig(
        address=record["address"],
        name=record["name"],
        template_body=template_text[:-1] if record.get("chomp") else template_text,
        parameters=dict(record["parameters"] if parameters is None else parameters),
        tags=dict(record["tags"]),
        capabilities=tuple(record["capabilities"]),
        iam_role_arn=record["iam_role_arn"],
        references=dict(record["references"]),
        sensitive=frozenset(record["sensitive"]),
        noecho=frozenset(record.get("noecho", ())),
    )
