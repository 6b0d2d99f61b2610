"""Services and their pipelines (PROTON.md §4.5): create with instances, add/remove instances through
UpdateService, delete, and the service status that follows its instances' and pipeline's deployments."""

from __future__ import annotations

from typing import Any

from proton_exodus.engine.connections import ConnectionsMixin
from proton_exodus.engine.core import digest, operation, project, target_state
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException
from proton_exodus.proton.spec import resolve_current_values

BUSY_SERVICE = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS")
CHILD_BUSY = ("IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING")


def created_fields(version: dict[str, Any], spec: str, now: float) -> dict[str, Any]:
    """What a new service instance or pipeline records of the template version it is created with."""
    return {
        "createdAt": now,
        "templateName": version["templateName"],
        "templateMajorVersion": version["majorVersion"],
        "templateMinorVersion": version["minorVersion"],
        "spec": spec,
        "lastDeploymentAttemptedAt": now,
        "lastDeploymentSucceededAt": now,
    }


class ServicesMixin(ConnectionsMixin):
    """Service and pipeline operations; instances are in instances.py."""

    def service_instances(self, service: str) -> list[dict[str, Any]]:
        prefix = f"{service}/"
        keys, values = self.store.keys("instance"), self.store.values("instance")
        return [v for k, v in zip(keys, values, strict=True) if k.startswith(prefix)]

    def attached_component(self, service: str, instance: str) -> dict[str, Any] | None:
        return next(
            (
                c
                for c in self.store.values("component")
                if c.get("serviceName") == service and c.get("serviceInstanceName") == instance
            ),
            None,
        )

    def _service(self, name: str) -> dict[str, Any]:
        return self.must_get("service", name, f"Service {name}")

    def _service_out(self, svc: dict[str, Any]) -> dict[str, Any]:
        pipe = self.store.get("pipeline", svc["name"])
        return {**svc, "pipeline": project(pipe, "ServicePipeline") if pipe else None}

    # -- create ------------------------------------------------------------------------------------------
    @operation("CreateService")
    def create_service(self, **p: Any) -> dict[str, Any]:
        name = p["name"]
        existing = self.idempotent_create("service", name, f"Service {name}", p)
        if existing is not None:
            return {"service": self._service_out(existing)}
        self.check_quota("services", len(self.store.keys("service")))
        version = self.resolve_version(
            "service", p["templateName"], p["templateMajorVersion"], p.get("templateMinorVersion")
        )
        has_pipeline = bool(version.get("_hasPipeline"))
        self._check_repository_fields(p, has_pipeline)
        spec = self.parse_service_spec(p["spec"])
        if not spec.instances:
            raise ValidationException("spec: a service needs at least one instance")
        self.check_quota_instances(len(spec.instances) - 1)
        pipeline_inputs = self._check_pipeline_spec(spec, version, has_pipeline)
        planned = [
            self.plan_instance(inst.name, inst.environment, dict(inst.spec), version, f"spec.instances[{i}]")
            for i, inst in enumerate(spec.instances)
        ]
        if len({i["name"] for i in planned}) != len(planned):
            raise ValidationException("spec: instance names must be unique")
        now = self.now()
        svc = {
            "name": name,
            "arn": self.arn(f"service/{name}"),
            "createdAt": now,
            "lastModifiedAt": now,
            "templateName": p["templateName"],
            "spec": p["spec"],
            "status": "CREATE_IN_PROGRESS",
            "_createDigest": digest(p),
        }
        for member in ("description", "repositoryConnectionArn", "repositoryId", "branchName"):
            if p.get(member) is not None:
                svc[member] = p[member]
        self.store.put("service", name, svc)
        tags = self.inherited_tags(None, p.get("tags"))
        self.set_tags(svc["arn"], tags)
        deps = [self.add_instance(svc, inst, p["spec"], tags)["id"] for inst in planned]
        if has_pipeline:
            deps.append(self._add_pipeline(svc, version, p["spec"], pipeline_inputs)["id"])
        self._begin_service_op(name, "CREATE", deps)
        return {"service": self._service_out(self.store.get("service", name))}

    def check_quota_instances(self, used: int) -> None:
        self.check_quota("instances_per_service", used)

    def _check_repository_fields(self, p: dict[str, Any], has_pipeline: bool) -> None:
        fields = ("repositoryConnectionArn", "repositoryId", "branchName")
        given = [f for f in fields if p.get(f)]
        if has_pipeline and len(given) != 3:
            raise ValidationException(
                "A service whose template has a pipeline needs repositoryConnectionArn, "
                "repositoryId and branchName"
            )
        if not has_pipeline and given:
            raise ValidationException(f"{', '.join(given)} must be left out: the template has no pipeline")

    def _check_pipeline_spec(
        self, spec: Any, version: dict[str, Any], has_pipeline: bool
    ) -> dict[str, Any] | None:
        if not has_pipeline:
            if spec.pipeline:
                raise ValidationException("spec.pipeline must be left out: the template has no pipeline")
            return None
        settings = self.store.get("settings", "account") or {}
        need = {
            "cloudformation": "pipelineServiceRoleArn",
            "terraform": "pipelineProvisioningRepository",
            "codebuild": "pipelineCodebuildRoleArn",
        }.get(version.get("_provisioning") or "")
        if need and not settings.get(need):
            raise ValidationException(f"Pipelines need the account setting {need} (UpdateAccountSettings)")
        inputs = dict(spec.pipeline or {})
        self.check_inputs(
            "service",
            version["majorVersion"],
            version["minorVersion"],
            version["templateName"],
            "pipeline",
            inputs,
            "spec.pipeline",
        )
        return inputs

    def _add_pipeline(
        self, svc: dict[str, Any], version: dict[str, Any], spec: str, inputs: dict[str, Any] | None
    ) -> dict[str, Any]:
        now = self.now()
        pipe = {
            "arn": self.arn(f"service/{svc['name']}/pipeline"),
            **created_fields(version, spec, now),
            "_service": svc["name"],
            "_inputs": inputs,
            "_provisioning": version.get("_provisioning"),
        }
        self.store.put("pipeline", svc["name"], pipe)
        state = target_state(
            pipe["templateName"], pipe["templateMajorVersion"], pipe["templateMinorVersion"], spec
        )
        return self.start_deployment("SERVICE_PIPELINE", svc["name"], state, inputs=inputs)

    def redeploy_pipeline(self, service: str, spec: str | None = None) -> dict[str, Any]:
        """Re-render the pipeline on its current version (its `service_instances` loop changed)."""
        pipe = self.store.get("pipeline", service)
        state = target_state(
            pipe["templateName"],
            pipe["templateMajorVersion"],
            pipe["templateMinorVersion"],
            spec or pipe["spec"],
        )
        return self.start_deployment("SERVICE_PIPELINE", service, state)

    def pipeline_folder(self, svc: dict[str, Any]) -> Any:
        from pathlib import Path

        root = self.provisioning_root or Path("proton-provisioning")
        repo = (self.store.get("settings", "account") or {}).get("pipelineProvisioningRepository")
        return (root / repo["name"] if repo else root / "codebuild") / svc["name"] / "pipeline"

    # -- service status ---------------------------------------------------------------------------------
    def _begin_service_op(self, name: str, op: str, deployment_ids: list[str]) -> None:
        svc = self.store.get("service", name)
        svc.update(
            status=f"{op}_IN_PROGRESS", lastModifiedAt=self.now(), _op={"op": op, "deps": deployment_ids}
        )
        svc.pop("statusMessage", None)
        self.store.put("service", name, svc)
        self.refresh_service(name)

    def refresh_service(self, name: str) -> None:
        """Settle the service status once every deployment of the running service operation has ended."""
        svc = self.store.get("service", name)
        if svc is None or not svc.get("_op"):
            return
        deps = [self.store.get("deployment", d) for d in svc["_op"]["deps"]]
        if any(d is not None and d["deploymentStatus"] in CHILD_BUSY for d in deps):
            return
        failed = [
            d
            for d in deps
            if d is not None and d["deploymentStatus"] in ("FAILED", "DELETE_FAILED", "CANCELLED")
        ]
        op = svc.pop("_op")["op"]
        if op == "DELETE" and not failed:
            self.store.delete("service", name)
            self.forget(svc["arn"])
            return
        svc["status"] = f"{op}_FAILED" if failed else "ACTIVE"
        if failed:
            svc["statusMessage"] = failed[0].get("deploymentStatusMessage") or "A deployment failed"
        svc["lastModifiedAt"] = self.now()
        self.store.put("service", name, svc)

    def after_deployment(self, dep: dict[str, Any], res: dict[str, Any]) -> None:
        if dep["targetResourceType"] in ("SERVICE_INSTANCE", "SERVICE_PIPELINE"):
            self.refresh_service(dep["serviceName"])

    # -- read, update, delete ----------------------------------------------------------------------------
    @operation("GetService")
    def get_service(self, *, name: str) -> dict[str, Any]:
        return {"service": self._service_out(self._service(name))}

    @operation("ListServices")
    def list_services(self, **_: Any) -> dict[str, Any]:
        return {"services": [project(s, "ServiceSummary") for s in self.store.values("service")]}

    @operation("UpdateService")
    def update_service(
        self, *, name: str, description: str | None = None, spec: str | None = None
    ) -> dict[str, Any]:
        svc = self._service(name)
        self._require_idle(svc)
        if description is not None:
            svc["description"] = description
        svc.update(lastModifiedAt=self.now(), _modified=True)
        self.store.put("service", name, svc)
        if spec is None:
            return {"service": self._service_out(svc)}
        parsed = self.parse_service_spec(spec)
        current = {i["name"]: i for i in self.service_instances(name)}
        wanted = {i.name: i for i in parsed.instances}
        if not wanted:
            raise ValidationException("spec: at least one instance must remain")
        removed = sorted(set(current) - set(wanted))
        for inst_name in removed:
            if self.attached_component(name, inst_name):
                raise ConflictException(
                    f"Service instance {inst_name} has an attached component; detach it first"
                )
        self.check_quota_instances(len(wanted) - 1)
        self._check_kept(name, current, wanted, parsed)
        deps = self._apply_instance_changes(svc, current, wanted, removed, spec)
        svc = self.store.get("service", name)
        svc["spec"] = spec
        self.store.put("service", name, svc)
        self._begin_service_op(name, "UPDATE", deps)
        return {"service": self._service_out(self.store.get("service", name))}

    def _check_kept(self, name: str, current: dict[str, Any], wanted: dict[str, Any], parsed: Any) -> None:
        """UpdateService must not change kept instances or the pipeline (PROTON.md §4.5)."""
        for inst_name in set(current) & set(wanted):
            inst = current[inst_name]
            new = resolve_current_values(
                dict(wanted[inst_name].spec), inst.get("_inputs"), path=f"spec.instances[{inst_name}].spec"
            )
            if (
                new != (inst.get("_inputs") or {})
                or (wanted[inst_name].environment or inst["environmentName"]) != inst["environmentName"]
            ):
                raise ValidationException(
                    f"UpdateService cannot change existing instance {inst_name}; use UpdateServiceInstance"
                )
        pipe = self.store.get("pipeline", name)
        if pipe is not None and parsed.pipeline is not None:
            new = resolve_current_values(dict(parsed.pipeline), pipe.get("_inputs"), path="spec.pipeline")
            if new != (pipe.get("_inputs") or {}):
                raise ValidationException(
                    "UpdateService cannot change the pipeline; use UpdateServicePipeline"
                )

    def _apply_instance_changes(
        self,
        svc: dict[str, Any],
        current: dict[str, Any],
        wanted: dict[str, Any],
        removed: list[str],
        spec: str,
    ) -> list[str]:
        name, deps = svc["name"], []
        added = [n for n in wanted if n not in current]
        if added:
            any_inst = next(iter(current.values()), None)
            version = (
                self.resolve_version(
                    "service",
                    svc["templateName"],
                    any_inst["templateMajorVersion"],
                    any_inst["templateMinorVersion"],
                )
                if any_inst
                else None
            )
            tags = self.customer_tags(svc["arn"])
            for i, inst_name in enumerate(added):
                inst = wanted[inst_name]
                plan = self.plan_instance(
                    inst_name, inst.environment, dict(inst.spec), version, f"spec.instances[{i}]"
                )
                deps.append(self.add_instance(svc, plan, spec, tags)["id"])
        for inst_name in removed:
            deps.append(
                self.start_deployment("SERVICE_INSTANCE", f"{name}/{inst_name}", None, delete=True)["id"]
            )
            self.add_sync_blocker(
                name, None, f"Service instance {inst_name} was deleted outside of service sync"
            )
        pipe = self.store.get("pipeline", name)
        if pipe is not None and (added or removed):  # the pipeline's service_instances loop changed
            deps.append(self.redeploy_pipeline(name, spec)["id"])
        return deps

    def _require_idle(self, svc: dict[str, Any]) -> None:
        if svc["status"] in BUSY_SERVICE:
            raise ConflictException(f"Service {svc['name']} is {svc['status']}")
        busy = [
            i["name"] for i in self.service_instances(svc["name"]) if i.get("deploymentStatus") in CHILD_BUSY
        ]
        pipe = self.store.get("pipeline", svc["name"])
        if pipe is not None and pipe.get("deploymentStatus") in CHILD_BUSY:
            busy.append("pipeline")
        if busy:
            raise ConflictException(f"Service {svc['name']} has deployments in progress: {', '.join(busy)}")

    @operation("DeleteService")
    def delete_service(self, *, name: str) -> dict[str, Any]:
        svc = self.store.get("service", name)
        if svc is None:
            return self._deleted_before(self.arn(f"service/{name}"), f"Service {name}")
        attached = [
            i["name"] for i in self.service_instances(name) if self.attached_component(name, i["name"])
        ]
        if attached:
            raise ConflictException(
                f"Service {name} has instances with attached components "
                f"({', '.join(attached)}); detach or delete the components first"
            )
        self._require_idle(svc)
        deps = [
            self.start_deployment("SERVICE_INSTANCE", f"{name}/{i['name']}", None, delete=True)["id"]
            for i in self.service_instances(name)
        ]
        if self.store.exists("pipeline", name):
            deps.append(self.start_deployment("SERVICE_PIPELINE", name, None, delete=True)["id"])
        self._begin_service_op(name, "DELETE", deps)
        return {"service": self._service_out(self.store.get("service", name) or svc)}

    # -- pipeline ----------------------------------------------------------------------------------------
    def _pipeline(self, service: str) -> dict[str, Any]:
        self._service(service)
        pipe = self.store.get("pipeline", service)
        if pipe is None:
            raise ResourceNotFoundException(f"Service {service} has no pipeline")
        return pipe

    @operation("UpdateServicePipeline")
    def update_service_pipeline(
        self,
        *,
        serviceName: str,
        deploymentType: str,
        spec: str,
        templateMajorVersion: str | None = None,
        templateMinorVersion: str | None = None,
    ) -> dict[str, Any]:
        pipe = self._pipeline(serviceName)
        if pipe.get("deploymentStatus") in CHILD_BUSY:
            raise ConflictException(f"The pipeline of service {serviceName} is {pipe['deploymentStatus']}")
        version = self.target_version(
            "service", pipe, deploymentType, templateMajorVersion, templateMinorVersion
        )
        if deploymentType == "NONE":
            return {"pipeline": project(pipe, "ServicePipeline")}
        parsed = self.parse_service_spec(spec)
        inputs = resolve_current_values(
            dict(parsed.pipeline or {}), pipe.get("_inputs"), path="spec.pipeline"
        )
        self.check_inputs(
            "service",
            version["majorVersion"],
            version["minorVersion"],
            pipe["templateName"],
            "pipeline",
            inputs,
            "spec.pipeline",
        )
        state = target_state(pipe["templateName"], version["majorVersion"], version["minorVersion"], spec)
        self.start_deployment("SERVICE_PIPELINE", serviceName, state, inputs=inputs)
        return {"pipeline": project(self.store.get("pipeline", serviceName), "ServicePipeline")}

    @operation("CancelServicePipelineDeployment")
    def cancel_service_pipeline_deployment(self, *, serviceName: str) -> dict[str, Any]:
        self._pipeline(serviceName)
        return {"pipeline": project(self.cancel("SERVICE_PIPELINE", serviceName), "ServicePipeline")}

    @operation("ListServicePipelineOutputs")
    def list_service_pipeline_outputs(
        self, *, serviceName: str, deploymentId: str | None = None, **_: Any
    ) -> dict[str, Any]:
        return {"outputs": self.deployment_outputs(self._pipeline(serviceName), deploymentId)}

    @operation("ListServicePipelineProvisionedResources")
    def list_service_pipeline_provisioned_resources(self, *, serviceName: str, **_: Any) -> dict[str, Any]:
        return {"provisionedResources": self.provisioned_resources(self._pipeline(serviceName))}
