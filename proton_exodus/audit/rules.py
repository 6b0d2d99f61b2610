"""The audit's finding codes. The first letter is the severity: E blocks a wave until fixed, W needs a
manual step, I is information. Each code has a description, a remedy, a source and an effort guess."""

from __future__ import annotations

from dataclasses import dataclass

UG = "https://docs.aws.amazon.com/proton/latest/userguide"
API = "https://docs.aws.amazon.com/proton/latest/APIReference"


@dataclass(frozen=True)
class Rule:
    """One finding code."""

    code: str
    title: str
    description: str
    remedy: str
    source: str
    effort_hours: float  # rough hands-on time to clear one occurrence

    @property
    def severity(self) -> str:
        return {"E": "error", "W": "warning"}.get(self.code[:1], "info")


_RULES = (
    Rule(
        "E101",
        "Deployment failed",
        "The resource's last deployment failed (FAILED, DELETE_FAILED or a *_FAILED service status); its "
        "stack may not match its spec.",
        "Fix the cause in the stack itself (update it with CloudFormation until it is in a *_COMPLETE "
        "status; E110/E114 give the remedy for its status), then re-run `exodus inventory`.",
        f"{API}/API_ServiceInstance.html",
        2.0,
    ),
    Rule(
        "E102",
        "Deployment in progress or stuck",
        "A deployment is still running (IN_PROGRESS, DELETE_IN_PROGRESS, CANCELLING); the snapshot may be "
        "stale and Git sync cannot attach to a stack that is changing.",
        "Wait for the stack operation to finish (or cancel an update: `aws cloudformation "
        "cancel-update-stack`), then re-run `exodus inventory`.",
        f"{UG}/ag-svc-instance-update.html",
        1.0,
    ),
    Rule(
        "E110",
        "Stack status blocks Git sync",
        "Git sync can only be configured on stacks in CREATE_COMPLETE, UPDATE_COMPLETE, "
        "UPDATE_ROLLBACK_COMPLETE, IMPORT_COMPLETE or IMPORT_ROLLBACK_COMPLETE; the stack is in another (the "
        "message says which, and what brings it back).",
        "UPDATE_ROLLBACK_FAILED: `aws cloudformation continue-update-rollback` (skip resources that cannot "
        "roll back); *_IN_PROGRESS: wait for it; DELETE_FAILED: retain or fix the failing resources and "
        "delete again; a failed create is E114. Then re-run `exodus inventory`.",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/git-sync-status.html",
        2.0,
    ),
    Rule(
        "E111",
        "Stack unreachable",
        "The stack (or its whole account) could not be read when the snapshot was taken, so its template, "
        "parameters and status are unknown.",
        "Grant read access (the connection role or `--assume-role`) and re-run `exodus inventory`.",
        "shared/reference/TARGETS.md §1.3; docs/snapshot-format.md (reachable)",
        0.5,
    ),
    Rule(
        "E112",
        "No stack recorded",
        "The resource is CloudFormation-provisioned but no stack backs it in the snapshot, so there is "
        "nothing to hand over.",
        "Find the stack (`proton:*` tags) and re-run `exodus inventory`, or redeploy the resource.",
        f"{UG}/ag-works-prov-methods.html",
        1.0,
    ),
    Rule(
        "E113",
        "Stack name too long for Git sync",
        "A Git sync configuration's ResourceName is at most 100 characters; CloudFormation allows 128.",
        "Keep the stack under Proton-free management another way (CodePipeline, Actions) or recreate it with "
        "a shorter name.",
        "https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateSyncConfiguration.html",
        4.0,
    ),
    Rule(
        "E114",
        "Failed create (ROLLBACK_COMPLETE)",
        "The stack's creation failed and was rolled back (ROLLBACK_COMPLETE, ROLLBACK_FAILED): it holds no "
        "resources and cannot be updated; `continue-update-rollback` does not apply to it.",
        "Delete the stack and create it again from the fixed template (the export's deployment file does, "
        "once the stack is gone); or, when the resources exist outside it, create a new stack by importing "
        "them (`aws cloudformation create-change-set --change-set-type IMPORT`).",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html",
        2.0,
    ),
    Rule(
        "W120",
        "Template bundle missing",
        "The resource runs on a template version whose bundle was not found, so the export falls back to the "
        "deployed template and the render-and-compare proof is unavailable.",
        "Point `exodus inventory --bundles` at the template-sync checkout or S3 prefix holding that version.",
        f"{UG}/ag-template-versions.html",
        1.0,
    ),
    Rule(
        "W121",
        "Template version deleted",
        "The resource points at a template version that no longer exists (aws-proton-public-roadmap#79).",
        "Recover the bundle from source control; the deployed template is exported as it is.",
        "https://github.com/aws/aws-proton-public-roadmap/issues/79",
        1.5,
    ),
    Rule(
        "I122",
        "Older minor version",
        "The resource runs an older minor version of its template than the template's recommended version.",
        "Nothing blocks the hand-over; update it to the recommended minor version in the new system "
        "afterwards (a deployment-file or parameter change), not through Proton.",
        f"{UG}/ag-template-versions.html",
        0.0,
    ),
    Rule(
        "I123",
        "Template version without bundle",
        "A registered template version's bundle was not found; nothing that moves may use it today, but no "
        "new resource can be rendered from it and its source is lost unless recovered.",
        "Recover the bundle from source control or the template-sync repository (`exodus inventory "
        "--bundles`), or drop the version from the new system.",
        f"{UG}/ag-template-versions.html",
        0.25,
    ),
    Rule(
        "W130",
        "Self-managed (Terraform) provisioning",
        "No CloudFormation stack to hand over: state and .tf files live in the provisioning repository; only "
        "Proton's PRs and NotifyResourceDeploymentStatusChange go away.",
        "Regenerate the proton.*.variables.tf / proton.auto.tfvars.json files and run Terraform from your "
        "own CI.",
        f"{UG}/ag-works-prov-methods.html",
        4.0,
    ),
    Rule(
        "W131",
        "CodeBuild provisioning",
        "The infrastructure lives wherever the provisioning commands put it; the AWSProton-CodeBuild project "
        "is Proton scaffolding.",
        "Move the provision/deprovision commands into your own CodeBuild or Actions job with the recorded "
        "inputs.",
        f"{UG}/ag-works-prov-methods.html",
        4.0,
    ),
    Rule(
        "W132",
        "Customer-managed environment",
        "Proton never provisioned it; services read its outputs from the environment spec.",
        "Publish its outputs where consumers can read them (SSM parameters or deployment-file parameters).",
        f"{UG}/ag-env-customer-managed.html",
        1.0,
    ),
    Rule(
        "W140",
        "Pipeline calls the Proton API",
        "The deployed pipeline runs `aws proton ...` (or another Proton API call), which stops working at "
        "end of support.",
        "Rewrite the step to deploy the handed-over stacks (the pipeline targets of `exodus export "
        "--list-targets` convert such steps).",
        "shared/reference/PROTON.md §5; PEERS.md §5 item 4",
        3.0,
    ),
    Rule(
        "W141",
        "Pipeline deploys out of tier order",
        "The service pipeline deploys its instances in the order Proton gave them (by name, e.g. dev -> prod "
        "-> staging), so production is deployed before staging; the converted pipeline keeps that order.",
        "Reorder the pipeline's deploy stages by tier (non-production, then staging, then production) in the "
        "new system once it is handed over; exodus keeps the order so the hand-over changes nothing.",
        f"{UG}/ag-create-pipeline.html",
        0.5,
    ),
    Rule(
        "W150",
        "Component",
        "A directly defined component: its stack is handed over like the others, but someone must own its "
        "template (it lives in the service's repository, not a Proton template).",
        "Agree the owner and keep the component template next to the service code.",
        f"{UG}/ag-components.html",
        1.0,
    ),
    Rule(
        "W160",
        "Active sync blocker",
        "Service sync is blocked by a change made outside Git, so the ops repository and the deployed spec "
        "disagree.",
        "Reconcile the spec in the ops repository with what is deployed before its wave (the new system "
        "deploys from that repository); the blocker goes away with Proton's service sync.",
        f"{UG}/ag-service-sync-configs.html",
        1.0,
    ),
    Rule(
        "W170",
        "Input looks like a secret",
        "A spec input's name or value looks like a credential and it is stored in clear.",
        "Move the value to Secrets Manager or SSM SecureString and rotate it; exports keep it out of Git "
        "(Parameter Store by default, `--secrets`).",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
        1.0,
    ),
    Rule(
        "I171",
        "Secret was deployed in clear: rotate it after the hand-over",
        "A secret value was in clear in the resource's spec or rendered into its deployed template (the "
        "snapshot holds `{{exodus:secret:...}}` placeholders in its place, which are safe; the value itself "
        "was readable by anyone who could read the spec, the stack template or Proton's deployment history). "
        "It does not change how the resource moves: the default export (`--secrets ssm-parameter`) keeps the "
        "first deploy a no-op, so this is a security task for after the hand-over, not a migration step.",
        "Rotate the value after the hand-over and treat the old one as disclosed. Until then it stays "
        "readable where the resource keeps it (a task definition's or function's environment) and, with "
        "`--secrets ssm-parameter`, in a Parameter Store String; the end state is ECS `Secrets` or Secrets "
        "Manager read at run time (a planned replacement of the task definition).",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
        1.0,
    ),
    Rule(
        "W180",
        "Account connection not connected",
        "The environment account connection is not CONNECTED (PENDING or REJECTED).",
        "Accept the connection or move the environment to a connected one before its wave.",
        f"{UG}/ag-env-account-connections.html",
        1.0,
    ),
    Rule(
        "I190",
        "Sync configuration to retire",
        "A template or service sync config keeps Proton deploying from Git until end of support.",
        "Delete it when the resources it drives are handed over (the runbook says when).",
        f"{UG}/ag-template-sync-configs.html",
        0.25,
    ),
    Rule(
        "I191",
        "Past failed deployments",
        "Earlier deployments of this resource failed; the latest one did not.",
        "Nothing to do; worth a look if the same failure could recur during the hand-over.",
        f"{API}/API_Deployment.html",
        0.0,
    ),
    Rule(
        "W193",
        "Keep Proton's roles: they are the stacks' service roles",
        "Proton passed its service roles to CloudFormation as the stacks' service role (RoleARN); every "
        "later update of those stacks, by any deployer, runs with them.",
        "Keep these roles (and their policies) when Proton's leftovers are cleaned up; delete them only "
        "after every stack using them has another service role (`aws cloudformation update-stack "
        "--role-arn`).",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
        0.25,
    ),
    Rule(
        "I192",
        "Stack has no service role",
        "Change sets run with the caller's credentials, so the Git sync role needs permissions on every "
        "resource type in the template.",
        "Scope the Git sync role's policy to the template's resource types (or set a stack service role).",
        "shared/reference/TARGETS.md §1.3",
        0.25,
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
AUTOMATIC_EFFORT_HOURS = 0.1  # review and sign-off of one stack that moves automatically
