"""How a `spacelift` export is handed over in the runbooks `exodus plan` writes: once, the shared
configuration (provider, policies, contexts), its state in the S3 bucket of terraform's runbook
(TF_STATE_BUCKET, key `exodus/spacelift/terraform.tfstate`: never a local state in the checkout); then
per stack a `terraform apply` targeted at the resources of that stack's file (the Spacelift stack, its
variables, attachments and dependencies), and a proposed run (`spacectl stack preview`) the plan policy
checks. Wave by wave, so a stack's dependencies exist before it. Rollback disables the Spacelift stack
(it takes no run): the CloudFormation stack is never touched. spacectl subcommands and `--id` as in
spacelift-io/spacectl internal/cmd/stack."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, no_commands
from exporters.spacelift.layout import STATE_KEY
from exporters.terraform.runbook import STATE_SETTINGS, backend_config, state_bucket_check

# The `-target` options for every resource of one .tf file (read from the file itself).
_TARGETS = (
    "TARGETS=$(grep -Eo '^resource \"[a-z_]+\" \"[A-Za-z0-9_-]+\"' {file} "
    "| awk '{{gsub(/\"/, \"\"); printf \"-target=%s.%s \", $2, $3}}')"
)


def terraform(args: str) -> str:
    return f'$TF -chdir="$EXPORT"/spacelift {args}'


class SpaceliftRunbook:
    """Commands that create the Spacelift stacks of a wave and preview each."""

    variables = (
        "TF=terraform                     # or tofu; the spacelift provider reads SPACELIFT_API_KEY_*",
        "REPOSITORY=...  PROVISIONING_REPOSITORY=...  # see spacelift/variables.tf",
        "TEMPLATE_BUCKETS='{...}'  # JSON {\"<account>/<region>\": \"<bucket>\", ...}, made first",
        STATE_SETTINGS,
        'export TF_VAR_repository="$REPOSITORY" TF_VAR_provisioning_repository="$PROVISIONING_REPOSITORY" '
        'TF_VAR_template_buckets="$TEMPLATE_BUCKETS"',
    )
    takes_over_from = "CloudFormation accepts change sets on"

    def stack_commands(self, use: Use) -> Commands:
        slug, path = use.file.name, use.file.path
        return {
            "handover": [
                f"# Spacelift stack {slug} (CloudFormation stack {use.file.watch})",
                _TARGETS.format(file=f'"$EXPORT/{path}"'),
                terraform("apply -input=false -auto-approve $TARGETS"),
                f"spacectl stack preview --id {slug} --tail   # the plan policy must pass",
            ],
            "check": [f"spacectl stack show --id {slug}"],
            "rollback": [
                f"spacectl stack disable --id {slug}   # no more runs; the CloudFormation stack stays"
            ],
            "restore": [],
        }

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """Once: the shared configuration. Per account and Region: its template bucket must exist (the
        CloudFormation vendor uploads each run's template there, with that account's integration)."""
        out = no_commands()
        out["handover"] += [
            f"# with credentials for account {account}, Region {region}: the vendor's template bucket",
            f"aws s3api head-bucket --region {region} --bucket \"$(jq -er '.\"{account}/{region}\"' "
            '<<<"$TEMPLATE_BUCKETS")"',
        ]
        for use in files:
            if use.repeat:  # an earlier account of this wave initialised the shared configuration
                continue
            if not use.first:  # an earlier wave applied it; a fresh checkout has no .terraform/
                out["handover"] += self.wave_commands(account, region, [use])["handover"]
                continue
            out["handover"] += [
                "# the exodus policies and the environments' contexts (shared by every account); the",
                "# configuration's state goes to the S3 bucket terraform's runbook uses, under its own key",
                state_bucket_check(),
                terraform(f"init -input=false {backend_config(STATE_KEY)}"),
                _TARGETS.format(file=f'"$EXPORT/{use.file.path}"'),
                terraform("apply -input=false -auto-approve $TARGETS"),
            ]
            out["check"].append(terraform("state list"))
        return out

    def wave_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """A later wave may run from a fresh checkout (`.terraform/` is ignored): `init` the Spacelift
        configuration again before its applies (idempotent where it is already initialised)."""
        out = no_commands()
        if any(not use.repeat for use in files):  # once a wave: the configuration is shared by accounts
            out["handover"] += [
                "# the Spacelift configuration (initialised in an earlier wave; again, for a fresh checkout)",
                terraform(f"init -input=false {backend_config(STATE_KEY)}"),
            ]
        return out
