"""`exodus local render` as a library call: read bundle, spec and outputs files, pick the target, render.

`--outputs` JSON supplies what Proton knew at render time (issue 4):
`{"environment": {...}, "environments": {"<env>": {...}}, "service_instances": {"<instance>": {...}},
"components": {"<instance>": {...}}}`; optional extras: `"service": {"name", "branch_name",
"repository_id", "repository_connection_arn"}` and `"environment_name"` (for environment and detached
component renders).

The service's repository values (`service.repository_id`, `.repository_connection_arn`, `.branch_name`)
are what Proton took from CreateService, not from the spec: they come from the request (CLI options),
else the service's record in a snapshot, else the outputs file. A template that only tests
`is defined` renders without them, as Proton did for services without a pipeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput, BundleError, RenderError
from proton_exodus.output.atomic import write_text_atomic, write_tree_atomic
from proton_exodus.proton.bundle import Bundle, load_bundle
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    Rendered,
    ResourceMetadata,
    ServiceContext,
    render_component,
    render_environment,
    render_pipeline,
    render_service_instance,
)
from proton_exodus.proton.spec import EnvironmentSpec, ServiceSpec, parse_spec

__all__ = ["RenderRequest", "render_request", "write_rendered"]


@dataclass(frozen=True)
class RenderRequest:
    """What to render: the target is the environment unless instance/pipeline/component is set."""

    bundle: Path
    spec: Path
    instance: str | None = None
    pipeline: bool = False
    component: str | None = None
    template_file: Path | None = None
    manifest: Path | None = None
    outputs: Path | None = None
    account_id: str | None = None
    region: str | None = None  # with account_id: build the resource ARN Proton wrote into TF files
    name: str | None = None  # environment or service name; default: the bundle's template name
    repository_id: str | None = None  # the service's repository values (CreateService), see module doc
    repository_connection_arn: str | None = None
    branch_name: str | None = None
    snapshot: Path | None = None  # where `services` came from, for messages
    service: str | None = None  # the service's name in the snapshot (default: the service name)
    services: tuple[Mapping[str, Any], ...] = ()  # the snapshot's service records (the caller reads them)


REPOSITORY_FIELDS = {  # namespace field -> (CLI option, services.json member)
    "repository_connection_arn": ("--repository-connection-arn", "repositoryConnectionArn"),
    "repository_id": ("--repository-id", "repositoryId"),
    "branch_name": ("--branch-name", "branchName"),
}
_UNDEFINED_REPO = re.compile(
    r"^(?P<where>.*?): '(?P<name>service\.(?P<field>repository_connection_arn|"
    r"repository_id|branch_name))' is undefined$"
)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"{path}: cannot read the {what} ({getattr(err, 'strerror', None) or err})") from None


def _load_outputs(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        doc = json.loads(_read(path, "outputs file"))
    except json.JSONDecodeError as err:
        raise BadInput(f"{path} line {err.lineno}: not valid JSON ({err.msg})") from None
    if not isinstance(doc, dict) or any(
        not isinstance(doc.get(k, {}), dict)
        for k in ("environment", "environments", "service_instances", "components")
    ):
        raise BadInput(
            f"{path}: expected {{\"environment\": {{..}}, \"environments\": {{..}}, "
            f"\"service_instances\": {{..}}, \"components\": {{..}}}}"
        )
    return doc


def _template_name(path: Path) -> str:
    path = path.resolve()
    stem = path.name.split(".")[0] if path.is_file() else path.name
    if re.fullmatch(r"v[0-9]+", stem):
        return path.parent.name
    return stem


def _env_context(name: str | None, outputs: Mapping[str, Any], account_id: str | None) -> EnvironmentContext:
    env_name = name or "environment"
    values = outputs.get("environments", {}).get(env_name, outputs.get("environment", {}))
    return EnvironmentContext(env_name, account_id, dict(values))


def _service_record(req: RenderRequest, name: str) -> dict[str, Any]:
    """The service's entry in the snapshot's services.json ({} without --snapshot)."""
    if req.snapshot is None:
        return {}
    wanted = req.service or name
    services = req.services
    for record in services:
        if record.get("name") == wanted:
            return dict(record)
    known = ", ".join(sorted(str(r.get("name")) for r in services)[:10]) or "none"
    raise BadInput(
        f"{req.snapshot}: services.json has no service named {wanted!r} (services: {known})",
        hint="name it with --service NAME",
    )


def _service_context(req: RenderRequest, outputs: Mapping[str, Any], default_name: str) -> ServiceContext:
    svc = outputs.get("service") or {}
    name = svc.get("name", default_name)
    record = _service_record(req, name)
    values = {
        key: getattr(req, key) or record.get(member) or svc.get(key)
        for key, (_option, member) in REPOSITORY_FIELDS.items()
    }
    return ServiceContext(
        name, values["branch_name"], values["repository_id"], values["repository_connection_arn"]
    )


def _explain_undefined(err: RenderError) -> RenderError:
    """`'service.repository_id' is undefined` becomes which option to pass, and why."""
    match = _UNDEFINED_REPO.match(err.message)
    if match is None:
        return err
    option = REPOSITORY_FIELDS[match["field"]][0]
    return RenderError(
        f"{match['where']}: {match['name']} is undefined: pass {option} (Proton took it from CreateService)",
        hint="or --snapshot DIR [--service NAME] to read it from the service's record",
    )


def _metadata(req: RenderRequest, resource: str) -> ResourceMetadata | None:
    if req.account_id and req.region:
        return ResourceMetadata(f"arn:aws:proton:{req.region}:{req.account_id}:{resource}")
    return None


def _need_service_spec(spec: Any, req: RenderRequest, what: str) -> ServiceSpec:
    if not isinstance(spec, ServiceSpec):
        raise BadInput(f"{req.spec}: rendering {what} needs a `proton: ServiceSpec` spec")
    return spec


def _components(bundle: Bundle, outputs: Mapping[str, Any], instance: str) -> dict[str, Any] | None:
    given = outputs.get("components", {})
    if instance in given:
        return dict(given[instance])
    return {} if "DIRECTLY_DEFINED" in bundle.supported_component_sources else None


def render_request(req: RenderRequest) -> Rendered:
    """Render the requested target; BadInput/BundleError/SchemaError/RenderError say what is wrong.

    `Rendered.warnings` carries what was accepted leniently (bundle links not followed, limits).
    """
    try:
        return _render_request(req)
    except RenderError as err:
        raise _explain_undefined(err) from None


def _render_request(req: RenderRequest) -> Rendered:
    outputs = _load_outputs(req.outputs)
    if req.component:
        return _render_component(req, outputs)
    bundle = load_bundle(req.bundle, name=None)
    return replace(_render_bundle(req, bundle, outputs), warnings=bundle.warnings)


def _render_bundle(req: RenderRequest, bundle: Bundle, outputs: Mapping[str, Any]) -> Rendered:
    spec = parse_spec(_read(req.spec, "spec"), source=str(req.spec))
    name = req.name or outputs.get("service", {}).get("name") or _template_name(req.bundle)
    if req.pipeline:
        svc_spec = _need_service_spec(spec, req, "the pipeline")
        service = _service_context(req, outputs, name)
        instances = [
            InstanceContext(
                i.name,
                i.spec,
                dict(outputs.get("service_instances", {}).get(i.name, {})),
                _env_context(i.environment, outputs, req.account_id),
            )
            for i in svc_spec.instances
        ]
        return render_pipeline(
            bundle,
            service=service,
            pipeline_inputs=svc_spec.pipeline,
            instances=instances,
            metadata=_metadata(req, f"service/{service.name}/pipeline"),
        )
    if req.instance:
        svc_spec = _need_service_spec(spec, req, "a service instance")
        inst = svc_spec.instance(req.instance)
        service = _service_context(req, outputs, name)
        return render_service_instance(
            bundle,
            service=service,
            instance_name=inst.name,
            inputs=inst.spec,
            environment=_env_context(inst.environment, outputs, req.account_id),
            components=_components(bundle, outputs, inst.name),
            path=f"instances[{svc_spec.instance_index(inst.name)}].spec",
            metadata=_metadata(req, f"service/{service.name}/service-instance/{inst.name}"),
        )
    if not isinstance(spec, EnvironmentSpec):
        raise BadInput(
            f"{req.spec}: a ServiceSpec needs --instance NAME or --pipeline",
            hint="without a target option, `exodus local render` renders an environment",
        )
    env_name = outputs.get("environment_name") or req.name or _template_name(req.bundle)
    return render_environment(
        bundle,
        name=env_name,
        inputs=spec.spec,
        account_id=req.account_id,
        metadata=_metadata(req, f"environment/{env_name}"),
    )


def _render_component(req: RenderRequest, outputs: Mapping[str, Any]) -> Rendered:
    if req.template_file is None or req.manifest is None:
        raise BadInput("--component needs --template-file FILE and --manifest FILE")
    template, manifest = _read(req.template_file, "template file"), _read(req.manifest, "manifest")
    meta = _metadata(req, f"component/{req.component}")
    if req.instance is None:
        env = _env_context(outputs.get("environment_name") or "environment", outputs, req.account_id)
        return render_component(template, manifest, name=str(req.component), environment=env, metadata=meta)
    bundle = load_bundle(req.bundle)
    spec = _need_service_spec(parse_spec(_read(req.spec, "spec"), source=str(req.spec)), req, "a component")
    inst = spec.instance(req.instance)
    if bundle.schema is None or bundle.template_type != "service":
        raise BundleError("--component with --instance needs the service template bundle as --bundle")
    inputs = bundle.schema.apply_defaults_and_validate(
        "service", inst.spec, path=f"instances[{spec.instance_index(inst.name)}].spec"
    )
    name = req.name or outputs.get("service", {}).get("name") or _template_name(req.bundle)
    rendered = render_component(
        template,
        manifest,
        name=str(req.component),
        environment=_env_context(inst.environment, outputs, req.account_id),
        service=_service_context(req, outputs, name),
        instance=inst.name,
        instance_inputs=inputs,
        metadata=meta,
    )
    return replace(rendered, warnings=bundle.warnings)


def write_rendered(rendered: Rendered, out: Path | None) -> str | None:
    """Write the render to `out` atomically (a file for CloudFormation, a directory otherwise).

    Returns the text to print on stdout (CloudFormation without --out), else None.
    """
    if rendered.language == "cloudformation":
        if out is None:
            return rendered.text
        write_text_atomic(out, rendered.text or "")
        return None
    if out is None:
        raise BadInput(
            f"a {rendered.language} render is a working directory, not one template: pass --out DIR"
        )
    write_tree_atomic(out, dict(rendered.files))
    return None
