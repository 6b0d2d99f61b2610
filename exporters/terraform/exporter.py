"""The `terraform` exporter: a Terraform/OpenTofu configuration that adopts every Proton CloudFormation
stack in place (an `import` block and an `aws_cloudformation_stack` per stack, with the name,
template, parameters, tags, capabilities and service role it runs with), one root module per account
and Region, and the self-managed Terraform estates re-homed with their regenerated Proton variables.
A stack proven equal to its template version's shared parameterised template (translate/) deploys that
shared file, the same one the other CloudFormation targets ship, with its own parameter file; TEMPLATES.json
names both and `.exodus-repo/` indexes the instances, so `exodus repo` works on a checkout of the export.
Pure: files and findings out, nothing written, no AWS calls."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from exporters import API_VERSION, ExportContext, ExportResult, Finding
from exporters._pipelines.convert import pipeline_converter, template_parameters
from exporters._pipelines.estate import dependency_order, shared_template_path, templates_index
from exporters._pipelines.service_pipeline import pipeline_planned_changes
from exporters._pipelines.terraform import regenerated_files, working_dir
from exporters.terraform import layout, readme
from exporters.terraform.hcl import Block, Expr, Value, attr_key, document, identifier, quote
from exporters.terraform.plan_effect import (
    MASK,
    Effect,
    StackConfig,
    StackState,
    apply_state,
    cloudformation_updates,
    noecho_parameters,
    plan_module,
    read_stack,
    summary,
)
from exporters.terraform.rehearse import STAND_INS
from exporters.terraform.rehearse import edit_stack as edit_terraform_stack
from exporters.terraform.rehearse import rehearse as rehearse_terraform
from exporters.terraform.rehearse import runbook_settings as terraform_settings
from exporters.terraform.runbook import TerraformRunbook
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import SECRET_MODES
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.repo.index import repo_files
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplate, StackTemplateBuilder, text_key
from proton_exodus.translate.summary import templates_summary
from proton_exodus.verify.planned import PlannedStack, planned_change_files, planned_changes

OPTIONS = {
    "parameterise": "true",  # false: every stack keeps its deployed template (no template change)
    "secrets": "ssm-parameter",
    "aws-provider": ">= 5.0",
}
ADOPTABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}  # statuses UpdateStack accepts; the provider's apply is an UpdateStack


def check_options(options: Mapping[str, str]) -> dict[str, str]:
    """Defaults merged with `options`; BadInput naming an unknown or malformed option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise BadInput(
            f"terraform: unknown option {unknown[0]!r}", hint="options: " + ", ".join(sorted(OPTIONS))
        )
    merged = {**OPTIONS, **options}
    if merged["secrets"] not in SECRET_MODES:
        raise BadInput(
            f"terraform: --opt secrets={merged['secrets']!r}: expected one of " + ", ".join(SECRET_MODES)
        )
    if merged["parameterise"] not in ("true", "false"):
        raise BadInput(f"terraform: --opt parameterise={merged['parameterise']!r}: expected true or false")
    return merged


@dataclass
class Adopted:
    """One stack as the configuration adopts it."""

    unit: DeploymentUnit
    stack: StackTemplate
    address: str
    template_file: str  # from the export's root: the shared template, or the stack's own copy
    chomp: bool  # the deployed template has no final newline: the file's is cut off by chomp()
    parameter_file: str = ""  # from the export's root
    parameters: dict[str, Value] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # parameter -> address it reads
    sensitive: dict[str, str] = field(default_factory=dict)  # NoEcho parameter -> variable name
    depends_on: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return self.stack.text[:-1] if self.chomp else self.stack.text

    @property
    def shared(self) -> bool:
        return self.stack.path == PARAMETERISED

    def config(self) -> StackConfig:
        u = self.unit
        return StackConfig(
            address=self.address,
            name=u.stack_name or "",
            template_body=self.body,
            parameters={k: (MASK if k in self.sensitive else v) for k, v in self.stack.parameters.items()},
            tags=_tags(u),
            capabilities=tuple(sorted(u.capabilities)),
            iam_role_arn=u.role_arn or "",
            references=dict(self.references),
            sensitive=frozenset(self.sensitive),
            noecho=noecho_parameters(self.stack.text),
        )


def _tags(unit: DeploymentUnit) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(unit.tags.items()) if not k.startswith("aws:")}


def _described(unit: DeploymentUnit) -> dict:
    """The unit's stack as DescribeStacks shows it, from the snapshot (what the import reads)."""
    return {
        "StackId": unit.stack_id or unit.stack_name,
        "StackName": unit.stack_name,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(unit.parameters.items())],
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(unit.tags.items())],
        "Capabilities": list(unit.capabilities),
        "RoleARN": unit.role_arn,
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in sorted(unit.outputs.items())],
    }


class TerraformExporter:
    name = "terraform"
    summary = (
        "Terraform/OpenTofu: adopt every Proton stack in place with import blocks "
        "(aws_cloudformation_stack per stack, one root module per account and Region)"
    )
    api_version = API_VERSION
    handover = staticmethod(layout.handover)
    runbook = TerraformRunbook()
    exported_stacks = staticmethod(layout.exported_stacks)
    rehearse = staticmethod(rehearse_terraform)
    edit_stack = staticmethod(edit_terraform_stack)
    follows_listing = True  # each stack reads the template file TEMPLATES.json names (index.tf)
    runbook_stand_ins = STAND_INS  # `$TF` needs providers from the internet; the deployer does its work
    runbook_settings = staticmethod(terraform_settings)  # the state bucket, created in the local cloud

    def export(self, ctx: ExportContext) -> ExportResult:
        opts = check_options(ctx.options)
        all_units = build_units(ctx.snapshot) if ctx.only or not ctx.units else list(ctx.units)
        units = list(ctx.units) or all_units
        findings: list[Finding] = []
        cfn: list[DeploymentUnit] = []
        for unit in dependency_order(units):
            if unit.provisioning == "terraform":
                continue  # re-homed below
            if unit.provisioning == "customer-managed" or (
                unit.provisioning == "cloudformation" and not unit.stack_name
            ):
                findings.append(
                    Finding(
                        "I-TF-NO-STACK",
                        f"{unit.kind} {unit.label} has no CloudFormation stack in the snapshot "
                        "(customer-managed, or never deployed by Proton): nothing to adopt",
                        unit.arn,
                    )
                )
            elif unit.provisioning != "cloudformation":
                findings.append(
                    Finding(
                        "W-TF-NOT-CFN",
                        f"{unit.kind} {unit.label} is provisioned by {unit.provisioning}, not a "
                        "CloudFormation stack exodus can adopt: use another target for it",
                        unit.arn,
                    )
                )
            elif unit.deployed_template is None:
                findings.append(
                    Finding(
                        "E-TF-NO-TEMPLATE",
                        f"stack {unit.stack_name} has no deployed template in the snapshot (re-run the "
                        "inventory with access to it)",
                        unit.arn,
                    )
                )
            else:
                cfn.append(unit)
        stacks, planned_files = adopted_templates(ctx, cfn, all_units, opts, findings)
        files: dict[str, str] = dict(planned_files)
        modules: dict[tuple[str, str], list[Adopted]] = {}
        taken: dict[tuple[str, str], set[str]] = {}
        for st in stacks:
            u = st.unit
            place = (u.account, u.region)
            addr = layout.address(u.kind, u.name, u.service)
            if addr in taken.setdefault(place, set()):
                findings.append(
                    Finding(
                        "E-TF-ADDRESS",
                        f"two stacks of {u.account}/{u.region} map to resource name {addr}; "
                        f"{u.stack_name} is left out (rename one in the export by hand)",
                        u.arn,
                    )
                )
                continue
            taken[place].add(addr)
            modules.setdefault(place, []).append(adopt(st, addr))
        for (account, region), adopted in sorted(modules.items()):
            files.update(self.module(account, region, adopted, opts, findings))
        every = [a for _, adopted in sorted(modules.items()) for a in adopted]
        files[layout.LISTING] = templates_index(
            (a.unit, a.template_file, a.parameter_file, a.stack.mapping if a.shared else ()) for a in every
        )
        files.update(repo_files(ctx.snapshot, all_units, files, self.name))
        files.update(self.self_managed(ctx, units, all_units, findings))
        effects = {
            path.removesuffix("/" + layout.PLAN_EFFECT): text
            for path, text in files.items()
            if path.endswith("/" + layout.PLAN_EFFECT)
        }
        files["PLANNED_CHANGES.md"] = apply_note(files.get("PLANNED_CHANGES.md", ""), every, findings)
        files["README.md"] = readme.readme(effects, opts, findings)
        files[layout.GITIGNORE] = layout.gitignore()  # the runbooks run terraform in the checkout
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))

    def module(
        self,
        account: str,
        region: str,
        adopted: list[Adopted],
        opts: Mapping[str, str],
        findings: list[Finding],
    ) -> dict[str, str]:
        """One root module: versions/backend, provider, a file per stack, templates, plan-effect.json."""
        base = layout.module_dir(account, region)
        files = {
            f"{base}/versions.tf": versions_tf(opts),
            f"{base}/providers.tf": document(
                [
                    Block(
                        "provider",
                        ("aws",),
                        [("region", region), ("allowed_account_ids", [account])],
                        comment=("Every stack of this module lives in this account and Region.",),
                    )
                ]
            ),
        }
        files[f"{base}/index.tf"] = index_tf(account, region, [a.unit.stack_name or "" for a in adopted])
        by_arn = {a.unit.arn: a for a in adopted}
        for item in adopted:
            wire(item, by_arn, findings)
            files[item.template_file] = item.stack.text
            files[item.parameter_file] = layout.parameter_text(
                {k: (MASK if k in item.sensitive else v) for k, v in item.stack.parameters.items()}
            )
            files[layout.stack_file(account, region, item.address)] = stack_tf(item)
            findings.extend(stack_findings(item, layout.stack_file(account, region, item.address)))
        configs = [a.config() for a in adopted]
        states = {a.address: read_stack(_described(a.unit), a.unit.deployed_template or "") for a in adopted}
        first = plan_module(configs, states, importing=True)
        after = {
            c.address: apply_state(c, states[c.address]) if e.action == "update" else states[c.address]
            for c, e in zip(configs, first, strict=True)
        }
        second = plan_module(configs, after, importing=False)
        for config, effect in zip(configs, first, strict=True):
            changed = [a for a, _ in effect.changed]
            if "template_body" in changed and not cloudformation_updates(config, states[config.address]):
                findings.append(
                    Finding(
                        "W-TF-TEMPLATE-TEXT",
                        f"the template of {effect.stack_name} differs from the deployed one only in its text "
                        "(CloudFormation parses both the same): UpdateStack answers \"No updates are to be "
                        "performed\", the stack keeps its text and every plan shows ~ template_body until a "
                        "real change is deployed",
                        path=f"{base}/{effect.address}.tf",
                    )
                )
        for effect in first:
            if effect.action == "replace":
                findings.append(
                    Finding(
                        "E-TF-REPLACE",
                        f"the import plan of {effect.stack_name} replaces the stack ("
                        + "; ".join(w for _, w in effect.changed)
                        + "): fix the configuration before any apply",
                        path=f"{base}/{effect.address}.tf",
                    )
                )
        files[f"{base}/{layout.PLAN_EFFECT}"] = plan_effect_json(adopted, first, second)
        return files

    def self_managed(
        self,
        ctx: ExportContext,
        units: Sequence[DeploymentUnit],
        all_units: Sequence[DeploymentUnit],
        findings: list[Finding],
    ) -> dict[str, str]:
        """Self-managed Terraform units: their regenerated Proton input files under self-managed/<dir>/,
        for the provisioning repository they already live in (the state stays where it is)."""
        files: dict[str, str] = {}
        for unit in dependency_order(u for u in units if u.provisioning == "terraform"):
            if ctx.only and not ({unit.environment, unit.service, unit.name} & set(ctx.only)):
                continue
            more, found = regenerated_files(ctx, unit, all_units, f"self-managed/{working_dir(unit)}")
            files.update(more)
            findings.extend(found)
            findings.append(
                Finding(
                    "W-TF-SELF-MANAGED",
                    f"{unit.kind} {unit.label} is self-managed Terraform: copy self-managed/"
                    f"{working_dir(unit)}/ over the same folder of its provisioning repository and run its "
                    "plan there (its state and backend stay as they are; secret inputs are left out)",
                    unit.arn,
                    f"self-managed/{working_dir(unit)}",
                )
            )
        return files


def adopted_templates(
    ctx: ExportContext,
    cfn: Sequence[DeploymentUnit],
    all_units: Sequence[DeploymentUnit],
    opts: Mapping[str, str],
    findings: list[Finding],
) -> tuple[list[StackTemplate], dict[str, str]]:
    """The template each stack is handed over with (deployed or parameterised, secrets out of it,
    service pipelines without their retired Proton calls), PLANNED_CHANGES.json/.md (what the first
    update changes on purpose, which the rehearsal and `exodus verify` read as planned) and TEMPLATES.md.
    Shared by the `terraform` and `spacelift` exporters."""
    builder = StackTemplateBuilder(
        ctx.snapshot, all_units, parameterise=opts["parameterise"] == "true", secrets=opts["secrets"]
    )
    convert = pipeline_converter(all_units)
    built = builder.build(cfn)
    for st in built:  # what each instance stack takes as parameters, as exported (a shared template's)
        if st.unit.kind != "service_pipeline":
            convert.parameters[st.unit.arn] = template_parameters(st.text)
    stacks, pipeline_changes = [], []
    for st in built:
        if st.unit.kind == "service_pipeline":
            text, found = convert(st.unit, st.text)
            findings.extend(found)
            if text != st.text:
                u = st.unit
                pipeline_changes += pipeline_planned_changes(
                    u.stack_name or "", u.account, u.region, st.text, text
                )
                reason = st.reason + "; retired Proton calls rewritten"
                st = replace(st, text=text, key=text_key(text), reason=reason)
        stacks.append(st)
    changes = sorted(
        planned_changes(
            (PlannedStack(st.unit, st.text, st.parameters) for st in stacks), choice=opts["secrets"]
        )
        + pipeline_changes,
        key=lambda c: (c.get("stack", ""), c.get("resource", ""), c.get("property", "")),
    )
    staged = [(st.unit.account, st.unit.region, p) for st in stacks for p in st.secret_parameters]
    files = planned_change_files(changes, choice=opts["secrets"], staged=staged)
    files["TEMPLATES.md"] = templates_summary(builder.reports.values(), stacks, "parameters file")
    return stacks, files


def apply_note(planned: str, adopted: Sequence[Adopted], findings: Sequence[Finding]) -> str:
    """PLANNED_CHANGES.md with what the first `terraform apply` does to the stacks on a shared template
    (a stack update that changes no resource), before its secret staging section (no commands here:
    the rehearsal runs that section's shell blocks)."""
    shared = [a for a in adopted if a.shared]
    if not shared:
        return planned
    text_only = sorted(
        m.group(1)
        for f in findings
        if f.code == "W-TF-TEMPLATE-TEXT" and (m := re.match(r"the template of (\S+) ", f.message))
    )
    lines = [
        "## The first `terraform apply` (template_body)",
        "",
        f"{len(shared)} of {len(adopted)} stack(s) deploy their version's shared parameterised template:",
        "their import plan shows `~ template_body` (the AWS provider compares a YAML template as text).",
        "The apply is an UpdateStack with the shared template and the stack's own values: CloudFormation",
        "updates the stack without changing a resource (every resource change of the first deploy is in",
        "the table above) and stores the shared template; the provider reads it back and the next plan is",
        "empty (NoEcho parameters aside). Each module's plan-effect.json has every stack's two plans.",
        "",
    ]
    if text_only:
        lines += [
            f"{len(text_only)} stack(s) differ from the shared template only in text (the same template once",
            "parsed): CloudFormation answers \"No updates are to be performed\", keeps the old text, and",
            "every plan shows `~ template_body` until a real change deploys (W-TF-TEMPLATE-TEXT): "
            + ", ".join(text_only)
            + ".",
            "",
        ]
    head = "## Stage the secrets before the first deploy"
    if head in planned:
        before, after = planned.split(head, 1)
        return before + "\n".join(lines) + "\n" + head + after
    return planned.rstrip("\n") + "\n\n" + "\n".join(lines)


def wire(item: Adopted, by_arn: Mapping[str, Adopted], findings: list[Finding]) -> None:
    """Parameters that carry another stack's output (same module, a dependency of this stack) become
    references to it, and the other dependencies become depends_on, so Terraform's order is the
    graph's. A dependency in another module stays a literal value (noted)."""
    u = item.unit
    deps = [by_arn[d] for d in u.depends_on if d in by_arn]
    for name, value in sorted(item.stack.parameters.items()):
        if set(value) == {"*"} and value:
            item.sensitive[name] = identifier(f"{item.address}_{name}")
            item.parameters[name] = Expr(f"var.{item.sensitive[name]}")
            continue
        found = [(d, k) for d in deps for k, v in sorted(d.unit.outputs.items()) if v == value and value]
        if len(found) == 1:
            dep, key = found[0]
            item.references[name] = dep.address
            item.parameters[name] = Expr(f'{layout.RESOURCE}.{dep.address}.outputs["{key}"]')
        else:
            item.parameters[name] = value
    referenced = set(item.references.values())
    item.depends_on = [f"{layout.RESOURCE}.{d.address}" for d in deps if d.address not in referenced]
    elsewhere = sorted(d for d in u.depends_on if d not in by_arn)
    if elsewhere:
        findings.append(
            Finding(
                "I-TF-CROSS-MODULE",
                f"stack {u.stack_name} depends on {len(elsewhere)} resource(s) outside its module "
                f"({u.account}/{u.region}): apply their modules first (the runbook's waves do)",
                u.arn,
            )
        )


def adopt(st: StackTemplate, address: str) -> Adopted:
    """Where a stack's files go: a proven stack deploys its version's shared template (the path every
    CloudFormation target uses), any other its own copy in its module; its parameter file in its module."""
    u = st.unit
    account, region, stack = u.account, u.region, u.stack_name or ""
    if st.path == PARAMETERISED:
        return Adopted(
            u, st, address, shared_template_path(st), False, layout.parameter_file(account, region, stack)
        )
    ext = "json" if st.text.lstrip().startswith("{") else "yaml"
    deployed = u.deployed_template or ""
    chomp = st.text == deployed + "\n" and not deployed.endswith("\n")
    return Adopted(
        u,
        st,
        address,
        layout.own_template_file(account, region, stack, ext),
        chomp,
        layout.parameter_file(account, region, stack),
    )


def index_tf(account: str, region: str, adopted: Sequence[str]) -> str:
    """index.tf: the module's rows of TEMPLATES.json by stack name, so each stack reads the template and
    parameter file the listing names (`exodus repo upgrade` moves a stack by editing the listing); and a
    stack for every row the export did not adopt (`exodus repo new-instance` adds one), created from its
    files: the day-2 "new instance" Proton offered, as a `terraform plan` that adds one stack."""
    rows = (
        f'{{ for s in jsondecode(file("${{path.module}}/{layout.ROOT}/{layout.LISTING}")).stacks : '
        f's.stack => s if s.account == "{account}" && s.region == "{region}" }}'
    )
    root = f"${{path.module}}/{layout.ROOT}"
    added = Block(
        "resource",
        (layout.RESOURCE, layout.ADDED),
        [
            (
                "for_each",
                Expr(
                    f"{{ for name, s in local.{layout.INDEX_LOCAL} : name => s "
                    f"if !contains(local.{layout.ADOPTED_LOCAL}, name) }}"
                ),
            ),
            ("name", Expr("each.key")),
            ("template_body", Expr(f'file("{root}/${{each.value.templateFile}}")')),
            ("parameters", Expr(f'jsondecode(file("{root}/${{each.value.parameterFile}}")).Parameters')),
            ("capabilities", ["CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]),
        ],
        [Block("lifecycle", attrs=[("prevent_destroy", True)])],
        comment=(
            "A stack `exodus repo new-instance` added to the listing (none at export): created from the",
            "files its row names. Stage the Parameter Store values its parameter file names first.",
        ),
    )
    return document(
        [
            Block(
                "locals",
                attrs=[
                    (layout.INDEX_LOCAL, Expr(rows)),
                    (layout.ADOPTED_LOCAL, sorted(adopted)),
                ],
                comment=(
                    f"Each stack's template and parameter file, as {layout.LISTING} names them (exodus repo",
                    "set/upgrade/new-instance edit those files; the stacks here follow), and the stacks this",
                    "module adopted (each in its own file, with its import block).",
                ),
            ),
            added,
        ]
    )


def s3_backend(key: str) -> Block:
    """A partial `backend "s3" {}`: bucket, key and Region are given at init (the runbooks pass them,
    `runbook.backend_config`), so the export names no bucket and the state never sits in the checkout."""
    return Block(
        "backend",
        ("s3",),
        [],
        comment=(
            "Partial configuration: give it at init (the runbook does), e.g.",
            '  terraform init -backend-config="bucket=STATE_BUCKET" \\',
            f'    -backend-config="key={key}" \\',
            '    -backend-config="region=STATE_REGION" -backend-config="use_lockfile=true"',
            "Any backend works; keep one state per root module.",
        ),
    )


def versions_tf(opts: Mapping[str, str]) -> str:
    backend = s3_backend("exodus/ACCOUNT/REGION/terraform.tfstate")
    providers = Block(
        "required_providers", attrs=[("aws", {"source": "hashicorp/aws", "version": opts["aws-provider"]})]
    )
    return document(
        [
            Block(
                "terraform",
                attrs=[("required_version", ">= 1.5.0")],
                blocks=[providers, backend],
                comment=("import blocks need Terraform >= 1.5 or OpenTofu >= 1.5.",),
            )
        ]
    )


def stack_tf(item: Adopted) -> str:
    """The import block and the resource of one stack (and variables for its NoEcho parameters)."""
    u = item.unit
    row = f'{layout.INDEX_LOCAL}["{quote(u.stack_name or "")}"]'
    path = f'"${{path.module}}/{layout.ROOT}/${{local.{row}.templateFile}}"'
    body = Expr(f"chomp(file({path}))" if item.chomp else f"file({path})")
    attrs: list[tuple[str, Value]] = [("name", u.stack_name or ""), ("template_body", body)]
    given = f'jsondecode(file("${{path.module}}/{layout.ROOT}/${{local.{row}.parameterFile}}")).Parameters'
    overrides = {k: v for k, v in sorted(item.parameters.items()) if isinstance(v, Expr)}
    if overrides:
        inline = ", ".join(f"{attr_key(k)} = {v.text}" for k, v in overrides.items() if isinstance(v, Expr))
        attrs.append(("parameters", Expr(f"merge({given}, {{ {inline} }})")))
    else:
        attrs.append(("parameters", Expr(given)))
    if u.capabilities:
        attrs.append(("capabilities", sorted(u.capabilities)))
    if u.role_arn:
        attrs.append(("iam_role_arn", u.role_arn))
    attrs.append(("tags", _tags(u)))
    if item.depends_on:
        attrs.append(("depends_on", [Expr(d) for d in item.depends_on]))
    lifecycle = Block("lifecycle", attrs=[("prevent_destroy", True)])
    blocks = [
        Block(
            "import",
            attrs=[
                ("to", Expr(f"{layout.RESOURCE}.{item.address}")),
                ("id", u.stack_id or u.stack_name or ""),
            ],
            comment=(f"{u.kind} {u.label}: adopt the stack Proton deployed, by its StackId.",),
        ),
        Block("resource", (layout.RESOURCE, item.address), attrs, [lifecycle]),
    ]
    for name, var in sorted(item.sensitive.items()):
        blocks.append(
            Block(
                "variable",
                (var,),
                [
                    ("type", Expr("string")),
                    ("sensitive", True),
                    ("description", f"NoEcho parameter {name} of {u.stack_name}"),
                ],
                comment=(f"Give it at plan time (TF_VAR_{var}); never write it to a file.",),
            )
        )
    return document(blocks)


def needed_capabilities(template: str) -> list[str]:
    """The capabilities CloudFormation demands for a template: IAM resources (named ones too) and
    transforms (AUTO_EXPAND)."""
    from proton_exodus.cfn.text import load_template

    try:
        tree = load_template(template)
    except Exception:  # noqa: BLE001 - an unparsable template is reported elsewhere
        return []
    resources = tree.get("Resources") or {}
    iam = [r for r in resources.values() if str((r or {}).get("Type", "")).startswith("AWS::IAM::")]
    named = any(
        k in ((r or {}).get("Properties") or {})
        for r in iam
        for k in ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")
    )
    out = (["CAPABILITY_IAM"] if iam else []) + (["CAPABILITY_NAMED_IAM"] if named else [])
    return out + (["CAPABILITY_AUTO_EXPAND"] if tree.get("Transform") else [])


def stack_findings(item: Adopted, path: str) -> list[Finding]:
    u = item.unit
    out = []
    needed = needed_capabilities(item.stack.text)
    if needed and not u.capabilities:
        out.append(
            Finding(
                "W-TF-CAPABILITIES",
                f"the snapshot records no capabilities for stack {u.stack_name}, whose template needs "
                + ", ".join(needed)
                + ": set `capabilities` to what `aws cloudformation describe-stacks --stack-name "
                f"{u.stack_name} --query Stacks[0].Capabilities` shows (Proton passed them), or the "
                "plan shows a capabilities change and the apply is refused",
                u.arn,
                path,
            )
        )
    if u.stack_status not in ADOPTABLE:
        out.append(
            Finding(
                "E-TF-STATUS",
                f"stack {u.stack_name} is {u.stack_status}: the provider's updates are UpdateStack calls, "
                "which CloudFormation refuses in that status; repair the stack first",
                u.arn,
                path,
            )
        )
    for name, var in sorted(item.sensitive.items()):
        out.append(
            Finding(
                "W-TF-NOECHO",
                f"parameter {name} of stack {u.stack_name} is NoEcho: give its value as TF_VAR_{var} at plan "
                "time; the provider reads it back as **** so every plan shows an in-place update of "
                "parameters that changes nothing",
                u.arn,
                path,
            )
        )
    for p in item.stack.secret_parameters:
        out.append(
            Finding(
                "W-TF-STAGE-SECRET",
                f"stage Parameter Store String {p.ssm_name} with input {p.input_name} of {u.label} "
                f"(secrets.json id {p.secret_id}) before the first apply",
                u.arn,
                path,
            )
        )
    return out


def plan_effect_json(adopted: Sequence[Adopted], first: Sequence[Effect], second: Sequence[Effect]) -> str:
    """The module's stacks as configured and what the import plan and the plan after it will show."""
    doc = {
        "about": "what `terraform plan` shows for this module, computed from the AWS provider's behaviour "
        "(exporters/terraform/plan_effect.py); the runbook refuses a plan that adds or destroys anything",
        "import_plan": {"summary": summary(first), "resources": [e.to_json() for e in first]},
        "next_plan": {
            "summary": summary(second),
            "resources": [e.to_json() for e in second if e.action != "no-op"],
        },
        "stacks": [
            {
                "address": a.address,
                "name": a.unit.stack_name,
                "stack_id": a.unit.stack_id or a.unit.stack_name,
                "kind": a.unit.kind,
                "template_file": a.template_file,
                "parameter_file": a.parameter_file,
                "shared": a.shared,
                "chomp": a.chomp,
                "parameters": {
                    k: (MASK if k in a.sensitive else v) for k, v in sorted(a.stack.parameters.items())
                },
                "references": dict(sorted(a.references.items())),
                "sensitive": sorted(a.sensitive),
                "noecho": sorted(noecho_parameters(a.stack.text)),
                "tags": _tags(a.unit),
                "capabilities": sorted(a.unit.capabilities),
                "iam_role_arn": a.unit.role_arn or "",
                "depends_on": list(a.depends_on),
            }
            for a in adopted
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


__all__ = ["StackState", "TerraformExporter", "exporter"]

exporter = TerraformExporter()
