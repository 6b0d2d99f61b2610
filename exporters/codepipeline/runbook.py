"""How a `codepipeline` export is handed over in the runbooks `exodus plan` writes: one pipeline stack
per environment (or service), deployed once in the pipeline account (the one that ran Proton: README.md
step 3) with that account's AWS CLI profile and CodeConnections connection, re-deployed when a later
wave adds stacks to it, deleted on rollback only by the wave that created it (the stacks it deploys are
separate stacks and stay). Each other account gets the role the pipelines' actions assume there."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, export_file, no_commands
from exporters._pipelines.secrets import runbook_lines
from exporters.codepipeline.cross_account import ACTION_ROLE, BOOTSTRAP_PATH

PROFILE_PREFIX = "exodus-"
PIPELINES = '--profile "${PROFILE_PREFIX}${PIPELINE_ACCOUNT}"'  # every pipeline command runs there


def _connection(region: str) -> list[str]:
    """Look up the pipeline account's connection by name, and stop unless its handshake is done."""
    return [
        f"CONNECTION_ARN=$(aws codeconnections list-connections --region {region} {PIPELINES} "
        "--query \"Connections[?ConnectionName=='$CONNECTION_NAME'].ConnectionArn | [0]\" --output text)",
        f'test "$(aws codeconnections get-connection --connection-arn "$CONNECTION_ARN" --region {region} '
        f"{PIPELINES} --query Connection.ConnectionStatus --output text)\" = AVAILABLE",
    ]


def _deploy(use: Use) -> str:
    return (
        f"aws cloudformation deploy --template-file {export_file(use.file.path)} "
        f"--stack-name {use.file.name} "
        f'--parameter-overrides ConnectionArn="$CONNECTION_ARN" FullRepositoryId="$REPOSITORY" '
        f'BranchName="$BRANCH" --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset '
        f"--region {use.region} {PIPELINES}"
    )


def _action_role(account: str, region: str) -> list[str]:
    """In an account whose stacks a pipeline in $PIPELINE_ACCOUNT deploys: the role its actions assume."""
    role = export_file(BOOTSTRAP_PATH)
    return [
        f"# account {account} other than $PIPELINE_ACCOUNT: the role the pipeline's actions assume here "
        f"({ACTION_ROLE}), with this account's credentials",
        f'if [ "{account}" != "$PIPELINE_ACCOUNT" ]; then aws cloudformation deploy '
        f"--template-file {role} --stack-name exodus-pipeline-action-role --parameter-overrides "
        f'PipelineAccountId="$PIPELINE_ACCOUNT" CloudFormationRoleArns="$CFN_ROLE_ARNS" '
        f'--capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --region {region} '
        f'--profile "${{PROFILE_PREFIX}}{account}"; fi',
    ]


class CodePipelineRunbook:
    """Commands that deploy the pipeline templates and run the pipelines."""

    variables = (
        f"PROFILE_PREFIX={PROFILE_PREFIX}           "
        "# AWS CLI profile ${PROFILE_PREFIX}<account id> per account of the plan (its credentials)",
        "PIPELINE_ACCOUNT=...             # the account the pipelines run in (the one that ran Proton)",
        "CONNECTION_NAME=...              "
        "# CodeConnections connection of this name in $PIPELINE_ACCOUNT (handshake done: AVAILABLE)",
        "REPOSITORY=OWNER/REPO            "
        "# the repository holding the export (the pipelines' FullRepositoryId)",
        "CFN_ROLE_ARNS=...                "
        "# the stacks' CloudFormation service roles outside $PIPELINE_ACCOUNT, comma-separated "
        "(MANUAL_TASKS.md)",
        "SECRETS_DIR=...                  "
        "# a directory (mode 0700, outside Git) with one file per secret README.md lists",
    )
    takes_over_from = "the target can take over from"

    def stack_commands(self, use: Use) -> Commands:
        """Deploy (or update and run) the pipeline stack in the pipeline account; rollback deletes only
        a pipeline this wave created."""
        f, region = use.file, use.region
        if use.repeat:
            return {
                **no_commands(),
                "handover": [f"# deployed by pipeline {f.watch} ({f.path}), handed over above"],
            }
        pipeline = f"--pipeline-name {f.watch} --region {region} {PIPELINES}"
        out = no_commands()
        out["check"] = [
            f"aws codepipeline list-pipeline-executions {pipeline} --max-items 1 "
            "--query 'pipelineExecutionSummaries[0].status'"
        ]
        if use.first:
            out["handover"] = [
                f"# pipeline {f.watch}, in $PIPELINE_ACCOUNT: creating it starts its first run",
                *_connection(region),
                _deploy(use),
            ]
            out["rollback"] = [
                f"# deletes pipeline {f.watch} only (its artifact bucket is retained); "
                "the stacks it deployed are separate stacks and stay",
                f"aws cloudformation delete-stack --stack-name {f.name} --region {region} {PIPELINES}",
            ]
        else:
            out["handover"] = [
                f"# pipeline {f.watch} exists since wave {use.since}: update it, then run it",
                *_connection(region),
                _deploy(use),
                f"aws codepipeline start-pipeline-execution --name {f.watch} --region {region} {PIPELINES}",
            ]
            out["rollback"] = [
                f"# {f.path} also deploys wave {use.since}: keep its stack; it is re-deployed below"
            ]
            out["restore"] = [*_connection(region), _deploy(use)]
        return out

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """The account's secrets, and outside the pipeline account the role the actions assume."""
        return {
            "handover": [*runbook_lines(account, region), *_action_role(account, region)],
            "check": [],
            "rollback": [
                f"# the action role stack (exodus-pipeline-action-role) in account {account} may serve "
                "later waves: remove it by hand once no pipeline deploys there"
            ],
            "restore": [],
        }
