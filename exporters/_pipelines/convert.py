"""Glue between the estate and the service-pipeline rewrite: the per-unit converter both exporters
pass to `build_estate`, which also makes every spec input a pipeline sets on deploy (its `image`) a
parameter of the instance stacks (proton_exodus.translate.inputs), and warns where it cannot."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from exporters import ExportContext, Finding
from exporters._pipelines.estate import Estate, build_estate, load_units
from exporters._pipelines.retired_api import CommandContext
from exporters._pipelines.service_pipeline import convert_pipeline_template
from proton_exodus.cfn.text import parse_template
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.translate.inputs import parameterise_inputs

# `yq w service.yaml 'instances[*].spec.image'` (yq v3, the Proton samples)
# or `.instances[].spec.image = ` (v4)
_SPEC_EDIT = re.compile(r"instances\[\*?\]\.spec\.([A-Za-z0-9_]+)")


def edited_inputs(template: str) -> list[str]:
    """The spec inputs a pipeline template sets on every deploy (sorted)."""
    return sorted(set(_SPEC_EDIT.findall(template)))


class PipelineConverter:
    """The `convert_pipeline` and `parameterise` callbacks of `build_estate` for one export."""

    def __init__(self, units: Sequence[DeploymentUnit], snapshot: Snapshot | None = None) -> None:
        self.units, self.snapshot = list(units), snapshot
        self.by_service: dict[str, list[DeploymentUnit]] = {}
        self.edits: dict[str, list[str]] = {}
        for unit in self.units:
            if unit.kind == "service_instance" and unit.service and unit.stack_name:
                self.by_service.setdefault(unit.service, []).append(unit)
            if unit.kind == "service_pipeline" and unit.service:
                self.edits[unit.service] = edited_inputs(unit.deployed_template or "")
        self.parameters: dict[str, set[str]] = {}  # instance ARN -> normalised parameter names it takes

    def parameterise(self, unit: DeploymentUnit, template: str) -> tuple[str, dict[str, str]]:
        """The instance template with the inputs its service pipeline sets as parameters (values: today's)."""
        wanted = self.edits.get(unit.service or "", []) if unit.kind == "service_instance" else []
        text, values = template, {}
        if wanted and self.snapshot is not None:
            text, values = parameterise_inputs(self.snapshot, self.units, unit, template, wanted)
        self.parameters[unit.arn] = template_parameters(text)
        return text, values

    def __call__(self, unit: DeploymentUnit, template: str) -> tuple[str, list[Finding]]:
        instances = self.by_service.get(unit.service or "", [])
        ctx = CommandContext(
            service=unit.service,
            instance_stacks={i.name: str(i.stack_name) for i in instances},
            resource_stacks={i.arn: str(i.stack_name) for i in instances},
        )
        where = f"stack {unit.stack_name}"
        result = convert_pipeline_template(template, ctx, where=where)
        findings = [Finding(f.code, f.message, unit.arn, f.path) for f in result.findings]
        findings.extend(self._edited_inputs_findings(result.text, instances, unit))
        return result.text, findings

    def _edited_inputs_findings(
        self, text: str, instances: Sequence[DeploymentUnit], unit: DeploymentUnit
    ) -> list[Finding]:
        edited = edited_inputs(text)
        out: list[Finding] = []
        if not edited:  # nothing to check: no instance template needs reading (20,000 of them, synthetic)
            return out
        for inst in instances:
            params = self.parameters.get(inst.arn)
            if params is None:
                params = template_parameters(inst.deployed_template or "")
            missing = [k for k in edited if _norm(k) not in params]
            if missing:
                out.append(
                    Finding(
                        "W-PIPE-INPUT-NOT-PARAMETER",
                        f"the pipeline of service {unit.service} sets spec input(s) {', '.join(missing)} on "
                        f"every deploy, but stack {inst.stack_name} does not take them as parameters (exodus "
                        "found no place in its template holding today's value): its deploy step fails until "
                        "the template exposes them",
                        inst.arn,
                    )
                )
        return out


def pipeline_converter(
    units: Sequence[DeploymentUnit], snapshot: Snapshot | None = None
) -> PipelineConverter:
    """The converter both pipeline exporters pass to `build_estate` (`convert_pipeline` and
    `parameterise`)."""
    return PipelineConverter(units, snapshot)


def converted_estate(ctx: ExportContext) -> tuple[list[DeploymentUnit], Estate]:
    """What both pipeline exporters start from: the units, and the estate with service pipelines
    converted and pipeline-set inputs parameterised."""
    units = load_units(ctx)
    converter = pipeline_converter(units, ctx.snapshot)
    return units, build_estate(ctx, convert_pipeline=converter, parameterise=converter.parameterise)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def template_parameters(template: str) -> set[str]:
    """Normalised parameter names declared by a template (YAML or JSON). Read by the project's loader
    (libyaml when present): cfn-flip's pure-Python reader made this half of a 20,000-instance export."""
    data: Any = None
    for json_first in (True, False):  # as cfn-flip: JSON, else YAML (a flow mapping is YAML too)
        try:
            data = parse_template(template, json_first=json_first)
            break
        except Exception:  # noqa: BLE001, S112 - an unparsable template simply declares nothing we can see
            continue
    if not isinstance(data, dict):  # an empty template (a stack recorded without one) declares nothing
        return set()
    return {_norm(k) for k in (data.get("Parameters") or {})}
