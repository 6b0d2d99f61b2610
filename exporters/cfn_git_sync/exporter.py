"""The `cfn-git-sync` exporter: hand every Proton CloudFormation stack over, in place, to CloudFormation
Git sync (TARGETS.md §1). Pure: files and findings out, nothing written, no AWS calls."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from exporters import API_VERSION, ExportContext, ExportResult, Finding
from exporters._pipelines.convert import pipeline_converter
from exporters._pipelines.estate import templates_index
from exporters._pipelines.service_pipeline import pipeline_planned_changes, place_findings
from exporters._pipelines.validate import WORKFLOW_PATH, pull_request_workflow
from exporters._pipelines.yamlout import dump_yaml as dump_workflow
from exporters.cfn_git_sync import bootstrap, layout
from exporters.cfn_git_sync.readme import readme
from exporters.cfn_git_sync.rehearse import edit_stack as edit_cfn_git_sync_stack
from exporters.cfn_git_sync.rehearse import rehearse as rehearse_git_sync
from exporters.cfn_git_sync.runbook import GitSyncRunbook
from exporters.cfn_git_sync.yamltext import dump_yaml
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import SECRET_MODES
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.repo.index import repo_files
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplate, StackTemplateBuilder, text_key
from proton_exodus.translate.summary import templates_summary
from proton_exodus.verify.planned import PlannedStack, planned_change_files, planned_changes

ATTACHABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}  # TARGETS.md §1.4
STACK_NAME_RE = re.compile(r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$")  # sync configuration ResourceName, ≤ 100
OPTIONS = {
    "repository": "",
    "branch": "main",
    "connection-arn": "",
    "role-arn": "",
    "secrets": "ssm-parameter",
    "parameterise": "true",
    "publish-deployment-status": "ENABLED",
    "trigger-resource-update-on": "FILE_CHANGE",
}
DOCS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/git-sync.html"
KIND_DIRS = {
    "environment": "environment",
    "service_instance": "service",
    "service_pipeline": "service",
    "component": "component",
}
ROLES = {
    "environment": "environment",
    "service_instance": "instance",
    "service_pipeline": "pipeline",
    "component": "component",
}


def check_options(options: Mapping[str, str]) -> dict[str, str]:
    """Defaults merged with `options`; BadInput naming an unknown or malformed option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise BadInput(
            f"cfn-git-sync: unknown option {unknown[0]!r}", hint="options: " + ", ".join(sorted(OPTIONS))
        )
    merged = {**OPTIONS, **options}
    if merged["secrets"] not in SECRET_MODES:
        raise BadInput(
            f"cfn-git-sync: secrets={merged['secrets']!r}: expected one of " + ", ".join(SECRET_MODES)
        )
    for key in ("parameterise",):
        if merged[key] not in ("true", "false"):
            raise BadInput(f"cfn-git-sync: --opt {key}={merged[key]!r}: expected true or false")
    if merged["repository"] and merged["repository"].count("/") != 1:
        raise BadInput(f"cfn-git-sync: --opt repository={merged['repository']!r}: expected OWNER/NAME")
    return merged


class CfnGitSyncExporter:
    name = "cfn-git-sync"
    summary = (
        "CloudFormation Git sync: adopt the existing Proton stacks in place (templates, deployment files, "
        "bootstrap)"
    )
    api_version = API_VERSION
    handover = staticmethod(layout.handover)
    runbook = GitSyncRunbook()
    exported_stacks = staticmethod(layout.exported_stacks)
    rehearse = staticmethod(rehearse_git_sync)
    edit_stack = staticmethod(edit_cfn_git_sync_stack)
    default = True  # `exodus plan` hands over to it unless told otherwise

    def export(self, ctx: ExportContext) -> ExportResult:
        opts = check_options(ctx.options)
        units = list(ctx.units) or build_units(ctx.snapshot)
        all_units = units if not ctx.only else build_units(ctx.snapshot)
        findings: list[Finding] = []
        cfn = []
        for unit in units:
            if unit.kind == "environment" and unit.provisioning == "customer-managed":
                findings.append(
                    Finding(
                        "I-GITSYNC-CUSTOMER-MANAGED",
                        f"environment {unit.label} is customer-managed: "
                        "Proton never deployed it, so there is nothing to hand over; its stack, if "
                        "any, is yours and stays as it is",
                        unit.arn,
                    )
                )
            elif unit.provisioning != "cloudformation" or not unit.stack_name:
                findings.append(
                    Finding(
                        "W-GITSYNC-NOT-CFN",
                        f"{unit.kind} {unit.label} is provisioned by "
                        f"{unit.provisioning}, not a CloudFormation stack: use another target",
                        unit.arn,
                    )
                )
            elif unit.deployed_template is None:
                findings.append(
                    Finding(
                        "E-GITSYNC-NO-TEMPLATE",
                        f"stack {unit.stack_name} has no deployed template "
                        "in the snapshot (re-run the inventory with access to it)",
                        unit.arn,
                    )
                )
            else:
                cfn.append(unit)
        builder = StackTemplateBuilder(
            ctx.snapshot, all_units, parameterise=opts["parameterise"] == "true", secrets=opts["secrets"]
        )
        stacks, pipeline_findings, pipeline_changes = convert_pipelines(builder.build(cfn), all_units)
        # the rewritten service pipelines' first-sync changes are planned too (Proton is gone)
        changes = sorted(
            planned_changes(
                (PlannedStack(st.unit, st.text, st.parameters) for st in stacks), choice=opts["secrets"]
            )
            + pipeline_changes,
            key=lambda c: (c.get("stack", ""), c.get("resource", ""), c.get("property", "")),
        )
        files, synced = self.layout(stacks, opts, findings, pipeline_findings)
        files.update(self.bootstrap_files(synced, opts))
        files.update(repo_files(ctx.snapshot, all_units, files, self.name))
        files[WORKFLOW_PATH] = dump_workflow(pull_request_workflow())  # Git sync validates nothing itself
        findings.extend(role_findings(stacks))
        files["TEMPLATES.md"] = templates_summary(builder.reports.values(), stacks)
        files["README.md"] = readme(stacks, synced, opts, findings)
        staged = [(st.unit.account, st.unit.region, p) for st in stacks for p in st.secret_parameters]
        files.update(planned_change_files(changes, choice=opts["secrets"], staged=staged))
        findings.append(
            Finding(
                "W-GITSYNC-FREEZE",
                "freeze Proton-side updates of every handed-over stack until "
                "Proton is gone: Proton can still redeploy them until 2026-10-07",
            )
        )
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))

    def template_path(self, st: StackTemplate, shared_keys: Mapping[tuple, list[tuple]]) -> str:
        u = st.unit
        base = f"templates/{KIND_DIRS[u.kind]}/{u.template_name or u.name}/v{u.template_major or '0'}"
        ext = "json" if st.text.lstrip().startswith("{") else "yaml"
        if u.kind == "component" and not u.template_name:
            return f"templates/component/{u.name}/{u.stack_name}.{ext}"
        if st.path != PARAMETERISED:
            return f"{base}/stacks/{u.stack_name}.{ext}"
        variants = shared_keys[(base, ROLES[u.kind])]
        if len(variants) == 1:
            return f"{base}/{ROLES[u.kind]}.yaml"
        # several shared templates under one major version: named by minor version (and variant)
        same = [k for k in variants if k[0] == u.template_minor]
        name = f"{ROLES[u.kind]}-{u.template_major}.{u.template_minor}"
        suffix = "" if len(same) == 1 else f"-{same.index((u.template_minor, st.key)) + 1}"
        return f"{base}/{name}{suffix}.yaml"

    def layout(
        self,
        stacks: Sequence[StackTemplate],
        opts: Mapping[str, str],
        findings: list[Finding],
        pipeline_findings: Mapping[str, Sequence[Finding]] | None = None,
    ) -> tuple[dict[str, str], list[tuple[DeploymentUnit, str]]]:
        shared: dict[tuple, list[tuple]] = {}
        for st in stacks:
            if st.path == PARAMETERISED:
                u = st.unit
                key = (f"templates/{KIND_DIRS[u.kind]}/{u.template_name}/v{u.template_major}", ROLES[u.kind])
                if (u.template_minor, st.key) not in shared.setdefault(key, []):
                    shared[key].append((u.template_minor, st.key))
        files: dict[str, str] = {}
        synced: list[tuple[DeploymentUnit, str]] = []
        index = []
        for st in stacks:
            u = st.unit
            template_path = self.template_path(st, shared)
            index.append(
                (
                    u,
                    template_path,
                    layout.deployment_path(u.account, u.region, u.stack_name or ""),
                    st.mapping,
                )
            )
            files[template_path] = st.text
            findings.extend(place_findings(st.text, (pipeline_findings or {}).get(u.arn, ()), template_path))
            deployment = layout.deployment_path(u.account, u.region, u.stack_name or "")
            files[deployment] = self.deployment_file(st, template_path, opts, findings)
            findings.extend(stack_findings(u, deployment))
            if attachable(u):
                synced.append((u, deployment))
        files["TEMPLATES.json"] = templates_index(index)
        return files, synced

    def deployment_file(
        self, st: StackTemplate, template_path: str, opts: Mapping[str, str], findings: list[Finding]
    ) -> str:
        u = st.unit
        # The stack's tags exactly: a new stack tag would reach every taggable resource (no marker tag).
        tags = {k: v for k, v in sorted(u.tags.items()) if not k.startswith("aws:")}
        for name, value in sorted(st.parameters.items()):
            if set(value) == {"*"} and value:
                findings.append(
                    Finding(
                        "E-GITSYNC-NOECHO",
                        f"parameter {name} of stack {u.stack_name} is NoEcho "
                        "and its value is masked in the snapshot: put a dynamic reference or the "
                        "value in the deployment file by hand",
                        u.arn,
                    )
                )
        for secret, input_name in sorted(st.secrets.items()):
            findings.append(
                Finding(
                    "W-GITSYNC-SECRET",
                    f"create Secrets Manager secret {secret} holding input "
                    f"{input_name} of {u.label} (the value is in the snapshot's secrets.json) "
                    "before the first sync",
                    u.arn,
                )
            )
        for p in st.secret_parameters:
            findings.append(
                Finding(
                    "W-GITSYNC-STAGE-SECRET",
                    f"stage Parameter Store String {p.ssm_name} "
                    f"with input {p.input_name} of {u.label} (secrets.json id {p.secret_id}; "
                    "README.md has the command) before the first sync",
                    u.arn,
                )
            )
        return dump_yaml(
            {
                "template-file-path": template_path,
                "parameters": {k: str(v) for k, v in sorted(st.parameters.items())},
                "tags": {k: str(v) for k, v in tags.items()},
            }
        )

    def bootstrap_files(
        self, synced: Sequence[tuple[DeploymentUnit, str]], opts: Mapping[str, str]
    ) -> dict[str, str]:
        by_place: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for unit, deployment in synced:
            by_place.setdefault((unit.account, unit.region), []).append((unit.stack_name or "", deployment))
        files = {}
        for (account, region), stacks in sorted(by_place.items()):
            base = layout.bootstrap_dir(account, region)
            files[f"{base}/git-sync-role.yaml"] = bootstrap.role_template(opts, account)
            for index, text in enumerate(bootstrap.sync_templates(stacks, opts), start=1):
                files[f"{base}/sync-configurations-{index:03d}.yaml"] = text
            files[f"{base}/commands.sh"] = bootstrap.commands(account, region, stacks, opts)
        return files


def convert_pipelines(
    stacks: Sequence[StackTemplate],
    units: Sequence[DeploymentUnit],
) -> tuple[list[StackTemplate], dict[str, list[Finding]], list[dict[str, str]]]:
    """The stacks with every service pipeline's retired Proton calls replaced (the rewrite the pipeline
    exporters use), and the findings of each rewritten pipeline by unit ARN: what was replaced, and the
    first sync's resource changes (planned: Proton is gone, the old steps fail), as PLANNED_CHANGES.json
    entries."""
    convert = pipeline_converter(units)
    out, found, planned = [], {}, []
    for st in stacks:
        if st.unit.kind == "service_pipeline":
            text, found[st.unit.arn] = convert(st.unit, st.text)
            if text != st.text:
                u = st.unit
                changes = pipeline_planned_changes(u.stack_name or "", u.account, u.region, st.text, text)
                planned += changes
                found[u.arn].append(
                    Finding(
                        "W-GITSYNC-PIPELINE-CHANGES",
                        f"planned change: the first sync of stack {u.stack_name} "
                        f"changes {len(changes)} resource propert(ies), "
                        f"{sum(c['effect'] == 'Replacement' for c in changes)} by replacement ("
                        + ", ".join(sorted({f"{c['resource']}.{c['property']}" for c in changes}))
                        + "): its build steps no longer call the retired Proton API",
                        u.arn,
                    )
                )
                st = replace(
                    st,
                    text=text,
                    key=text_key(text),
                    reason=st.reason + "; retired Proton calls rewritten as direct CloudFormation deploys",
                )
        out.append(st)
    return out, found, planned


def attachable(unit: DeploymentUnit) -> bool:
    """Whether Git sync can attach to the unit's stack as it stands (status and name rules)."""
    name = unit.stack_name or ""
    return unit.stack_status in ATTACHABLE and len(name) <= 100 and bool(STACK_NAME_RE.match(name))


def stack_findings(unit: DeploymentUnit, deployment: str) -> list[Finding]:
    """Why a stack cannot be attached yet, and what else the hand-over of this stack needs."""
    out = []
    name = unit.stack_name or ""
    if unit.stack_status not in ATTACHABLE:
        out.append(
            Finding(
                "E-GITSYNC-STATUS",
                f"stack {name} is {unit.stack_status}: Git sync attaches only in "
                + ", ".join(sorted(ATTACHABLE))
                + "; repair the stack first (its sync configuration "
                "is left out of the bootstrap)",
                unit.arn,
                deployment,
            )
        )
    if len(name) > 100 or not STACK_NAME_RE.match(name):
        out.append(
            Finding(
                "E-GITSYNC-NAME",
                f"stack name {name} ({len(name)} characters) breaks the sync "
                "configuration's ResourceName rule (1-100 of [0-9A-Za-z_-]): keep it on another target",
                unit.arn,
                deployment,
            )
        )
    return out


def role_findings(stacks: Sequence[StackTemplate]) -> list[Finding]:
    """One finding per account/Region whose stacks have no service role (TARGETS.md §1.3)."""
    places: dict[tuple[str, str], int] = {}
    for st in stacks:
        if not st.unit.role_arn:
            key = (st.unit.account, st.unit.region)
            places[key] = places.get(key, 0) + 1
    return [
        Finding(
            "W-GITSYNC-RESOURCE-PERMISSIONS",
            f"{n} stack(s) in {account}/{region} have no service role: "
            "Git sync deploys them with the sync role, which then needs permissions for their resources "
            "(set ResourcePolicyArn of git-sync-role.yaml)",
            f"{account}/{region}",
            f"bootstrap/{account}/{region}/git-sync-role.yaml",
        )
        for (account, region), n in sorted(places.items())
    ]


exporter = CfnGitSyncExporter()
