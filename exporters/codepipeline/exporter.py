"""The `codepipeline` exporter: one CloudFormation template per environment (environment stack, then
its components and instances) and per service (its Proton pipeline stack), each defining a CodePipeline
V2 pipeline fed by a CodeConnections source. Every stack deploys as CHANGE_SET_REPLACE -> manual approval
(production-like environments only) -> CHANGE_SET_EXECUTE; never REPLACE_ON_FAILURE (TARGETS.md §2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from exporters import API_VERSION, ExportContext, ExportResult, Finding
from exporters._pipelines import (
    Estate,
    StackArtefact,
    dump_yaml,
    levels,
    slug,
    templates_index,
    watched_paths,
)
from exporters._pipelines.cfn_blocks import approval_action, artifact_bucket, source_stage, trust_policy
from exporters._pipelines.convert import converted_estate
from exporters._pipelines.docs import render_readme
from exporters._pipelines.rehearse import edit_stack as edit_pipeline_stack
from exporters._pipelines.secrets import estate_secrets, secret_files
from exporters._pipelines.terraform import codebuild_files
from exporters.codepipeline import layout
from exporters.codepipeline.cross_account import (
    BOOTSTRAP_PATH,
    add_cross_account,
    bootstrap_role_template,
    pipeline_account,
    remote_accounts,
)
from exporters.codepipeline.rehearse import rehearse as rehearse_pipelines
from exporters.codepipeline.rehearse import runbook_settings as pipeline_settings
from exporters.codepipeline.runbook import CodePipelineRunbook
from exporters.codepipeline.validate import pipeline_statement, validate_resources, validate_stage
from proton_exodus.repo.index import repo_files

SOURCE = "SourceOutput"
CHANGE_SET = "exodus-pipeline"
MAX_STACKS_PER_STAGE = 16  # 3 actions per stack, CodePipeline allows 50 actions per stage
MAX_LISTED_STACKS = 40  # beyond this the role names stacks by tag, to stay under IAM's policy size limit


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _stack_arn(art: StackArtefact) -> dict[str, str]:
    return _sub(
        f"arn:${{AWS::Partition}}:cloudformation:{art.unit.region}:{art.unit.account}:stack/{art.stack_name}/*"
    )


def _parameters(options: Mapping[str, str], roles: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ConnectionArn": {
            "Type": "String",
            "Description": "CodeConnections connection to the Git provider",
            "AllowedPattern": r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):.+$",
        },
        "FullRepositoryId": {
            "Type": "String",
            "Description": "owner/repository holding the exported stacks",
            "Default": options.get("repository", "my-org/proton-stacks"),
        },
        "BranchName": {"Type": "String", "Default": options.get("branch", "main")},
    }
    if len(set(roles)) == 1:  # one role for all: a parameter, so a person can swap it in one place
        params["CloudFormationRoleArn"] = {
            "Type": "String",
            "Description": "CloudFormation service role for the change sets",
            "AllowedPattern": r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$",
            "Default": roles[0],
        }
    if options.get("connection-arn"):
        params["ConnectionArn"]["Default"] = options["connection-arn"]
    return params


def _service_role(art: StackArtefact, roles: Sequence[str]) -> Any:
    """The service role a stack's change set passes: the one it has (the parameter when the pipeline's
    stacks share one); None for a stack deployed without one (passing one would change it)."""
    if not art.role_arn:
        return None
    return {"Ref": "CloudFormationRoleArn"} if len(set(roles)) == 1 else art.role_arn


def _role(stacks: Sequence[StackArtefact], group: str) -> dict[str, Any]:
    condition = _tag_condition(stacks) if len(stacks) > MAX_LISTED_STACKS else None
    if condition is None:
        cfn_stmt: dict[str, Any] = {"Effect": "Allow", "Resource": [_stack_arn(a) for a in stacks]}
    else:  # Proton tags every stack with its environment / service ARN (PROTON.md §3.2)
        key, values = condition
        cfn_stmt = {
            "Effect": "Allow",
            "Resource": _sub("arn:${AWS::Partition}:cloudformation:*:*:stack/*/*"),
            "Condition": {"StringEquals": {f"aws:ResourceTag/{key}": values}},
        }
    cfn_stmt["Action"] = [
        "cloudformation:CreateChangeSet",
        "cloudformation:DeleteChangeSet",
        "cloudformation:DescribeChangeSet",
        "cloudformation:DescribeStacks",
        "cloudformation:ExecuteChangeSet",
    ]
    statements = [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": _sub("${ArtifactBucket.Arn}/*"),
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"],
            "Resource": {"Fn::GetAtt": ["ArtifactBucket", "Arn"]},
        },
        {
            "Effect": "Allow",
            "Action": ["codeconnections:UseConnection", "codestar-connections:UseConnection"],
            "Resource": {"Ref": "ConnectionArn"},
        },
        {key: cfn_stmt[key] for key in ("Effect", "Action", "Resource", "Condition") if key in cfn_stmt},
        pipeline_statement(),
    ]
    roles = sorted({a.role_arn for a in stacks if a.role_arn})
    if roles:
        statements.insert(
            -1,
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": {"Ref": "CloudFormationRoleArn"} if len(roles) == 1 else roles,
                "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
            },
        )
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"CodePipeline role for {group}: change sets on its stacks only",
            "AssumeRolePolicyDocument": trust_policy(
                {"Service": "codepipeline.amazonaws.com"},
                Condition={"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            ),
            "Policies": [
                {
                    "PolicyName": "deploy-stacks",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def _tag_condition(stacks: Sequence[StackArtefact]) -> tuple[str, list[str]] | None:
    """A Proton tag every stack carries (exodus adds no stack tag: it would reach every resource)."""
    for key in ("proton:environment", "proton:service"):
        values = sorted({a.tags[key] for a in stacks if key in a.tags})
        if values and all(key in a.tags for a in stacks):
            return key, values
    return None


def _actions(art: StackArtefact, index: int, roles: Sequence[str]) -> list[dict[str, Any]]:
    name = f"{index:02d}-{slug(art.unit.name, 40)}"
    replace_cfg = {
        "ActionMode": "CHANGE_SET_REPLACE",
        "StackName": art.stack_name,
        "ChangeSetName": CHANGE_SET,
        "TemplatePath": f"{SOURCE}::{art.template_path}",
        "TemplateConfiguration": f"{SOURCE}::{art.config_path}",
        "Capabilities": ",".join(art.capabilities),
    }
    role = _service_role(art, roles)
    if role is not None:
        replace_cfg["RoleArn"] = role
    deploy = {"Category": "Deploy", "Owner": "AWS", "Provider": "CloudFormation", "Version": "1"}
    actions = [
        {
            "Name": f"{name}-ChangeSet",
            "ActionTypeId": deploy,
            "Configuration": replace_cfg,
            "InputArtifacts": [{"Name": SOURCE}],
            "RunOrder": 1,
        }
    ]
    run = 2
    if art.production:
        note = (
            f"Review change set {CHANGE_SET} of stack {art.stack_name} "
            f"(production-like: {art.unit.environment or art.group}) before it is executed."
        )
        actions.append(approval_action(f"{name}-Approve", 2, note))
        run = 3
    actions.append(
        {
            "Name": f"{name}-Execute",
            "ActionTypeId": deploy,
            "RunOrder": run,
            "Configuration": {
                "ActionMode": "CHANGE_SET_EXECUTE",
                "StackName": art.stack_name,
                "ChangeSetName": CHANGE_SET,
            },
        }
    )
    return actions


def _stages(stacks: Sequence[StackArtefact]) -> list[dict[str, Any]]:
    roles = sorted({a.role_arn for a in stacks if a.role_arn})
    stages: list[dict[str, Any]] = [source_stage(SOURCE), validate_stage(SOURCE)]
    index = 0
    for depth, level in enumerate(levels(stacks)):
        for part in range(0, len(level), MAX_STACKS_PER_STAGE):
            chunk = level[part : part + MAX_STACKS_PER_STAGE]
            kinds = sorted({a.unit.kind.replace("_", "-") for a in chunk})
            suffix = f"-{part // MAX_STACKS_PER_STAGE + 1}" if len(level) > MAX_STACKS_PER_STAGE else ""
            actions = []
            for art in chunk:
                index += 1
                actions.extend(_actions(art, index, roles))
            stages.append({"Name": f"Deploy-{depth + 1}-{'-'.join(kinds)}{suffix}", "Actions": actions})
    return stages


def build_pipeline_template(
    name: str, group: str, stacks: Sequence[StackArtefact], options: Mapping[str, str]
) -> dict[str, Any]:
    """The CloudFormation template (as data) of the pipeline deploying `stacks` in dependency order."""
    roles = sorted({a.role_arn for a in stacks if a.role_arn})
    pipeline = {
        "Type": "AWS::CodePipeline::Pipeline",
        "Properties": {
            "Name": name,
            "PipelineType": "V2",
            "ExecutionMode": "QUEUED",
            "RestartExecutionOnUpdate": False,
            "RoleArn": {"Fn::GetAtt": ["PipelineRole", "Arn"]},
            "ArtifactStore": {"Type": "S3", "Location": {"Ref": "ArtifactBucket"}},
            "Triggers": [
                {
                    "ProviderType": "CodeStarSourceConnection",
                    "GitConfiguration": {
                        "SourceActionName": "Checkout",
                        "Push": [
                            {
                                "Branches": {"Includes": [{"Ref": "BranchName"}]},
                                "FilePaths": {"Includes": watched_paths(group, stacks)},
                            }
                        ],
                    },
                }
            ],
            "Stages": _stages(stacks),
        },
    }
    bucket = artifact_bucket(versioned=True)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"exodus: CodePipeline V2 deploying the {group} stacks once run by AWS Proton",
        "Parameters": _parameters(options, roles),
        "Resources": {
            "ArtifactBucket": bucket,
            "PipelineRole": _role(stacks, group),
            "Pipeline": pipeline,
            **validate_resources(group),
        },
        "Outputs": {"PipelineName": {"Value": {"Ref": "Pipeline"}}},
    }
    add_cross_account(template, stacks)
    return template


def pipeline_files(estate: Estate, options: Mapping[str, str]) -> tuple[dict[str, str], list[Finding]]:
    """Pipeline templates plus the stack templates and configuration files they deploy."""
    # the role a pipeline's actions assume in another account (runbooks deploy it where that applies)
    files: dict[str, str] = {BOOTSTRAP_PATH: dump_yaml(bootstrap_role_template())}
    findings: list[Finding] = []
    for group, stacks in estate.groups().items():
        for art in stacks:
            files.update(art.files())
        name = layout.pipeline_name(group)
        files[layout.pipeline_path(group)] = dump_yaml(build_pipeline_template(name, group, stacks, options))
        regions = {a.unit.region for a in stacks}
        if len(regions) > 1:
            findings.append(
                Finding(
                    "W-PIPE-CROSS-REGION",
                    f"the stacks of {group} span Regions {sorted(regions)}; "
                    "add per-action Region and ArtifactStores for the remote ones",
                    path=layout.pipeline_path(group),
                )
            )
        for account in remote_accounts(stacks):
            findings.append(
                Finding(
                    "W-PIPE-CROSS-ACCOUNT",
                    f"{layout.pipeline_path(group)} deploys stacks in account "
                    f"{account} from account {pipeline_account(stacks)}: deploy {BOOTSTRAP_PATH} in "
                    f"account {account} first (PipelineAccountId={pipeline_account(stacks)}, "
                    "CloudFormationRoleArns= the stacks' service roles there)",
                    path=layout.pipeline_path(group),
                )
            )
    return files, findings


class CodePipelineExporter:
    name = "codepipeline"
    summary = "CodePipeline V2 pipelines (CloudFormation) deploying the Proton stacks with change sets"
    api_version = API_VERSION
    handover = staticmethod(layout.handover)
    runbook = CodePipelineRunbook()
    rehearse = staticmethod(rehearse_pipelines)
    runbook_settings = staticmethod(pipeline_settings)
    edit_stack = staticmethod(edit_pipeline_stack)

    def export(self, ctx: ExportContext) -> ExportResult:
        units, estate = converted_estate(ctx)
        files, findings = pipeline_files(estate, ctx.options)
        files.update(estate.planned_files())
        extra, more = codebuild_files(ctx, units)
        files.update(extra)
        files.update(secret_files(estate_secrets(estate.stacks), estate.stacks))
        files["TEMPLATES.json"] = templates_index(
            (a.unit, a.template_path, a.config_path, a.mapping) for a in estate.stacks
        )
        files["TEMPLATES.md"] = estate.templates_md
        files["README.md"] = render_readme("codepipeline", estate, sorted(files))
        files.update(repo_files(ctx.snapshot, units, files, self.name))
        return ExportResult(
            dict(sorted(files.items())), tuple(estate.findings) + tuple(findings) + tuple(more)
        )


exporter = CodePipelineExporter()
