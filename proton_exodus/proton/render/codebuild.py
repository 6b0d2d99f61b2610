"""CodeBuild provisioning renders: the template folder plus the `proton-inputs.json` Proton wrote
(PROTON.md §2.5)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["codebuild_files"]


def codebuild_files(folder_files: Mapping[str, bytes], inputs: Mapping[str, Any]) -> dict[str, str | bytes]:
    """Every file of the folder (text where it decodes) and proton-inputs.json (inputs keep JSON types)."""
    files: dict[str, str | bytes] = {}
    for name, blob in folder_files.items():
        try:
            files[name] = blob.decode("utf-8")
        except UnicodeDecodeError:
            files[name] = blob
    files["proton-inputs.json"] = json.dumps(inputs, indent=2, ensure_ascii=False) + "\n"
    return files
