"""The `spacelift` exporter: Spacelift configuration as code (the spacelift-io/spacelift Terraform
provider) taking the Proton stacks over in place: a Spacelift stack per deployment unit (the
CloudFormation vendor on the existing stack name for Proton's stacks, the Terraform vendor for
self-managed ones), `spacelift_stack_dependency` following the dependency graph, a context per
environment for the inputs its stacks share, a plan policy denying any deletion or replacement during
the migration attached to every stack, and an approval policy attached to production stacks. Like the
`terraform` export it ships TEMPLATES.json, the shared parameterised templates, a parameter file per stack
and the `.exodus-repo/` index: each Spacelift stack's project root and entry template, and its
`CF_PARAM_` variables, are read from the files TEMPLATES.json names, so `exodus repo` edits reach them.
Pure: files and findings out, nothing written, no AWS or Spacelift calls."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from exporters import API_VERSION, ExportContext, ExportResult, Finding
from exporters._pipelines.estate import (
    DEFAULT_CAPABILITIES,
    dependency_order,
    shared_template_path,
    templates_index,
)
from exporters._pipelines.production import is_production_like
from exporters._pipelines.terraform import TF_VERSION, regenerated_files, working_dir
from exporters.spacelift import layout
from exporters.spacelift.rehearse import STAND_INS
from exporters.spacelift.rehearse import edit_stack as edit_spacelift_stack
from exporters.spacelift.rehearse import rehearse as rehearse_spacelift
from exporters.spacelift.rehearse import runbook_settings as spacelift_settings
from exporters.spacelift.runbook import SpaceliftRunbook
from exporters.terraform.exporter import adopted_templates, s3_backend
from exporters.terraform.hcl import Block, Expr, Value, document, identifier, quote
from exporters.terraform.layout import GITIGNORE, LISTING, gitignore, parameter_text
from exporters.terraform.plan_effect import MASK
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import SECRET_MODES
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.repo.index import repo_files
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplate

OPTIONS = {"parameterise": "true", "secrets": "ssm-parameter", "provider-version": ">= 1.0"}
PLAN_POLICY = "plan-no-replace-or-delete.rego"
APPROVAL_POLICY = "approval-production.rego"
ADOPTABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}  # statuses in which CloudFormation accepts a change set on the stack


def check_options(options: Mapping[str, str]) -> dict[str, str]:
    """Defaults merged with `options`; BadInput naming an unknown or malformed option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise BadInput(
            f"spacelift: unknown option {unknown[0]!r}", hint="options: " + ", ".join(sorted(OPTIONS))
        )
    merged = {**OPTIONS, **options}
    if merged["secrets"] not in SECRET_MODES:
        raise BadInput(
            f"spacelift: --opt secrets={merged['secrets']!r}: expected one of " + ", ".join(SECRET_MODES)
        )
    if merged["parameterise"] not in ("true", "false"):
        raise BadInput(f"spacelift: --opt parameterise={merged['parameterise']!r}: expected true or false")
    return merged


def policy_text(name: str) -> str:
    """One of the Rego policies shipped in exporters/spacelift/policies/."""
    return resources.files("exporters.spacelift").joinpath("policies", name).read_text(encoding="utf-8")


@dataclass
class SpaceStack:
    """One Spacelift stack of the export."""

    unit: DeploymentUnit
    address: str
    vendor: str  # cloudformation | terraform
    production: bool
    variables: dict[str, Value] = field(default_factory=dict)  # environment variables of the stack
    secret: dict[str, str] = field(default_factory=dict)  # env var -> Terraform variable (NoEcho)
    context: str = ""  # address of the environment's context
    template: StackTemplate | None = None
    template_file: str = ""  # from the export's root: the shared template or the stack's own copy
    parameter_file: str = ""  # its CF_PARAM_ values, a template configuration

    @property
    def slug(self) -> str:
        return layout.slug(self.address)


class SpaceliftExporter:
    name = "spacelift"
    summary = (
        "Spacelift stacks as code (spacelift provider): CloudFormation vendor on the existing stacks, "
        "dependencies from the graph, contexts, migration plan policy and production approval"
    )
    api_version = API_VERSION
    handover = staticmethod(layout.handover)
    runbook = SpaceliftRunbook()
    exported_stacks = staticmethod(layout.exported_stacks)
    rehearse = staticmethod(rehearse_spacelift)
    edit_stack = staticmethod(edit_spacelift_stack)
    follows_listing = True  # each stack's entry template and CF_PARAM_ values come from TEMPLATES.json
    runbook_stand_ins = STAND_INS  # `$TF` (spacelift provider) and spacectl talk to Spacelift's API
    runbook_settings = staticmethod(spacelift_settings)  # the template buckets, created in the local cloud

    def export(self, ctx: ExportContext) -> ExportResult:
        opts = check_options(ctx.options)
        all_units = build_units(ctx.snapshot) if ctx.only or not ctx.units else list(ctx.units)
        units = dependency_order(list(ctx.units) or all_units)
        findings: list[Finding] = []
        envs = {str(r.get("name")): r for r in ctx.snapshot.kind("environments")}
        cfn = [
            u
            for u in units
            if u.provisioning == "cloudformation" and u.stack_name and u.deployed_template is not None
        ]
        adopted, planned_files = adopted_templates(ctx, cfn, all_units, opts, findings)
        templates = {st.unit.arn: st for st in adopted}
        stacks: list[SpaceStack] = []
        files: dict[str, str] = dict(planned_files)
        taken: set[str] = set()
        for unit in units:
            production = is_production_like(
                unit.environment or unit.service or unit.name,
                (envs.get(unit.environment or "") or {}).get("tags"),
                unit.tags,
                unit.inputs,
            )
            addr = layout.address(unit.kind, unit.name, unit.service, unit.account)
            if addr in taken:
                findings.append(
                    Finding(
                        "E-SPACELIFT-ADDRESS",
                        f"{unit.kind} {unit.label} maps to stack {addr} like another unit: left out",
                        unit.arn,
                    )
                )
                continue
            taken.add(addr)
            if unit.arn in templates:
                st = templates[unit.arn]
                stack = SpaceStack(unit, addr, "cloudformation", production, template=st)
                stack.template_file = (
                    shared_template_path(st)
                    if st.path == PARAMETERISED
                    else layout.template_path(unit.account, unit.region, unit.stack_name or "")
                )
                stack.parameter_file = layout.parameter_file(unit.account, unit.region, unit.stack_name or "")
                files[stack.template_file] = st.text
                self.cfn_variables(stack, st, findings)
                files[stack.parameter_file] = parameter_text(
                    {k: (MASK if f"CF_PARAM_{k}" in stack.secret else v) for k, v in st.parameters.items()}
                )
            elif unit.provisioning == "terraform":
                stack = SpaceStack(unit, addr, "terraform", production)
                more, found = regenerated_files(ctx, unit, all_units, f"self-managed/{working_dir(unit)}")
                files.update(more)
                findings.extend(found)
            else:
                findings.append(
                    Finding(
                        "W-SPACELIFT-NOT-ADOPTED",
                        f"{unit.kind} {unit.label} ({unit.provisioning}) has no CloudFormation template or "
                        "Terraform working directory in the snapshot: no Spacelift stack for it",
                        unit.arn,
                    )
                )
                continue
            stacks.append(stack)
        contexts = self.contexts(stacks, units)
        by_arn = {s.unit.arn: s for s in stacks}
        for stack in stacks:
            files[layout.stack_file(stack.address)] = stack_tf(stack, by_arn)
            findings.extend(stack_findings(stack))
        cfn_stacks = [s for s in stacks if s.vendor == "cloudformation" and s.template is not None]
        files[layout.INDEX_FILE] = index_tf(
            [f"{s.unit.account}/{s.unit.region}/{s.unit.stack_name}" for s in cfn_stacks]
        )
        files[LISTING] = templates_index(
            (
                s.unit,
                s.template_file,
                s.parameter_file,
                s.template.mapping if s.template and s.template.path == PARAMETERISED else (),
            )
            for s in cfn_stacks
        )
        files.update(repo_files(ctx.snapshot, all_units, files, self.name))
        files[layout.SHARED_FILE] = shared_tf(opts, contexts)
        files[layout.STACKS_RECORD] = stacks_record(stacks)
        files["spacelift/variables.tf"] = variables_tf(stacks)
        files[f"spacelift/policies/{PLAN_POLICY}"] = policy_text(PLAN_POLICY)
        files[f"spacelift/policies/{APPROVAL_POLICY}"] = policy_text(APPROVAL_POLICY)
        findings.append(
            Finding(
                "W-SPACELIFT-AWS-INTEGRATION",
                "attach a Spacelift AWS integration (a role CloudFormation change sets can be made with) to "
                "every stack of an account before its first run; the export does not create it",
            )
        )
        files["README.md"] = readme(stacks, contexts, findings)
        files[GITIGNORE] = gitignore()  # the runbook runs terraform in spacelift/ of the checkout
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))

    def cfn_variables(self, stack: SpaceStack, st: StackTemplate, findings: list[Finding]) -> None:
        """CF_CAPABILITY_<cap> = 1 (Spacelift's CloudFormation vendor) and, for a NoEcho value masked in
        the snapshot, its CF_PARAM_<name> from a sensitive Terraform variable, write-only; every other
        CF_PARAM_ comes from the stack's parameter file (stack_tf)."""
        for name, value in sorted(st.parameters.items()):
            var = f"CF_PARAM_{name}"
            if value and set(value) == {"*"}:
                stack.secret[var] = identifier(f"{stack.address}_{name}")
                stack.variables[var] = Expr(f"var.{stack.secret[var]}")
        # acknowledgements only (they change nothing on the stack): the stack's own, or, unrecorded, the
        # three Proton passed (PROTON.md, as the pipeline targets assume)
        for cap in sorted(stack.unit.capabilities or DEFAULT_CAPABILITIES):
            stack.variables[f"CF_{cap}"] = "1"  # CAPABILITY_IAM -> CF_CAPABILITY_IAM

    def contexts(
        self, stacks: Sequence[SpaceStack], units: Sequence[DeploymentUnit]
    ) -> dict[str, dict[str, str]]:
        """One context per environment holding its inputs shared by its stacks: the environment's outputs
        (what Proton gave its instances as environment.outputs) and every CF_ variable all its
        CloudFormation stacks set to the same value (moved out of the stacks)."""
        out: dict[str, dict[str, str]] = {}
        outputs = {(u.account, u.name): u.outputs for u in units if u.kind == "environment"}
        groups: dict[tuple[str, str], list[SpaceStack]] = {}
        for s in stacks:
            if s.unit.environment:
                groups.setdefault((s.unit.account, s.unit.environment), []).append(s)
        for (account, env), members in sorted(groups.items()):
            addr = identifier(f"environment_{env}_{account}")
            shared = {
                f"PROTON_ENVIRONMENT_OUTPUT_{identifier(k).upper()}": str(v)
                for k, v in sorted((outputs.get((account, env)) or {}).items())
            }
            cfn = [m for m in members if m.vendor == "cloudformation"]
            if len(cfn) > 1:
                common = set(cfn[0].variables)
                for m in cfn[1:]:
                    common &= set(m.variables)
                for var in sorted(common):
                    values = {m.variables[var] for m in cfn if isinstance(m.variables[var], str)}
                    if len(values) == 1 and all(var not in m.secret for m in cfn):
                        shared[var] = values.pop()
                        for m in cfn:
                            del m.variables[var]
            if shared:
                out[addr] = shared
                for m in members:
                    m.context = addr
        return out


def stack_tf(stack: SpaceStack, by_arn: Mapping[str, SpaceStack]) -> str:
    """The Spacelift stack of one unit, its environment variables, its context and policy attachments,
    and its dependencies."""
    u = stack.unit
    ref = f"spacelift_stack.{stack.address}.id"
    attrs: list[tuple[str, Value]] = [
        ("name", f"{u.label} ({u.account}/{u.region})"),
        ("slug", stack.slug),
        ("description", f"{u.kind} {u.label}, taken over from AWS Proton by exodus"),
        ("space_id", Expr("var.space_id")),
        ("autodeploy", False),
        ("protect_from_deletion", True),
        (
            "labels",
            sorted(
                {
                    "exodus",
                    f"proton:{u.kind}",
                    *([f"environment:{u.environment}"] if u.environment else []),
                    *(["production"] if stack.production else []),
                }
            ),
        ),
    ]
    blocks: list[Block] = []
    row = f'local.{layout.INDEX_LOCAL}["{quote(f"{u.account}/{u.region}/{u.stack_name}")}"]'
    if stack.vendor == "cloudformation":
        attrs[2:2] = [
            ("repository", Expr("var.repository")),
            ("branch", Expr("var.branch")),
            ("project_root", Expr(f"dirname({row}.templateFile)")),
        ]
        blocks.append(
            Block(
                "cloudformation",
                attrs=[
                    ("entry_template_file", Expr(f"basename({row}.templateFile)")),
                    ("region", u.region),
                    ("stack_name", u.stack_name or ""),
                    ("template_bucket", Expr(f'var.template_buckets["{u.account}/{u.region}"]')),
                ],
            )
        )
    else:
        attrs[2:2] = [
            ("repository", Expr("var.provisioning_repository")),
            ("branch", Expr("var.branch")),
            ("project_root", working_dir(u)),
            ("terraform_workflow_tool", "TERRAFORM_FOSS"),
            ("terraform_version", TF_VERSION),
            ("manage_state", False),
        ]
    out = [
        Block(
            "resource",
            ("spacelift_stack", stack.address),
            attrs,
            blocks,
            comment=(
                f"{u.kind} {u.label}: "
                + (
                    f"takes over CloudFormation stack {u.stack_name} in place."
                    if stack.vendor == "cloudformation"
                    else f"self-managed Terraform in {working_dir(u)} of its provisioning repository."
                ),
            ),
        )
    ]
    if stack.vendor == "cloudformation":
        given = f'jsondecode(file("${{path.module}}/../${{{row}.parameterFile}}")).Parameters'
        each = f'{{ for k, v in {given} : k => v if v != "{MASK}" }}' if stack.secret else given
        out.append(
            Block(
                "resource",
                ("spacelift_environment_variable", f"{stack.address}_parameters"),
                [
                    ("for_each", Expr(each)),
                    ("stack_id", Expr(ref)),
                    ("name", Expr('"CF_PARAM_${each.key}"')),
                    ("value", Expr("each.value")),
                    ("write_only", False),
                ],
                comment=("Its parameters: the Parameters of the parameter file TEMPLATES.json names.",),
            )
        )
    for var, value in sorted(stack.variables.items()):
        out.append(
            Block(
                "resource",
                ("spacelift_environment_variable", identifier(f"{stack.address}_{var}")),
                [
                    ("stack_id", Expr(ref)),
                    ("name", var),
                    ("value", value),
                    ("write_only", var in stack.secret),
                ],
            )
        )
    for name, var in sorted(stack.secret.items()):
        out.append(
            Block(
                "variable",
                (var,),
                [
                    ("type", Expr("string")),
                    ("sensitive", True),
                    ("description", f"NoEcho {name} of {u.stack_name}"),
                ],
            )
        )
    if stack.context:
        out.append(
            Block(
                "resource",
                ("spacelift_context_attachment", stack.address),
                [("context_id", Expr(f"spacelift_context.{stack.context}.id")), ("stack_id", Expr(ref))],
            )
        )
    out.append(
        Block(
            "resource",
            ("spacelift_policy_attachment", f"{stack.address}_migration_freeze"),
            [("policy_id", Expr("spacelift_policy.migration_freeze.id")), ("stack_id", Expr(ref))],
        )
    )
    if stack.production:
        out.append(
            Block(
                "resource",
                ("spacelift_policy_attachment", f"{stack.address}_production_approval"),
                [("policy_id", Expr("spacelift_policy.production_approval.id")), ("stack_id", Expr(ref))],
            )
        )
    for dep in sorted(d for d in u.depends_on if d in by_arn):
        other = by_arn[dep]
        out.append(
            Block(
                "resource",
                ("spacelift_stack_dependency", f"{stack.address}_after_{other.address}"),
                [
                    ("stack_id", Expr(ref)),
                    ("depends_on_stack_id", Expr(f"spacelift_stack.{other.address}.id")),
                ],
                comment=(f"{u.label} runs after {other.unit.label} (dependency graph).",),
            )
        )
    return document(out)


def index_tf(adopted: Sequence[str]) -> str:
    """index.tf: TEMPLATES.json's rows by `<account>/<region>/<stack>`, so each Spacelift stack's project
    root, entry template and CF_PARAM_ values follow the files it names (`exodus repo` edits them); and a
    Spacelift stack for every row the export did not adopt (`exodus repo new-instance` adds one), from
    its files: the day-2 "new instance", as a proposed run that creates one CloudFormation stack."""
    rows = (
        f'{{ for s in jsondecode(file("${{path.module}}/../{LISTING}")).stacks : '
        '"${s.account}/${s.region}/${s.stack}" => s }'
    )
    added = (
        f"{{ for key, s in local.{layout.INDEX_LOCAL} : key => s "
        f"if !contains(local.{layout.ADOPTED_LOCAL}, key) }}"
    )
    parameters = (
        f"merge({{}}, [for key, s in local.{layout.ADDED_LOCAL} : "
        '{ for k, v in jsondecode(file("${path.module}/../${s.parameterFile}")).Parameters : '
        '"${key}/${k}" => { stack = key, name = k, value = v } }]...)'
    )
    every = json.dumps(list(DEFAULT_CAPABILITIES))
    capabilities = (
        f"{{ for pair in setproduct(keys(local.{layout.ADDED_LOCAL}), {every})"
        ' : "${pair[0]}/${pair[1]}" => { stack = pair[0], name = pair[1] } }'
    )
    stack = Block(
        "resource",
        ("spacelift_stack", "added"),
        [
            ("for_each", Expr(f"local.{layout.ADDED_LOCAL}")),
            ("name", Expr('"${each.value.stack} (${each.value.account}/${each.value.region})"')),
            ("repository", Expr("var.repository")),
            ("branch", Expr("var.branch")),
            ("project_root", Expr("dirname(each.value.templateFile)")),
            ("description", Expr('"${each.value.kind} added with exodus repo new-instance"')),
            ("space_id", Expr("var.space_id")),
            ("autodeploy", False),
            ("protect_from_deletion", True),
            ("labels", ["exodus", "exodus:new-instance"]),
        ],
        [
            Block(
                "cloudformation",
                attrs=[
                    ("entry_template_file", Expr("basename(each.value.templateFile)")),
                    ("region", Expr("each.value.region")),
                    ("stack_name", Expr("each.value.stack")),
                    (
                        "template_bucket",
                        Expr('var.template_buckets["${each.value.account}/${each.value.region}"]'),
                    ),
                ],
            )
        ],
        comment=(
            "A stack `exodus repo new-instance` added to the listing (none at export): its Spacelift stack,",
            "from the files its row names. Stage the Parameter Store values its parameter file names first.",
        ),
    )
    variables = Block(
        "resource",
        ("spacelift_environment_variable", "added_parameters"),
        [
            ("for_each", Expr(f"local.{layout.ADDED_LOCAL}_parameters")),
            ("stack_id", Expr("spacelift_stack.added[each.value.stack].id")),
            ("name", Expr('"CF_PARAM_${each.value.name}"')),
            ("value", Expr("each.value.value")),
            ("write_only", False),
        ],
    )
    acknowledged = Block(
        "resource",
        ("spacelift_environment_variable", "added_capabilities"),
        [
            ("for_each", Expr(capabilities)),
            ("stack_id", Expr("spacelift_stack.added[each.value.stack].id")),
            ("name", Expr('"CF_${each.value.name}"')),
            ("value", "1"),
            ("write_only", False),
        ],
    )
    freeze = Block(
        "resource",
        ("spacelift_policy_attachment", "added_migration_freeze"),
        [
            ("for_each", Expr(f"local.{layout.ADDED_LOCAL}")),
            ("policy_id", Expr("spacelift_policy.migration_freeze.id")),
            ("stack_id", Expr("spacelift_stack.added[each.key].id")),
        ],
    )
    return document(
        [
            Block(
                "locals",
                attrs=[
                    (layout.INDEX_LOCAL, Expr(rows)),
                    (layout.ADOPTED_LOCAL, sorted(adopted)),
                    (layout.ADDED_LOCAL, Expr(added)),
                    (f"{layout.ADDED_LOCAL}_parameters", Expr(parameters)),
                ],
                comment=(
                    f"Each stack's template and parameter file, as ../{LISTING} names them (exodus repo",
                    "set/upgrade/new-instance edit those files; the stacks here follow), the stacks this",
                    "export took over (each in its own stack_<address>.tf), and the rows added since.",
                ),
            ),
            stack,
            variables,
            acknowledged,
            freeze,
        ]
    )


def stacks_record(stacks: Sequence[SpaceStack]) -> str:
    """Every CloudFormation stack a Spacelift stack takes over, as its change sets will deploy it: the
    template file, the CF_PARAM_ parameters (NoEcho masked) and the tags the stack keeps (Spacelift's
    change sets name none). `exodus verify` reads it back."""
    records = []
    for s in stacks:
        if s.vendor != "cloudformation" or s.template is None:
            continue
        u = s.unit
        records.append(
            {
                "account": u.account,
                "region": u.region,
                "stack_name": u.stack_name,
                "spacelift_stack": s.slug,
                "file": layout.stack_file(s.address),
                "template": s.template_file,
                "parameter_file": s.parameter_file,
                "parameters": {
                    k: ("****" if f"CF_PARAM_{k}" in s.secret else v)
                    for k, v in sorted(s.template.parameters.items())
                },
                "tags": {k: str(v) for k, v in sorted(u.tags.items()) if not k.startswith("aws:")},
            }
        )
    return json.dumps({"stacks": records}, indent=2, sort_keys=True) + "\n"


def shared_tf(opts: Mapping[str, str], contexts: Mapping[str, Mapping[str, str]]) -> str:
    """Provider, policies and contexts: what every stack's file refers to."""
    blocks = [
        Block(
            "terraform",
            attrs=[("required_version", ">= 1.5.0")],
            blocks=[
                Block(
                    "required_providers",
                    attrs=[
                        (
                            "spacelift",
                            {"source": "spacelift-io/spacelift", "version": opts["provider-version"]},
                        )
                    ],
                ),
                s3_backend(layout.STATE_KEY),  # not a terraform.tfstate in the checkout
            ],
        ),
        Block(
            "provider",
            ("spacelift",),
            [],
            comment=(
                "Credentials: SPACELIFT_API_KEY_ENDPOINT, SPACELIFT_API_KEY_ID, SPACELIFT_API_KEY_SECRET.",
            ),
        ),
        Block(
            "resource",
            ("spacelift_policy", "migration_freeze"),
            [
                ("name", "exodus: no replacement or deletion during the Proton migration"),
                ("type", "PLAN"),
                ("engine_type", "REGO_V1"),
                ("space_id", Expr("var.space_id")),
                ("body", Expr(f'file("${{path.module}}/policies/{PLAN_POLICY}")')),
                ("labels", ["exodus"]),
            ],
        ),
        Block(
            "resource",
            ("spacelift_policy", "production_approval"),
            [
                ("name", "exodus: two approvals for production during the Proton migration"),
                ("type", "APPROVAL"),
                ("engine_type", "REGO_V1"),
                ("space_id", Expr("var.space_id")),
                ("body", Expr(f'file("${{path.module}}/policies/{APPROVAL_POLICY}")')),
                ("labels", ["exodus"]),
            ],
        ),
    ]
    for addr, values in sorted(contexts.items()):
        blocks.append(
            Block(
                "resource",
                ("spacelift_context", addr),
                [
                    ("name", f"exodus {addr.replace('_', ' ')}"),
                    ("description", "inputs the stacks of this Proton environment share"),
                    ("space_id", Expr("var.space_id")),
                    ("labels", ["exodus"]),
                ],
            )
        )
        for var, value in sorted(values.items()):
            blocks.append(
                Block(
                    "resource",
                    ("spacelift_environment_variable", identifier(f"{addr}_{var}")),
                    [
                        ("context_id", Expr(f"spacelift_context.{addr}.id")),
                        ("name", var),
                        ("value", value),
                        ("write_only", False),
                    ],
                )
            )
    return document(blocks)


def variables_tf(stacks: Sequence[SpaceStack]) -> str:
    places = sorted({f"{s.unit.account}/{s.unit.region}" for s in stacks if s.vendor == "cloudformation"})
    blocks = [
        Block(
            "variable",
            ("repository",),
            [("type", Expr("string")), ("description", "repository holding this export (without owner)")],
        ),
        Block("variable", ("branch",), [("type", Expr("string")), ("default", "main")]),
        Block("variable", ("space_id",), [("type", Expr("string")), ("default", "root")]),
        Block(
            "variable",
            ("template_buckets",),
            [
                ("type", Expr("map(string)")),
                (
                    "description",
                    "S3 bucket per account/Region for the CloudFormation vendor's templates: "
                    + ", ".join(places),
                ),
            ],
        ),
    ]
    if any(s.vendor == "terraform" for s in stacks):
        blocks.append(
            Block(
                "variable",
                ("provisioning_repository",),
                [
                    ("type", Expr("string")),
                    ("description", "repository of the self-managed Terraform estates"),
                ],
            )
        )
    return document(blocks)


def stack_findings(stack: SpaceStack) -> list[Finding]:
    u = stack.unit
    out = []
    if stack.vendor == "cloudformation" and u.stack_status not in ADOPTABLE:
        out.append(
            Finding(
                "E-SPACELIFT-STATUS",
                f"stack {u.stack_name} is {u.stack_status}: CloudFormation refuses change sets on it; "
                "repair it before its Spacelift stack runs",
                u.arn,
                layout.stack_file(stack.address),
            )
        )
    for var, tf_var in sorted(stack.secret.items()):
        out.append(
            Finding(
                "W-SPACELIFT-NOECHO",
                f"{var} of stack {u.stack_name} is NoEcho: give it as TF_VAR_{tf_var} when applying the "
                "configuration (it is written write-only)",
                u.arn,
                layout.stack_file(stack.address),
            )
        )
    if stack.template is not None:
        for p in stack.template.secret_parameters:
            out.append(
                Finding(
                    "W-SPACELIFT-STAGE-SECRET",
                    f"stage Parameter Store String {p.ssm_name} with input {p.input_name} of {u.label} "
                    f"(secrets.json id {p.secret_id}) before the stack's first run",
                    u.arn,
                )
            )
    if stack.vendor == "cloudformation" and u.tags:
        out.append(
            Finding(
                "I-SPACELIFT-TAGS",
                f"stack {u.stack_name} keeps its tags: Spacelift's change sets name none, and CloudFormation "
                "leaves a stack's tags (and its service role) as they are when a change set names none",
                u.arn,
            )
        )
    return out


def readme(
    stacks: Sequence[SpaceStack], contexts: Mapping[str, Mapping[str, str]], findings: Sequence[Finding]
) -> str:
    arns = {s.unit.arn for s in stacks}
    edges = sum(d in arns for s in stacks for d in s.unit.depends_on)
    lines = [
        "# Spacelift: the Proton stacks, taken over in place",
        "",
        "`spacelift/` is a Terraform configuration for the spacelift-io/spacelift provider (run it from an",
        "administrative stack or locally with an API key). It creates:",
        "",
        f"- {sum(s.vendor == 'cloudformation' for s in stacks)} CloudFormation-vendor stacks, each on the",
        "  existing CloudFormation stack name (`cloudformation.stack_name`), so Spacelift's change sets",
        "  update the stack Proton deployed. TEMPLATES.json names each stack's template and parameter file",
        "  (`spacelift/index.tf` reads it): the template is its version's shared parameterised template",
        "  (`templates/<template>/v<major>.<minor>/...`, the project root is its folder, the same files the",
        "  other CloudFormation targets ship) or, where its version fell back to a rendered copy,",
        "  `cloudformation/<account>/<region>/<StackName>/template.yaml`; its parameters are the",
        "  `Parameters` of `cloudformation/<account>/<region>/<StackName>.json`, set as `CF_PARAM_<name>`",
        "  environment variables (capabilities `CF_CAPABILITY_<name>`);",
        f"- {sum(s.vendor == 'terraform' for s in stacks)} Terraform-vendor stacks for self-managed estates"
        " (their state stays in their own backend: `manage_state = false`);",
        f"- {edges} `spacelift_stack_dependency` edges from the dependency graph;",
        f"- {len(contexts)} contexts, one per environment, with the inputs its stacks share;",
        "- the plan policy `policies/plan-no-replace-or-delete.rego` (denies any deletion or replacement),",
        "  attached to every stack, and `policies/approval-production.rego` (two approvals, no rejection),",
        f"  attached to the {sum(s.production for s in stacks)} production stacks.",
        "",
        "`spacelift/exodus-stacks.json` records what each CloudFormation stack's change sets will deploy",
        "(template, parameters; the stack keeps its tags and service role: a change set that names none",
        "leaves them), for `exodus verify`; PLANNED_CHANGES.json lists what the first runs change on purpose",
        "(secrets moved out of the templates, service pipelines without their retired Proton calls).",
        "",
        "`spacelift/` keeps its state in S3 (a partial `backend \"s3\" {}`: the runbook's `init` gives the",
        f"bucket, `TF_STATE_BUCKET` as for the terraform target, and the key `{layout.STATE_KEY}`);",
        "`.gitignore` keeps what terraform leaves in the checkout (`.terraform/`, saved plans, which hold",
        "every value in clear, local state, crash logs) out of Git; commit `.terraform.lock.hcl`.",
        "",
        "Every stack has `autodeploy = false` and `protect_from_deletion = true`: the first run of each is a",
        "proposed run a human reads. The runbooks `exodus plan` writes create the stacks wave by wave",
        "(`terraform apply` targeted at one stack file's resources) and preview each.",
        "",
        "`.exodus-repo/` is the repository index: `exodus repo validate|set|upgrade|outdated` work on a",
        "checkout of this export (they edit the parameter files and TEMPLATES.json; the administrative",
        "stack's next run carries the change to the Spacelift stacks, whose proposed runs show it).",
        "`exodus repo new-instance` writes the new stack's parameter file and TEMPLATES.json row;",
        "`spacelift/index.tf` gives every row the export did not take over a Spacelift stack",
        "(`spacelift_stack.added`) with its CF_PARAM_ variables, so the next run of the configuration adds",
        "it and its first proposed run creates the CloudFormation stack.",
        "",
        "## Manual steps",
        "",
    ]
    manual = [f for f in findings if f.code.startswith(("E", "W"))]
    lines += [f"- **{f.code}** {f.message}" for f in manual] or ["- none"]
    return "\n".join(lines) + "\n"


exporter = SpaceliftExporter()
