"""Directly defined components (PROTON.md §1.1, §4.2, §4.6): attach, detach, update, delete."""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.core import matching, operation, project
from proton_exodus.engine.errors import ConflictException, ValidationException
from proton_exodus.engine.instances import InstancesMixin
from proton_exodus.engine.services import CHILD_BUSY
from proton_exodus.proton.bundle import load_component


class ComponentsMixin(InstancesMixin):
    """Component operations."""

    def _component(self, name: str) -> dict[str, Any]:
        return self.must_get("component", name, f"Component {name}")

    def _attach_target(
        self, service: str, instance: str, env_name: str | None, component: str
    ) -> dict[str, Any]:
        """Check that `component` may attach to the instance; returns the instance."""
        inst = self._instance(service, instance)
        if env_name and env_name != inst["environmentName"]:
            raise ValidationException(
                f"Service instance {instance} runs in environment {inst['environmentName']}, not {env_name}"
            )
        version = self._service_version_of(inst)
        if "DIRECTLY_DEFINED" not in ((version or {}).get("supportedComponentSources") or []):
            raise ValidationException(
                f"Service template version {inst['templateName']}:{inst['templateMajorVersion']}"
                f".{inst['templateMinorVersion']} does not support components "
                "(supportedComponentSources lacks DIRECTLY_DEFINED)"
            )
        other = self.attached_component(service, instance)
        if other is not None and other["name"] != component:
            raise ConflictException(f"Service instance {instance} already has component {other['name']}")
        return inst

    def _check_environment(self, env: dict[str, Any], template_file: str, manifest: str, name: str) -> None:
        if not self.component_role(env) and not env.get("provisioningRepository"):
            raise ValidationException(
                f"Environment {env['name']} has no componentRoleArn; components cannot be created in it"
            )
        bundle = load_component(template_file, manifest, name=name)
        if (bundle.provisioning == "terraform") != bool(env.get("provisioningRepository")):
            raise ValidationException(
                f"Component {name}: self-managed environments take only Terraform "
                "components, and AWS-managed ones only CloudFormation"
            )

    @operation("CreateComponent")
    def create_component(self, **p: Any) -> dict[str, Any]:
        ref = self.client_token("CreateComponent", p.get("clientToken"), p)
        if ref is not None:
            return {"component": self._component(p["name"])}
        name = p["name"]
        if self.store.exists("component", name):
            raise ConflictException(f"Component {name} already exists")
        self.check_quota("components", len(self.store.keys("component")))
        service, instance = p.get("serviceName") or None, p.get("serviceInstanceName") or None
        if bool(service) != bool(instance):
            raise ValidationException("serviceName and serviceInstanceName go together")
        if service:
            env_name = self._attach_target(service, instance, p.get("environmentName"), name)[
                "environmentName"
            ]
        elif p.get("environmentName"):
            env_name = p["environmentName"]
            if p.get("serviceSpec"):
                raise ValidationException("serviceSpec is only for components attached to a service instance")
        else:
            raise ValidationException("Give environmentName, or serviceName and serviceInstanceName")
        env = self.must_get("environment", env_name, f"Environment {env_name}")
        self._check_environment(env, p["templateFile"], p["manifest"], name)
        now = self.now()
        comp = {
            "name": name,
            "arn": self.arn(f"component/{name}"),
            "environmentName": env_name,
            "createdAt": now,
            "lastModifiedAt": now,
            "lastDeploymentAttemptedAt": now,
            "lastDeploymentSucceededAt": now,
            "_manifest": p["manifest"],
            "lastClientRequestToken": p.get("clientToken"),
        }
        for member in ("description", "serviceName", "serviceInstanceName", "serviceSpec"):
            if p.get(member):
                comp[member] = p[member]
        self.store.put("component", name, comp)
        self.set_tags(comp["arn"], p.get("tags") or [])
        self.start_deployment("COMPONENT", name, self._component_state(comp, p["templateFile"]))
        self.remember_token("CreateComponent", p.get("clientToken"), p, {})
        return {"component": self.store.get("component", name)}

    def _component_state(self, comp: dict[str, Any], template_file: str) -> dict[str, Any]:
        return {
            "serviceName": comp.get("serviceName") or "",
            "serviceInstanceName": comp.get("serviceInstanceName") or "",
            "serviceSpec": comp.get("serviceSpec"),
            "templateFile": template_file,
        }

    @operation("GetComponent")
    def get_component(self, *, name: str) -> dict[str, Any]:
        return {"component": self._component(name)}

    @operation("UpdateComponent")
    def update_component(self, **p: Any) -> dict[str, Any]:
        ref = self.client_token("UpdateComponent", p.get("clientToken"), p)
        comp = self._component(p["name"])
        if ref is not None:
            return {"component": comp}
        if comp.get("deploymentStatus") in CHILD_BUSY:
            raise ConflictException(f"Component {comp['name']} is {comp['deploymentStatus']}")
        changes = [m for m in ("serviceName", "serviceInstanceName", "serviceSpec", "templateFile") if m in p]
        if p["deploymentType"] == "NONE":
            if changes:
                raise ValidationException(
                    f"deploymentType NONE may change only description, not {', '.join(changes)}"
                )
            comp.update(description=p.get("description", comp.get("description")), lastModifiedAt=self.now())
            self.store.put("component", comp["name"], comp)
            return {"component": comp}
        self._update_attachment(comp, p)
        if "description" in p:
            comp["description"] = p["description"]
        if "serviceSpec" in p:
            comp["serviceSpec"] = p["serviceSpec"] or None
        comp["lastModifiedAt"] = self.now()
        comp["lastClientRequestToken"] = p.get("clientToken")
        self.store.put("component", comp["name"], comp)
        current = (comp.get("_state") or {}).get("templateFile")
        template_file = p.get("templateFile") or current
        if not template_file:
            raise ValidationException("templateFile is required: the component has never been deployed")
        self.start_deployment("COMPONENT", comp["name"], self._component_state(comp, template_file))
        self.remember_token("UpdateComponent", p.get("clientToken"), p, {})
        return {"component": self.store.get("component", comp["name"])}

    def _update_attachment(self, comp: dict[str, Any], p: dict[str, Any]) -> None:
        """Detach with empty names; an attached component cannot move straight to another instance."""
        if "serviceName" not in p and "serviceInstanceName" not in p:
            return
        service, instance = p.get("serviceName") or "", p.get("serviceInstanceName") or ""
        if bool(service) != bool(instance):
            raise ValidationException("serviceName and serviceInstanceName go together")
        attached = (comp.get("serviceName") or "", comp.get("serviceInstanceName") or "")
        if (service, instance) == attached:
            return
        if attached[0] and service:
            raise ConflictException(
                f"Component {comp['name']} is attached to {attached[0]}/{attached[1]}; "
                "detach it first (empty serviceName and serviceInstanceName)"
            )
        if service:
            self._attach_target(service, instance, comp["environmentName"], comp["name"])
            comp.update(serviceName=service, serviceInstanceName=instance)
        else:
            for member in ("serviceName", "serviceInstanceName", "serviceSpec"):
                comp.pop(member, None)

    @operation("DeleteComponent")
    def delete_component(self, *, name: str) -> dict[str, Any]:
        comp = self.store.get("component", name)
        if comp is None:
            return self._deleted_before(self.arn(f"component/{name}"), f"Component {name}")
        if comp.get("serviceName"):
            raise ConflictException(
                f"Component {name} is attached to service instance {comp['serviceName']}/"
                f"{comp['serviceInstanceName']}; detach it before deleting it"
            )
        self.start_deployment("COMPONENT", name, None, delete=True)
        return {"component": self.store.get("component", name)}

    @operation("ListComponents")
    def list_components(
        self,
        *,
        environmentName: str | None = None,
        serviceName: str | None = None,
        serviceInstanceName: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        comps = matching(
            self.store.values("component"),
            environmentName=environmentName,
            serviceName=serviceName,
            serviceInstanceName=serviceInstanceName,
        )
        return {"components": [project(c, "ComponentSummary") for c in comps]}

    @operation("CancelComponentDeployment")
    def cancel_component_deployment(self, *, componentName: str) -> dict[str, Any]:
        return {"component": self.cancel("COMPONENT", componentName)}

    @operation("ListComponentOutputs")
    def list_component_outputs(
        self, *, componentName: str, deploymentId: str | None = None, **_: Any
    ) -> dict[str, Any]:
        return {"outputs": self.deployment_outputs(self._component(componentName), deploymentId)}

    @operation("ListComponentProvisionedResources")
    def list_component_provisioned_resources(self, *, componentName: str, **_: Any) -> dict[str, Any]:
        return {"provisionedResources": self.provisioned_resources(self._component(componentName))}
