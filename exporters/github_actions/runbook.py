"""How a `github-actions` export is handed over in the runbooks `exodus plan` writes: one workflow per
environment (or service) that deploys on push, enabled and run once by hand; per account GitHub's OIDC
provider and a deploy role."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, no_commands
from exporters._pipelines.secrets import runbook_lines

REPO = '--repo "$REPOSITORY"'


class GitHubActionsRunbook:
    """Commands that enable and run the deploy workflows (and disable them on rollback)."""

    variables = (
        "REPOSITORY=OWNER/REPO            # the GitHub repository holding the export (for gh --repo)",
        "SECRETS_DIR=...                  "
        "# a directory (mode 0700, outside Git) with one file per secret README.md lists",
    )
    takes_over_from = "the target can take over from"

    def stack_commands(self, use: Use) -> Commands:
        """Enable and run the workflow; rollback disables only a workflow this wave first enabled."""
        f = use.file
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
        """GitHub's OIDC provider and a deploy role (the export's README.md, step 2)."""
        return {
            "handover": [
                *runbook_lines(account, region),
                f"# GitHub's OIDC provider in account {account}, and a deploy role trusted for "
                "repo:ORG/REPO:environment:NAME (the export's README.md, step 2)",
                "aws iam create-open-id-connect-provider "
                "--url https://token.actions.githubusercontent.com "
                "--client-id-list sts.amazonaws.com",
            ],
            "check": [
                f"# and, in account {account}: role exodus-github-plan (change sets only) trusted for "
                "repo:ORG/REPO:environment:NAME-plan of each environment here (README.md, step 2)",
                "aws iam get-role --role-name exodus-github-plan --query Role.Arn",
                "aws iam list-open-id-connect-providers --query 'OpenIDConnectProviderList[].Arn'",
            ],
            "rollback": [
                "# the OIDC provider and role may serve other repositories: remove them by hand if unused"
            ],
            "restore": [],
        }
