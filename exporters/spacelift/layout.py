"""Where the `spacelift` export puts things: the Terraform configuration of the Spacelift resources in
`spacelift/` (one `stack_<address>.tf` per Spacelift stack with its variables, attachments and
dependencies; `shared.tf` with the provider, the policies and the contexts), and each CloudFormation
stack's parameter file `cloudformation/<account>/<region>/<StackName>.json` and its template: the shared
parameterised template of its version (`templates/...`, the project root is its folder) or its own
copy in `cloudformation/<account>/<region>/<StackName>/`, as TEMPLATES.json names them. Read by the
exporter and by `exodus plan` (`handover`), so runbooks name the files the export holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from exporters import ExportedStack, Handover, StackRef
from exporters.terraform.hcl import identifier
from exporters.terraform.layout import address as unit_address
from exporters.terraform.layout import listing_rows, stack_files
from proton_exodus.errors import BadInput

SHARED_FILE = "spacelift/shared.tf"
INDEX_FILE = "spacelift/index.tf"
INDEX_LOCAL = "exodus_stacks"  # TEMPLATES.json's rows by "<account>/<region>/<stack>" (index.tf)
ADOPTED_LOCAL = "exodus_adopted"  # the rows the export took over; any other is added (new-instance)
ADDED_LOCAL = "exodus_added"  # the rows `exodus repo new-instance` added: spacelift_stack.added[<key>]
STACKS_RECORD = "spacelift/exodus-stacks.json"
STATE_KEY = "exodus/spacelift/terraform.tfstate"  # spacelift/'s state, in terraform's state bucket
TEMPLATE_FILE = "template.yaml"


def address(kind: str, name: str, service: str | None, account: str) -> str:
    """The resource name of a unit's Spacelift stack (the account keeps names apart across accounts)."""
    return identifier(f"{unit_address(kind, name, service)}_{account}")


def slug(addr: str) -> str:
    """The Spacelift stack ID (`slug`) of a stack resource: spacectl commands take it."""
    return addr.replace("_", "-")


def stack_file(addr: str) -> str:
    return f"spacelift/stack_{addr}.tf"


def project_root(account: str, region: str, stack_name: str) -> str:
    return f"cloudformation/{account}/{region}/{stack_name}"


def template_path(account: str, region: str, stack_name: str) -> str:
    """A stack's own template (its version fell back to a rendered copy): its own project root."""
    return f"{project_root(account, region, stack_name)}/{TEMPLATE_FILE}"


def parameter_file(account: str, region: str, stack_name: str) -> str:
    """A stack's parameter file (`{"Parameters": {...}}`, what `exodus repo` edits)."""
    return f"cloudformation/{account}/{region}/{stack_name}.json"


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The stack's Spacelift file, or for an account the shared file (provider, policies, contexts)."""
    if ref.kind == "account":
        return (Handover(SHARED_FILE, "exodus policies and contexts", role="bootstrap"),)
    addr = address(ref.kind, ref.name, ref.service, ref.account)
    return (Handover(stack_file(addr), slug(addr), ref.stack_name or slug(addr)),)


def exported_stacks(export: Path) -> Iterator[ExportedStack]:
    """Every CloudFormation stack the export's Spacelift stacks take over, from exodus-stacks.json and
    the templates it names; BadInput for a missing or malformed record."""
    export = Path(export)
    path = export / STACKS_RECORD
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BadInput(f"{STACKS_RECORD}: cannot be read ({err})") from None
    rows = listing_rows(export)
    for record in doc.get("stacks") or []:
        row = rows.get((str(record["account"]), str(record["region"]), str(record["stack_name"])))
        if row is not None:  # the files TEMPLATES.json names, as `exodus repo` left them
            masked = [k for k, v in (record.get("parameters") or {}).items() if v == "****"]
            template_rel, text, params, _ = stack_files(export, row, masked)
        else:
            template = export / record["template"]
            if not template.is_file():
                raise BadInput(f"{STACKS_RECORD}: template {record['template']} is missing")
            template_rel, text = str(record["template"]), template.read_text(encoding="utf-8")
            params = {k: str(v) for k, v in record["parameters"].items()}
        yield ExportedStack(
            record["account"],
            record["region"],
            record["stack_name"],
            record["file"],
            template_rel,
            text,
            params,
            {k: str(v) for k, v in record["tags"].items()},
        )
