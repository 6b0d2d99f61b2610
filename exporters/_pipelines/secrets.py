"""The Secrets Manager secrets an export's templates and parameters reference
(`{{resolve:secretsmanager:…}}`): each must exist, before the first deploy, in the account and Region of the
stack that reads it. Listed in the README and in `secrets/<account>-<region>.txt`, which the runbook's account
step reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
    return [
        f"# Secrets Manager secrets the exported templates read in account {account}, Region {region} "
        "(README.md, Secrets to create): with this account's credentials, each value from "
        "$SECRETS_DIR/<secret name>, never printed",
        f"[ ! -f {listed} ] || while read -r name; do case \"$name\" in ''|'#'*) continue ;; esac; "
        "aws secretsmanager describe-secret --secret-id "
        f'"$name" --region {region} > /dev/null 2>&1 || aws secretsmanager create-secret --name "$name" '
        f'--secret-string "file://$SECRETS_DIR/$name" --region {region} --query ARN --output text; '
        f"done < {listed}",
    ]
