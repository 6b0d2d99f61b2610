"""The stack deployment artefacts both pipeline exporters deploy: one template and one template
configuration file (CodePipeline's `{"Parameters", "Tags"}` JSON, also read by the GitHub workflows)
per stack, grouped per environment (environment, components, instances) and per service (pipeline)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from exporters import ExportContext, Finding
from exporters._pipelines.production import is_production_like
from proton_exodus.errors import BadInput
from proton_exodus.model.secrets import SecretParameter, reference_secrets, secret_mode
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.parameterise import TemplateParameter
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplate, StackTemplateBuilder
from proton_exodus.translate.summary import templates_summary

KIND_ORDER = {"environment": 0, "component": 1, "service_instance": 2, "service_pipeline": 3}
# Stack statuses CloudFormation accepts a change set on, for an adopted stack (TARGETS.md §1.4).
ADOPTABLE_STATUSES = (
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
)
DEFAULT_CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")


@dataclass(frozen=True)
class StackArtefact:
    """One stack to deploy: where its files go in the export and how it is deployed."""

    unit: DeploymentUnit
    group: str  # environment name, or the service name for a pipeline stack
    template_path: str
    config_path: str
    template: str
    parameters: Mapping[str, str]
    tags: Mapping[str, str]
    capabilities: tuple[str, ...]
    production: bool
    role_arn: str | None  # CloudFormation service role the stack already uses (or the environment's)
    depends_on: tuple[str, ...] = ()  # stack names of the artefacts it needs first
    stack_status: str | None = None
    secret_parameters: tuple[SecretParameter, ...] = ()  # Parameter Store values to stage first
    # On a shared parameterised template: each parameter and the Proton variable it stands for
    mapping: tuple[TemplateParameter, ...] = ()

    @property
    def stack_name(self) -> str:
        return str(self.unit.stack_name)

    def config_text(self) -> str:
        """The template configuration file: JSON, sorted, final newline."""
        return (
            json.dumps(
                {"Parameters": dict(self.parameters), "Tags": dict(self.tags)}, indent=2, sort_keys=True
            )
            + "\n"
        )

    def files(self) -> dict[str, str]:
        """The stack's template (final newline) and its configuration file, by export path."""
        template = self.template if self.template.endswith("\n") else self.template + "\n"
        return {self.template_path: template, self.config_path: self.config_text()}


@dataclass(frozen=True)
class Estate:
    """The artefacts of one export, in dependency order, with the findings met while building them."""

    stacks: tuple[StackArtefact, ...]
    findings: tuple[Finding, ...] = ()
    environments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name -> environment record
    secrets: str = "ssm-parameter"  # how secrets left the templates (model/secrets.py SECRET_MODES)
    templates_md: str = ""  # TEMPLATES.md: which path each Proton template version took, and why

    def planned_files(self) -> dict[str, str]:
        """PLANNED_CHANGES.md/.json: what the first deploy changes on purpose, and the secrets to stage."""
        from exporters._pipelines.service_pipeline import pipeline_planned_changes  # it imports this module
        from proton_exodus.verify.planned import PlannedStack, planned_change_files, planned_changes

        changes = planned_changes(
            (
                PlannedStack(a.unit, a.template, a.parameters)
                for a in self.stacks
                if a.unit.kind != "service_pipeline"
            ),
            choice=self.secrets,
        )
        # a service pipeline whose build steps called the retired Proton API is rewritten: its first
        # deploy changes those resources on purpose (the old steps fail now), named like cfn-git-sync's
        for a in self.stacks:
            if a.unit.kind == "service_pipeline" and a.unit.deployed_template:
                changes += pipeline_planned_changes(
                    a.stack_name, a.unit.account, a.unit.region, a.unit.deployed_template, a.template
                )
        changes.sort(key=lambda c: (c.get("stack", ""), c.get("resource", ""), c.get("property", "")))
        staged = [(a.unit.account, a.unit.region, p) for a in self.stacks for p in a.secret_parameters]
        return planned_change_files(changes, choice=self.secrets, staged=staged)

    def groups(self) -> dict[str, list[StackArtefact]]:
        """Group name -> its stacks in dependency order; groups sorted by name."""
        out: dict[str, list[StackArtefact]] = {}
        for art in self.stacks:
            out.setdefault(art.group, []).append(art)
        return dict(sorted(out.items()))


def slug(text: str, limit: int = 60) -> str:
    """A file/job/stage-safe name: lowercase letters, digits and dashes."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:limit].rstrip("-") or "x"


def stack_group(kind: str, name: str, environment: str | None, service: str | None) -> str:
    """The file group a stack deploys from: `services/<service>` for a service pipeline's stack,
    `environments/<env>` for the rest (environment, components, instances). Shared by both pipeline
    exporters and their `handover` layouts, so paths agree."""
    if kind == "service_pipeline":
        return f"services/{slug(service or name)}"
    return f"environments/{slug(environment or name)}"


def load_units(ctx: ExportContext) -> list[DeploymentUnit]:
    """The context's units, or units built from its snapshot when the caller passed none."""
    if ctx.units:
        return list(ctx.units)
    from proton_exodus.model import units as units_module

    build = getattr(units_module, "build_units", None)
    if build is None:
        raise BadInput(
            "export context has no deployment units and proton_exodus.model.units.build_units is missing"
        )
    return list(build(ctx.snapshot))


def dependency_order(units: Iterable[DeploymentUnit]) -> list[DeploymentUnit]:
    """Units sorted so every unit comes after the units it depends on (ties: kind, environment, name)."""
    units = list(units)
    by_arn = {u.arn: u for u in units}
    key = {
        u.arn: (KIND_ORDER.get(u.kind, 9), u.environment or "", u.service or "", u.name, u.arn) for u in units
    }
    done: set[str] = set()
    order: list[DeploymentUnit] = []

    def visit(unit: DeploymentUnit, path: tuple[str, ...]) -> None:
        if unit.arn in done:
            return
        if unit.arn in path:
            raise BadInput(f"dependency cycle between deployment units: {' -> '.join(path + (unit.arn,))}")
        for dep in sorted((d for d in unit.depends_on if d in by_arn), key=key.__getitem__):
            visit(by_arn[dep], path + (unit.arn,))
        done.add(unit.arn)
        order.append(unit)

    for unit in sorted(units, key=lambda u: key[u.arn]):
        visit(unit, ())
    return order


def _selected(unit: DeploymentUnit, only: Sequence[str]) -> bool:
    return not only or bool({unit.environment, unit.service, unit.name} & set(only))


def build_estate(
    ctx: ExportContext,
    *,
    convert_pipeline: Callable[[DeploymentUnit, str], tuple[str, list[Finding]]] | None = None,
    parameterise: Callable[[DeploymentUnit, str], tuple[str, dict[str, str]]] | None = None,
    providers: Sequence[str] = ("cloudformation",),
) -> Estate:
    """The stack artefacts of every CloudFormation unit in the context (restricted by `ctx.only`).

    `convert_pipeline(unit, template)` rewrites a service pipeline's template (retired Proton calls) and
    returns findings; `parameterise(unit, template)` returns the template with more parameters and their
    values (the inputs a service pipeline sets on deploy). Units whose template was not captured are
    skipped with an E finding. Stacks proven on a shared parameterised template (translate/) deploy it
    with their own template configuration; the others keep their deployed template.
    """
    try:
        mode = secret_mode(ctx.options)
    except ValueError as err:
        raise BadInput(f"export option {err}") from None
    everything = load_units(ctx)
    units = [u for u in dependency_order(everything) if _selected(u, ctx.only)]
    shared, summary = translated(ctx, everything, [u for u in units if u.provisioning in providers], mode)
    envs = {r["name"]: r for r in ctx.snapshot.kind("environments")}
    prod_envs = {u.environment for u in units if u.environment and _env_is_production(u, envs)}
    stacks: list[StackArtefact] = []
    findings: list[Finding] = []
    by_arn: dict[str, StackArtefact] = {}
    for unit in units:
        if unit.provisioning not in providers or not unit.stack_name:
            continue
        template = unit.deployed_template
        if template is None:
            findings.append(
                Finding(
                    "E-PIPE-NO-TEMPLATE",
                    f"no deployed template captured for stack "
                    f"{unit.stack_name}; it is left out of the pipelines",
                    unit.arn,
                )
            )
            continue
        if unit.kind == "service_pipeline" and convert_pipeline is not None:
            template, found = convert_pipeline(unit, template)
            findings.extend(found)
        art = _artefact(ctx, unit, template, envs, prod_envs, units, by_arn, mode, shared.get(unit.arn))
        if parameterise is not None and unit.kind != "service_pipeline":
            text, added = parameterise(unit, art.template)  # on the template as exported (secrets swapped)
            if added and unit.arn in shared:  # a shared file cannot grow a parameter for one stack
                art = _artefact(ctx, unit, template, envs, prod_envs, units, by_arn, mode, None)
                text, added = parameterise(unit, art.template)
            if added:
                art = replace(
                    art, template=text, parameters=dict(sorted({**art.parameters, **added}.items()))
                )
        findings.extend(_parameter_findings(art))
        by_arn[unit.arn] = art
        stacks.append(art)
    return Estate(tuple(stacks), tuple(findings), envs, mode, summary)


def translated(
    ctx: ExportContext,
    everything: Sequence[DeploymentUnit],
    units: Sequence[DeploymentUnit],
    mode: str,
    parameters_file: str = "template configuration",
) -> tuple[dict[str, StackTemplate], str]:
    """Unit ARN -> its shared parameterised template (translate/), for the units proven on one (the others
    keep their deployed template; the same translation cfn-git-sync writes), and the export's TEMPLATES.md
    (per Proton template version: shared or kept as deployed, and why; `parameters_file` names what holds
    one stack's values in the target)."""
    wanted = [
        u for u in units if u.kind != "service_pipeline" and u.stack_name and u.deployed_template is not None
    ]
    builder = StackTemplateBuilder(ctx.snapshot, list(everything), secrets=mode)
    built = builder.build(wanted)
    summary = templates_summary(builder.reports.values(), built, parameters_file)
    return {st.unit.arn: st for st in built if st.path == PARAMETERISED}, summary


def shared_template_path(st: StackTemplate) -> str:
    """Where a shared template lives: one file per template version (and per variant of it)."""
    u = st.unit
    version = f"v{u.template_major or '0'}.{u.template_minor or '0'}"
    return f"templates/{slug(u.template_name or u.name)}/{version}/{slug(u.kind)}-{st.key}.yaml"


def watched_paths(group: str, stacks: Sequence[StackArtefact]) -> list[str]:
    """The paths whose change deploys a group: its own folder and the shared templates it uses."""
    own = f"stacks/{group}/"
    return [own + "**", *sorted({a.template_path for a in stacks if not a.template_path.startswith(own)})]


def templates_index(rows: Iterable[tuple[DeploymentUnit, str, str, Sequence[TemplateParameter]]]) -> str:
    """TEMPLATES.json: per stack, the template file and parameter file it deploys from and, on a shared
    parameterised template, what each parameter stands for (`exodus repo` validates and edits instances
    with it). Rows: (unit, template file, parameter file, mapping)."""
    stacks = [
        {
            "stack": unit.stack_name,
            "account": unit.account,
            "region": unit.region,
            "kind": unit.kind,
            "name": unit.name,
            "service": unit.service,
            "environment": unit.environment,
            "template": unit.template_name,
            "version": f"{unit.template_major}.{unit.template_minor}" if unit.template_major else None,
            "templateFile": template_file,
            "parameterFile": parameter_file,
            "shared": bool(mapping),
            "parameters": {
                p.name: {"path": p.path, "role": p.role, "sensitive": p.sensitive}
                for p in sorted(mapping, key=lambda p: p.name)
            },
        }
        for unit, template_file, parameter_file, mapping in rows
    ]
    stacks.sort(key=lambda s: (str(s["account"]), str(s["region"]), str(s["stack"])))
    return json.dumps({"stacks": stacks}, indent=2, sort_keys=True) + "\n"


def _env_is_production(unit: DeploymentUnit, envs: Mapping[str, Mapping[str, Any]]) -> bool:
    record = envs.get(unit.environment or "", {})
    inputs = unit.inputs if unit.kind == "environment" else {}
    return is_production_like(
        unit.environment or "", record.get("tags"), inputs, unit.tags if unit.kind == "environment" else None
    )


def _artefact(
    ctx: ExportContext,
    unit: DeploymentUnit,
    template: str,
    envs: Mapping[str, Mapping[str, Any]],
    prod_envs: set[str | None],
    units: Sequence[DeploymentUnit],
    by_arn: Mapping[str, StackArtefact],
    mode: str,
    shared: StackTemplate | None = None,
) -> StackArtefact:
    group = stack_group(unit.kind, unit.name, unit.environment, unit.service)
    if unit.kind == "service_pipeline":
        instance_envs = {
            u.environment for u in units if u.service == unit.service and u.kind == "service_instance"
        }
        production = bool(instance_envs & prod_envs)
    else:
        production = unit.environment in prod_envs
    base = f"stacks/{group}/{unit.stack_name}"
    stack = ctx.snapshot.stack_for(unit.arn) or {}
    role = stack.get("RoleARN") or envs.get(unit.environment or "", {}).get("protonServiceRoleArn")
    # The stack's tags exactly: a new stack tag would reach every taggable resource (no marker tag).
    tags = {k: v for k, v in sorted(unit.tags.items()) if not k.startswith("aws:")}
    deps = tuple(by_arn[d].stack_name for d in unit.depends_on if d in by_arn)
    # Secrets rendered into the deployed template (clear or as snapshot placeholders) never reach the
    # export: by default SSM parameter types, which keep the first deploy a no-op (translate/stacks.py).
    from proton_exodus.translate.stacks import swap_secrets

    secrets = getattr(ctx.snapshot, "secrets", None) or {}
    secret_stack = unit.stack_name or unit.name
    template, staged = swap_secrets(template, ctx.snapshot, unit, mode)
    parameters = {
        k: reference_secrets(str(v), secrets, stack=secret_stack, inputs=unit.inputs)[0]
        for k, v in sorted(unit.parameters.items())
    }
    parameters.update({p.parameter: p.ssm_name for p in staged if p.parameter})
    template_path = f"{base}.yaml"
    if shared is not None:  # proven equal to the deployed template with these values
        template, template_path = shared.text, shared_template_path(shared)
        parameters, staged = dict(sorted(shared.parameters.items())), list(shared.secret_parameters)
        mapping = shared.mapping
    else:
        mapping = ()
    return StackArtefact(
        unit=unit,
        group=group,
        template_path=template_path,
        config_path=f"{base}.json",
        template=template,
        parameters=parameters,
        tags=tags,
        capabilities=tuple(sorted(unit.capabilities or DEFAULT_CAPABILITIES)),
        production=production,
        role_arn=role,
        depends_on=deps,
        stack_status=unit.stack_status,
        secret_parameters=tuple(p for p in staged if p.parameter),
        mapping=mapping,
    )


def _parameter_findings(art: StackArtefact) -> list[Finding]:
    masked = sorted(k for k, v in art.parameters.items() if set(str(v)) == {"*"})
    if not masked:
        return []
    return [
        Finding(
            "W-PIPE-MASKED-PARAMETER",
            f"stack {art.stack_name}: NoEcho parameters {', '.join(masked)} "
            "are masked in the snapshot; put their values (or dynamic references) in "
            f"{art.config_path} before the first deploy",
            art.unit.arn,
            art.config_path,
        )
    ]


def levels(stacks: Sequence[StackArtefact]) -> list[list[StackArtefact]]:
    """Stacks grouped in dependency levels (a stack's level is one more than its deepest dependency in
    `stacks`); each level keeps the input order."""
    level: dict[str, int] = {}
    for art in stacks:
        level[art.stack_name] = 1 + max((level[d] for d in art.depends_on if d in level), default=-1)
    out: list[list[StackArtefact]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for art in stacks:
        out[level[art.stack_name]].append(art)
    return out
