"""What the pipeline targets' deployers share in a rehearsal: the stack configuration files they read
(CodePipeline's TemplateConfiguration format, `{"Parameters": {...}, "Tags": {...}}`, which the
GitHub Actions workflows read with jq too), the account an IAM role ARN lives in, and the day-2 edit of
a stack's files (`stacks/**/<StackName>.yaml` + `.json`, the same layout in both targets)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

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


def edit_stack(
    export_dir: Path,
    account: str,
    region: str,
    stack_name: str,
    edit: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]],
) -> list[str]:
    """A day-2 change as an operator makes it in a pipeline target's export: `edit` gets the stack's
    template and parameters (`stacks/**/<stack>.yaml` and the TemplateConfiguration `.json` beside it)
    and returns them changed; the files are rewritten. The export paths changed."""
    export_dir = Path(export_dir)
    found = sorted((export_dir / "stacks").glob(f"**/{stack_name}.yaml"))
    if len(found) != 1:
        raise BadInput(f"the export has {len(found)} template(s) named {stack_name}.yaml under stacks/")
    template_path, config_path = found[0], found[0].with_suffix(".json")
    rel = config_path.relative_to(export_dir).as_posix()
    params, _tags = read_stack_config(export_dir, rel)
    before = template_path.read_text(encoding="utf-8")
    after, new_params = edit(before, dict(params))
    changed = []
    if after != before:
        template_path.write_text(after, encoding="utf-8")
        changed.append(template_path.relative_to(export_dir).as_posix())
    if new_params != params:
        doc = json.loads(config_path.read_text(encoding="utf-8"))
        doc["Parameters"] = dict(sorted(new_params.items()))
        config_path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        changed.append(rel)
    return changed
