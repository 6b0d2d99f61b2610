"""The one placeholder exodus renders in place of a value it does not know or wants to find again.

Parameterisation (`parameterise.py`) and recovery (`recover/`) render a template with markers instead of
values, then look for them in the result. A marker is letters and digits only, so YAML reads it as a plain
string and Proton's filters (`proton_cfn_sanitize`, ...) pass it unchanged.
"""

from __future__ import annotations

import re

MARKER_RE = re.compile(r"EXODUSSLOT(\d{4})Z")


def marker(index: int) -> str:
    """The marker standing for value number `index`."""
    return f"EXODUSSLOT{index:04d}Z"


def marker_index(text: object) -> int | None:
    """The index of `text` when it is exactly one marker, else None."""
    found = MARKER_RE.fullmatch(text) if isinstance(text, str) else None
    return int(found.group(1)) if found else None
