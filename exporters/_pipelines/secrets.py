"""The Secrets Manager secrets an export's templates and parameters reference
(`{{resolve:secretsmanager:…}}`): each must exist, before the first deploy, in the account and Region of the
stack that reads it. Listed in the README and in `secrets/<account>-<region>.txt`, which the runbook's account
step reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from exporters._pipelines.estate import StackArtefact

_REF = "{{resolve:secretsmanager:"


@dataclass(frozen=True, order=True)
class SecretRef:
    account: str
    region: str
    name: str
    stack: str


def referenced_secrets(text: str) -> list[str]:
    """Secret ids in the dynamic references of `text` (name or ARN, without json-key/version parts)."""
    out, pos = [], 0
    while (pos := text.find(_REF, pos)) >= 0:
        end = text.find("}}", pos)
        if end < 0:
            break
        body = text[pos + len(_REF) : end]
        pos = end
        if body.startswith("arn:"):  # arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:SecretString:...]
            parts = body.split(":")
            out.append(":".join(parts[:7]))
        else:
            out.append(body.split(":", 1)[0])
    return out


def estate_secrets(stacks: Iterable[StackArtefact]) -> list[SecretRef]:
    """Every secret the stacks read, where it must live (an ARN names its own account and Region)."""
    found: set[SecretRef] = set()
    for art in stacks:
        texts = [art.template, *map(str, art.parameters.values())]
        for name in (n for text in texts for n in referenced_secrets(text)):
            account, region = (
                (name.split(":")[4], name.split(":")[3])
                if name.startswith("arn:")
                else (art.unit.account, art.unit.region)
            )
            found.add(SecretRef(account, region, name, art.stack_name))
    return sorted(found)


def secret_list_path(account: str, region: str) -> str:
    return f"secrets/{account}-{region}.txt"


def secret_files(secrets: Iterable[SecretRef], stacks: Iterable[StackArtefact] = ()) -> dict[str, str]:
    """`secrets/<account>-<region>.txt`: one secret name a line, for the runbook; one per account and
    Region of `stacks` (empty when none of its stacks reads a secret)."""
    by_place: dict[tuple[str, str], set[str]] = {(a.unit.account, a.unit.region): set() for a in stacks}
    for ref in secrets:
        by_place.setdefault((ref.account, ref.region), set()).add(ref.name)
    return {
        secret_list_path(
            a, r
        ): f"# Secrets Manager secrets to create in account {a}, Region {r}: one a line\n"
        + "".join(f"{n}\n" for n in sorted(names))
        for (a, r), names in sorted(by_place.items())
    }


def create_command(name: str, region: str) -> str:
    """Create one secret from a file (the value is never on a command line nor printed)."""
    return (
        f'aws secretsmanager create-secret --name {name} --secret-string "file://$SECRETS_DIR/{name}" '
        f"--region {region} --query ARN --output text"
    )


def readme_section(secrets: Iterable[SecretRef]) -> list[str]:
    """README lines: each secret to create, in which account and Region, with the command."""
    secrets = list(secrets)
    if not secrets:
        return []
    lines = [
        "## Secrets to create (before the first deploy)",
        "",
        "The templates read these Secrets Manager secrets through dynamic references. Create each one in the",
        "account and Region of the stack that reads it (a secret in another account is not found), with that",
        "account's credentials. Put each value in a file under `$SECRETS_DIR` (named like the secret, mode",
        "0600, outside Git) or pipe it from your secret store; never type it on a command line.",
        "",
    ]
    places: dict[tuple[str, str], list[SecretRef]] = {}
    for ref in secrets:
        places.setdefault((ref.account, ref.region), []).append(ref)
    for (account, region), refs in sorted(places.items()):
        lines += [f"### Account {account}, Region {region}", "", "| Secret | Read by stack |", "|---|---|"]
        lines += [f"| `{r.name}` | `{r.stack}` |" for r in refs]
        lines += ["", "```sh", f"# with credentials for account {account}"]
        lines += [create_command(n, region) for n in sorted({r.name for r in refs})]
        lines += ["```", ""]
    return lines


def runbook_lines(account: str, region: str) -> list[str]:
    """Runbook lines creating the account's secrets listed by the export (skipping existing ones)."""
    listed = f'"$EXPORT/{secret_list_path(account, region)}"'
    where = f'--region {region} --profile "${{PROFILE_PREFIX}}{account}"'  # the runbooks' profile setting
    return [
        f"# Secrets Manager secrets the exported templates read in account {account}, Region {region} "
        "(README.md, Secrets to create): with this account's credentials, each value from "
        "$SECRETS_DIR/<secret name>, never printed",
        f"[ ! -f {listed} ] || while read -r name; do case \"$name\" in ''|'#'*) continue ;; esac; "
        "aws secretsmanager describe-secret --secret-id "
        f'"$name" {where} > /dev/null 2>&1 || aws secretsmanager create-secret --name "$name" '
        f'--secret-string "file://$SECRETS_DIR/$name" {where} --query ARN --output text; '
        f"done < {listed}",
    ]


def listed_secrets(export_dir: Path) -> list[str]:
    """The secret names an export's `secrets/<account>-<region>.txt` files list (what README.md asks
    for), in order."""
    names: set[str] = set()
    for path in sorted((Path(export_dir) / "secrets").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        names.update(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))
    return sorted(names)


def write_secrets_dir(export_dir: Path, work_dir: Path, snapshot_dir: Path) -> Path:
    """The operator's `$SECRETS_DIR` for a rehearsal: a mode-0700 folder under `work_dir` (never in the
    export) with one mode-0600 file per secret the export lists, holding the value the deployed stack
    reads: the snapshot's clear value from secrets.json, or, without it, the placeholder the rebuilt
    stack carries (the rehearsal's stand-in)."""
    folder = Path(work_dir) / "secrets-dir"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    names = listed_secrets(export_dir)
    if not names:
        return folder
    for name, value in _secret_values(names, Path(snapshot_dir)).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
    return folder


def _secret_values(names: list[str], snapshot_dir: Path) -> dict[str, str]:
    """Secret name (`exodus/<stack>/<input>`, or `.../secret-<id>`) -> its value in the snapshot (the
    placeholder the rebuilt stack carries when the snapshot has no secrets.json)."""
    from proton_exodus.model.secrets import secret_lookup
    from proton_exodus.model.snapshot import load_snapshot
    from proton_exodus.model.units import build_units

    snapshot = load_snapshot(snapshot_dir)
    units = {u.stack_name: u for u in build_units(snapshot) if u.stack_name}
    out: dict[str, str] = {}
    for name in names:
        _, stack, rest = (name.split("/", 2) + ["", ""])[:3]
        if rest.startswith("secret-"):  # a clear value found in a parameter: named by its id's prefix
            ids = sorted(i for i in snapshot.secrets if i.startswith(rest.removeprefix("secret-")))
            value = str(snapshot.secrets[ids[0]]) if ids else None
        else:
            value = secret_lookup(snapshot, units[stack])(name) if stack in units else None
        if value is not None:  # unknown: no file, so the runbook's create-secret fails and says so
            out[name] = value
    return out
