"""Which template version, and which inputs, reproduce a deployed stack: per resource kind.

For each candidate version (newest first) the version's schema gives the unknowns (their types,
enums, defaults); the solver finds values whose render aligns with the deployed template; a final
render with Proton's validation must equal the deployed template semantically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from proton_exodus.errors import ExodusError, RenderError
from proton_exodus.proton.analysis import name_uses, structural_names
from proton_exodus.proton.bundle import Bundle
from proton_exodus.proton.recover.solver import (
    ABSENT,
    MISSING,
    RecoveryResult,
    Render,
    Slot,
    final_values,
    solve_slots,
    verify,
)
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    ServiceContext,
    environment_namespaces,
    instance_namespaces,
    pipeline_namespaces,
    render_environment,
    render_pipeline,
    render_service_instance,
)
from proton_exodus.proton.render.jinja_env import namespace, render_jinja

SERVICE_CONTEXT_KEYS = ("service.branch_name", "service.repository_id", "service.repository_connection_arn")
ENV_OUTPUTS = "environment.outputs."


@dataclass(frozen=True)
class Candidate:
    """A template version that may have produced a stack, with its bundle."""

    template_name: str
    major: str
    minor: str
    bundle: Bundle

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"

    def sort_key(self) -> tuple[int, int]:
        return (int(self.major), int(self.minor))


@dataclass(frozen=True)
class Known:
    """Context values recovered from stack names, tags and other stacks' outputs."""

    environment: str | None = None
    account_id: str | None = None
    environment_outputs: Mapping[str, Any] | None = field(default_factory=dict)  # None: not known (no stack)
    service: str | None = None
    instance: str | None = None
    component_outputs: Mapping[str, Any] | None = None
    component_name: str | None = None
    spec_inputs: Mapping[str, Any] | None = None  # from a spec file: preferred, checked
    service_context: Mapping[str, Any] = field(default_factory=dict)  # e.g. repository_id, when known


def _slots_for(bundle: Bundle, kind: str, spec_inputs: Mapping[str, Any] | None) -> list[Slot]:
    schema = bundle.schema
    if schema is None:
        return []
    required = set(schema.types.get(schema.input_types().get(kind, ""), {}).get("required") or [])
    slots = []
    for name, prop in sorted(schema.properties(kind).items()):
        prop = prop if isinstance(prop, Mapping) else {}
        type_ = prop.get("type", "string")
        domain: tuple[Any, ...] = ()
        if "enum" in prop:
            domain = tuple(prop["enum"])
        elif type_ == "boolean":
            domain = (True, False)
        if domain and name not in required and "default" not in prop:
            domain += (ABSENT,)
        known = (spec_inputs or {}).get(name, MISSING)
        slots.append(
            Slot(f"inputs.{name}", type_, domain, prop.get("default", MISSING), known, name in required)
        )
    return slots


def _inputs(values: Mapping[str, Any], prefix: str = "inputs.") -> dict[str, Any]:
    return {
        k[len(prefix) :]: v
        for k, v in values.items()
        if k.startswith(prefix) and v is not ABSENT and v is not MISSING
    }


def _cfn_text(bundle: Bundle, folder: str) -> tuple[str, str]:
    if folder not in bundle.manifests or bundle.manifests[folder].language != "cloudformation":
        raise RenderError(f"{folder}: not a CloudFormation folder")
    ((name, text),) = bundle.template_text(folder).items()
    return f"{folder}/{name}", text


def _raw(bundle: Bundle, folder: str, ctx: Mapping[str, Any]) -> str:
    source, text = _cfn_text(bundle, folder)
    return render_jinja(text, {k: namespace(k, v) for k, v in ctx.items()}, source=source)


def _env_outputs(known: Known, values: Mapping[str, Any]) -> dict[str, Any]:
    """The environment's outputs: known ones, or (no environment stack) the values being solved."""
    if known.environment_outputs is not None:
        return dict(known.environment_outputs)
    return _inputs(values, ENV_OUTPUTS)


def _env_output_slots(bundle: Bundle, folder: str, known: Known) -> list[Slot]:
    """Unknown environment outputs the template reads, when the environment left no stack behind
    (customer-managed, Terraform, another account): they are solved like inputs, from the instance."""
    if known.environment_outputs is not None:
        return []
    try:
        _, text = _cfn_text(bundle, folder)
    except (ExodusError, ValueError):
        return []
    names = sorted(
        {n[len(ENV_OUTPUTS) :].split(".", 1)[0] for n in name_uses(text) if n.startswith(ENV_OUTPUTS)}
    )
    return [Slot(ENV_OUTPUTS + name, "string") for name in names]


def _service_ctx(known: Known, values: Mapping[str, Any]) -> ServiceContext:
    extra = {
        k.split(".", 1)[1]: values.get(k, known.service_context.get(k.split(".", 1)[1]))
        for k in SERVICE_CONTEXT_KEYS
    }
    return ServiceContext(known.service or "", **{k: (None if v is ABSENT else v) for k, v in extra.items()})


def _environment_render(bundle: Bundle, known: Known) -> Render:
    def render(values: Mapping[str, Any], validate: bool) -> str:
        if validate:
            return (
                render_environment(
                    bundle, name=known.environment or "", inputs=_inputs(values), account_id=known.account_id
                ).text
                or ""
            )
        return _raw(
            bundle,
            "infrastructure",
            environment_namespaces(known.environment, _inputs(values), known.account_id),
        )

    return render


def _instance_render(bundle: Bundle, known: Known) -> Render:
    def render(values: Mapping[str, Any], validate: bool) -> str:
        if validate:
            env_ctx = EnvironmentContext(
                known.environment or "", known.account_id, _env_outputs(known, values)
            )
            return (
                render_service_instance(
                    bundle,
                    service=ServiceContext(known.service or ""),
                    instance_name=known.instance or "",
                    inputs=_inputs(values),
                    environment=env_ctx,
                    components=known.component_outputs,
                    component_name=known.component_name,
                ).text
                or ""
            )
        env = EnvironmentContext(known.environment, known.account_id, _env_outputs(known, values))
        return _raw(
            bundle,
            "instance_infrastructure",
            instance_namespaces(
                ServiceContext(known.service),
                known.instance,
                _inputs(values),
                env,
                known.component_outputs,
                known.component_name or None,
            ),
        )

    return render


def _determined(result: RecoveryResult) -> bool:
    """Exact, or partial only for inputs no template shows: such a version reproduces the stack as
    well as an exact one, so it is weighed like one (the verdict stays partial)."""
    return result.status == "exact" or (
        result.status == "partial"
        and bool(result.assumed)
        and set(result.unknown_inputs) <= set(result.assumed)
    )


def _pick(results: list[tuple[Candidate, RecoveryResult]]) -> RecoveryResult:
    exact = [(c, r) for c, r in results if _determined(r)]
    pool = exact or [(c, r) for c, r in results if r.status == "partial"]
    if not pool:
        reasons = "; ".join(f"{c.version}: {r.reason}" for c, r in results) or "no candidate bundle"
        return RecoveryResult("unrecoverable", reason=f"no template version reproduces the stack ({reasons})")
    pool.sort(key=lambda cr: cr[0].sort_key(), reverse=True)
    _, chosen = pool[0]
    versions = tuple(c.version for c, _ in pool)
    if len(pool) > 1:
        reason = "; ".join(
            [f"versions {', '.join(versions)} reproduce the stack equally; took the newest"]
            + ([chosen.reason] if chosen.reason else [])
        )
        return replace(chosen, status="partial", version_candidates=versions, reason=reason)
    return replace(chosen, version_candidates=versions)


def _structural(bundle: Bundle, folder: str, prefixes: Mapping[str, str]) -> set[str]:
    """Slot keys used structurally by the folder's template; prefixes map Jinja paths to slot keys."""
    try:
        _, text = _cfn_text(bundle, folder)
    except (ExodusError, ValueError):
        return set()
    return {key + name for prefix, key in prefixes.items() for name in structural_names(text, prefix)}


def _recover_one(
    candidate: Candidate, deployed: str, slots: list[Slot], render: Render, structural: set[str] | None = None
) -> RecoveryResult:
    conflicts: tuple[str, ...] = ()
    try:
        solution = solve_slots(render, deployed, slots, structural=structural)
        if solution is None and any(s.known is not MISSING for s in slots):
            # The spec file disagrees with the stack: the stack is what is deployed; say so.
            unknown = [Slot(s.key, s.type, s.domain, s.default, MISSING, s.required) for s in slots]
            solution = solve_slots(render, deployed, unknown, structural=structural)
            if solution is not None:
                conflicts = tuple(
                    f"{s.key}: spec file says {s.known!r}, the stack shows {solution.values.get(s.key)!r}"
                    for s in slots
                    if s.known is not MISSING and solution.values.get(s.key, s.known) != s.known
                )
    except ValueError as err:
        return RecoveryResult("unrecoverable", reason=f"deployed template: {err}")
    if solution is None:
        return RecoveryResult(
            "unrecoverable",
            candidate.template_name,
            candidate.major,
            candidate.minor,
            reason="no input values make this version render the deployed template",
        )
    values = final_values(solution)
    ok, why = verify(render, deployed, values)
    inputs = {k: v for k, v in _inputs({**solution.values, **solution.assumed}).items()}
    unknown = {
        k.split(".", 1)[1] if k.startswith(("inputs.", "pipeline.")) else k: v
        for k, v in solution.unknown.items()
    }
    context = {k: v for k, v in solution.values.items() if not k.startswith("inputs.")}
    assumed = {
        k.split(".", 1)[1]: v for k, v in solution.assumed.items() if k.startswith(("inputs.", "pipeline."))
    }
    # An assumed input is a guess, not a recovery: listed with its candidates, and the stack is partial.
    for slot in slots:
        name = slot.key.split(".", 1)[1]
        if slot.key in solution.assumed and name in assumed:
            unknown[name] = _assumed_candidates(slot, assumed[name])
    reasons = []
    if solution.unknown:
        reasons.append("not determined by the deployed template: " + ", ".join(sorted(solution.unknown)))
    if assumed:
        reasons.append(
            "not shown in the deployed template, assumed: "
            + ", ".join(
                f"{k} absent" if v is ABSENT else f"{k}={v!r} (schema default)"
                for k, v in sorted(assumed.items())
            )
        )
    if not ok:
        status, reason = "unrecoverable", why
    elif reasons:
        status, reason = "partial", "; ".join(reasons)
    else:
        status, reason = "exact", ""
    return RecoveryResult(
        status,
        candidate.template_name,
        candidate.major,
        candidate.minor,
        inputs,
        unknown,
        assumed,
        context,
        (candidate.version,),
        conflicts,
        reason,
    )


def _assumed_candidates(slot: Slot, value: Any) -> list[Any]:
    """What an assumed input may be: the value taken (schema default or absent), then the enum's or
    the boolean's other values."""
    return [value, *(v for v in slot.domain if v != value)]


def _recover(candidates: Sequence[Candidate], deployed: str, build: Any) -> RecoveryResult:
    results = []
    for candidate in sorted(candidates, key=Candidate.sort_key, reverse=True):
        try:
            slots, render, structural = build(candidate)
        except ExodusError as err:
            results.append((candidate, RecoveryResult("unrecoverable", reason=str(err))))
            continue
        results.append((candidate, _recover_one(candidate, deployed, slots, render, structural)))
    return _pick(results)


def recover_environment(deployed: str, candidates: Sequence[Candidate], known: Known) -> RecoveryResult:
    """Template version and inputs of an environment stack."""
    return _recover(
        candidates,
        deployed,
        lambda c: (
            _slots_for(c.bundle, "environment", known.spec_inputs),
            _environment_render(c.bundle, known),
            _structural(c.bundle, "infrastructure", {"environment.inputs.": "inputs."}),
        ),
    )


def recover_service_instance(deployed: str, candidates: Sequence[Candidate], known: Known) -> RecoveryResult:
    """Template version and inputs of a service instance stack (environment outputs must be known)."""
    return _recover(
        candidates,
        deployed,
        lambda c: (
            _slots_for(c.bundle, "service", known.spec_inputs)
            + _env_output_slots(c.bundle, "instance_infrastructure", known),
            _instance_render(c.bundle, known),
            _structural(
                c.bundle,
                "instance_infrastructure",
                {"service_instance.inputs.": "inputs.", ENV_OUTPUTS: ENV_OUTPUTS},
            ),
        ),
    )


def recover_pipeline(
    deployed: str, candidates: Sequence[Candidate], known: Known, instances: Sequence[InstanceContext]
) -> RecoveryResult:
    """Pipeline inputs and the service's repository context, given its recovered instances."""

    def build(candidate: Candidate) -> tuple[list[Slot], Render, set[str]]:
        bundle = candidate.bundle
        slots = [
            Slot(k.replace("inputs.", "pipeline."), s.type, s.domain, s.default, s.known, s.required)
            for s in _slots_for(bundle, "pipeline", known.spec_inputs)
            for k in [s.key]
        ]
        slots += [
            Slot(k, "string", (), MISSING, known.service_context.get(k.split(".", 1)[1], MISSING), False)
            for k in SERVICE_CONTEXT_KEYS
        ]

        def render(values: Mapping[str, Any], validate: bool) -> str:
            pipeline_inputs = _inputs(values, "pipeline.")
            service = _service_ctx(known, values)
            if validate:
                return (
                    render_pipeline(
                        bundle, service=service, pipeline_inputs=pipeline_inputs, instances=instances
                    ).text
                    or ""
                )
            namespaces = pipeline_namespaces(service, pipeline_inputs, instances)
            return _raw(bundle, "pipeline_infrastructure", namespaces)

        structural = _structural(
            bundle, "pipeline_infrastructure", {"pipeline.inputs.": "pipeline.", "service.": "service."}
        )
        return slots, render, structural

    result = _recover(candidates, deployed, build)
    pipeline_inputs = {
        k[len("pipeline.") :]: v for k, v in result.context.items() if k.startswith("pipeline.")
    }
    context = {k: v for k, v in result.context.items() if not k.startswith("pipeline.")}
    unknown = {k: v for k, v in result.unknown_inputs.items()}
    return RecoveryResult(
        result.status,
        result.template_name,
        result.major,
        result.minor,
        {**result.inputs, **pipeline_inputs},
        unknown,
        result.assumed,
        context,
        result.version_candidates,
        result.conflicts,
        result.reason,
    )
