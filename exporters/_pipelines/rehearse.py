"""What the pipeline targets' deployers share in a rehearsal: the stack configuration files they read
(CodePipeline's TemplateConfiguration format, `{"Parameters": {...}, "Tags": {...}}`, which the
GitHub Actions workflows read with jq too), the account an IAM role ARN lives in, and the day-2 edit of
a stack's files (the template and TemplateConfiguration file TEMPLATES.json names, in both targets)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput

_ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/")


def read_stack_config(checkout: Path, rel: str) -> tuple[dict[str, str], dict[str, str]]:
    """(parameters, tags) of a TemplateConfiguration file; BadInput naming the file when it is not one."""
    path = Path(checkout) / rel
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BadInput(f"{rel}: not a readable stack configuration ({str(err).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{rel}: a stack configuration is a JSON object with Parameters and Tags")
    params = doc.get("Parameters") or {}
    tags = doc.get("Tags") or {}
    if not isinstance(params, dict) or not isinstance(tags, dict):
        raise BadInput(f"{rel}: Parameters and Tags must be JSON objects")
    return {str(k): str(v) for k, v in params.items()}, {str(k): str(v) for k, v in tags.items()}


def role_account(role_arn: str) -> str:
    """The account of an IAM role ARN ('' when it is not one)."""
    match = _ROLE_ACCOUNT.match(role_arn or "")
    return match.group(1) if match else ""


def _indexed_stack(export_dir: Path, account: str, region: str, stack_name: str) -> dict[str, Any]:
    """The stack's row of the export's TEMPLATES.json (the template and parameter file it deploys from);
    BadInput naming the file when there is none."""
    try:
        rows = json.loads((export_dir / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise BadInput(
            f"TEMPLATES.json: not a readable template index ({str(err).splitlines()[0]})"
        ) from None
    for row in rows:
        if (row.get("account"), row.get("region"), row.get("stack")) == (account, region, stack_name):
            return dict(row)
    raise BadInput(f"TEMPLATES.json: the export does not deploy {stack_name} ({account} {region})")


def edit_stack(
    export_dir: Path,
    account: str,
    region: str,
    stack_name: str,
    edit: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
) -> list[str]:
    """A day-2 change as an operator makes it in a pipeline target's export: `edit` gets the template the
    stack deploys from and its TemplateConfiguration parameters (both named by TEMPLATES.json) and returns
    them changed; the files are rewritten. A parameter change edits the stack's own configuration file; a
    template change to a template other stacks share is refused (BadInput): the pipelines deploy every
    stack of that template from it, so the change belongs in parameters or a new template version."""
    export_dir = Path(export_dir)
    row = _indexed_stack(export_dir, account, region, stack_name)
    template_rel, config_rel = str(row.get("templateFile") or ""), str(row.get("parameterFile") or "")
    template_path, config_path = export_dir / template_rel, export_dir / config_rel
    if not template_rel or not config_rel or not template_path.is_file() or not config_path.is_file():
        raise BadInput(f"TEMPLATES.json: {stack_name}'s template or parameter file is not in the export")
    params, _tags = read_stack_config(export_dir, config_rel)
    before = template_path.read_text(encoding="utf-8")
    after, new_params = edit(before, dict(params))
    changed = []
    if after != before:
        rows = json.loads((export_dir / "TEMPLATES.json").read_text(encoding="utf-8"))["stacks"]
        others = sorted(r["stack"] for r in rows if r.get("templateFile") == template_rel)
        others = [o for o in others if o != stack_name]
        if others:
            raise BadInput(
                f"{template_rel} is shared with {len(others)} other stack(s) ({others[0]}, ...): a change "
                "to its text deploys to all of them; change a parameter in "
                f"{config_rel}, or move the stack to a new template version"
            )
        template_path.write_text(after, encoding="utf-8")
        changed.append(template_rel)
    if new_params != params:
        doc = json.loads(config_path.read_text(encoding="utf-8"))
        doc["Parameters"] = dict(sorted(new_params.items()))
        config_path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        changed.append(config_rel)
    return changed
