"""How a `terraform` export is handed over in the runbooks `exodus plan` writes: per account and Region
`terraform init` of its root module (S3 backend given at init, its bucket checked first: the operator
creates it, and lets every account of the plan use it), then per stack a plan targeted at its
`aws_cloudformation_stack` (the import block comes with it), refused unless it adds and destroys
nothing, and applied from the saved plan file. Rollback forgets the stack (`state rm`), it never
destroys it. `$TF` is `terraform` or `tofu`; credentials are the account's AWS CLI profile."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, no_commands
from exporters.terraform.layout import RESOURCE

PROFILE_PREFIX = "exodus-"
# jq over `show -json`: true when no resource is created or destroyed (a replacement is both)
NOTHING_ADDED_OR_DESTROYED = (
    "jq -e '[.resource_changes[]? | select(.change.actions | index(\"create\") or index(\"delete\"))]"
    " | length == 0'"
)


def _module(path: str) -> tuple[str, str, str]:
    """(module dir, account, region) of a file `live/<account>/<region>/<file>`."""
    parts = path.split("/")
    return "/".join(parts[:3]), parts[1] if len(parts) > 2 else "", parts[2] if len(parts) > 2 else ""


STATE_SETTINGS = (
    "TF_STATE_BUCKET=... TF_STATE_REGION=...  # the S3 bucket (and its Region) holding the states"
)


def backend_config(key: str) -> str:
    """The `init` options completing a partial `backend "s3" {}`: the operator's state bucket and Region
    (TF_STATE_BUCKET, TF_STATE_REGION), the state's `key`, S3's own lock file."""
    return (
        '-backend-config="bucket=$TF_STATE_BUCKET" '
        f'-backend-config="key={key}" -backend-config="region=$TF_STATE_REGION" '
        '-backend-config="use_lockfile=true"'
    )


def state_bucket_check(profile: str = "") -> str:
    """`head-bucket` of the state bucket (`--profile` when given): it exists, this account may use it."""
    where = f' --profile "{profile}"' if profile else ""
    return (
        f'aws s3api head-bucket --bucket "$TF_STATE_BUCKET" --region "$TF_STATE_REGION"{where}'
        "   # the state bucket; this account may use it"
    )


def tf(path: str, account: str) -> str:
    """`$TF -chdir=<module>` run with the account's profile (a folder: `"$EXPORT/..."` names files)."""
    return f'AWS_PROFILE="${{PROFILE_PREFIX}}{account}" $TF -chdir="$EXPORT"/{path}'


class TerraformRunbook:
    """Commands that import each adopted stack into Terraform state, wave by wave."""

    variables = (
        "TF=terraform                     # or tofu (OpenTofu >= 1.5 reads the same import blocks)",
        f"PROFILE_PREFIX={PROFILE_PREFIX}           "
        "# AWS CLI profile ${PROFILE_PREFIX}<account id> per account of the plan (its credentials)",
        STATE_SETTINGS,
    )
    takes_over_from = "UpdateStack accepts (the provider's only way to change a stack)"

    def stack_commands(self, use: Use) -> Commands:
        """Plan the stack's import (targeted), refuse additions and destructions, apply the saved plan;
        check that a second plan of it is empty; rollback removes it from state only."""
        module, account, _region = _module(use.file.path)
        addr = use.file.watch or f"{RESOURCE}.{use.file.path.rsplit('/', 1)[-1].removesuffix('.tf')}"
        plan_file = f"{addr.rsplit('.', 1)[-1]}.tfplan"
        run = tf(module, account)
        return {
            "handover": [
                f"# stack {use.file.name}: import into {addr}",
                f'test -f "$EXPORT/{use.file.path}"   # its import block and resource',
                f"{run} plan -input=false -target={addr} -out={plan_file}",
                f"{run} show -json {plan_file} | {NOTHING_ADDED_OR_DESTROYED}",
                f"{run} apply -input=false {plan_file}",
            ],
            "check": [
                "# exit 0: no changes (2 means changes; a NoEcho parameter always shows one, see README.md)",
                f"{run} plan -input=false -target={addr} -detailed-exitcode",
            ],
            "rollback": [f"{run} state rm {addr}   # forgets the stack; it is not destroyed"],
            "restore": [],
        }

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """`terraform init` of the account and Region's root module against its state."""
        out = no_commands()
        for use in files:
            module, _, _ = _module(use.file.path)
            out["handover"] += [
                f"# the root module of account {account}, Region {region}",
                f'test -f "$EXPORT/{use.file.path}"   # its backend and provider versions',
                state_bucket_check(f"${{PROFILE_PREFIX}}{account}"),
                _init(module, account),
            ]
            out["check"].append(f"{tf(module, account)} validate")
        return out

    def wave_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """A later wave may run from a fresh checkout (`.terraform/` is ignored, not committed): `init`
        the root module again before its plans (idempotent where it is already initialised)."""
        out = no_commands()
        for use in files:
            module, _, _ = _module(use.file.path)
            out["handover"] += [
                f"# the root module of account {account}, Region {region} (initialised in an earlier wave; "
                "again here, for a fresh checkout)",
                _init(module, account),
            ]
        return out


def _init(module: str, account: str) -> str:
    """`init` of a root module against its own state key in the operator's bucket."""
    key = f"{module.removeprefix('live/')}/terraform.tfstate"
    return f"{tf(module, account)} init -input=false {backend_config(f'exodus/{key}')}"
