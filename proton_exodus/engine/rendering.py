"""From stored state to render calls: version registration, spec inputs, and each target's render context.

Rendering itself is `proton_exodus.proton.render` (bundle, schema, Jinja, Terraform/CodeBuild files).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from proton_exodus.engine.provision import ProvisionMixin
from proton_exodus.engine.templates import KINDS, TemplatesMixin
from proton_exodus.errors import BadInput, ExodusError
from proton_exodus.proton.bundle import Bundle, load_bundle
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    ResourceMetadata,
    ServiceContext,
    render_component,
    render_environment,
    render_pipeline,
    render_service_instance,
)
from proton_exodus.proton.schema import check_minor_compatible
from proton_exodus.proton.spec import EnvironmentSpec, ServiceSpec, parse_spec, resolve_current_values


class RenderingMixin(ProvisionMixin, TemplatesMixin):
    """Registration of template versions and render contexts for deployments."""

    # -- registration (PROTON.md §4.1) ----------------------------------------------------------------
    def register_version(self, kind: str, key: str) -> None:
        vkind = KINDS[kind][1]
        doc = self.store.get(vkind, key)
        if doc is None or doc["status"] != "REGISTRATION_IN_PROGRESS":
            return
        try:
            bundle = load_bundle(
                base64.b64decode(self.store.get("bundle", f"{kind}:{key}")["b64"]),
                name=doc["templateName"],
                strict=True,
            )  # a new version: Proton's limits
            self._check_registration(kind, doc, bundle)
        except ExodusError as err:
            doc.update(status="REGISTRATION_FAILED", statusMessage=err.message[:5000])
        else:
            doc["status"] = "DRAFT"
            # The API returns the schema file's text (TemplateSchema.source is only its file name).
            raw = bundle.files.get("schema/schema.yaml")
            doc["schema"] = raw.decode("utf-8") if raw is not None else None
            doc["_provisioning"] = bundle.provisioning
            doc["_hasPipeline"] = bundle.has_pipeline
        doc["lastModifiedAt"] = self.now()
        self.store.put(vkind, key, doc)

    def fail_registration(self, kind: str, key: str, message: str) -> None:
        vkind = KINDS[kind][1]
        doc = self.store.get(vkind, key)
        if doc is not None and doc["status"] == "REGISTRATION_IN_PROGRESS":
            doc.update(status="REGISTRATION_FAILED", statusMessage=message[:5000], lastModifiedAt=self.now())
            self.store.put(vkind, key, doc)

    def _check_registration(self, kind: str, doc: dict[str, Any], bundle: Any) -> None:
        if bundle.template_type != kind:
            raise BadInput(
                f"The bundle is a {bundle.template_type} template bundle, not a {kind} template bundle"
            )
        template = self.store.get(KINDS[kind][0], doc["templateName"])
        if kind == "environment":
            customer = template.get("provisioning") == "CUSTOMER_MANAGED"
            if customer != (bundle.provisioning == "customer-managed"):
                raise BadInput(
                    "A CUSTOMER_MANAGED environment template needs a schema-only bundle, and only it"
                    if customer
                    else "A schema-only bundle needs provisioning CUSTOMER_MANAGED"
                )
        else:
            no_pipeline = template.get("pipelineProvisioning") == "CUSTOMER_MANAGED"
            if bundle.has_pipeline == no_pipeline:
                raise BadInput(
                    "pipeline_infrastructure/ must be left out when pipelineProvisioning is CUSTOMER_MANAGED"
                    if no_pipeline
                    else "The template has a pipeline but the bundle has no pipeline_infrastructure/"
                )
        previous = [
            v
            for v in self._versions(kind, doc["templateName"], doc["majorVersion"])
            if v["status"] in ("DRAFT", "PUBLISHED") and v["minorVersion"] != doc["minorVersion"]
        ]
        if previous and bundle.schema is not None:
            last = max(previous, key=lambda v: int(v["minorVersion"]))
            old = self.bundle_for(kind, last["templateName"], last["majorVersion"], last["minorVersion"])
            problems = check_minor_compatible(old.schema, bundle.schema) if old.schema is not None else []
            if problems:
                raise BadInput(
                    f"Schema is not backward compatible with {last['majorVersion']}."
                    f"{last['minorVersion']}: " + "; ".join(problems)
                )

    # -- specs (PROTON.md §4.4) -------------------------------------------------------------------------
    def parse_environment_spec(self, text: str) -> dict[str, Any]:
        spec = parse_spec(text, source="spec")
        if not isinstance(spec, EnvironmentSpec):
            raise BadInput("spec: an environment spec must start with `proton: EnvironmentSpec`")
        return dict(spec.spec)

    def parse_service_spec(self, text: str) -> ServiceSpec:
        spec = parse_spec(text, source="spec")
        if not isinstance(spec, ServiceSpec):
            raise BadInput("spec: a service spec must start with `proton: ServiceSpec`")
        return spec

    def instance_inputs(self, text: str, name: str, current: dict[str, Any] | None) -> dict[str, Any]:
        """The named instance's inputs from a full ServiceSpec (`${Proton::CURRENT_VAL}` resolved)."""
        spec = self.parse_service_spec(text)
        if spec.instances:
            raw = dict(spec.instance(name).spec)
        else:
            raise BadInput(f"spec: no `instances` entry named {name}")
        return resolve_current_values(raw, current, path=f"spec.instances[{name}].spec")

    def check_inputs(
        self,
        kind: str,
        major: str,
        minor: str,
        template: str,
        schema_kind: str,
        inputs: dict[str, Any] | None,
        path: str,
    ) -> dict[str, Any]:
        """Validate raw inputs against a version's schema (SchemaError -> ValidationException)."""
        bundle = self.bundle_for(kind, template, major, minor)
        if bundle.schema is None:
            return dict(inputs or {})
        return bundle.schema.apply_defaults_and_validate(schema_kind, inputs or {}, path=path)

    # -- render contexts ---------------------------------------------------------------------------------
    def render_target(self, dep: dict[str, Any]) -> dict[str, Any]:
        target = dep["targetResourceType"]
        handler = {
            "ENVIRONMENT": self._render_environment,
            "SERVICE_INSTANCE": self._render_instance,
            "SERVICE_PIPELINE": self._render_pipeline,
            "COMPONENT": self._render_component,
        }[target]
        return handler(dep, self.resource_doc(dep))

    def environment_context(self, env: dict[str, Any]) -> EnvironmentContext:
        outputs = {o["key"]: o["valueString"] for o in env.get("_outputs") or []}
        return EnvironmentContext(name=env["name"], account_id=env["environmentAccountId"], outputs=outputs)

    def service_context(self, svc: dict[str, Any]) -> ServiceContext:
        return ServiceContext(
            svc["name"], svc.get("branchName"), svc.get("repositoryId"), svc.get("repositoryConnectionArn")
        )

    def _metadata(
        self,
        dep: dict[str, Any],
        template_arn: str,
        state: dict[str, Any],
        environment_arn: str | None = None,
    ) -> ResourceMetadata:
        return ResourceMetadata(
            dep["targetArn"],
            template_arn,
            state.get("templateMajorVersion"),
            state.get("templateMinorVersion"),
            dep["id"],
            environment_arn,
            dep["_delete"],
        )

    def _base(self, env: dict[str, Any], provisioning: str) -> dict[str, Any]:
        role = self.environment_role(env)
        ctx: dict[str, Any] = {
            "provisioning": provisioning,
            "account": env["environmentAccountId"],
            "role": role,
            "stack_role": role or env.get("protonServiceRoleArn"),
            "environment_arn": env["arn"],
        }
        ctx["tags"] = [
            {"Key": "proton:account", "Value": self.account_id},
            {"Key": "proton:environment", "Value": env["arn"]},
        ]
        return ctx

    def _template_of(self, kind: str, state: dict[str, Any]) -> tuple[Bundle, str]:
        """The bundle of the template version a deployment targets, and the template's ARN."""
        bundle = self.bundle_for(
            kind, state["templateName"], state["templateMajorVersion"], state["templateMinorVersion"]
        )
        return bundle, self.arn(f"{kind}-template/{state['templateName']}")

    def _versioned_base(
        self, env: dict[str, Any], bundle: Bundle, template_arn: str, state: dict[str, Any], folder: Path
    ) -> dict[str, Any]:
        """`_base` plus the template version deployed, with its `proton:template` tag second."""
        ctx = self._base(env, bundle.provisioning)
        ctx.update(
            template_arn=template_arn,
            major=state["templateMajorVersion"],
            minor=state["templateMinorVersion"],
            folder=folder,
        )
        ctx["tags"].insert(1, {"Key": "proton:template", "Value": template_arn})
        return ctx

    def _render_environment(self, dep: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
        state = dep["targetState"]["environment"]
        bundle, template_arn = self._template_of("environment", state)
        ctx = self._versioned_base(env, bundle, template_arn, state, self.environment_folder(env))
        if bundle.provisioning == "customer-managed":  # the spec gives the outputs (PROTON.md §3.5)
            ctx["outputs"] = [{"key": k, "valueString": str(v)} for k, v in sorted(dep["_inputs"].items())]
        elif not (dep["_delete"] and bundle.provisioning == "cloudformation"):
            ctx["rendered"] = render_environment(
                bundle,
                name=env["name"],
                inputs=dep["_inputs"],
                account_id=env["environmentAccountId"],
                metadata=self._metadata(dep, template_arn, state),
            )
        return ctx

    def _render_instance(self, dep: dict[str, Any], inst: dict[str, Any]) -> dict[str, Any]:
        state = dep["targetState"]["serviceInstance"]
        env = self.store.get("environment", inst["environmentName"])
        svc = self.store.get("service", inst["serviceName"])
        bundle, template_arn = self._template_of("service", state)
        folder = self.environment_folder(env) / f"{inst['serviceName']}-{inst['name']}"
        ctx = self._versioned_base(env, bundle, template_arn, state, folder)
        ctx["tags"] += [
            {"Key": "proton:service", "Value": svc["arn"]},
            {"Key": "proton:service-instance", "Value": inst["arn"]},
        ]
        if not (dep["_delete"] and bundle.provisioning == "cloudformation"):
            comp = self.attached_component(inst["serviceName"], inst["name"])
            version = self._service_version_of(state)
            supports = "DIRECTLY_DEFINED" in ((version or {}).get("supportedComponentSources") or [])
            outputs = {o["key"]: o["valueString"] for o in (comp or {}).get("_outputs") or []}
            ctx["rendered"] = render_service_instance(
                bundle,
                service=self.service_context(svc),
                instance_name=inst["name"],
                inputs=dep["_inputs"],
                environment=self.environment_context(env),
                components=outputs if supports else None,
                component_name=comp["name"] if comp else None,
                metadata=self._metadata(dep, template_arn, state, env["arn"]),
            )
        return ctx

    def _render_pipeline(self, dep: dict[str, Any], pipe: dict[str, Any]) -> dict[str, Any]:
        state = dep["targetState"]["servicePipeline"]
        svc = self.store.get("service", pipe["_service"])
        bundle, template_arn = self._template_of("service", state)
        settings = self.store.get("settings", "account") or {}
        ctx: dict[str, Any] = {
            "provisioning": bundle.provisioning,
            "account": self.account_id,
            "role": None,
            "stack_role": settings.get("pipelineServiceRoleArn"),
            "template_arn": template_arn,
            "major": state["templateMajorVersion"],
            "minor": state["templateMinorVersion"],
            "folder": self.pipeline_folder(svc),
        }
        ctx["tags"] = [
            {"Key": "proton:account", "Value": self.account_id},
            {"Key": "proton:template", "Value": template_arn},
            {"Key": "proton:service", "Value": svc["arn"]},
        ]
        if not (dep["_delete"] and bundle.provisioning == "cloudformation"):
            instances = []
            for inst in self.service_instances(svc["name"]):
                if inst.get("deploymentStatus") in ("DELETE_IN_PROGRESS", "DELETE_COMPLETE"):
                    continue
                env = self.store.get("environment", inst["environmentName"])
                instances.append(
                    InstanceContext(
                        inst["name"],
                        inst.get("_inputs") or {},
                        {o["key"]: o["valueString"] for o in inst.get("_outputs") or []},
                        self.environment_context(env),
                    )
                )
            ctx["rendered"] = render_pipeline(
                bundle,
                service=self.service_context(svc),
                pipeline_inputs=dep["_inputs"],
                instances=instances,
                metadata=self._metadata(dep, template_arn, state),
            )
        return ctx

    def _render_component(self, dep: dict[str, Any], comp: dict[str, Any]) -> dict[str, Any]:
        state = dep["targetState"]["component"]
        env = self.store.get("environment", comp["environmentName"])
        manifest = comp["_manifest"] if not state.get("_manifest") else state["_manifest"]
        provisioning = "terraform" if "terraform" in manifest else "cloudformation"
        ctx = self._base(env, provisioning)
        ctx["role"] = ctx["stack_role"] = self.component_role(env)
        ctx["tags"].append({"Key": "proton:component", "Value": comp["arn"]})
        ctx["folder"] = self.environment_folder(env) / comp["name"]
        service, instance, inputs = None, None, None
        if state.get("serviceName"):
            svc = self.store.get("service", state["serviceName"])
            inst = self.store.get("instance", f"{state['serviceName']}/{state['serviceInstanceName']}")
            service, instance = self.service_context(svc), state["serviceInstanceName"]
            inputs = self.check_inputs(
                "service",
                inst["templateMajorVersion"],
                inst["templateMinorVersion"],
                inst["templateName"],
                "service",
                inst.get("_inputs"),
                "spec",
            )
            ctx["tags"] += [
                {"Key": "proton:service", "Value": svc["arn"]},
                {"Key": "proton:service-instance", "Value": inst["arn"]},
            ]
        if not (dep["_delete"] and provisioning == "cloudformation"):
            ctx["rendered"] = render_component(
                state["templateFile"],
                manifest,
                name=comp["name"],
                environment=self.environment_context(env),
                service=service,
                instance=instance,
                instance_inputs=inputs,
                metadata=ResourceMetadata(
                    comp["arn"], None, None, None, dep["id"], env["arn"], dep["_delete"]
                ),
            )
            ctx["provisioning"] = ctx["rendered"].language
        return ctx
