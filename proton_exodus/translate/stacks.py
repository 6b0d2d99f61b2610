"""Template-preserving export: one CloudFormation template per stack, shared where Proton's Jinja allows.

For each Proton template, the variables its Jinja only substitutes become CloudFormation parameters,
so stacks that differ only in those values share one template file (each stack's values go to its
deployment file). Stacks whose templates differ in structure keep the template exactly as deployed.
Every parameterised stack is checked here: the shared template, resolved with the stack's values,
must equal the deployed template semantically, or the stack falls back to its deployed template.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from proton_exodus.cfn.normalise import load_normalised, normalise
from proton_exodus.cfn.resolve import resolve_parameters
from proton_exodus.cfn.text import dump_template, load_template
from proton_exodus.errors import ExodusError
from proton_exodus.model.secrets import (
    DEFAULT_SECRET_MODE,
    SSM_PARAMETER_TYPE,
    SecretParameter,
    find_template_secrets,
    parameterise_template_secrets,
    placeholder_id,
    secret_lookup,
    secret_name,
    ssm_lookup,
    ssm_parameter_name,
)
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.analysis import analyse_template
from proton_exodus.proton.parameterise import (
    TemplateParameter,
    lookup,
    parameter_name,
    parameter_value,
    render_markers,
    substitute,
)
from proton_exodus.translate.context import ContextBuilder

PARAMETERISED, DEPLOYED = "parameterised", "deployed"
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class StackTemplate:
    """The template text and deployment-file parameters exodus writes for one stack."""

    unit: DeploymentUnit
    text: str
    key: str  # content hash of `text`; equal keys share one file
    parameters: dict[str, str]
    path: str  # PARAMETERISED or DEPLOYED
    reason: str
    secrets: dict[str, str] = field(default_factory=dict)  # secret name -> input name, to create by hand
    secret_parameters: tuple[SecretParameter, ...] = ()  # what to stage in Parameter Store (ssm-parameter)


@dataclass
class TemplateReport:
    """Which path one Proton template (name, major version, kind) took, for the export's summary."""

    template: str
    major: str
    kind: str
    source: str | None
    substitution: list[str] = field(default_factory=list)
    structural: list[str] = field(default_factory=list)
    parameters: list[TemplateParameter] = field(default_factory=list)
    stacks: int = 0
    parameterised_stacks: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _with_parameters(
    tree: dict[str, Any], params: Sequence[TemplateParameter], mode: str = DEFAULT_SECRET_MODE
) -> dict[str, Any]:
    secret = {"Type": SSM_PARAMETER_TYPE, "NoEcho": "true"} if mode == "ssm-parameter" else {"Type": "String"}
    where = "Parameter Store String" if mode == "ssm-parameter" else "Secrets Manager secret"
    decls = {
        p.name: (
            {**secret, "Description": f"{where} holding Proton input {p.path}"}
            if p.sensitive
            else {"Type": "String", "Description": f"Proton {p.path}"}
        )
        for p in params
    }
    out: dict[str, Any] = {}
    for key in ("AWSTemplateFormatVersion", "Description", "Transform", "Metadata"):
        if key in tree:
            out[key] = tree[key]
    out["Parameters"] = {**(tree.get("Parameters") or {}), **decls}
    out.update({k: v for k, v in tree.items() if k not in out})
    return out


class StackTemplateBuilder:
    """Builds StackTemplates for the units of one snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        units: list[DeploymentUnit],
        *,
        parameterise: bool = True,
        secrets: str = DEFAULT_SECRET_MODE,
    ) -> None:
        self.snapshot = snapshot
        self.contexts = ContextBuilder(snapshot, units)
        self.parameterise = parameterise
        self.mode = secrets
        self.reports: dict[tuple[str, str, str], TemplateReport] = {}

    def secret_lookup(self, unit: DeploymentUnit) -> Callable[[str], str | None]:
        return secret_lookup(self.snapshot, unit)

    def build(self, units: Sequence[DeploymentUnit]) -> list[StackTemplate]:
        """A StackTemplate for every unit that has a deployed template, in the order given."""
        stacked = [u for u in units if u.stack_name and u.deployed_template is not None]
        by_source: dict[tuple, list[DeploymentUnit]] = {}
        for unit in stacked:
            source = self.contexts.template_source(unit)
            by_source.setdefault(
                (
                    unit.template_name,
                    unit.template_major,
                    unit.template_minor,
                    unit.kind,
                    source[0] if source else None,
                ),
                [],
            ).append(unit)
        built: dict[str, StackTemplate] = {}
        for key, group in by_source.items():
            for st in self._for_source(key, group):
                built[st.unit.arn] = st
        return [built[u.arn] for u in stacked]

    def report(self, unit: DeploymentUnit, source: str | None) -> TemplateReport:
        key = (unit.template_name or unit.name, unit.template_major or "-", unit.kind)
        if key not in self.reports:
            self.reports[key] = TemplateReport(key[0], key[1], key[2], source)
        return self.reports[key]

    def _for_source(self, key: tuple, group: list[DeploymentUnit]) -> list[StackTemplate]:
        first = group[0]
        source = self.contexts.template_source(first) if key[-1] else None
        report = self.report(first, source[0] if source else None)
        report.stacks += len(group)
        if source is None:
            report.notes.append("no Jinja CloudFormation bundle to analyse (kept as deployed)")
            return [self.deployed(u, "no bundle render available") for u in group]
        analysis = analyse_template(source[1])
        report.structural = sorted(set(report.structural) | set(analysis.structural))
        if self.contexts.context(first) is None:
            return [
                self.deployed(u, "its Jinja is rendered per stack (service instances loop)") for u in group
            ]
        if not self.parameterise:
            return [self.deployed(u, "parameterisation switched off") for u in group]
        illegal = self._illegal(first, source, list(analysis.substitutions))
        subs = [p for p in analysis.substitutions if p not in illegal]
        report.substitution = sorted(set(report.substitution) | set(subs))
        report.structural = sorted(set(report.structural) | illegal)
        shape = sorted(set(analysis.structural) | illegal)
        variants: dict[str, list[DeploymentUnit]] = {}
        for unit in group:
            ctx = self.contexts.context(unit) or {}
            variants.setdefault(json.dumps([lookup(ctx, p) for p in shape], default=str), []).append(unit)
        out: list[StackTemplate] = []
        for members in variants.values():
            if len(members) < 2:  # its secrets leave through swap_secrets, as any deployed template
                out.append(self.deployed(members[0], "no other stack shares this template's structure"))
            else:
                out.extend(self._shared(members, source, subs, report))
        return out

    def _illegal(self, unit: DeploymentUnit, source: tuple[str, str], paths: list[str]) -> set[str]:
        """Variables whose markers land where CloudFormation needs a literal (found by rendering once)."""
        ctx = self.contexts.context(unit) or {}
        illegal = {p for p in paths if not isinstance(lookup(ctx, p)[1], _SCALARS) or not lookup(ctx, p)[0]}
        while True:
            live = [p for p in paths if p not in illegal]
            try:
                tree = load_template(render_markers(source[1], ctx, live, source=source[0]), source=source[0])
            except ExodusError:
                return set(paths)
            _, bad = substitute(tree, {i: "P" for i in range(len(live))})
            if not bad:
                return illegal
            illegal |= {live[i] for i in bad}

    def _shared(
        self, members: list[DeploymentUnit], source: tuple[str, str], subs: list[str], report: TemplateReport
    ) -> list[StackTemplate]:
        first = members[0]
        ctx = self.contexts.context(first) or {}
        try:
            tree = load_template(render_markers(source[1], ctx, subs, source=source[0]), source=source[0])
        except ExodusError as err:
            return [self.deployed(u, f"render failed: {err}") for u in members]
        taken = {str(k) for section in tree.values() if isinstance(section, dict) for k in section}
        params = [TemplateParameter(parameter_name(p, taken), p, self._is_sensitive(first, p)) for p in subs]
        new_tree, bad = substitute(tree, {i: p.name for i, p in enumerate(params)})
        if bad:
            return [self.deployed(u, "variables land in literal-only places") for u in members]
        new_tree = _with_parameters(new_tree, params, self.mode)
        text = dump_template(new_tree)
        normal = normalise(load_template(text))
        report.parameters = params
        out = []
        for unit in members:
            out.append(
                self._check(unit, text, normal, params)
                or self.deployed(unit, "the parameterised template does not reproduce the deployed one")
            )
        report.parameterised_stacks += sum(1 for st in out if st.path == PARAMETERISED)
        return out

    def _is_sensitive(self, unit: DeploymentUnit, path: str) -> bool:
        head, _, name = path.partition(".inputs.")
        return bool(name) and head in ("environment", "service_instance") and name in unit.sensitive_inputs

    def _check(
        self, unit: DeploymentUnit, text: str, normal: dict[str, Any], params: list[TemplateParameter]
    ) -> StackTemplate | None:
        ctx = self.contexts.context(unit) or {}
        values, secrets, staged = {}, {}, []
        for p in params:
            found, value = lookup(ctx, p.path)
            if not found:
                return None
            if p.sensitive and self.mode == "ssm-parameter":
                input_name = p.path.rsplit(".", 1)[-1]
                secret_id = self._secret_id(unit, input_name)
                if secret_id is None:
                    return None
                values[p.name] = ssm_parameter_name(unit.stack_name or "", input_name)
                staged.append(SecretParameter(p.name, values[p.name], secret_id, input_name))
            elif p.sensitive:
                values[p.name] = secret_name(unit.stack_name or "", p.path.rsplit(".", 1)[-1])
                secrets[values[p.name]] = p.path.rsplit(".", 1)[-1]
            else:
                values[p.name] = parameter_value(value)
        values.update({k: v for k, v in unit.parameters.items() if k in (normal.get("Parameters") or {})})
        deployed = load_normalised(unit.deployed_template or "", source=unit.stack_name or "")
        keep = frozenset((deployed.get("Parameters") or {}).keys())
        # Compared as CloudFormation compares: SSM parameters resolved, dynamic references as text.
        resolved = resolve_parameters(normal, values, keep=keep, ssm=ssm_lookup(self.snapshot, unit))
        if resolved != deployed:
            return None
        return StackTemplate(
            unit,
            text,
            text_key(text),
            values,
            PARAMETERISED,
            "substitution-only variables became parameters",
            secrets,
            tuple(staged),
        )

    def _secret_id(self, unit: DeploymentUnit, input_name: str) -> str | None:
        """The secrets.json id holding a sensitive input's value (None when the snapshot has none)."""
        held = unit.inputs.get(input_name)
        if placeholder_id(held) is not None:
            return placeholder_id(held)
        return next((sid for sid, v in sorted(self.snapshot.secrets.items()) if str(v) == str(held)), None)

    def deployed(self, unit: DeploymentUnit, reason: str) -> StackTemplate:
        """The stack's template exactly as deployed, its secrets out of it (swap_secrets)."""
        text, staged = swap_secrets(unit.deployed_template or "", self.snapshot, unit, self.mode)
        text = text if text.endswith("\n") else text + "\n"
        parameters = {**unit.parameters, **{p.parameter: p.ssm_name for p in staged if p.parameter}}
        secrets = {p.ssm_name: p.input_name for p in staged if not p.parameter}
        return StackTemplate(
            unit,
            text,
            text_key(text),
            parameters,
            DEPLOYED,
            reason,
            secrets,
            tuple(p for p in staged if p.parameter),
        )


def swap_secrets(
    text: str, snapshot: Snapshot, unit: DeploymentUnit, mode: str = DEFAULT_SECRET_MODE
) -> tuple[str, list[SecretParameter]]:
    """A deployed template with every secret it holds (clear value or snapshot placeholder) out of it:
    `ssm-parameter` (default) adds a parameter of type AWS::SSM::Parameter::Value<String> per secret,
    whose deployment value is the Parameter Store name to stage (the first deploy changes nothing);
    `dynamic-reference` writes `{{resolve:secretsmanager:exodus/<stack>/<input>}}` (a planned change).
    Text without secrets is returned unchanged. Every built-in target uses this one function."""
    found = find_template_secrets(text, snapshot.secrets, unit.inputs)
    if not found:
        return text, []
    tree, staged = parameterise_template_secrets(
        load_template(text), found, stack=unit.stack_name or unit.name, mode=mode
    )
    return dump_template(tree), staged
