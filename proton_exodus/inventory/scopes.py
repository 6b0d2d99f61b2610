"""Which accounts and Regions a crawl covers, and the boto3 session for each.

Without `--assume-role` the crawl covers the caller's own account. With it, each member account
(from `--accounts FILE`, else AWS Organizations ListAccounts) is reached by assuming the role the
template names, e.g. `arn:aws:iam::{account}:role/ExodusReadOnly`.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proton_exodus.aws import build_client, build_session
from proton_exodus.errors import BadInput
from proton_exodus.inventory.awserrors import translate
from proton_exodus.inventory.stats import CallStats
from proton_exodus.settings import Settings

ACCOUNT_RE = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True)
class Scope:
    """One account and Region to crawl."""

    account: str | None  # None until known (the caller's identity could not be read)
    region: str
    session: Any
    role_arn: str | None = None

    @property
    def label(self) -> str:
        """Journal key prefix: stable across runs with the same options."""
        return f"{self.account or 'self'}/{self.region}"


def load_accounts_file(path: Path) -> list[str]:
    """12-digit account IDs, one a line (`#` comments and blank lines ignored; CSV: first column)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise BadInput(f"{path}: cannot read the accounts file ({err.strerror})") from None
    accounts: list[str] = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip().split(",", 1)[0].strip()
        if not text:
            continue
        if not ACCOUNT_RE.match(text):
            raise BadInput(f"{path}:{number}: {text!r} is not a 12-digit AWS account ID")
        accounts.append(text)
    if not accounts:
        raise BadInput(f"{path}: no account IDs found")
    return sorted(dict.fromkeys(accounts))


def caller_account(settings: Settings, session: Any, stats: CallStats) -> str | None:
    """The account of the credentials in use (STS GetCallerIdentity); None if STS cannot say."""
    try:
        sts = stats.attach(build_client("sts", settings, session=session, max_attempts=4))
        return str(sts.get_caller_identity()["Account"])
    except Exception:  # noqa: BLE001 - the account is then read from the crawled ARNs
        return None


def organization_accounts(settings: Settings, session: Any, stats: CallStats) -> list[str]:
    """Active member accounts of the organization (Organizations ListAccounts)."""
    client = stats.attach(build_client("organizations", settings, session=session))
    try:
        pages = client.get_paginator("list_accounts").paginate()
        accounts = [
            a["Id"] for page in pages for a in page["Accounts"] if a.get("Status", "ACTIVE") == "ACTIVE"
        ]
    except Exception as err:
        raise translate(
            err, service="organizations", operation="ListAccounts", region=settings.region
        ) from err
    return sorted(accounts)


def assume(settings: Settings, session: Any, stats: CallStats, role_arn: str, region: str) -> Any:
    """A boto3 Session with the credentials of `role_arn`."""
    import boto3

    sts = stats.attach(build_client("sts", settings, region=region, session=session, max_attempts=4))
    try:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="proton-exodus-inventory")["Credentials"]
    except Exception as err:
        raise translate(err, service="sts", operation="AssumeRole", region=region) from err
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def build_scopes(
    settings: Settings,
    stats: CallStats,
    *,
    assume_role: str | None,
    accounts_file: Path | None,
    warnings: list[str],
) -> list[Scope]:
    """Every (account, Region) to crawl, with a session for each account."""
    regions = tuple(dict.fromkeys(settings.regions)) or (settings.region,)
    base = build_session(settings)
    if not assume_role:
        if accounts_file:
            raise BadInput("--accounts needs --assume-role (the role to assume in each account)")
        account = caller_account(settings, base, stats)
        return [Scope(account, region, base) for region in regions]
    if "{account}" not in assume_role:
        raise BadInput(
            f"--assume-role {assume_role!r} has no {{account}} placeholder",
            hint="e.g. arn:aws:iam::{account}:role/ExodusReadOnly",
        )
    accounts = (
        load_accounts_file(accounts_file) if accounts_file else organization_accounts(settings, base, stats)
    )

    def session_for(account: str) -> tuple[str, Any, str]:
        role = assume_role.replace("{account}", account)
        return account, assume(settings, base, stats, role, regions[0]), role

    with ThreadPoolExecutor(max_workers=min(8, len(accounts) or 1)) as pool:
        sessions = list(pool.map(session_for, accounts))
    return [
        Scope(account, region, session, role) for account, session, role in sessions for region in regions
    ]
