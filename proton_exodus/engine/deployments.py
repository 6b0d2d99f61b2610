"""Deployment records and the job queue (PROTON.md §4.2, §4.3, §4.9).

Every change to an environment, service instance, pipeline or component is a `Deployment`. Create and
update calls return IN_PROGRESS and queue a job; `run_pending()` (or the worker thread, when
auto_complete is on) runs the jobs in order: prepare under the lock, provision without it, finish under it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from proton_exodus.engine.core import EngineCore, matching, operation, project
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException

# targetResourceType -> (doc kind, deployment state member)
TARGETS = {
    "ENVIRONMENT": ("environment", "environment"),
    "SERVICE_INSTANCE": ("instance", "serviceInstance"),
    "SERVICE_PIPELINE": ("pipeline", "servicePipeline"),
    "COMPONENT": ("component", "component"),
}
BUSY = ("IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING")
LOG = logging.getLogger(__name__)
TERMINAL = ("SUCCEEDED", "FAILED", "DELETE_COMPLETE", "DELETE_FAILED", "CANCELLED")


class DeploymentsMixin(EngineCore):
    """Deployment records, the job queue and the optional worker thread."""

    auto_complete: bool = True
    complete_delay: float = 0.2

    # -- the queue ---------------------------------------------------------------------------------------
    def enqueue(self, job: dict[str, Any]) -> None:
        meta = self.store.get("meta", "jobseq") or {"value": 0}
        meta["value"] += 1
        self.store.put("meta", "jobseq", meta)
        self.store.put("job", f"{meta['value']:012d}", job)

    def pending_jobs(self) -> int:
        with self.store.lock:
            return len(self.store.keys("job"))

    def run_pending(self) -> int:
        """Run queued jobs (and jobs they queue) until none is left; returns how many ran.

        A job runs once. One that raises (a bug, not a Proton failure) fails what it was for, as Proton
        reports failures: the deployment ends FAILED (DELETE_FAILED for a delete) with the reason in
        deploymentStatusMessage, a registration ends REGISTRATION_FAILED; then the job leaves the queue,
        so it cannot hold up the jobs behind it.
        """
        ran = 0
        with self._run_lock:
            while True:
                with self.store.lock:
                    keys = [k for k in self.store.keys("job") if k not in self._dead_jobs]
                    job = self.store.get("job", keys[0]) if keys else None
                if job is None:
                    return ran
                try:
                    self._run_job(keys[0], job)
                except Exception as err:  # noqa: BLE001 - any bug in a job ends that job, never the queue
                    LOG.exception("engine job %s failed: %s", keys[0], job)
                    self.fail_job(keys[0], job, f"{type(err).__name__}: {err}")
                ran += 1

    def _run_job(self, key: str, job: dict[str, Any]) -> None:
        """Prepare under the lock, provision without it, finish under it."""
        with self.store.txn():
            self.store.delete("job", key)
            plan = self.prepare_job(job)
        if plan is not None:
            result = self.execute_plan(plan)
            with self.store.txn():
                self.finish_job(job, plan, result)

    def fail_job(self, key: str, job: dict[str, Any], reason: str) -> None:
        """Take a job that raised off the queue and fail its deployment or registration."""
        message = f"The deployment could not be run: {reason}"
        try:
            with self.store.txn():
                self.store.delete("job", key)
                if job.get("type") == "register":
                    self.fail_registration(job["kind"], job["key"], message)
                else:
                    dep = self.store.get("deployment", job.get("deployment") or "")
                    if dep is not None and dep["deploymentStatus"] in BUSY:
                        status = "DELETE_FAILED" if dep.get("_delete") else "FAILED"
                        self.complete_deployment(dep, status, message)
        except Exception:  # noqa: BLE001 - recording the failure failed too: at least drop the job
            LOG.exception("could not record the failure of engine job %s", key)
            try:
                with self.store.txn():
                    self.store.delete("job", key)
            except Exception:  # noqa: BLE001 - the store refuses writes: skip the job in this process
                LOG.exception("could not remove engine job %s; skipping it", key)
                self._dead_jobs.add(key)

    def fail_registration(self, kind: str, key: str, message: str) -> None:
        """Hook: mark a template version REGISTRATION_FAILED; the rendering mixin implements it."""

    def _start_worker(self) -> None:
        self._run_lock = threading.Lock()
        self._dead_jobs: set[str] = set()
        self._wake = threading.Event()
        self._stopping = False
        self._worker: threading.Thread | None = None
        if self.auto_complete:
            self._worker = threading.Thread(target=self._work, name="proton-engine-worker", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while not self._stopping:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            threading.Event().wait(self.complete_delay)  # so callers (and waiters) see IN_PROGRESS first
            try:
                self.run_pending()
            except Exception:  # noqa: BLE001 - keeps the worker alive (run_pending ends failed jobs)
                LOG.exception("engine worker failed")

    def _wake_worker(self) -> None:
        if self.auto_complete and getattr(self, "_wake", None) is not None:
            self._wake.set()

    def _stop_worker(self) -> None:
        self._stopping = True
        if getattr(self, "_wake", None) is not None:
            self._wake.set()
        if getattr(self, "_worker", None) is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=30)

    # -- deployment records --------------------------------------------------------------------------------
    def start_deployment(
        self,
        target_type: str,
        key: str,
        target_state: dict[str, Any] | None,
        *,
        delete: bool = False,
        inputs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record a deployment of resource `key`, mark the resource busy and queue the job."""
        kind, member = TARGETS[target_type]
        res = self.store.get(kind, key)
        if res is None:
            raise ResourceNotFoundException(f"{target_type.lower()} {key} not found")
        if res.get("deploymentStatus") in BUSY:
            raise ConflictException(
                f"{self.describe(target_type, key)} has a deployment in progress ({res['deploymentStatus']})"
            )
        now, dep_id = self.now(), self.new_uuid()
        status = "DELETE_IN_PROGRESS" if delete else "IN_PROGRESS"
        dep = {
            "id": dep_id,
            "arn": self.arn(f"deployment/{dep_id}"),
            "targetArn": res["arn"],
            "targetResourceType": target_type,
            "targetResourceCreatedAt": res["createdAt"],
            "deploymentStatus": status,
            "createdAt": now,
            "lastModifiedAt": now,
            "lastAttemptedDeploymentId": res.get("lastAttemptedDeploymentId"),
            "lastSucceededDeploymentId": res.get("lastSucceededDeploymentId"),
            "_key": key,
            "_delete": delete,
            "_outputs": [],
            "_inputs": inputs if inputs is not None else res.get("_inputs"),
        }
        dep.update(self.deployment_names(target_type, res))
        if res.get("_state") is not None:
            dep["initialState"] = {member: res["_state"]}
        target = target_state if target_state is not None else self.current_state(member, res)
        dep["targetState"] = {member: target}
        self.store.put("deployment", dep_id, dep)
        res.update(deploymentStatus=status, lastAttemptedDeploymentId=dep_id, lastDeploymentAttemptedAt=now)
        res.pop("deploymentStatusMessage", None)
        self.store.put(kind, key, res)
        self.enqueue({"type": "deploy", "deployment": dep_id})
        return dep

    def current_state(self, member: str, res: dict[str, Any]) -> dict[str, Any]:
        """What a delete or re-deploy targets: the deployed state, else the last attempted one (a resource
        whose only deployment failed has no deployed state, but its delete still needs the template)."""
        if res.get("_state") is not None:
            return res["_state"]
        last = self.store.get("deployment", res.get("lastAttemptedDeploymentId") or "")
        if last is not None and last["targetState"].get(member):
            return last["targetState"][member]
        return {
            k: res[k]
            for k in ("templateName", "templateMajorVersion", "templateMinorVersion", "spec")
            if res.get(k) is not None
        }

    def deployment_names(self, target_type: str, res: dict[str, Any]) -> dict[str, Any]:
        names = {"environmentName": res.get("environmentName") or res.get("name")}
        if target_type == "SERVICE_INSTANCE":
            names.update(serviceName=res["serviceName"], serviceInstanceName=res["name"])
        elif target_type == "SERVICE_PIPELINE":
            names = {"serviceName": res["_service"], "environmentName": self._pipeline_environment(res)}
        elif target_type == "COMPONENT":
            names.update(componentName=res["name"], environmentName=res["environmentName"])
            if res.get("serviceName"):
                names.update(serviceName=res["serviceName"], serviceInstanceName=res["serviceInstanceName"])
        return names

    def _pipeline_environment(self, pipe: dict[str, Any]) -> str | None:
        """The `environmentName` of a pipeline deployment. Deviation: a pipeline belongs to no environment,
        yet the model requires the member on Deployment and DeploymentSummary, and no public source shows what
        Proton put there. We use the environment of the service's first instance (a service always has one,
        PROTON.md §4.5), else that of the pipeline's previous deployment; ListDeployments(environmentName=…)
        therefore lists the pipeline's deployments under that environment."""
        instances = [i for i in self.store.values("instance") if i["serviceName"] == pipe["_service"]]
        if instances:
            return min(instances, key=lambda i: (i["createdAt"], i["name"]))["environmentName"]
        last = self.store.get("deployment", pipe.get("lastAttemptedDeploymentId") or "")
        return last.get("environmentName") if last else None

    def describe(self, target_type: str, key: str) -> str:
        label = {
            "ENVIRONMENT": "Environment",
            "SERVICE_INSTANCE": "Service instance",
            "SERVICE_PIPELINE": "Pipeline of service",
            "COMPONENT": "Component",
        }[target_type]
        return f"{label} {key}"

    def complete_deployment(
        self,
        dep: dict[str, Any],
        status: str,
        message: str | None = None,
        outputs: list[dict[str, str]] | None = None,
    ) -> None:
        """Record a deployment's end and apply it to its resource (new state on success,
        old one kept else)."""
        kind, member = TARGETS[dep["targetResourceType"]]
        now = self.now()
        dep.update(deploymentStatus=status, lastModifiedAt=now, completedAt=now)
        if message:
            dep["deploymentStatusMessage"] = message[:5000]
        if outputs is not None:
            dep["_outputs"] = outputs
        res = self.store.get(kind, dep["_key"])
        if res is None:
            self.store.put("deployment", dep["id"], dep)
            return
        if status == "SUCCEEDED":
            dep["lastSucceededDeploymentId"] = dep["id"]
            self.apply_target_state(dep["targetResourceType"], res, dep["targetState"][member])
            res.update(
                lastSucceededDeploymentId=dep["id"],
                lastDeploymentSucceededAt=now,
                _outputs=dep["_outputs"],
                _state=dep["targetState"][member],
                _inputs=dep.get("_inputs"),
            )
        dep["lastAttemptedDeploymentId"] = dep["id"]
        self.store.put("deployment", dep["id"], dep)
        if res.get("lastAttemptedDeploymentId") == dep["id"]:
            res["deploymentStatus"] = status
            if message:
                res["deploymentStatusMessage"] = message[:5000]
        if status == "DELETE_COMPLETE":
            self.store.delete(kind, dep["_key"])
            self.forget(res["arn"])
        else:
            self.store.put(kind, dep["_key"], res)
        self.after_deployment(dep, res)

    def apply_target_state(self, target_type: str, res: dict[str, Any], state: dict[str, Any]) -> None:
        for member in ("templateName", "templateMajorVersion", "templateMinorVersion", "spec"):
            if member in state:
                res[member] = state[member]
        if target_type == "COMPONENT":
            res["serviceSpec"] = state.get("serviceSpec")

    def after_deployment(self, dep: dict[str, Any], res: dict[str, Any]) -> None:
        """Hook for follow-ups (service status, pipeline re-render); overridden by the services mixin."""

    # -- deployment operations -----------------------------------------------------------------------------
    @operation("GetDeployment")
    def get_deployment(self, *, id: str, **names: Any) -> dict[str, Any]:
        dep = self.must_get("deployment", id, f"Deployment {id}")
        for member, value in names.items():
            if value and dep.get(member) != value:
                raise ResourceNotFoundException(f"Deployment {id} not found for {member} {value}")
        return {"deployment": dep}

    @operation("ListDeployments")
    def list_deployments(
        self,
        *,
        environmentName: str | None = None,
        serviceName: str | None = None,
        serviceInstanceName: str | None = None,
        componentName: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if serviceInstanceName and not serviceName:
            raise ValidationException("serviceInstanceName requires serviceName")
        deps = matching(
            self.store.values("deployment"),
            environmentName=environmentName,
            serviceName=serviceName,
            serviceInstanceName=serviceInstanceName,
            componentName=componentName,
        )
        deps.sort(key=lambda d: (-d["createdAt"], d["id"]))  # newest first, as the console lists them
        return {"deployments": [project(d, "DeploymentSummary") for d in deps]}

    @operation("DeleteDeployment")
    def delete_deployment(self, *, id: str) -> dict[str, Any]:
        dep = self.must_get("deployment", id, f"Deployment {id}")
        if dep["deploymentStatus"] in BUSY:
            raise ConflictException(f"Deployment {id} is {dep['deploymentStatus']}; it cannot be deleted")
        self.store.delete("deployment", id)
        return {"deployment": dep}

    def deployment_outputs(self, res: dict[str, Any], deployment_id: str | None) -> list[dict[str, str]]:
        """Outputs of the resource's last successful deployment, or of a named past deployment."""
        if not deployment_id:
            return list(res.get("_outputs") or [])
        dep = self.store.get("deployment", deployment_id)
        if dep is None or dep["targetArn"] != res["arn"]:
            raise ResourceNotFoundException(f"Deployment {deployment_id} of {res['arn']} not found")
        return list(dep.get("_outputs") or [])

    def cancel(self, target_type: str, key: str) -> dict[str, Any]:
        """Cancel*Deployment: only while IN_PROGRESS; ends CANCELLED (or SUCCEEDED if the update won)."""
        kind, _ = TARGETS[target_type]
        res = self.must_get(kind, key, self.describe(target_type, key))
        if res.get("deploymentStatus") != "IN_PROGRESS":
            raise ConflictException(
                f"{self.describe(target_type, key)} has no deployment in progress to cancel "
                f"(status {res.get('deploymentStatus')})"
            )
        dep = self.store.get("deployment", res["lastAttemptedDeploymentId"])
        dep.update(deploymentStatus="CANCELLING", lastModifiedAt=self.now())
        self.store.put("deployment", dep["id"], dep)
        res["deploymentStatus"] = "CANCELLING"
        self.store.put(kind, key, res)
        self.enqueue({"type": "cancel", "deployment": dep["id"]})
        return res

    def finish_cancel(self, dep: dict[str, Any]) -> None:
        if dep["deploymentStatus"] == "CANCELLING":
            self.complete_deployment(dep, "CANCELLED", "Deployment cancelled")
