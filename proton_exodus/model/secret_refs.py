"""Replace clear secret values in deployed templates by Secrets Manager dynamic references.

A Proton template that renders a sensitive input into a resource leaves the clear value in the
deployed template (GetTemplate returns it). Exports must never publish it: the value becomes
`{{resolve:secretsmanager:exodus/<stack>/<input>}}`, the secret the platform team creates once,
named as cfn-git-sync names it (proton_exodus.proton.parameterise.secret_name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proton_exodus.model.secrets import MIN_SCRUB_LENGTH, PLACEHOLDER_RE
from proton_exodus.proton.parameterise import SECRET_REF, secret_name


def _input_names(inputs: Mapping[str, Any], secrets: Mapping[str, Any], clear: str) -> list[str]:
    """Inputs holding this clear value: as is (units) or as any placeholder that stands for it
    (snapshot records: one value may have several ids, one per place a spec held it)."""
    def holds(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        match = PLACEHOLDER_RE.fullmatch(value)
        return value == clear or (match is not None and secrets.get(match.group(1)) == clear)

    return sorted(name for name, value in inputs.items() if holds(value))


def redact_secrets(text: str, secrets: Mapping[str, Any], *, stack: str,
                   inputs: Mapping[str, Any] | None = None) -> tuple[str, list[str]]:
    """`text` with every clear value of `secrets` ({id: value}) replaced; also the secret names used.

    Longer values are replaced first so a secret that contains another is not cut in two.
    """
    names: list[str] = []
    items = [(sid, value) for sid, value in secrets.items()
             if isinstance(value, str) and len(value) >= MIN_SCRUB_LENGTH]
    for secret_id, value in sorted(items, key=lambda item: (-len(item[1]), item[0])):
        if value not in text:
            continue
        matched = _input_names(inputs or {}, secrets, value)
        name = secret_name(stack, matched[0] if matched else f"secret-{secret_id[:12]}")
        text = text.replace(value, SECRET_REF.format(name))
        names.append(name)
    return text, sorted(set(names))
