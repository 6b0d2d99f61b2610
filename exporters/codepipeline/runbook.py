"""How a `codepipeline` export is handed over in the runbooks `exodus plan` writes: one pipeline stack
per environment (or service), deployed once, re-deployed when a later wave adds stacks to it, deleted
on rollback only by the wave that created it (the stacks it deploys are separate stacks and stay)."""

from __future__ import annotations

from collections.abc import Sequence

from exporters import Commands, Use, export_file, no_commands
from exporters._pipelines.secrets import runbook_lines
from exporters.codepipeline.cross_account import ACTION_ROLE, BOOTSTRAP_PATH


def _deploy(use: Use) -> str:
    return (
        f"aws cloudformation deploy --template-file {export_file(use.file.path)} "
        f"--stack-name {use.file.name} "
        f'--parameter-overrides ConnectionArn="$CONNECTION_ARN" FullRepositoryId="$REPOSITORY" '
        f'BranchName="$BRANCH" --capabilities CAPABILITY_IAM --region {use.region}'
    )


def _action_role(account: str, region: str) -> list[str]:
    """In an account whose stacks a pipeline in $PIPELINE_ACCOUNT deploys: the role its actions assume."""
    role = export_file(BOOTSTRAP_PATH)
    return [
        f"# account {account} other than $PIPELINE_ACCOUNT: the role the pipeline's actions assume here "
        f"({ACTION_ROLE}), with this account's credentials",
        f'if [ "{account}" != "$PIPELINE_ACCOUNT" ] && [ -f {role} ]; then aws cloudformation deploy '
        f"--template-file {role} --stack-name exodus-pipeline-action-role --parameter-overrides "
        f'PipelineAccountId="$PIPELINE_ACCOUNT" CloudFormationRoleArns="$CFN_ROLE_ARNS" '
        f"--capabilities CAPABILITY_NAMED_IAM --region {region}; fi",
    ]


class CodePipelineRunbook:
    """Commands that deploy the pipeline templates and run the pipelines."""

    variables = (
        "CONNECTION_ARN=...               "
        "# CodeConnections connection in the account at hand (status AVAILABLE)",
        "REPOSITORY=OWNER/REPO            "
        "# the repository holding the export (the pipelines' FullRepositoryId)",
        "PIPELINE_ACCOUNT=...             # the account the pipelines run in (the one that ran Proton)",
        "CFN_ROLE_ARNS=...                "
        "# per other account: its stacks' CloudFormation service roles, comma-separated",
        "SECRETS_DIR=...                  "
        "# a directory (mode 0700, outside Git) with one file per secret README.md lists",
        "# A pipeline template with no CloudFormationRoleArn default (MANUAL_TASKS.md) also needs",
        "# CloudFormationRoleArn=... in its --parameter-overrides.",
    )
    takes_over_from = "the target can take over from"

    def stack_commands(self, use: Use) -> Commands:
        """Deploy (or update and run) the pipeline stack; rollback deletes only a pipeline this wave
        created."""
        f, region = use.file, use.region
        if use.repeat:
            return {
                **no_commands(),
                "handover": [f"# deployed by pipeline {f.watch} ({f.path}), handed over above"],
            }
        pipeline = f"--pipeline-name {f.watch} --region {region}"
        out = no_commands()
        out["check"] = [
            f"aws codepipeline list-pipeline-executions {pipeline} --max-items 1 "
            "--query 'pipelineExecutionSummaries[0].status'"
        ]
        if use.first:
            out["handover"] = [f"# pipeline {f.watch}: creating it starts its first run", _deploy(use)]
            out["rollback"] = [
                f"# deletes pipeline {f.watch} only (its artifact bucket is retained); "
                "the stacks it deployed are separate stacks and stay",
                f"aws cloudformation delete-stack --stack-name {f.name} --region {region}",
            ]
        else:
            out["handover"] = [
                f"# pipeline {f.watch} exists since wave {use.since}: update it, then run it",
                _deploy(use),
                f"aws codepipeline start-pipeline-execution --name {f.watch} --region {region}",
            ]
            out["rollback"] = [
                f"# {f.path} also deploys wave {use.since}: keep its stack; it is re-deployed below"
            ]
            out["restore"] = [_deploy(use)]
        return out

    def account_commands(self, account: str, region: str, files: Sequence[Use]) -> Commands:
        """A CodeConnections connection in the account (its handshake is finished in the console)."""
        return {
            "handover": [
                *runbook_lines(account, region),
                *_action_role(account, region),
                f"# a CodeConnections connection in account {account}; finish its handshake in the "
                "console, then set CONNECTION_ARN",
                f"aws codeconnections create-connection --provider-type GitHub "
                f"--connection-name exodus-pipelines --region {region}",
            ],
            "check": [
                'aws codeconnections get-connection --connection-arn "$CONNECTION_ARN" '
                f"--region {region} --query 'Connection.ConnectionStatus'"
            ],
            "rollback": [
                f'# only if this wave created it: aws codeconnections delete-connection '
                f'--connection-arn "$CONNECTION_ARN" --region {region}'
            ],
            "restore": [],
        }
