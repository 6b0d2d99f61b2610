"""Shell commands of the plan and export, run as written: every line of a ```sh block with the real `aws`
CLI (and `jq`) against the rehearsal's endpoint, with the credentials the block says to use for each
account (`# account N, ...: use credentials for this account` switches to a role in account N, assumed
through STS as an operator's profile would). A command that exits non-zero is a failed step.

Today this runs PLANNED_CHANGES.md's staging of secrets (before the first wave: the Parameter Store
Strings the exported templates read). `SNAPSHOT=path/to/snapshot` is set to the snapshot rehearsed; when
it has no secrets.json, a stand-in one holds the placeholder text the rebuilt stacks carry (so the staged
value is the deployed one), and the step says so."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from proton_exodus.model.secrets import PLACEHOLDER_RE
from proton_exodus.rehearse.model import FAILED, OK, Step

_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.S | re.M)
_ACCOUNT = re.compile(r"#\s*account (\d{12}), Region ([a-z0-9-]+): use credentials for this account")
_ASSIGN = re.compile(r"^([A-Z_][A-Z0-9_]*)=(\S*)")
REHEARSAL_ROLE = "exodus-rehearsal"  # the role an operator's profile assumes in each account
COMMAND_TIMEOUT = 300


def shell_lines(markdown: str) -> list[str]:
    """The lines of every ```sh block, in order (blank lines dropped, comments kept: they switch accounts)."""
    return [ln for block in _BLOCK.findall(markdown) for ln in block.splitlines() if ln.strip()]


def stand_in_secrets(planned: Mapping[str, object], work: Path) -> Path:
    """A snapshot folder with a secrets.json whose values are the placeholders the rebuilt stacks carry."""
    ids = sorted(
        {str(s.get("secretId")) for s in planned.get("stage") or [] if isinstance(s, Mapping)}  # type: ignore[union-attr]
    )
    folder = work / "stand-in-snapshot"
    folder.mkdir(parents=True, exist_ok=True)
    values = {
        i: f"{{{{exodus:secret:{i}}}}}" for i in ids if PLACEHOLDER_RE.fullmatch(f"{{{{exodus:secret:{i}}}}}")
    }
    (folder / "secrets.json").write_text(
        json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return folder


def _credentials(endpoint_url: str, account: str, region: str) -> dict[str, str]:
    from proton_exodus.engine.cloud import ClientFactory

    sts = ClientFactory(endpoint_url).client("sts", account, region)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{REHEARSAL_ROLE}", RoleSessionName="exodus-rehearse"
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
        "AWS_DEFAULT_REGION": region,
    }


def run_lines(
    lines: list[str],
    *,
    source: str,
    endpoint_url: str,
    variables: Mapping[str, str],
    cwd: Path,
    wave: int = 0,
    action: str = "runbook",
) -> Iterator[Step]:
    """One Step per command line of `source`; `variables` replace the operator's placeholder assignments."""
    home = cwd / "home"
    home.mkdir(parents=True, exist_ok=True)
    base = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_PAGER": "",
        **variables,
    }
    creds: dict[str, str] = {}
    account = region = ""
    for line in lines:
        switch = _ACCOUNT.search(line)
        if switch:
            account, region = switch.groups()
            creds = _credentials(endpoint_url, account, region)
            continue
        if line.lstrip().startswith("#"):
            continue
        assign = _ASSIGN.match(line)
        if assign and assign.group(1) in variables:
            continue  # the operator's placeholder (e.g. SNAPSHOT=path/to/snapshot): set above
        step = Step(wave, action, source, account, region, command=line.strip())
        if not creds:
            step.outcome, step.message = FAILED, "no account named before this command: whose credentials?"
            yield step
            continue
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line],
            cwd=cwd,
            env={**base, **creds},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            out = [ln for ln in (proc.stdout + "\n" + proc.stderr).splitlines() if ln.strip()]
            step.outcome = FAILED
            step.message = f"exit {proc.returncode}: " + (out[-1].strip() if out else "no output")
        else:
            step.outcome = OK
        yield step
