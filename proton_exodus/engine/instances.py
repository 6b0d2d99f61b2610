"""Service instances (PROTON.md §4.2, §4.5): create, update by deployment type, list with filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from proton_exodus.engine.core import operation, project, target_state
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException
from proton_exodus.engine.services import CHILD_BUSY, ServicesMixin, created_fields


class InstancesMixin(ServicesMixin):
    """Service instance operations."""

    def plan_instance(
        self, name: str, env_name: str | None, inputs: dict[str, Any], version: dict[str, Any], path: str
    ) -> dict[str, Any]:
        """Check one instance against its environment and the version; the values add_instance needs."""
        if not env_name:
            raise ValidationException(f"{path}.environment is required")
        env = self.store.get("environment", env_name)
        if env is None:
            raise ResourceNotFoundException(f"Environment {env_name} not found ({path}.environment)")
        self.check_compatible(version, env, name)
        self.check_inputs(
            "service",
            version["majorVersion"],
            version["minorVersion"],
            version["templateName"],
            "service",
            inputs,
            f"{path}.spec",
        )
        return {"name": name, "environment": env_name, "inputs": inputs, "version": version}

    def check_compatible(self, version: dict[str, Any], env: dict[str, Any], instance: str) -> None:
        """The service version must list the environment's template major; provisioning must match."""
        compatible = {
            (c["templateName"], c["majorVersion"]) for c in version.get("compatibleEnvironmentTemplates", [])
        }
        if (env["templateName"], env["templateMajorVersion"]) not in compatible:
            raise ValidationException(
                f"Service template {version['templateName']}:{version['majorVersion']}."
                f"{version['minorVersion']} is not compatible with environment {env['name']} "
                f"({env['templateName']}:{env['templateMajorVersion']}) of instance {instance}"
            )
        self_managed = bool(env.get("provisioningRepository"))
        if self_managed != (version.get("_provisioning") == "terraform"):
            raise ValidationException(
                f"Instance {instance}: self-managed environments host only Terraform "
                "templates, and Terraform templates need a self-managed environment"
            )

    def add_instance(
        self, svc: dict[str, Any], plan: dict[str, Any], spec: str, tags: list[dict[str, str]]
    ) -> dict[str, Any]:
        version, now = plan["version"], self.now()
        key = f"{svc['name']}/{plan['name']}"
        if self.store.exists("instance", key):
            raise ConflictException(
                f"Service instance {plan['name']} of service {svc['name']} already exists"
            )
        inst = {
            "name": plan["name"],
            "serviceName": svc["name"],
            "environmentName": plan["environment"],
            "arn": self.arn(f"service/{svc['name']}/service-instance/{plan['name']}"),
            **created_fields(version, spec, now),
            "_inputs": plan["inputs"],
            "_provisioning": version.get("_provisioning"),
        }
        self.store.put("instance", key, inst)
        self.set_tags(inst["arn"], tags)
        state = target_state(
            inst["templateName"], inst["templateMajorVersion"], inst["templateMinorVersion"], spec
        )
        return self.start_deployment("SERVICE_INSTANCE", key, state, inputs=plan["inputs"])

    def _instance(self, service: str, name: str) -> dict[str, Any]:
        self._service(service)
        return self.must_get("instance", f"{service}/{name}", f"Service instance {name} of service {service}")

    @operation("CreateServiceInstance")
    def create_service_instance(self, **p: Any) -> dict[str, Any]:
        ref = self.client_token("CreateServiceInstance", p.get("clientToken"), p)
        if ref is not None:
            return {"serviceInstance": self._instance(p["serviceName"], p["name"])}
        svc = self._service(p["serviceName"])
        self._require_idle(svc)
        self.check_quota_instances(len(self.service_instances(svc["name"])))
        parsed = self.parse_service_spec(p["spec"])
        entry = parsed.instance(p["name"])
        major = p.get("templateMajorVersion")
        if major is None:
            recommended = self._get_template("service", svc["templateName"]).get("recommendedVersion")
            if not recommended:
                raise ValidationException(
                    f"Service template {svc['templateName']} has no recommended version"
                )
            major = recommended.split(".")[0]
        version = self.resolve_version("service", svc["templateName"], major, p.get("templateMinorVersion"))
        plan = self.plan_instance(p["name"], entry.environment, dict(entry.spec), version, "spec")
        dep = self.add_instance(svc, plan, p["spec"], self.inherited_tags(svc["arn"], p.get("tags")))
        deps = [dep["id"]]
        if self.store.exists("pipeline", svc["name"]):
            deps.append(self.redeploy_pipeline(svc["name"])["id"])
        self._begin_service_op(svc["name"], "UPDATE", deps)
        self.add_sync_blocker(svc["name"], p["name"], "Service instance was created outside of service sync")
        self.remember_token("CreateServiceInstance", p.get("clientToken"), p, {})
        inst = self.store.get("instance", f"{svc['name']}/{p['name']}")
        return {"serviceInstance": inst}

    @operation("GetServiceInstance")
    def get_service_instance(self, *, name: str, serviceName: str) -> dict[str, Any]:
        return {"serviceInstance": self._instance(serviceName, name)}

    @operation("UpdateServiceInstance")
    def update_service_instance(self, **p: Any) -> dict[str, Any]:
        ref = self.client_token("UpdateServiceInstance", p.get("clientToken"), p)
        inst = self._instance(p["serviceName"], p["name"])
        if ref is not None:
            return {"serviceInstance": inst}
        if inst.get("deploymentStatus") in CHILD_BUSY:
            raise ConflictException(f"Service instance {p['name']} is {inst['deploymentStatus']}")
        comp = self.attached_component(p["serviceName"], p["name"])
        if comp is not None and comp.get("deploymentStatus") in CHILD_BUSY:
            raise ConflictException(
                f"Component {comp['name']} attached to {p['name']} is {comp['deploymentStatus']}"
            )
        svc = self._service(p["serviceName"])
        if svc["status"] in ("DELETE_IN_PROGRESS", "CREATE_IN_PROGRESS"):
            raise ConflictException(f"Service {svc['name']} is {svc['status']}")
        kind = p["deploymentType"]
        version = self.target_version(
            "service", inst, kind, p.get("templateMajorVersion"), p.get("templateMinorVersion")
        )
        if kind == "NONE":
            return {"serviceInstance": inst}
        self.check_compatible(version, self.store.get("environment", inst["environmentName"]), inst["name"])
        spec = p.get("spec") or inst["spec"]
        inputs = self.instance_inputs(spec, inst["name"], inst.get("_inputs"))
        self.check_inputs(
            "service",
            version["majorVersion"],
            version["minorVersion"],
            inst["templateName"],
            "service",
            inputs,
            "spec",
        )
        inst["lastClientRequestToken"] = p.get("clientToken")
        self.store.put("instance", f"{inst['serviceName']}/{inst['name']}", inst)
        state = target_state(inst["templateName"], version["majorVersion"], version["minorVersion"], spec)
        self.start_deployment(
            "SERVICE_INSTANCE", f"{inst['serviceName']}/{inst['name']}", state, inputs=inputs
        )
        self.add_sync_blocker(
            inst["serviceName"], inst["name"], "Service instance was updated outside of service sync"
        )
        self.remember_token("UpdateServiceInstance", p.get("clientToken"), p, {})
        return {"serviceInstance": self.store.get("instance", f"{inst['serviceName']}/{inst['name']}")}

    @operation("ListServiceInstances")
    def list_service_instances(
        self,
        *,
        serviceName: str | None = None,
        filters: list[dict[str, str]] | None = None,
        sortBy: str | None = None,
        sortOrder: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if serviceName is not None:
            self._service(serviceName)
            insts = self.service_instances(serviceName)
        else:
            insts = self.store.values("instance")
        insts = [i for i in insts if all(self._matches(i, f["key"], f["value"]) for f in filters or [])]
        key = sortBy or "name"
        insts = sorted(
            insts,
            key=lambda i: (str(i.get(key, "")), i["serviceName"], i["name"]),
            reverse=sortOrder == "DESCENDING",
        )
        return {"serviceInstances": [project(i, "ServiceInstanceSummary") for i in insts]}

    def _matches(self, inst: dict[str, Any], key: str, value: str) -> bool:
        if key.endswith(("Before", "After")):
            member = "createdAt" if key.startswith("createdAt") else "lastDeploymentAttemptedAt"
            when = _parse_time(value)
            return inst[member] < when if key.endswith("Before") else inst[member] > when
        if key == "deployedTemplateVersionStatus":
            version = self._service_version_of(inst)
            return (version or {}).get("status") == value
        return str(inst.get(key)) == value

    @operation("CancelServiceInstanceDeployment")
    def cancel_service_instance_deployment(
        self, *, serviceInstanceName: str, serviceName: str
    ) -> dict[str, Any]:
        self._instance(serviceName, serviceInstanceName)
        return {"serviceInstance": self.cancel("SERVICE_INSTANCE", f"{serviceName}/{serviceInstanceName}")}

    @operation("ListServiceInstanceOutputs")
    def list_service_instance_outputs(
        self, *, serviceInstanceName: str, serviceName: str, deploymentId: str | None = None, **_: Any
    ) -> dict[str, Any]:
        inst = self._instance(serviceName, serviceInstanceName)
        return {"outputs": self.deployment_outputs(inst, deploymentId)}

    @operation("ListServiceInstanceProvisionedResources")
    def list_service_instance_provisioned_resources(
        self, *, serviceInstanceName: str, serviceName: str, **_: Any
    ) -> dict[str, Any]:
        return {
            "provisionedResources": self.provisioned_resources(
                self._instance(serviceName, serviceInstanceName)
            )
        }


def _parse_time(value: str) -> float:
    """Filter values are ISO 8601 or epoch seconds."""
    try:
        return float(value)
    except ValueError:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
