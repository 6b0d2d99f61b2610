"""How each target hands a file of its export over: the shell lines that deploy, apply or enable it,
check it took, and roll it back without touching the adopted stacks. The files themselves come from the
exporter (`handover(StackRef)` in exporters/<target>/layout.py); this module only knows the mechanisms.

Every mechanism returns {"handover", "check", "rollback", "restore"}: `restore` runs after the runbook's
`git revert`, for files an earlier wave already handed over (they are re-applied, never removed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exporters import Handover

SYNC = "--sync-type CFN_STACK_SYNC"
ARGO_NS = "argocd"
# Argo CD syncs an Application whose `operation` is set (docs: "Sync Applications with Kubectl").
ARGO_SYNC = ('\'{"operation":{"initiatedBy":{"username":"exodus-runbook"},'
             '"sync":{"syncStrategy":{"hook":{}}}}}\'')
ARGO_NO_CASCADE = '\'{"metadata":{"finalizers":null}}\''
Commands = dict[str, list[str]]


@dataclass(frozen=True)
class Use:
    """One export file as a wave uses it: `first` when no earlier wave handed it over, `repeat` when an
    earlier resource of this wave already did, `since` the wave that first did."""

    file: Handover
    region: str
    first: bool
    repeat: bool
    since: int


def local(path: str) -> str:
    """A file the command reads from the checkout of the export (not a path inside the repository)."""
    return f'"$EXPORT/{path}"'


def empty() -> Commands:
    return {"handover": [], "check": [], "rollback": [], "restore": []}


def stack_commands(target: str, use: Use) -> Commands:
    """The lines for one stack's hand-over file, by target."""
    return {"cfn-git-sync": _git_sync, "codepipeline": _codepipeline, "github-actions": _github,
            "argocd": _argocd}[target](use)


def _git_sync(use: Use) -> Commands:
    stack, path, region = use.file.name, use.file.path, use.region
    return {
        "handover": [f'aws codeconnections create-sync-configuration --resource-name {stack} {SYNC} '
                     f'--branch "$BRANCH" --config-file {path} --repository-link-id "$REPOSITORY_LINK_ID" '
                     f'--role-arn "$GIT_SYNC_ROLE_ARN" --publish-deployment-status ENABLED '
                     f'--trigger-resource-update-on FILE_CHANGE --region {region}'],
        "check": [f"aws codeconnections get-resource-sync-status --resource-name {stack} {SYNC} --region {region} "
                  "--query 'LatestSync.Status'"],
        "rollback": [f"aws codeconnections delete-sync-configuration --resource-name {stack} {SYNC} --region {region}"],
        "restore": [],
    }


def _pipeline_deploy(use: Use) -> str:
    return (f"aws cloudformation deploy --template-file {local(use.file.path)} --stack-name {use.file.name} "
            f'--parameter-overrides ConnectionArn="$CONNECTION_ARN" FullRepositoryId="$REPOSITORY" '
            f'BranchName="$BRANCH" --capabilities CAPABILITY_IAM --region {use.region}')


def _codepipeline(use: Use) -> Commands:
    """One pipeline stack per environment (or service): deployed once, re-deployed when a later wave
    adds stacks to it, deleted on rollback only by the wave that created it (the stacks it deploys
    are separate stacks and stay)."""
    f, region = use.file, use.region
    if use.repeat:
        return {**empty(), "handover": [f"# deployed by pipeline {f.watch} ({f.path}), handed over above"]}
    pipeline = f"--pipeline-name {f.watch} --region {region}"
    out = empty()
    out["check"] = [f"aws codepipeline list-pipeline-executions {pipeline} --max-items 1 "
                    "--query 'pipelineExecutionSummaries[0].status'"]
    if use.first:
        out["handover"] = [f"# pipeline {f.watch}: creating it starts its first run", _pipeline_deploy(use)]
        out["rollback"] = [f"# deletes pipeline {f.watch} only (its artifact bucket is retained); the stacks it "
                           "deployed are separate stacks and stay",
                           f"aws cloudformation delete-stack --stack-name {f.name} --region {region}"]
    else:
        out["handover"] = [f"# pipeline {f.watch} exists since wave {use.since}: update it, then run it",
                           _pipeline_deploy(use), f"aws codepipeline start-pipeline-execution --name {f.watch} "
                           f"--region {region}"]
        out["rollback"] = [f"# {f.path} also deploys wave {use.since}: keep its stack; it is re-deployed below"]
        out["restore"] = [_pipeline_deploy(use)]
    return out


def _github(use: Use) -> Commands:
    """One workflow per environment (or service); it deploys on push, and is run once by hand here."""
    f = use.file
    if use.repeat:
        return {**empty(), "handover": [f"# deployed by workflow {f.path}, handed over above"]}
    repo = '--repo "$REPOSITORY"'
    out = empty()
    out["handover"] = [f"gh workflow enable {f.name} {repo}", f'gh workflow run {f.name} {repo} --ref "$BRANCH"']
    out["check"] = [f"gh run list --workflow {f.name} {repo} --limit 1 --json status,conclusion"]
    if use.first:
        out["rollback"] = [f"gh workflow disable {f.name} {repo}"]
    else:
        out["rollback"] = [f"# {f.path} also deploys wave {use.since}: leave it enabled; the revert below "
                           "restores its previous version"]
    return out


def _argocd(use: Use) -> Commands:
    """An Application per environment or pipeline; an ApplicationSet per service (its file's `name`
    differs from the generated Application it `watch`es). Applying it adopts the stacks observe-only;
    rolling back removes the Argo CD objects without cascading, and every Crossplane Stack has
    `deletionPolicy: Orphan`, so no CloudFormation stack is ever deleted."""
    f = use.file
    app = f.watch or f.name
    apply = f"kubectl apply -n {ARGO_NS} -f {local(f.path)}"
    sync = f"kubectl -n {ARGO_NS} patch application {app} --type merge -p {ARGO_SYNC}"
    out = empty()
    if use.repeat and f.name == app:  # the same Application again (an environment and its components)
        return {**out, "handover": [f"# synced with Application {app} ({f.path}) above"]}
    out["handover"] = [f"# {app} is generated by ApplicationSet {f.name} ({f.path}), applied above", sync] \
        if use.repeat else [apply, sync]
    out["check"] = [f"kubectl -n {ARGO_NS} get application {app} "
                    "-o jsonpath='{.status.sync.status} {.status.health.status}'"]
    if use.repeat:
        return out
    orphan = f"kubectl -n {ARGO_NS} patch application {app} --type merge -p {ARGO_NO_CASCADE}"
    if not use.first:
        out["rollback"] = [f"# {f.path} also holds wave {use.since}: keep it (observe-only); it is re-applied below"]
        out["restore"] = [apply]
    elif f.name == app:  # an Application: drop its finalizer so deleting it cascades to nothing
        out["rollback"] = ["# non-cascading delete; the Stack objects keep deletionPolicy: Orphan", orphan,
                           f"kubectl delete -n {ARGO_NS} -f {local(f.path)} --cascade=orphan"]
    else:  # an ApplicationSet: preserveResourcesOnDeletion keeps the generated apps' Stack objects
        out["rollback"] = [f"# ApplicationSet {f.name} keeps its apps' resources (preserveResourcesOnDeletion); "
                           "the Stack objects keep deletionPolicy: Orphan", orphan,
                           f"kubectl delete -n {ARGO_NS} -f {local(f.path)}"]
    return out


def account_commands(target: str, account: str, region: str, files: Sequence[Use]) -> Commands:
    """Preparing an account and Region for the target, before its first stack moves."""
    out = empty()
    if target == "cfn-git-sync":
        for use in files:
            out["handover"] += [f"# the role and repository link the stacks in account {account} will use",
                                f"aws cloudformation deploy --template-file {local(use.file.path)} "
                                f"--stack-name {use.file.name} --capabilities CAPABILITY_NAMED_IAM --region {region}",
                                f'aws codeconnections create-repository-link --connection-arn "$CONNECTION_ARN" '
                                f'--owner-id "$REPO_OWNER" --repository-name "$REPO_NAME" --region {region}']
            out["check"].append(f"aws cloudformation describe-stacks --stack-name {use.file.name} --region {region} "
                                "--query 'Stacks[0].StackStatus'")
            out["rollback"].append(f"aws cloudformation delete-stack --stack-name {use.file.name} --region {region}")
    elif target == "codepipeline":
        out["handover"] = [f"# a CodeConnections connection in account {account}; finish its handshake in the "
                           "console, then set CONNECTION_ARN",
                           f"aws codeconnections create-connection --provider-type GitHub "
                           f"--connection-name exodus-pipelines --region {region}"]
        out["check"] = [f'aws codeconnections get-connection --connection-arn "$CONNECTION_ARN" --region {region} '
                        "--query 'Connection.ConnectionStatus'"]
        out["rollback"] = [f'# only if this wave created it: aws codeconnections delete-connection '
                           f'--connection-arn "$CONNECTION_ARN" --region {region}']
    elif target == "github-actions":
        out["handover"] = [f"# GitHub's OIDC provider in account {account}, and a deploy role trusted for "
                           "repo:ORG/REPO:environment:NAME (the export's README.md, step 2)",
                           "aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com "
                           "--client-id-list sts.amazonaws.com"]
        out["check"] = ["aws iam list-open-id-connect-providers --query 'OpenIDConnectProviderList[].Arn'"]
        out["rollback"] = ["# the OIDC provider and role may serve other repositories: remove them by hand if unused"]
    elif target == "argocd":
        for use in files:  # bootstrap files (the Crossplane provider) are applied, never removed by a wave
            if use.repeat:
                continue
            out["handover"].append(f"kubectl apply -n {ARGO_NS} -f {local(use.file.path)}")
            out["check"].append(f"kubectl get -n {ARGO_NS} -f {local(use.file.path)}")
            if use.first and use.file.role != "bootstrap":
                out["rollback"].append(f"kubectl delete -n {ARGO_NS} -f {local(use.file.path)}")
    return out
