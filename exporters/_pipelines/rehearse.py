"""What the pipeline targets' deployers share in a rehearsal: the stack configuration files they read
(CodePipeline's TemplateConfiguration format, `{"Parameters": {...}, "Tags": {...}}`, which the
GitHub Actions workflows read with jq too) and the account an IAM role ARN lives in."""

from __future__ import annotations

import json
import re
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
