"""How a `github-actions` export is handed over in the runbooks `exodus plan` writes: per account
GitHub's OIDC provider (created when missing) and the roles stack the workflows assume
(`bootstrap/<account>/github-roles.yaml`, re-applied by each wave moving a stack there: that wave's
export trusts its GitHub environments); then one workflow per environment (or service) that deploys on
push, enabled and run once by hand with `gh`."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, export_file, no_commands
from exporters._pipelines.secrets import runbook_lines
from exporters.github_actions.bootstrap import OIDC_HOST, ROLES_STACK, account_of

REPO = '--repo "$REPOSITORY"'
PROFILE_PREFIX = "exodus-"


def _profile(account: str) -> str:
    return f'--profile "${{PROFILE_PREFIX}}{account}"'


def _roles(use: Use) -> Commands:
    """Deploy (or update) the account's roles stack; it stays on rollback (later waves use it). IAM is
    global: one stack per account, in one Region ($ROLES_REGION) whichever Region the wave's stack is in
    (a second stack of the same role names in another Region would fail)."""
    account = account_of(use.file.path)
    where = f'--region "$ROLES_REGION" {_profile(account)}'
    if use.repeat:
        return no_commands()
    out = no_commands()
    out["handover"] = [
        f"# the roles the workflows assume in account {account}, trusted for this export's GitHub "
        "environments there (README.md, step 2)",
        f"aws cloudformation deploy --template-file {export_file(use.file.path)} --stack-name {ROLES_STACK} "
        '--parameter-overrides Repository="$REPOSITORY" --capabilities CAPABILITY_NAMED_IAM '
        f"--no-fail-on-empty-changeset {where}",
    ]
    out["check"] = [
        f"aws cloudformation describe-stacks --stack-name {ROLES_STACK} {where} "
        "--query 'Stacks[0].StackStatus' --output text"
    ]
    return out


class GitHubActionsRunbook:
    """Commands that enable and run the deploy workflows (and disable them on rollback)."""

    variables = (
        f"PROFILE_PREFIX={PROFILE_PREFIX}           "
        "# AWS CLI profile ${PROFILE_PREFIX}<account id> per account of the plan (its credentials)",
        "REPOSITORY=OWNER/REPO            # the GitHub repository holding the export (for gh --repo)",
        "ROLES_REGION=us-east-1           "
        "# the one Region holding each account's exodus-github-roles stack (IAM roles are global)",
        "SECRETS_DIR=...                  "
        "# a directory (mode 0700, outside Git) with one file per secret README.md lists",
    )
    takes_over_from = "the target can take over from"

    def stack_commands(self, use: Use) -> Commands:
        """Enable and run the workflow; rollback disables only a workflow this wave first enabled."""
        f = use.file
        if f.role == "bootstrap":
            return _roles(use)
        if use.repeat:
            return {**no_commands(), "handover": [f"# deployed by workflow {f.path}, handed over above"]}
        out = no_commands()
        out["handover"] = [
            f"gh workflow enable {f.name} {REPO}",
            f'gh workflow run {f.name} {REPO} --ref "$BRANCH"',
        ]
        out["check"] = [f"gh run list --workflow {f.name} {REPO} --limit 1 --json status,conclusion"]
        if use.first:
            out["rollback"] = [f"gh workflow disable {f.name} {REPO}"]
        else:
            out["rollback"] = [
                f"# {f.path} also deploys wave {use.since}: leave it enabled; "
                "the revert below restores its previous version"
            ]
        return out

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """The account's secrets, and GitHub's OIDC provider there unless it has one."""
        where = _profile(account)
        provider = f"arn:aws:iam::{account}:oidc-provider/{OIDC_HOST}"
        return {
            "handover": [
                *runbook_lines(account, region),
                f"# GitHub's OIDC provider in account {account}, unless it has one (other repositories "
                "may share it)",
                f'aws iam get-open-id-connect-provider --open-id-connect-provider-arn "{provider}" {where} '
                f"> /dev/null 2>&1 || aws iam create-open-id-connect-provider --url https://{OIDC_HOST} "
                f"--client-id-list sts.amazonaws.com {where}",
            ],
            "check": [
                f'aws iam get-open-id-connect-provider --open-id-connect-provider-arn "{provider}" {where} '
                "> /dev/null"
            ],
            "rollback": [
                "# the OIDC provider and the roles stack may serve other waves or repositories: remove "
                "them by hand once unused"
            ],
            "restore": [],
        }
