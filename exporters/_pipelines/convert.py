"""Glue between the estate and the service-pipeline rewrite: the per-unit converter both exporters
pass to `build_estate`, and the checks that a build's spec edits can reach the instance stacks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from exporters import Finding
from exporters._pipelines.retired_api import CommandContext
from exporters._pipelines.service_pipeline import convert_pipeline_template
from proton_exodus.model.units import DeploymentUnit

_SPEC_EDIT = re.compile(r"instances\[\*\]\.spec\.([A-Za-z0-9_]+)")


def pipeline_converter(units: Sequence[DeploymentUnit]) -> Callable[[DeploymentUnit, str], tuple[str, list[Finding]]]:
    """A `convert_pipeline` callback for `build_estate`: rewrites a pipeline's retired Proton calls, and
    warns when the build edits a spec input the instance stacks do not take as a parameter."""
    by_service: dict[str, list[DeploymentUnit]] = {}
    for unit in units:
        if unit.kind == "service_instance" and unit.service and unit.stack_name:
            by_service.setdefault(unit.service, []).append(unit)

    def convert(unit: DeploymentUnit, template: str) -> tuple[str, list[Finding]]:
        instances = by_service.get(unit.service or "", [])
        ctx = CommandContext(service=unit.service, instance_stacks={i.name: str(i.stack_name) for i in instances},
                             resource_stacks={i.arn: str(i.stack_name) for i in instances})
        where = f"stack {unit.stack_name}"
        result = convert_pipeline_template(template, ctx, where=where)
        findings = [Finding(f.code, f.message, unit.arn, f.path) for f in result.findings]
        findings.extend(_edited_inputs_findings(result.text, instances, unit))
        return result.text, findings

    return convert


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def template_parameters(template: str) -> set[str]:
    """Normalised parameter names declared by a template (YAML or JSON)."""
    from cfn_flip import load as load_cfn

    try:
        data, _ = load_cfn(template)
    except Exception:  # noqa: BLE001 - an unparsable template simply declares nothing we can see
        return set()
    return {_norm(k) for k in (data.get("Parameters") or {})}


def _edited_inputs_findings(text: str, instances: Sequence[DeploymentUnit], unit: DeploymentUnit) -> list[Finding]:
    edited = sorted(set(_SPEC_EDIT.findall(text)))
    out = []
    for inst in instances:
        params = template_parameters(inst.deployed_template or "")
        missing = [k for k in edited if _norm(k) not in params]
        if missing:
            out.append(Finding(
                "W-PIPE-INPUT-NOT-PARAMETER",
                f"the pipeline of service {unit.service} sets spec input(s) {', '.join(missing)} on every deploy, "
                f"but stack {inst.stack_name} does not take them as parameters: its deploy step fails until the "
                "template exposes them (template-preserving export) or the pipeline edits the template in Git",
                inst.arn))
    return out
