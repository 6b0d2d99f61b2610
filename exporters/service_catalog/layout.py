"""Where the `service-catalog` export puts its files, read by the exporter, by `exodus plan` (through
`handover`), by `exodus verify` (through `exported_stacks`) and by the rehearsal:

- `portfolio/<account>/<region>/portfolio.yaml`: the portfolio stack of an account and Region;
- `artifacts/<account>/<region>/<product>/<artifact>.yaml`: each provisioning artifact's template (the
  runbook copies the folder to the artifact bucket the portfolio stack reads them from);
- `adoptions/<account>/<region>/<StackName>.json`: how one stack is adopted (product, artifact, the
  parameters and tags it keeps);
- `parameters/<account>/<region>/<StackName>.json`: the provisioned product's parameters after the
  adoption (`{"Parameters": ..., "Tags": ...}`, the template-configuration format `exodus repo set` and
  `upgrade` edit); with TEMPLATES.json (which template file the stack is on) it is what day 2's
  UpdateProvisionedProduct sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exporters import ExportedStack, Handover, StackRef
from proton_exodus.errors import BadInput

PORTFOLIO_STACK = "exodus-service-catalog"  # stack name the runbooks deploy portfolio.yaml as


def portfolio_path(account: str, region: str) -> str:
    return f"portfolio/{account}/{region}/portfolio.yaml"


def artifacts_dir(account: str, region: str) -> str:
    return f"artifacts/{account}/{region}"


def adoption_path(account: str, region: str, stack_name: str) -> str:
    return f"adoptions/{account}/{region}/{stack_name}.json"


def parameters_path(account: str, region: str, stack_name: str) -> str:
    return f"parameters/{account}/{region}/{stack_name}.json"


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The adoption file of a stack, or for an account the portfolio stack's template."""
    if ref.kind == "account":
        return (
            Handover(portfolio_path(ref.account, ref.region), PORTFOLIO_STACK, PORTFOLIO_STACK, "bootstrap"),
        )
    if not ref.stack_name:
        return ()
    return (Handover(adoption_path(ref.account, ref.region, ref.stack_name), ref.stack_name, ref.stack_name),)


@dataclass(frozen=True)
class Adoption:
    """One adoption file, read back."""

    path: str
    account: str
    region: str
    stack_name: str
    data: dict[str, Any]

    @property
    def template_path(self) -> str:
        return str(self.data["template"])


def adoptions(export: Path) -> Iterator[Adoption]:
    """Every adoption file of an export; BadInput for one that is not (or names a missing template)."""
    export = Path(export)
    for path in sorted((export / "adoptions").glob("*/*/*.json")):
        rel = path.relative_to(export).as_posix()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise BadInput(f"{rel}: not JSON ({err})") from None
        if not isinstance(data, dict) or not {"product", "artifact", "template"} <= set(data):
            raise BadInput(f"{rel}: not an adoption file (product, artifact and template are required)")
        if not (export / str(data["template"])).is_file():
            raise BadInput(f"{rel}: template {data['template']} does not exist in the export")
        yield Adoption(rel, path.parent.parent.name, path.parent.name, path.stem, data)


def exported_stacks(export: Path) -> Iterator[ExportedStack]:
    """Every adopted stack with the artifact template it is adopted with, for `exodus verify`."""
    for a in adoptions(export):
        yield ExportedStack(
            a.account,
            a.region,
            a.stack_name,
            a.path,
            a.template_path,
            (Path(export) / a.template_path).read_text(encoding="utf-8"),
            {str(k): str(v) for k, v in (a.data.get("parameters") or {}).items()},
            {str(k): str(v) for k, v in (a.data.get("tags") or {}).items()},
        )
