"""Seed a local Proton with the demo estate by driving Proton's real API lifecycle through boto3.

Bundles go to the local S3 as .tar.gz, versions are registered and published, environments,
connections, services and components are created and updated in the order estate.yaml describes,
so every AWS-managed resource ends up with a real stack in the local CloudFormation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from botocore.exceptions import ClientError

from proton_exodus.demo.estate import DEMO_DIR, bundle_tarball, load_estate, version_source_dir
from proton_exodus.errors import AwsError

if TYPE_CHECKING:
    from proton_exodus.engine.server import Seed

__all__ = [
    "DemoSeedError",
    "SeedClients",
    "SeedReport",
    "clients_for_endpoint",
    "local_seed",
    "seed_demo",
    "seed_demo_via_api",
]

POLL_SECONDS = 0.05
WAIT_SECONDS = 25.0
_BUSY = {
    "IN_PROGRESS",
    "DELETE_IN_PROGRESS",
    "CANCELLING",
    "REGISTRATION_IN_PROGRESS",
    "CREATE_IN_PROGRESS",
    "UPDATE_IN_PROGRESS",
    "PENDING",
}
_PROTON_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


class DemoSeedError(AwsError):
    """The local Proton refused or failed a step of the demo lifecycle."""


@dataclass(frozen=True)
class SeedClients:
    """boto3-compatible clients: Proton, S3 and IAM of the management account, plus Proton and IAM of
    each environment account (keyed by account ID)."""

    proton: Any
    s3: Any
    iam: Any | None = None
    account_proton: Mapping[str, Any] = field(default_factory=dict)
    account_iam: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedReport:
    """What the seeder did: counts per kind, the failed deployments it expected, and whether it skipped."""

    counts: Mapping[str, int]
    failed: tuple[str, ...] = ()
    connection_ids: Mapping[str, str] = field(default_factory=dict)
    skipped: bool = False


def clients_for_endpoint(endpoint_url: str, estate: Mapping[str, Any] | None = None) -> SeedClients:
    """Clients for a local cloud endpoint, each pinned to its account with moto's `x-moto-account-id`."""
    estate = estate or load_estate()
    mgmt = estate["managementAccount"]
    others = [a["id"] for a in estate["accounts"] if a["id"] != mgmt]

    import boto3

    # One session for every client: botocore loads each service model once.
    session = boto3.session.Session(
        aws_access_key_id="exodus-demo", aws_secret_access_key="exodus-demo", region_name=estate["region"]
    )

    def make(service: str, account: str) -> Any:
        client = session.client(service, endpoint_url=endpoint_url)
        client.meta.events.register(
            "before-sign", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
        )
        return client

    return SeedClients(
        make("proton", mgmt),
        make("s3", mgmt),
        make("iam", mgmt),
        {a: make("proton", a) for a in others},
        {a: make("iam", a) for a in others},
    )


def seed_demo_via_api(endpoint_url: str) -> SeedReport:
    """Seed the local Proton listening at `endpoint_url` (what `exodus local serve --seed demo` runs)."""
    estate = load_estate()
    return _Seeder(clients_for_endpoint(endpoint_url, estate), estate).run()


def seed_demo(target: Any) -> SeedReport:
    """Seed a local Proton: `target` is a started LocalProtonServer (anything with `.url`), an endpoint
    URL, or SeedClients. Already-seeded targets are left alone (skipped=True)."""
    if isinstance(target, SeedClients):
        return _Seeder(target, load_estate()).run()
    url = target if isinstance(target, str) else getattr(target, "url", None)
    if not isinstance(url, str):
        raise TypeError("seed_demo needs a LocalProtonServer, an endpoint URL or SeedClients")
    return seed_demo_via_api(url)


def local_seed() -> Seed:
    """The demo as a local server's `seed=` (`exodus local serve --seed demo`, the demo run): seeded
    through the API, and callers with unknown credentials act in the demo's management account."""
    from proton_exodus.engine.server import Seed

    return Seed(load=seed_demo_via_api, default_account=str(load_estate()["managementAccount"]))


def _tags(mapping: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"key": k, "value": str(v)} for k, v in sorted((mapping or {}).items())]


def _call(what: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return fn(**{k: v for k, v in kwargs.items() if v is not None})
    except ClientError as err:
        error = err.response.get("Error", {})
        raise DemoSeedError(f"demo seed: {what}: {error.get('Code')}: {error.get('Message')}") from None


class _Seeder:
    """One pass over estate.yaml; methods follow the lifecycle in the file's header."""

    def __init__(self, clients: SeedClients, estate: Mapping[str, Any]) -> None:
        self.c, self.estate = clients, estate
        self.bucket = estate["bundleBucket"]
        self.connections: dict[str, str] = {}
        self.failed: list[str] = []

    def run(self) -> SeedReport:
        if self._already_seeded():
            return SeedReport(counts=dict(self.estate["expectedCounts"]), skipped=True)
        self._account()
        self._templates(phase=1)
        self._connections()
        self._environments()
        self._services(on_old_minor=True)
        self._components()
        self._templates(phase=2)
        self._minor_updates()
        self._services(on_old_minor=False)
        self._sync_configs()
        self._later_instances()
        return SeedReport(
            counts=dict(self.estate["expectedCounts"]),
            failed=tuple(self.failed),
            connection_ids=dict(self.connections),
        )

    def _already_seeded(self) -> bool:
        first = self.estate["environmentTemplates"][0]["name"]
        try:
            self.c.proton.get_environment_template(name=first)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return False
            raise DemoSeedError(f"demo seed: cannot reach the local Proton: {err}") from None
        return True

    # ---- account: IAM roles, settings, repositories, the bundle bucket ----
    def _account(self) -> None:
        self._roles()
        _call("create the bundle bucket", self.c.s3.create_bucket, Bucket=self.bucket)
        settings = self.estate["accountSettings"]
        _call(
            "UpdateAccountSettings",
            self.c.proton.update_account_settings,
            pipelineServiceRoleArn=settings["pipelineServiceRoleArn"],
        )
        for repo in self.estate["repositories"]:
            _call(
                f"CreateRepository {repo['name']}",
                self.c.proton.create_repository,
                provider=repo["provider"],
                name=repo["name"],
                connectionArn=repo["connectionArn"],
                tags=_tags(repo.get("tags")),
            )

    def _roles(self) -> None:
        """Create every IAM role the estate names, in its own account (Proton assumes them)."""
        arns = {self.estate["accountSettings"]["pipelineServiceRoleArn"]}
        for env in self.estate["environments"]:
            arns |= {env.get("protonServiceRoleArn"), env.get("componentRoleArn")}
        for conn in self.estate["environmentAccountConnections"]:
            arns |= {conn.get("roleArn"), conn.get("componentRoleArn")}
        for arn in sorted(a for a in arns if a):
            account, name = arn.split(":")[4], arn.rsplit("/", 1)[1]
            iam = (
                self.c.iam if account == self.estate["managementAccount"] else self.c.account_iam.get(account)
            )
            if iam is None:
                continue
            try:
                iam.create_role(
                    RoleName=name,
                    AssumeRolePolicyDocument=json.dumps(_PROTON_TRUST),
                    Description="exodus demo: role AWS Proton assumes",
                )
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") != "EntityAlreadyExists":
                    raise DemoSeedError(f"demo seed: create IAM role {arn}: {err}") from None

    # ---- templates and versions ----
    def _templates(self, phase: int) -> None:
        for kind in ("environment", "service"):
            for tmpl in self.estate[f"{kind}Templates"]:
                if phase == 1:
                    self._create_template(kind, tmpl)
                majors = {v["major"] for v in tmpl["versions"] if v["phase"] < phase}
                for version in tmpl["versions"]:
                    if version["phase"] == phase:
                        self._register(kind, tmpl["name"], version, new_major=version["major"] not in majors)
                        majors.add(version["major"])

    def _create_template(self, kind: str, tmpl: Mapping[str, Any]) -> None:
        extra = (
            {"provisioning": tmpl.get("provisioning")}
            if kind == "environment"
            else {"pipelineProvisioning": tmpl.get("pipelineProvisioning")}
        )
        create = getattr(self.c.proton, f"create_{kind}_template")
        _call(
            f"Create {kind} template {tmpl['name']}",
            create,
            name=tmpl["name"],
            displayName=tmpl.get("displayName"),
            description=tmpl.get("description"),
            tags=_tags(tmpl.get("tags")),
            **extra,
        )

    def _register(self, kind: str, name: str, version: Mapping[str, Any], *, new_major: bool) -> None:
        """Upload the bundle, create the version, wait for DRAFT, publish (PROTON.md §4.1)."""
        label = f"{name} {version['major']}.{version['minor']}"
        key = f"{kind}/{name}/{version['major']}.{version['minor']}.tar.gz"
        _call(
            f"upload bundle of {label}",
            self.c.s3.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=bundle_tarball(version_source_dir(version, DEMO_DIR)),
        )
        extra: dict[str, Any] = {}
        if kind == "service":
            extra = {
                "compatibleEnvironmentTemplates": version["compatibleEnvironmentTemplates"],
                "supportedComponentSources": version.get("supportedComponentSources"),
            }
        create = getattr(self.c.proton, f"create_{kind}_template_version")
        out = _call(
            f"Create {kind} template version {label}",
            create,
            templateName=name,
            majorVersion=None if new_major else version["major"],
            description=version.get("description"),
            source={"s3": {"bucket": self.bucket, "key": key}},
            **extra,
        )
        got = out[f"{kind}TemplateVersion"]
        if (got["majorVersion"], got["minorVersion"]) != (version["major"], version["minor"]):
            raise DemoSeedError(
                f"demo seed: {label} was registered as {got['majorVersion']}.{got['minorVersion']}"
            )
        get = getattr(self.c.proton, f"get_{kind}_template_version")
        ids = {"templateName": name, "majorVersion": version["major"], "minorVersion": version["minor"]}
        state = self._wait(label, lambda: get(**ids)[f"{kind}TemplateVersion"], "status")
        if state["status"] == "REGISTRATION_FAILED":
            raise DemoSeedError(f"demo seed: {label} failed registration: {state.get('statusMessage')}")
        if version.get("deleteSourceAfterRegistration"):  # the bundle that was lost (estate.yaml)
            _call(f"delete bundle of {label}", self.c.s3.delete_object, Bucket=self.bucket, Key=key)
        if version["status"] == "PUBLISHED":
            update = getattr(self.c.proton, f"update_{kind}_template_version")
            _call(f"publish {label}", update, status="PUBLISHED", **ids)

    # ---- environments ----
    def _connections(self) -> None:
        # Real Proton takes this request in the environment account. The local engine is one store per
        # account and keeps both sides of a connection in the management account's store, deriving the
        # environment account from the role ARNs (engine/connections.py), so the request goes there.
        for conn in self.estate["environmentAccountConnections"]:
            account = conn["environmentAccountId"]
            out = _call(
                f"CreateEnvironmentAccountConnection for {account}",
                self.c.proton.create_environment_account_connection,
                managementAccountId=conn["managementAccountId"],
                environmentName=conn["environmentName"],
                roleArn=conn.get("roleArn"),
                componentRoleArn=conn.get("componentRoleArn"),
                tags=_tags(conn.get("tags")),
            )
            conn_id = out["environmentAccountConnection"]["id"]
            if conn["status"] == "CONNECTED":
                _call(
                    f"AcceptEnvironmentAccountConnection {conn_id}",
                    self.c.proton.accept_environment_account_connection,
                    id=conn_id,
                )
            self.connections[account] = conn_id

    def _environments(self) -> None:
        for env in self.estate["environments"]:
            conn = env.get("environmentAccountConnection")
            _call(
                f"CreateEnvironment {env['name']}",
                self.c.proton.create_environment,
                name=env["name"],
                templateName=env["templateName"],
                templateMajorVersion=env["templateMajorVersion"],
                templateMinorVersion=env.get("createdOnMinor", env["templateMinorVersion"]),
                spec=env["spec"],
                description=env.get("description"),
                tags=_tags(env.get("tags")),
                protonServiceRoleArn=env.get("protonServiceRoleArn"),
                componentRoleArn=env.get("componentRoleArn"),
                environmentAccountConnectionId=self.connections[conn] if conn else None,
                provisioningRepository=env.get("provisioningRepository"),
            )
        for env in self.estate["environments"]:
            if "notifyOutputs" in env:
                self._notify_self_managed(env)
            self._wait_environment(env["name"])

    def _notify_self_managed(self, env: Mapping[str, Any]) -> None:
        """Play the customer's Terraform automation: report the merged PR's outcome and outputs (§3.3)."""
        got = _call(f"GetEnvironment {env['name']}", self.c.proton.get_environment, name=env["name"])[
            "environment"
        ]
        outputs = [{"key": k, "valueString": str(v)} for k, v in env["notifyOutputs"].items()]
        _call(
            f"NotifyResourceDeploymentStatusChange {env['name']}",
            self.c.proton.notify_resource_deployment_status_change,
            resourceArn=got["arn"],
            status="SUCCEEDED",
            outputs=outputs,
            deploymentId=got.get("lastAttemptedDeploymentId"),
            statusMessage="terraform apply succeeded (exodus demo automation)",
        )

    def _wait_environment(self, name: str) -> None:
        state = self._wait(
            f"environment {name}",
            lambda: self.c.proton.get_environment(name=name)["environment"],
            "deploymentStatus",
        )
        if state["deploymentStatus"] != "SUCCEEDED":
            raise DemoSeedError(
                f"demo seed: environment {name} ended {state['deploymentStatus']}: "
                f"{state.get('deploymentStatusMessage')}"
            )

    def _minor_updates(self) -> None:
        """MINOR_VERSION updates, issued in waves (environments, instances, pipelines), each then awaited."""
        envs = [
            e
            for e in self.estate["environments"]
            if e.get("createdOnMinor", e["templateMinorVersion"]) != e["templateMinorVersion"]
        ]
        for env in envs:
            _call(
                f"UpdateEnvironment {env['name']}",
                self.c.proton.update_environment,
                name=env["name"],
                deploymentType="MINOR_VERSION",
                templateMajorVersion=env["templateMajorVersion"],
                templateMinorVersion=env["templateMinorVersion"],
                spec=env["spec"],
            )
        for env in envs:
            self._wait_environment(env["name"])
        services = [
            s
            for s in self.estate["services"]
            if s.get("createdOnMinor", s["templateMinorVersion"]) != s["templateMinorVersion"]
        ]
        updated = [(svc, name) for svc in services for name in self._update_instances_minor(svc)]
        for svc, name in updated:
            self._wait_instance(svc["name"], name, expect="SUCCEEDED")
        piped = [svc for svc in services if "pipeline" in yaml.safe_load(svc["spec"])]
        for svc in piped:
            _call(
                f"UpdateServicePipeline {svc['name']}",
                self.c.proton.update_service_pipeline,
                serviceName=svc["name"],
                deploymentType="MINOR_VERSION",
                spec=svc["spec"],
                templateMajorVersion=svc["templateMajorVersion"],
                templateMinorVersion=svc["templateMinorVersion"],
            )
        for svc in piped:
            self._wait_pipeline(svc["name"])

    def _update_instances_minor(self, svc: Mapping[str, Any]) -> list[str]:
        """MINOR_VERSION every instance not pinned by `instanceMinorVersions`; returns the names updated."""
        pinned = svc.get("instanceMinorVersions", {})
        names = [i["name"] for i in yaml.safe_load(svc["spec"])["instances"] if i["name"] not in pinned]
        for name in names:
            _call(
                f"UpdateServiceInstance {svc['name']}/{name}",
                self.c.proton.update_service_instance,
                serviceName=svc["name"],
                name=name,
                deploymentType="MINOR_VERSION",
                spec=svc["spec"],
                templateMajorVersion=svc["templateMajorVersion"],
                templateMinorVersion=svc["templateMinorVersion"],
            )
        return names

    # ---- services, components, sync ----
    def _services(self, *, on_old_minor: bool) -> None:
        chosen = [s for s in self.estate["services"] if ("createdOnMinor" in s) == on_old_minor]
        for svc in chosen:
            _call(
                f"CreateService {svc['name']}",
                self.c.proton.create_service,
                name=svc["name"],
                templateName=svc["templateName"],
                templateMajorVersion=svc["templateMajorVersion"],
                templateMinorVersion=svc.get("createdOnMinor"),
                spec=svc["spec"],
                description=svc.get("description"),
                repositoryConnectionArn=svc.get("repositoryConnectionArn"),
                repositoryId=svc.get("repositoryId"),
                branchName=svc.get("branchName"),
                tags=_tags(svc.get("tags")),
            )
        for svc in chosen:
            self._wait_service(svc)

    def _wait_service(self, svc: Mapping[str, Any]) -> None:
        name = svc["name"]
        state = self._wait(
            f"service {name}", lambda: self.c.proton.get_service(name=name)["service"], "status"
        )
        if state["status"] not in ("ACTIVE",):
            raise DemoSeedError(
                f"demo seed: service {name} ended {state['status']}: {state.get('statusMessage')}"
            )
        for inst in yaml.safe_load(svc["spec"])["instances"]:
            self._wait_instance(name, inst["name"], expect="SUCCEEDED")
        if "pipeline" in yaml.safe_load(svc["spec"]):
            self._wait_pipeline(name)

    def _wait_instance(self, service: str, name: str, *, expect: str) -> dict[str, Any]:
        state = self._wait(
            f"service instance {service}/{name}",
            lambda: self.c.proton.get_service_instance(serviceName=service, name=name)["serviceInstance"],
            "deploymentStatus",
        )
        if state["deploymentStatus"] != expect:
            raise DemoSeedError(
                f"demo seed: service instance {service}/{name} ended {state['deploymentStatus']} "
                f"(expected {expect}): {state.get('deploymentStatusMessage')}"
            )
        return state

    def _wait_pipeline(self, service: str) -> None:
        state = self._wait(
            f"pipeline of {service}",
            lambda: self.c.proton.get_service(name=service)["service"]["pipeline"],
            "deploymentStatus",
        )
        if state["deploymentStatus"] != "SUCCEEDED":
            raise DemoSeedError(
                f"demo seed: pipeline of {service} ended {state['deploymentStatus']}: "
                f"{state.get('deploymentStatusMessage')}"
            )

    def _components(self) -> None:
        for comp in self.estate["components"]:
            folder = DEMO_DIR / "bundles" / comp["bundle"]
            _call(
                f"CreateComponent {comp['name']}",
                self.c.proton.create_component,
                name=comp["name"],
                description=comp.get("description"),
                serviceName=comp["serviceName"],
                serviceInstanceName=comp["serviceInstanceName"],
                tags=_tags(comp.get("tags")),
                templateFile=(folder / "cloudformation.yaml").read_text(encoding="utf-8"),
                manifest=(folder / "manifest.yaml").read_text(encoding="utf-8"),
            )
            state = self._wait(
                f"component {comp['name']}",
                lambda n=comp["name"]: self.c.proton.get_component(name=n)["component"],
                "deploymentStatus",
            )
            if state["deploymentStatus"] != "SUCCEEDED":
                raise DemoSeedError(
                    f"demo seed: component {comp['name']} ended {state['deploymentStatus']}: "
                    f"{state.get('deploymentStatusMessage')}"
                )

    def _sync_configs(self) -> None:
        for cfg in self.estate["templateSyncConfigs"]:
            _call(
                f"CreateTemplateSyncConfig {cfg['templateName']}",
                self.c.proton.create_template_sync_config,
                **cfg,
            )
        for cfg in self.estate["serviceSyncConfigs"]:
            args = {k: v for k, v in cfg.items() if k != "opsFile"}
            _call(
                f"CreateServiceSyncConfig {cfg['serviceName']}",
                self.c.proton.create_service_sync_config,
                **args,
            )

    def _later_instances(self) -> None:
        """Instances added after the service existed; the estate says which must fail, and why."""
        for svc in self.estate["services"]:
            for later in svc.get("laterInstances", []):
                _call(
                    f"CreateServiceInstance {svc['name']}/{later['name']}",
                    self.c.proton.create_service_instance,
                    serviceName=svc["name"],
                    name=later["name"],
                    spec=later["spec"],
                )
                expect = later.get("expectedDeploymentStatus", "SUCCEEDED")
                state = self._wait_instance(svc["name"], later["name"], expect=expect)
                if expect == "FAILED":
                    self.failed.append(
                        f"{svc['name']}/{later['name']}: {state.get('deploymentStatusMessage')}"
                    )

    # ---- polling ----
    def _wait(self, what: str, get: Callable[[], dict[str, Any]], field_name: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                state = get()
            except ClientError as err:
                raise DemoSeedError(f"demo seed: reading {what}: {err}") from None
            if state.get(field_name) not in _BUSY or time.monotonic() > deadline:
                return state
            time.sleep(POLL_SECONDS)
