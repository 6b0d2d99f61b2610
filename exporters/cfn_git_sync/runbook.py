"""How a `cfn-git-sync` export is handed over in the runbooks `exodus plan` writes: a sync
configuration per stack, and per account and Region the sync role stack and the repository link."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, export_file, no_commands

SYNC = "--sync-type CFN_STACK_SYNC"


class GitSyncRunbook:
    """Commands that attach CloudFormation Git sync to the adopted stacks (and detach it on rollback)."""

    variables = (
        "CONNECTION_ARN=...               "
        "# CodeConnections connection to the Git provider (status AVAILABLE)",
        "REPO_OWNER=... REPO_NAME=...     # the repository holding the export",
        "REPOSITORY_LINK_ID=...           # aws codeconnections list-repository-links",
        "GIT_SYNC_ROLE_ARN=...            "
        "# role trusted by cloudformation.sync.codeconnections.amazonaws.com",
    )
    takes_over_from = "Git sync can attach to"

    def stack_commands(self, use: Use) -> Commands:
        """A sync configuration pointing at the stack's deployment file; rollback deletes it only."""
        stack, path, region = use.file.name, use.file.path, use.region
        return {
            "handover": [f'aws codeconnections create-sync-configuration --resource-name {stack} {SYNC} '
                         f'--branch "$BRANCH" --config-file {path} '
                         '--repository-link-id "$REPOSITORY_LINK_ID" --role-arn "$GIT_SYNC_ROLE_ARN" '
                         '--publish-deployment-status ENABLED '
                         f'--trigger-resource-update-on FILE_CHANGE --region {region}'],
            "check": [f"aws codeconnections get-resource-sync-status --resource-name {stack} {SYNC} "
                      f"--region {region} --query 'LatestSync.Status'"],
            "rollback": [f"aws codeconnections delete-sync-configuration --resource-name {stack} {SYNC} "
                         f"--region {region}"],
            "restore": [],
        }

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """The sync role stack and the repository link the account's stacks will use."""
        out = no_commands()
        for use in files:
            stack = f"--stack-name {use.file.name}"
            out["handover"] += [f"# the role and repository link the stacks in account {account} will use",
                                f"aws cloudformation deploy --template-file {export_file(use.file.path)} "
                                f"{stack} --capabilities CAPABILITY_NAMED_IAM --region {region}",
                                "aws codeconnections create-repository-link "
                                '--connection-arn "$CONNECTION_ARN" --owner-id "$REPO_OWNER" '
                                f'--repository-name "$REPO_NAME" --region {region}']
            out["check"].append(f"aws cloudformation describe-stacks {stack} --region {region} "
                                "--query 'Stacks[0].StackStatus'")
            out["rollback"].append(f"aws cloudformation delete-stack {stack} --region {region}")
        return out

