"""The exact commands a runbook gives for each resource: hand-over for the chosen target, sync check,
pipeline cut-over and rollback. Paths follow the exporters' repository layouts (LAYOUT below)."""

from __future__ import annotations

from typing import Any

from proton_exodus.plan.model import PlannedResource

# Where each exporter writes a stack's files, relative to the export root (keep in step with exporters/).
LAYOUT = {
    "cfn-git-sync": "deployments/{account}/{region}/{stack}.yaml",
    "codepipeline": "pipelines/{account}/{region}/{stack}.yaml",
    "github-actions": ".github/workflows/deploy-{stack}.yml",
    "argocd": "argocd/{account}/{region}/{stack}.yaml",
}
SYNC = "--sync-type CFN_STACK_SYNC"


def _where(r: PlannedResource) -> tuple[str, str]:
    return r.extra.get("stack_account") or r.account, r.extra.get("stack_region") or r.region


def _path(target: str, r: PlannedResource) -> str:
    account, region = _where(r)
    return LAYOUT[target].format(account=account, region=region, stack=r.stack_name)


def _connection(r: PlannedResource, target: str) -> dict[str, list[str]]:
    account = r.extra.get("environment_account", r.account)
    role_file = (f"bootstrap/{account}/{r.region}/git-sync-role.yaml" if target == "cfn-git-sync"
                 else f"bootstrap/{account}/{r.region}/{target}-role.yaml")  # as the cfn-git-sync exporter writes it
    prepare = [f"# the role and repository link the stacks in account {account} will use",
               f"aws cloudformation deploy --template-file {role_file} --stack-name exodus-{target}-role "
               f"--capabilities CAPABILITY_NAMED_IAM --region {r.region}"]
    if target == "cfn-git-sync":
        prepare.append(f'aws codeconnections create-repository-link --connection-arn "$CONNECTION_ARN" '
                       f'--owner-id "$REPO_OWNER" --repository-name "$REPO_NAME" --region {r.region}')
    return {"handover": prepare, "check": [f"aws cloudformation describe-stacks --stack-name exodus-{target}-role "
                                           f"--region {r.region} --query 'Stacks[0].StackStatus'"],
            "rollback": [f"aws cloudformation delete-stack --stack-name exodus-{target}-role --region {r.region}"]}


def _stack_commands(r: PlannedResource, target: str) -> dict[str, list[str]]:
    _, region = _where(r)
    stack, path = r.stack_name, _path(target, r)
    if target == "cfn-git-sync":
        return {
            "handover": [f'aws codeconnections create-sync-configuration --resource-name {stack} {SYNC} '
                         f'--branch "$BRANCH" --config-file {path} --repository-link-id "$REPOSITORY_LINK_ID" '
                         f'--role-arn "$GIT_SYNC_ROLE_ARN" --publish-deployment-status ENABLED '
                         f'--trigger-resource-update-on FILE_CHANGE --region {region}'],
            "check": [f"aws codeconnections get-resource-sync-status --resource-name {stack} {SYNC} --region {region} "
                      "--query 'LatestSync.Status'"],
            "rollback": [f"aws codeconnections delete-sync-configuration --resource-name {stack} {SYNC} --region {region}"],
        }
    if target == "codepipeline":
        return {
            "handover": [f"aws cloudformation deploy --template-file {path} --stack-name exodus-pipeline-{stack} "
                         f"--capabilities CAPABILITY_NAMED_IAM --region {region}"],
            "check": [f"aws codepipeline get-pipeline-state --name exodus-pipeline-{stack} --region {region}"],
            "rollback": [f"aws cloudformation delete-stack --stack-name exodus-pipeline-{stack} --region {region}"],
        }
    if target == "github-actions":
        workflow = path.rsplit("/", 1)[-1]
        return {
            "handover": [f"gh workflow enable {workflow}", f"gh workflow run {workflow} --ref \"$BRANCH\""],
            "check": [f"gh run list --workflow {workflow} --limit 1"],
            "rollback": [f"gh workflow disable {workflow}"],
        }
    return {  # argocd: the Application adopts the existing stack; deleting it must orphan, never delete
        "handover": [f"kubectl apply -n argocd -f {path}"],
        "check": [f"kubectl get -n argocd -f {path} -o jsonpath='{{.status.sync.status}}'"],
        "rollback": [f"kubectl delete -n argocd -f {path} --cascade=orphan"],
    }


def _cutover(r: PlannedResource) -> list[str]:
    """Pipelines: find the CodePipeline in the handed-over stack and run it once without Proton."""
    _, region = _where(r)
    steps = []
    if "W140" in r.manual:
        steps.append("# replace the steps that call `aws proton` first (the export's MANUAL_TASKS.md lists them)")
    steps += [f'PIPELINE=$(aws cloudformation describe-stack-resources --stack-name {r.stack_name} --region {region} '
              "--query \"StackResources[?ResourceType=='AWS::CodePipeline::Pipeline'].PhysicalResourceId\" --output text)",
              f'aws codepipeline start-pipeline-execution --name "$PIPELINE" --region {region}']
    return steps


def resource_commands(r: PlannedResource, target: str) -> dict[str, Any]:
    """Commands for one resource: handover, check, rollback (lists of shell lines), cutover for pipelines,
    plus entry/exit checks on its stack and `manual` when no stack can be handed over."""
    if r.kind == "environment_account_connection":
        return {**_connection(r, target), "stack": [], "drift": [], "cutover": [], "manual": None}
    if not r.stack_name or r.provisioning not in (None, "cloudformation"):
        why = f"{r.provisioning} provisioning" if r.provisioning not in (None, "cloudformation") else "no stack recorded"
        return {"handover": [], "check": [], "rollback": [], "stack": [], "drift": [], "cutover": [],
                "manual": f"{why}: follow the audit's remedy for {', '.join(r.manual or r.blocked_by) or 'it'}"}
    _, region = _where(r)
    status = (f"aws cloudformation describe-stacks --stack-name {r.stack_name} --region {region} "
              "--query 'Stacks[0].StackStatus' --output text")
    drift = [f"DRIFT_ID=$(aws cloudformation detect-stack-drift --stack-name {r.stack_name} --region {region} "
             "--query StackDriftDetectionId --output text)",
             f'aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id "$DRIFT_ID" '
             f"--region {region} --query StackDriftStatus"]
    cmds = _stack_commands(r, target)
    return {**cmds, "stack": [status], "drift": drift,
            "cutover": _cutover(r) if r.kind == "service_pipeline" else [], "manual": None}
