"""Provisioning: render a deployment's target and hand it to CloudFormation, a provisioning repository
folder (self-managed Terraform), a CodeBuild folder, or nothing (customer-managed). PROTON.md §3."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

from proton_exodus.engine.deployments import DeploymentsMixin
from proton_exodus.engine.stacks import StackResult, delete_stack, deploy_stack
from proton_exodus.errors import ExodusError

ENGINES = {"cloudformation": "CLOUDFORMATION", "terraform": "TERRAFORM"}
# A deployment's targetResourceType -> the store kind of the resource it deploys.
TARGET_KINDS = {
    "ENVIRONMENT": "environment",
    "SERVICE_INSTANCE": "instance",
    "SERVICE_PIPELINE": "pipeline",
    "COMPONENT": "component",
}


class ProvisionMixin(DeploymentsMixin):
    """Turns queued jobs into plans, runs them, and records what happened."""

    provisioning_root: Path | None = None
    cfn_poll: float = 0.5

    # -- jobs --------------------------------------------------------------------------------------------
    def prepare_job(self, job: dict[str, Any]) -> dict[str, Any] | None:
        """Under the lock: everything that reads state. Returns a plan to run outside the lock, or None."""
        if job["type"] == "register":
            self.register_version(job["kind"], job["key"])
            return None
        dep = self.store.get("deployment", job["deployment"])
        if dep is None:
            return None
        if job["type"] == "cancel" or dep["deploymentStatus"] == "CANCELLING":
            self.finish_cancel(dep)
            return None
        if dep["deploymentStatus"] not in ("IN_PROGRESS", "DELETE_IN_PROGRESS"):
            return None
        try:
            return self.plan_deployment(dep)
        except ExodusError as err:  # render or input failures fail the deployment, as in Proton
            self.complete_deployment(dep, "DELETE_FAILED" if dep["_delete"] else "FAILED", err.message)
            return None

    def execute_plan(self, plan: dict[str, Any]) -> StackResult:
        """Outside the lock: talk to CloudFormation or write the working directory."""
        if plan["engine"] == "cloudformation":
            cfn = self.cloudformation(plan["account"], self.region, plan.get("role"))
            if plan["delete"]:
                return delete_stack(
                    cfn, plan["stack_name"], poll=self.cfn_poll, stack_id=plan.get("stack_id")
                )
            return deploy_stack(
                cfn,
                plan["stack_name"],
                plan["template"],
                plan["tags"],
                change_set=plan["change_set"],
                poll=self.cfn_poll,
                known_new=plan.get("stack_id") is None and plan.get("new", False),
                role_arn=plan.get("stack_role"),
            )
        if plan["engine"] == "files":
            try:
                _write_tree(Path(plan["folder"]), plan["files"], plan.get("stale", []))
            except OSError as err:
                return StackResult(False, message=f"Unable to write {plan['folder']}: {err}")
            return StackResult(True)
        return StackResult(True, outputs=plan.get("outputs", []))

    def finish_job(self, job: dict[str, Any], plan: dict[str, Any], result: StackResult) -> None:
        dep = self.store.get("deployment", job["deployment"])
        if dep is None:
            return
        kind = TARGET_KINDS[dep["targetResourceType"]]
        res = self.store.get(kind, dep["_key"])
        if res is not None and plan["engine"] == "cloudformation" and result.stack_id:
            res["_stack"] = {**res.get("_stack", {}), "id": result.stack_id}
            self.store.put(kind, dep["_key"], res)
        if plan["engine"] == "files" and result.ok:
            if res is not None:
                res["_files"] = {"folder": plan["folder"], "names": sorted(plan["files"])}
                self.store.put(kind, dep["_key"], res)
            if plan.get("wait"):
                return  # self-managed and CodeBuild deployments end with NotifyResourceDeploymentStatusChange
        if dep["_delete"]:
            status = "DELETE_COMPLETE" if result.ok else "DELETE_FAILED"
        else:
            status = "SUCCEEDED" if result.ok else "FAILED"
        if dep["deploymentStatus"] == "CANCELLING" and not result.ok:
            status = "CANCELLED"
        self.complete_deployment(dep, status, result.message, result.outputs if result.ok else None)

    # -- plans ----------------------------------------------------------------------------------------------
    def plan_deployment(self, dep: dict[str, Any]) -> dict[str, Any]:
        target = dep["targetResourceType"]
        ctx = self.render_target(dep)  # {"provisioning", "rendered"?, "outputs"?, "folder"?, "account", ...}
        provisioning = ctx["provisioning"]
        if provisioning == "customer-managed":
            return {"engine": "none", "outputs": ctx.get("outputs", [])}
        if provisioning == "cloudformation":
            new = not (self.resource_doc(dep) or {}).get("_stack", {}).get("name")
            stack_name = self.stack_name_for(target, dep["_key"])
            stack_id = (self.resource_doc(dep) or {}).get("_stack", {}).get("id")
            return {
                "engine": "cloudformation",
                "new": new,
                "stack_id": stack_id,
                "delete": dep["_delete"],
                "account": ctx["account"],
                "role": ctx.get("role"),
                "stack_role": ctx.get("stack_role"),
                "stack_name": stack_name,
                "tags": ctx["tags"],
                "template": None if dep["_delete"] else ctx["rendered"].text,
                "change_set": f"AWSProton-{dep['id']}",
            }
        folder = Path(ctx["folder"])
        files = dict(ctx["rendered"].files) if not dep["_delete"] else {}
        files[".proton/deployment-metadata.json"] = _metadata_file(dep, ctx)
        previous = (self.resource_doc(dep) or {}).get("_files") or {}
        stale = [n for n in previous.get("names", []) if n not in files] if not dep["_delete"] else []
        return {"engine": "files", "folder": str(folder), "files": files, "stale": stale, "wait": True}

    def stack_name_for(self, target: str, key: str) -> str:
        """`AWSProton-<name…>-cloudformation--<15 uppercase>` as observed (PROTON.md §3.1);
        kept per resource."""
        kind = TARGET_KINDS[target]
        res = self.store.get(kind, key)
        if res.get("_stack", {}).get("name"):
            return res["_stack"]["name"]
        stem = {"SERVICE_INSTANCE": key.replace("/", "-")}.get(target, key)[:15]
        name = f"AWSProton-{stem}-cloudformation--{self.new_stack_suffix()}"
        res["_stack"] = {"name": name}
        self.store.put(kind, key, res)
        return name

    def resource_doc(self, dep: dict[str, Any]) -> dict[str, Any] | None:
        kind = TARGET_KINDS[dep["targetResourceType"]]
        return self.store.get(kind, dep["_key"])

    def provisioned_resources(self, res: dict[str, Any]) -> list[dict[str, str]]:
        """List*ProvisionedResources: the stack (CloudFormation) or the working directory (Terraform)."""
        stack = res.get("_stack") or {}
        if stack.get("id"):
            return [
                {"identifier": stack["id"], "name": stack["name"], "provisioningEngine": "CLOUDFORMATION"}
            ]
        files = res.get("_files") or {}
        if files and res.get("_provisioning") == "terraform":
            folder = Path(files["folder"])
            return [{"identifier": str(folder), "name": folder.name, "provisioningEngine": "TERRAFORM"}]
        return []

    def bundle_for(self, kind: str, template: str, major: str, minor: str) -> Any:
        """The loaded bundle of a registered version (cached by store key)."""
        from proton_exodus.engine.templates import version_key
        from proton_exodus.proton.bundle import load_bundle

        key = f"{kind}:{version_key(template, major, minor)}"
        cache = self.__dict__.setdefault("_bundle_cache", {})
        if key not in cache:
            blob = self.store.get("bundle", key)
            if blob is None:
                raise ExodusError(f"Template version {template}:{major}.{minor} has no bundle")
            cache[key] = load_bundle(base64.b64decode(blob["b64"]), name=template)
        return cache[key]


def _metadata_file(dep: dict[str, Any], ctx: dict[str, Any]) -> str:
    """`.proton/deployment-metadata.json` as in Proton's pull requests (PROTON.md §3.3)."""
    meta = {"arn": dep["targetArn"]}
    if ctx.get("template_arn"):
        meta.update(
            templateArn=ctx["template_arn"],
            templateMajorVersion=ctx["major"],
            templateMinorVersion=ctx["minor"],
        )
    if ctx.get("environment_arn") and dep["targetResourceType"] == "SERVICE_INSTANCE":
        meta["environmentArn"] = ctx["environment_arn"]
    key = "componentMetadata" if dep["targetResourceType"] == "COMPONENT" else "resourceMetadata"
    doc = {"deploymentId": dep["id"], "isResourceDeleted": bool(dep["_delete"]), key: meta}
    return json.dumps(doc, indent=2) + "\n"


def _write_tree(folder: Path, files: dict[str, str | bytes], stale: list[str]) -> None:
    """Write the working directory file by file (other resources' subfolders stay untouched)."""
    from proton_exodus.output.atomic import write_text_atomic

    for rel, content in sorted(files.items()):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        else:
            write_text_atomic(path, content)
    for rel in stale:
        target = folder / rel
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
