"""How a `cfn-git-sync` export is handed over in the runbooks `exodus plan` writes: per account and
Region one stack (`git-sync-role.yaml`) holding the sync role and the repository link, then a sync
configuration per stack that reads the link id and role back from that stack's outputs. A wave's
rollback deletes its own sync configurations; the role stack goes only with the last wave using it
(`release_commands`). Every
command runs with the credentials of the account that owns the stack (AWS CLI profile
`${PROFILE_PREFIX}<account id>`): Git sync creates a stack it cannot find, so a sync configuration
made in the wrong account would build a second copy of the stack there."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, export_file, no_commands
from exporters.cfn_git_sync.layout import ROLE_STACK

SYNC = "--sync-type CFN_STACK_SYNC"
PROFILE_PREFIX = "exodus-"


def profile(account: str) -> str:
    """The `--profile` option naming the account's credentials (runbook variable PROFILE_PREFIX)."""
    return f'--profile "${{PROFILE_PREFIX}}{account}"'


def where(account: str, region: str) -> str:
    return f"--region {region} {profile(account)}"


def role_stack_output(key: str, account: str, region: str) -> str:
    """A command printing one output of the account's sync role stack."""
    return (
        f"aws cloudformation describe-stacks --stack-name {ROLE_STACK} {where(account, region)} "
        f"--query \"Stacks[0].Outputs[?OutputKey=='{key}'].OutputValue\" --output text"
    )


def connection_lookup(account: str, region: str) -> str:
    """A command printing the ARN of the account's connection named $CONNECTION_NAME."""
    return (
        f"aws codeconnections list-connections {where(account, region)} --query "
        "\"Connections[?ConnectionName=='$CONNECTION_NAME'].ConnectionArn | [0]\" --output text"
    )


def deploy_role_stack(template: str, account: str, region: str, connection: str = '"$CONNECTION_ARN"') -> str:
    """`aws cloudformation deploy` of git-sync-role.yaml with every parameter it needs."""
    return (
        f"aws cloudformation deploy --template-file {template} --stack-name {ROLE_STACK} "
        "--capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset "
        f"--parameter-overrides ConnectionArn={connection} "
        f'OwnerId="$REPO_OWNER" RepositoryName="$REPO_NAME" {where(account, region)}'
    )


def account_of(deployment_path: str) -> str:
    """The account of a deployment file `deployments/<account>/<region>/<StackName>.yaml`."""
    parts = deployment_path.split("/")
    return parts[1] if len(parts) == 4 and parts[0] == "deployments" else ""


class GitSyncRunbook:
    """Commands that attach CloudFormation Git sync to the adopted stacks (and detach it on rollback)."""

    variables = (
        f"PROFILE_PREFIX={PROFILE_PREFIX}           "
        "# AWS CLI profile ${PROFILE_PREFIX}<account id> per account of the plan (its credentials)",
        "CONNECTION_NAME=...              "
        "# CodeConnections connection of this name in every account (status AVAILABLE)",
        "REPO_OWNER=... REPO_NAME=...     # the repository holding the export",
    )
    takes_over_from = "Git sync can attach to"
    # what the account's set-up shares with every wave (the rollback text names it)
    shared = f"the `{ROLE_STACK}` stack with the sync role and the repository link"

    def stack_commands(self, use: Use) -> Commands:
        """A sync configuration, in the stack's own account and Region, pointing at its deployment file
        and using that account's repository link and sync role; rollback deletes it only."""
        stack, path, region = use.file.name, use.file.path, use.region
        account = account_of(path)
        return {
            "handover": [
                f"# stack {stack}: account {account}, Region {region}",
                f"LINK_ID=$({role_stack_output('RepositoryLinkId', account, region)})",
                f"SYNC_ROLE_ARN=$({role_stack_output('RoleArn', account, region)})",
                f'aws codeconnections create-sync-configuration --resource-name {stack} {SYNC} '
                f'--branch "$BRANCH" --config-file {path} '
                '--repository-link-id "$LINK_ID" --role-arn "$SYNC_ROLE_ARN" '
                '--publish-deployment-status ENABLED '
                f'--trigger-resource-update-on FILE_CHANGE {where(account, region)}',
            ],
            "check": [
                f"aws codeconnections get-resource-sync-status --resource-name {stack} {SYNC} "
                f"{where(account, region)} --query 'LatestSync.Status'"
            ],
            "rollback": [
                f"aws codeconnections delete-sync-configuration --resource-name {stack} {SYNC} "
                f"{where(account, region)}"
            ],
            "restore": [],
        }

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """The account's stack holding the sync role and the repository link (created once, by the stack;
        the sync configurations read its outputs)."""
        out = no_commands()
        for use in files:
            stack = f"--stack-name {use.file.name}"
            out["handover"] += [
                f"# the sync role and repository link of account {account}, Region {region}",
                f"CONNECTION_ARN=$({connection_lookup(account, region)})",
                deploy_role_stack(export_file(use.file.path), account, region),
            ]
            out["check"].append(
                f"aws cloudformation describe-stacks {stack} {where(account, region)} "
                "--query 'Stacks[0].StackStatus'"
            )
        return out

    def release_commands(self, account: str, region: str, files: Sequence[Use]) -> list[str]:
        """In every wave's rollback that uses the account and Region, after its own sync configurations
        are deleted: the role stack (sync role and repository link) is deleted only when no sync
        configuration uses its link any more, i.e. by the last wave using it to be rolled back; while a
        wave's stacks still sync through it, it stays (deleting it would cut their Git sync off)."""
        out: list[str] = []
        at = where(account, region)
        for use in files:
            out += [
                f"# the sync role and repository link of account {account}, Region {region}: kept while any "
                "sync configuration uses them (another wave still handed over), deleted with the last one",
                f"LINK_ID=$({role_stack_output('RepositoryLinkId', account, region)})",
                f'IN_USE=$(aws codeconnections list-sync-configurations --repository-link-id "$LINK_ID" '
                f"{SYNC} {at} --query 'length(SyncConfigurations)' --output text)",
                f'if [ "$IN_USE" = "0" ]; then aws cloudformation delete-stack --stack-name {use.file.name} '
                f'{at}; else echo "kept {use.file.name}: $IN_USE sync configuration(s) still use it"; fi',
            ]
        return out
