"""Deployment units: one per stack (environment, service instance, pipeline, component), the shared
model every exporter, `verify` and the planner work from. Built from a snapshot by `build_units`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import yaml

from proton_exodus.cfn.text import load_yaml
from proton_exodus.model.secrets import sensitive_inputs
from proton_exodus.proton.schema import input_defaults

if TYPE_CHECKING:
    from proton_exodus.model.snapshot import Snapshot


UnitKind = Literal["environment", "service_instance", "service_pipeline", "component"]
Provisioning = Literal["cloudformation", "terraform", "codebuild", "customer-managed"]

KIND_ORDER: dict[str, int] = {"environment": 0, "component": 1, "service_instance": 2, "service_pipeline": 3}


def recorded_engine(record: Mapping[str, Any]) -> str:
    """The provisioning engine a record states: the snapshot's `provisioning: {engine: ...}` or the
    API's own `provisioning: CUSTOMER_MANAGED` string, as `customer-managed`, `terraform`, ...; empty
    when it states none."""
    value = record.get("provisioning")
    engine = value.get("engine") if isinstance(value, Mapping) else value
    return str(engine or "").lower().replace("_", "-")


@dataclass(frozen=True)
class DeploymentUnit:
    """One deployable thing Proton managed, and everything needed to keep deploying it without Proton."""

    kind: UnitKind
    name: str  # environment / instance / component name; "pipeline" for pipelines
    arn: str  # the Proton resource ARN (graph node key)
    account: str
    region: str
    environment: str | None  # environment it runs in (None for pipelines)
    service: str | None  # owning service (instances, pipelines, attached components)
    template_name: str | None
    template_major: str | None
    template_minor: str | None
    provisioning: Provisioning
    inputs: Mapping[str, Any]  # spec inputs with schema defaults applied (secrets as placeholders)
    # Proton has no "sensitive" flag in schemas: inventory's placeholders and secret-looking inputs
    sensitive_inputs: frozenset[str] = frozenset()
    consumes: Mapping[str, str] = field(
        default_factory=dict
    )  # outputs of other units it reads: "env.outputs.X" -> value
    stack_name: str | None = None
    stack_id: str | None = None
    stack_status: str | None = None
    deployed_template: str | None = None  # template body as deployed (GetTemplate)
    parameters: Mapping[str, str] = field(default_factory=dict)  # live stack parameters
    tags: Mapping[str, str] = field(default_factory=dict)  # live stack tags (proton:* included)
    outputs: Mapping[str, str] = field(default_factory=dict)
    capabilities: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()  # ARNs of units that must deploy first
    bundle: str | None = None  # bundle path in the snapshot, when known
    deployment_status: str | None = None
    role_arn: str | None = None  # the stack's service role (RoleARN), when it has one
    template_kind: str | None = None  # "environment" | "service" | None (directly defined component)

    @property
    def label(self) -> str:
        """A short human name: `env`, `service/instance`, `service/pipeline`, `component`."""
        if self.kind == "service_pipeline":
            return f"{self.service}/pipeline"
        if self.kind == "service_instance":
            return f"{self.service}/{self.name}"
        return self.name


# ---------------------------------------------------------------- spec and schema helpers


def _load_yaml(text: str | None) -> Any:
    if not text:
        return None
    try:
        return load_yaml(text)
    except yaml.YAMLError:
        return None


def _with_defaults(values: Any, defaults: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    if isinstance(values, dict):
        merged.update(values)
    return dict(sorted(merged.items()))


def _kv(items: Any, key: str, value: str) -> dict[str, str]:
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in sorted(items.items())}
    return {str(i[key]): str(i.get(value, "")) for i in items or () if key in i}


# ---------------------------------------------------------------- building


class _Builder:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snap = snapshot
        self.stacks_by_arn = {s["resourceArn"]: s for s in snapshot.stacks if s.get("resourceArn")}
        self.stacks_by_name = {
            (s.get("account"), s.get("region"), s.get("StackName")): s for s in snapshot.stacks
        }
        self.versions: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for kind in ("environment_template_versions", "service_template_versions"):
            for v in snapshot.kind(kind):
                key = (
                    kind.split("_")[0],
                    v.get("templateName", ""),
                    str(v.get("majorVersion")),
                    str(v.get("minorVersion")),
                )
                self.versions[key] = v
        self.envs = {e["name"]: e for e in snapshot.kind("environments")}
        self.services = {s["name"]: s for s in snapshot.kind("services")}
        self._spec_cache: dict[str, Any] = {}
        self._defaults_cache: dict[tuple, dict[str, Any]] = {}
        self._template_cache: dict[str, str | None] = {}
        self._manifest_cache: dict[str | None, bytes] = {}
        self.instances_by_service: dict[str, list[dict[str, Any]]] = {}
        for inst in snapshot.kind("service_instances"):
            self.instances_by_service.setdefault(inst.get("serviceName", ""), []).append(inst)

    def spec(self, text: str | None) -> dict[str, Any]:
        if text not in self._spec_cache:
            doc = _load_yaml(text)
            self._spec_cache[text or ""] = doc if isinstance(doc, dict) else {}
        return self._spec_cache[text or ""]

    def version(self, tkind: str, record: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.versions.get(
            (
                tkind,
                record.get("templateName") or "",
                str(record.get("templateMajorVersion")),
                str(record.get("templateMinorVersion")),
            )
        )

    def defaults(self, tkind: str, record: Mapping[str, Any], input_kind: str) -> dict[str, Any]:
        version = self.version(tkind, record)
        key = (
            tkind,
            record.get("templateName"),
            record.get("templateMajorVersion"),
            record.get("templateMinorVersion"),
            input_kind,
        )
        if key not in self._defaults_cache:
            self._defaults_cache[key] = input_defaults(version.get("schema") if version else None, input_kind)
        return self._defaults_cache[key]

    def stack(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        found = self.stacks_by_arn.get(record.get("arn", ""))
        if found is None and record.get("stackName"):
            found = self.stacks_by_name.get(
                (record.get("account"), record.get("region"), record["stackName"])
            )
        return found

    def provisioning(self, tkind: str, record: Mapping[str, Any], stack: Mapping[str, Any] | None) -> str:
        engines = {
            str(p.get("provisioningEngine", "")).upper() for p in record.get("provisionedResources") or ()
        }
        if "TERRAFORM" in engines:
            return "terraform"
        if tkind == "environment" and recorded_engine(record) == "customer-managed":
            # Only an environment is customer-managed: Proton still deployed the service instances in it
            # with CloudFormation (the snapshot gives them their environment's engine).
            return "customer-managed"
        manifests = self.manifests(self.version(tkind, record))
        if b"codebuild" in manifests:
            return "codebuild"
        if b"terraform" in manifests and stack is None:
            return "terraform"
        return "cloudformation"

    def manifests(self, version: Mapping[str, Any] | None) -> bytes:
        bundle = (version or {}).get("bundle")
        if bundle not in self._manifest_cache:
            files = self.snap.bundle_files(bundle) or {}
            self._manifest_cache[bundle] = b"".join(
                v for k, v in sorted(files.items()) if k.endswith("manifest.yaml")
            )
        return self._manifest_cache[bundle]

    def template_body(self, stack: Mapping[str, Any]) -> str | None:
        rel = stack.get("templatePath") or ""
        if rel not in self._template_cache:
            self._template_cache[rel] = self.snap.stack_template(dict(stack))
        return self._template_cache[rel]

    def unit(
        self,
        kind: str,
        record: Mapping[str, Any],
        *,
        name: str,
        tkind: str | None,
        inputs: dict[str, Any],
        environment: str | None,
        service: str | None,
        consumes: dict[str, str],
        depends_on: tuple[str, ...],
    ) -> DeploymentUnit:
        stack = self.stack(record)
        version = self.version(tkind, record) if tkind else None
        account = (stack or {}).get("account") or record.get("account", "")
        region = (stack or {}).get("region") or record.get("region", "")
        return DeploymentUnit(
            kind=kind,
            name=name,
            arn=record.get("arn", ""),
            account=account,
            region=region,
            environment=environment,
            service=service,
            template_name=record.get("templateName"),
            template_major=_str(record.get("templateMajorVersion")),
            template_minor=_str(record.get("templateMinorVersion")),
            provisioning=self.provisioning(tkind, record, stack) if tkind else "cloudformation",  # type: ignore[arg-type]
            inputs=inputs,
            sensitive_inputs=sensitive_inputs(inputs),
            consumes=consumes,
            stack_name=(stack or {}).get("StackName") or record.get("stackName"),
            stack_id=(stack or {}).get("StackId"),
            stack_status=(stack or {}).get("StackStatus"),
            deployed_template=self.template_body(stack) if stack else None,
            parameters=_kv((stack or {}).get("Parameters"), "ParameterKey", "ParameterValue"),
            tags=_kv((stack or {}).get("Tags"), "Key", "Value"),
            outputs=_kv((stack or {}).get("Outputs"), "OutputKey", "OutputValue")
            if stack
            else _kv(record.get("outputs"), "", ""),
            capabilities=tuple(sorted((stack or {}).get("Capabilities") or ())),
            depends_on=tuple(sorted(set(depends_on))),
            bundle=(version or {}).get("bundle"),
            deployment_status=record.get("deploymentStatus"),
            role_arn=(stack or {}).get("RoleARN") or None,
            template_kind=tkind,
        )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _outputs_of(record: Mapping[str, Any] | None, prefix: str) -> dict[str, str]:
    outs = _kv((record or {}).get("outputs"), "key", "valueString")
    return {f"{prefix}.outputs.{k}": v for k, v in outs.items()}


def _environment_units(b: _Builder) -> list[DeploymentUnit]:
    units = []
    for env in b.snap.kind("environments"):
        spec = b.spec(env.get("spec")).get("spec")
        inputs = _with_defaults(spec, b.defaults("environment", env, "environment"))
        units.append(
            b.unit(
                "environment",
                env,
                name=env["name"],
                tkind="environment",
                inputs=inputs,
                environment=env["name"],
                service=None,
                consumes={},
                depends_on=(),
            )
        )
    return units


def _components_by_instance(b: _Builder) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (c.get("serviceName"), c.get("serviceInstanceName")): c
        for c in b.snap.kind("components")
        if c.get("serviceName") and c.get("serviceInstanceName")
    }


def _instance_units(b: _Builder) -> list[DeploymentUnit]:
    comps = _components_by_instance(b)
    units = []
    for inst in b.snap.kind("service_instances"):
        service, env_name = inst.get("serviceName"), inst.get("environmentName")
        spec_doc = b.spec(inst.get("spec") or (b.services.get(service) or {}).get("spec"))
        raw = next(
            (
                i.get("spec")
                for i in spec_doc.get("instances") or ()
                if isinstance(i, dict) and i.get("name") == inst["name"]
            ),
            None,
        )
        inputs = _with_defaults(raw, b.defaults("service", inst, "service"))
        env = b.envs.get(env_name)
        consumes = _outputs_of(env, "environment")
        deps = [env["arn"]] if env else []
        comp = comps.get((service, inst["name"]))
        if comp:
            consumes.update(_outputs_of(comp, "service_instance.components.default"))
            deps.append(comp["arn"])
        units.append(
            b.unit(
                "service_instance",
                inst,
                name=inst["name"],
                tkind="service",
                inputs=inputs,
                environment=env_name,
                service=service,
                consumes=consumes,
                depends_on=tuple(deps),
            )
        )
    return units


def _pipeline_units(b: _Builder) -> list[DeploymentUnit]:
    units = []
    for pipe in b.snap.kind("service_pipelines"):
        service = pipe.get("serviceName")
        spec_doc = b.spec(pipe.get("spec") or (b.services.get(service) or {}).get("spec"))
        inputs = _with_defaults(spec_doc.get("pipeline"), b.defaults("service", pipe, "pipeline"))
        instances = sorted(b.instances_by_service.get(service, []), key=lambda i: i["name"])
        consumes: dict[str, str] = {}
        for inst in instances:
            consumes.update(_outputs_of(inst, f"service_instances.{inst['name']}"))
        units.append(
            b.unit(
                "service_pipeline",
                pipe,
                name="pipeline",
                tkind="service",
                inputs=inputs,
                environment=None,
                service=service,
                consumes=consumes,
                depends_on=tuple(i["arn"] for i in instances),
            )
        )
    return units


def _component_units(b: _Builder) -> list[DeploymentUnit]:
    units = []
    for comp in b.snap.kind("components"):
        env = b.envs.get(comp.get("environmentName"))
        units.append(
            b.unit(
                "component",
                comp,
                name=comp["name"],
                tkind=None,
                inputs={},
                environment=comp.get("environmentName"),
                service=comp.get("serviceName"),
                consumes=_outputs_of(env, "environment"),
                depends_on=(env["arn"],) if env else (),
            )
        )
    return units


def _dependency_order(units: list[DeploymentUnit]) -> list[DeploymentUnit]:
    by_arn = {u.arn: u for u in units}
    depth: dict[str, int] = {}

    def level(arn: str, seen: frozenset[str] = frozenset()) -> int:
        if arn not in depth:
            deps = [d for d in by_arn[arn].depends_on if d in by_arn and d not in seen]
            depth[arn] = 1 + max((level(d, seen | {arn}) for d in deps), default=-1)
        return depth[arn]

    return sorted(
        units,
        key=lambda u: (level(u.arn), KIND_ORDER[u.kind], u.account, u.region, u.service or "", u.name, u.arn),
    )


def build_units(snapshot: Snapshot) -> list[DeploymentUnit]:
    """One unit per environment, service instance, pipeline and component in `snapshot`.

    Inputs come from each record's spec YAML with the template version's schema defaults applied;
    stack facts (template, parameters, tags, outputs, status) from the snapshot's stack records.
    Sorted so that every unit comes after the units it depends on, then by service and name.
    """
    builder = _Builder(snapshot)
    units = (
        _environment_units(builder)
        + _component_units(builder)
        + _instance_units(builder)
        + _pipeline_units(builder)
    )
    return _dependency_order(units)


def select_units(units: list[DeploymentUnit], only: tuple[str, ...] | list[str]) -> list[DeploymentUnit]:
    """The units whose environment or service is named in `only` (all units when `only` is empty)."""
    if not only:
        return list(units)
    wanted = set(only)
    return [u for u in units if u.environment in wanted or u.service in wanted or u.name in wanted]


__all__ = ["DeploymentUnit", "KIND_ORDER", "build_units", "select_units"]
