"""Environments and environment account connections (PROTON.md §3.1, §3.3-3.5, §4.2, §4.6, §4.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proton_exodus.engine.core import digest, operation, project, target_state
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException
from proton_exodus.engine.rendering import RenderingMixin

ROLE_MEMBERS = ("protonServiceRoleArn", "componentRoleArn", "codebuildRoleArn")


def role_account(arn: str | None) -> str | None:
    """The account ID inside an IAM role ARN."""
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


class EnvironmentsMixin(RenderingMixin):
    """Environment operations and the connection handshake between accounts."""

    # -- helpers used by rendering and provisioning ----------------------------------------------------
    def environment_role(self, env: dict[str, Any]) -> str | None:
        """Cross-account: the connection's role (CloudFormation client for that account); else None."""
        conn_id = env.get("environmentAccountConnectionId")
        conn = self.store.get("connection", conn_id) if conn_id else None
        return conn.get("roleArn") if conn else None

    def component_role(self, env: dict[str, Any]) -> str | None:
        conn_id = env.get("environmentAccountConnectionId")
        conn = self.store.get("connection", conn_id) if conn_id else None
        return (conn or {}).get("componentRoleArn") or env.get("componentRoleArn")

    def environment_folder(self, env: dict[str, Any]) -> Path:
        """Self-managed: `<root>/<repo>/[environments/]<env>`; CodeBuild and others:
        `<root>/codebuild/<env>`."""
        root = self.provisioning_root or Path("proton-provisioning")
        repo = env.get("provisioningRepository")
        if not repo:
            return root / "codebuild" / env["name"]
        base = root / repo["name"]
        return base / "environments" / env["name"] if (base / "environments").is_dir() else base / env["name"]

    def resolve_version(self, kind: str, template: str, major: str, minor: str | None) -> dict[str, Any]:
        """A deployable version: a named one (DRAFT or PUBLISHED) or the major's recommended minor."""
        self._get_template(kind, template)
        if minor is None:
            mine = [v for v in self._versions(kind, template, major) if v.get("recommendedMinorVersion")]
            if not mine:
                raise ValidationException(
                    f"{kind.capitalize()} template {template} has no published version "
                    f"in major version {major}"
                )
            minor = mine[0]["recommendedMinorVersion"]
        version = self._get_version(kind, template, major, minor)
        if version["status"] not in ("DRAFT", "PUBLISHED"):
            raise ValidationException(
                f"{kind.capitalize()} template version {template}:{major}.{minor} is "
                f"{version['status']} and cannot be deployed"
            )
        return version

    def target_version(
        self, kind: str, res: dict[str, Any], deployment_type: str, major: str | None, minor: str | None
    ) -> dict[str, Any]:
        """The version a CURRENT/MINOR/MAJOR_VERSION update moves to (PROTON.md §4.2)."""
        template, cur_major, cur_minor = (
            res["templateName"],
            res["templateMajorVersion"],
            res["templateMinorVersion"],
        )
        if deployment_type in ("NONE", "CURRENT_VERSION"):
            if (major or cur_major) != cur_major or (minor or cur_minor) != cur_minor:
                raise ValidationException(
                    f"deploymentType {deployment_type} keeps the current version "
                    f"{cur_major}.{cur_minor}; do not pass other version numbers"
                )
            return self._get_version(kind, template, cur_major, cur_minor)
        if deployment_type == "MINOR_VERSION":
            if major is not None and major != cur_major:
                raise ValidationException(
                    "deploymentType MINOR_VERSION cannot change the major version; use MAJOR_VERSION"
                )
            version = self.resolve_version(kind, template, cur_major, minor)
            if int(version["minorVersion"]) < int(cur_minor):
                raise ValidationException(
                    f"Version {cur_major}.{version['minorVersion']} is older than the "
                    f"current version {cur_major}.{cur_minor}"
                )
            return version
        if major is None:
            recommended = self._get_template(kind, template).get("recommendedVersion")
            if not recommended:
                raise ValidationException(
                    f"{kind.capitalize()} template {template} has no recommended version"
                )
            major, minor = recommended.split(".") if minor is None else (recommended.split(".")[0], minor)
        if int(major) <= int(cur_major):
            raise ValidationException(
                f"deploymentType MAJOR_VERSION needs a major version higher than {cur_major}; got {major}"
            )
        return self.resolve_version(kind, template, major, minor)

    # -- environments -----------------------------------------------------------------------------------
    @operation("CreateEnvironment")
    def create_environment(self, **p: Any) -> dict[str, Any]:
        name = p["name"]
        existing = self.idempotent_create("environment", name, f"Environment {name}", p)
        if existing is not None:
            return {"environment": existing}
        self.check_quota("environments", len(self.store.keys("environment")))
        version = self.resolve_version(
            "environment", p["templateName"], p["templateMajorVersion"], p.get("templateMinorVersion")
        )
        inputs = self.parse_environment_spec(p["spec"])
        self.check_inputs(
            "environment",
            version["majorVersion"],
            version["minorVersion"],
            p["templateName"],
            "environment",
            inputs,
            "spec",
        )
        account = self._check_environment_wiring(p, version, name)
        now = self.now()
        env = {
            "name": name,
            "arn": self.arn(f"environment/{name}"),
            "createdAt": now,
            "templateName": p["templateName"],
            "templateMajorVersion": version["majorVersion"],
            "templateMinorVersion": version["minorVersion"],
            "spec": p["spec"],
            "environmentAccountId": account,
            "lastDeploymentAttemptedAt": now,
            "lastDeploymentSucceededAt": now,
            "_createDigest": digest(p),
            "_inputs": inputs,
        }
        for member in (
            *ROLE_MEMBERS,
            "description",
            "environmentAccountConnectionId",
            "provisioningRepository",
        ):
            if p.get(member) is not None:
                env[member] = p[member]
        if env.get("provisioningRepository"):
            env["provisioningRepository"] = self._repository_branch(env["provisioningRepository"])
        if version.get("_provisioning") == "customer-managed":
            env["provisioning"] = "CUSTOMER_MANAGED"
        env["_provisioning"] = version.get("_provisioning")
        self.store.put("environment", name, env)
        self.set_tags(env["arn"], self.inherited_tags(None, p.get("tags")))
        self.start_deployment("ENVIRONMENT", name, self._env_state(env), inputs=inputs)
        return {"environment": self.store.get("environment", name)}

    def _repository_branch(self, ref: dict[str, Any]) -> dict[str, Any]:
        """RepositoryBranchInput -> RepositoryBranch (the output shape requires the linked repository's
        arn)."""
        return {**ref, "arn": self.get_linked_repository(ref)["arn"]}

    def _env_state(self, env: dict[str, Any]) -> dict[str, Any]:
        return {
            "templateName": env["templateName"],
            "templateMajorVersion": env["templateMajorVersion"],
            "templateMinorVersion": env["templateMinorVersion"],
            "spec": env["spec"],
        }

    def _check_environment_wiring(self, p: dict[str, Any], version: dict[str, Any], name: str) -> str:
        """Roles, connection and repository must fit the provisioning method;
        returns the environment account."""
        provisioning = version.get("_provisioning")
        conn_id = p.get("environmentAccountConnectionId")
        if provisioning == "terraform":
            if not p.get("provisioningRepository"):
                raise ValidationException(
                    "A self-managed (Terraform) environment needs provisioningRepository"
                )
            if conn_id or p.get("protonServiceRoleArn"):
                raise ValidationException(
                    "A self-managed environment takes neither protonServiceRoleArn nor "
                    "environmentAccountConnectionId"
                )
            self.get_linked_repository(p["provisioningRepository"])
            return self.account_id
        if p.get("provisioningRepository"):
            raise ValidationException(
                f"provisioningRepository is only for self-managed (Terraform) "
                f"environments; this template provisions with {provisioning}"
            )
        if conn_id and p.get("protonServiceRoleArn"):
            raise ValidationException(
                "Pass either protonServiceRoleArn or environmentAccountConnectionId, not both"
            )
        if conn_id:
            conn = self.must_get("connection", conn_id, f"Environment account connection {conn_id}")
            if conn["status"] != "CONNECTED":
                raise ValidationException(f"Environment account connection {conn_id} is {conn['status']}")
            if conn["environmentName"] != name:
                raise ValidationException(
                    f"Environment account connection {conn_id} is for environment "
                    f"{conn['environmentName']}, not {name}"
                )
            return conn["environmentAccountId"]
        if provisioning == "cloudformation" and not p.get("protonServiceRoleArn"):
            raise ValidationException(
                "An AWS-managed environment needs protonServiceRoleArn or environmentAccountConnectionId"
            )
        if provisioning == "codebuild" and not p.get("codebuildRoleArn"):
            raise ValidationException("A CodeBuild-provisioned environment needs codebuildRoleArn")
        return self.account_id

    @operation("GetEnvironment")
    def get_environment(self, *, name: str) -> dict[str, Any]:
        return {"environment": self.must_get("environment", name, f"Environment {name}")}

    @operation("UpdateEnvironment")
    def update_environment(self, **p: Any) -> dict[str, Any]:
        env = self.must_get("environment", p["name"], f"Environment {p['name']}")
        if env["deploymentStatus"] in ("IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING"):
            raise ConflictException(f"Environment {env['name']} is {env['deploymentStatus']}")
        self._check_wiring_update(env, p)
        for member in (
            "description",
            *ROLE_MEMBERS,
            "environmentAccountConnectionId",
            "provisioningRepository",
        ):
            if member in p:
                env[member] = p[member]
        if p.get("provisioningRepository"):
            env["provisioningRepository"] = self._repository_branch(p["provisioningRepository"])
        if p.get("environmentAccountConnectionId"):
            env.pop("protonServiceRoleArn", None)
        env["_modified"] = True
        kind = p["deploymentType"]
        version = self.target_version(
            "environment", env, kind, p.get("templateMajorVersion"), p.get("templateMinorVersion")
        )
        if kind == "MAJOR_VERSION":
            self._check_instances_follow(env, version["majorVersion"])
        if kind == "NONE":
            if p.get("spec") is not None:
                raise ValidationException(
                    "deploymentType NONE changes metadata only; a spec needs "
                    "CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION"
                )
            self.store.put("environment", env["name"], env)
            return {"environment": env}
        spec = p.get("spec") or env["spec"]
        inputs = self.parse_environment_spec(spec)
        from proton_exodus.proton.spec import resolve_current_values

        inputs = resolve_current_values(inputs, env.get("_inputs"), path="spec")
        self.check_inputs(
            "environment",
            version["majorVersion"],
            version["minorVersion"],
            env["templateName"],
            "environment",
            inputs,
            "spec",
        )
        self.store.put("environment", env["name"], env)
        state = target_state(env["templateName"], version["majorVersion"], version["minorVersion"], spec)
        self.start_deployment("ENVIRONMENT", env["name"], state, inputs=inputs)
        return {"environment": self.store.get("environment", env["name"])}

    def _check_instances_follow(self, env: dict[str, Any], major: str) -> None:
        """Every instance in the environment must stay compatible with the new major [inferred, §4.1]."""
        for inst in self.store.values("instance"):
            if inst["environmentName"] != env["name"]:
                continue
            version = self._service_version_of(inst) or {}
            if {"templateName": env["templateName"], "majorVersion": major} not in version.get(
                "compatibleEnvironmentTemplates", []
            ):
                raise ValidationException(
                    f"Service instance {inst['serviceName']}/{inst['name']} "
                    f"({inst['templateName']}:{inst['templateMajorVersion']}) is not compatible "
                    f"with {env['templateName']} major version {major}"
                )

    def _check_wiring_update(self, env: dict[str, Any], p: dict[str, Any]) -> None:
        """PROTON.md §4.6 UpdateEnvironment rules."""
        new_conn, new_role = p.get("environmentAccountConnectionId"), p.get("protonServiceRoleArn")
        if env.get("provisioningRepository"):
            if new_conn or new_role:
                raise ValidationException(
                    "A self-managed environment takes neither protonServiceRoleArn nor "
                    "environmentAccountConnectionId"
                )
            if "provisioningRepository" in p and not p["provisioningRepository"]:
                raise ValidationException("A self-managed environment must keep its provisioningRepository")
            return
        conn_changes = new_conn is not None and new_conn != env.get("environmentAccountConnectionId")
        role_changes = new_role is not None and new_role != env.get("protonServiceRoleArn")
        if conn_changes and role_changes:
            raise ValidationException(
                "environmentAccountConnectionId and protonServiceRoleArn cannot both change"
            )
        if conn_changes:
            conn = self.must_get("connection", new_conn, f"Environment account connection {new_conn}")
            if conn["status"] != "CONNECTED" or conn["environmentAccountId"] != env["environmentAccountId"]:
                raise ValidationException(
                    f"Environment account connection {new_conn} must be CONNECTED and "
                    f"from account {env['environmentAccountId']}"
                )

    @operation("DeleteEnvironment")
    def delete_environment(self, *, name: str) -> dict[str, Any]:
        env = self.store.get("environment", name)
        if env is None:
            return self._deleted_before(self.arn(f"environment/{name}"), f"Environment {name}")
        comps = [c["name"] for c in self.store.values("component") if c["environmentName"] == name]
        if comps:
            raise ConflictException(
                f"Environment {name} has components ({', '.join(comps[:5])}); delete them first"
            )
        insts = [i["arn"] for i in self.store.values("instance") if i["environmentName"] == name]
        if insts:
            raise ConflictException(
                f"Environment {name} has service instances deployed to it "
                f"({', '.join(insts[:5])}); delete them first"
            )
        self.start_deployment("ENVIRONMENT", name, None, delete=True)
        return {"environment": self.store.get("environment", name)}

    @operation("ListEnvironments")
    def list_environments(
        self, *, environmentTemplates: list[dict[str, str]] | None = None, **_: Any
    ) -> dict[str, Any]:
        wanted = {(t["templateName"], t["majorVersion"]) for t in environmentTemplates or []}
        for name, _major in wanted:
            if not self.store.exists("etemplate", name):
                raise ResourceNotFoundException(f"Environment template {name} not found")
        envs = [
            e
            for e in self.store.values("environment")
            if not wanted or (e["templateName"], e["templateMajorVersion"]) in wanted
        ]
        return {"environments": [project(e, "EnvironmentSummary") for e in envs]}

    @operation("CancelEnvironmentDeployment")
    def cancel_environment_deployment(self, *, environmentName: str) -> dict[str, Any]:
        return {"environment": self.cancel("ENVIRONMENT", environmentName)}

    @operation("ListEnvironmentOutputs")
    def list_environment_outputs(
        self, *, environmentName: str, deploymentId: str | None = None, **_: Any
    ) -> dict[str, Any]:
        env = self.must_get("environment", environmentName, f"Environment {environmentName}")
        return {"outputs": self.deployment_outputs(env, deploymentId)}

    @operation("ListEnvironmentProvisionedResources")
    def list_environment_provisioned_resources(self, *, environmentName: str, **_: Any) -> dict[str, Any]:
        env = self.must_get("environment", environmentName, f"Environment {environmentName}")
        return {"provisionedResources": self.provisioned_resources(env)}
