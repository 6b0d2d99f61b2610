"""Crawl every Proton kind of one account and Region through the read API (botocore model only).

Each List result fans out into independent tasks (Get for what the summary lacks, tags, outputs,
provisioned resources, versions, sync configs), so the bounded pool stays busy. Results land in
`parts` keyed by (kind, identity); `assemble` turns them into snapshot records.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from proton_exodus.inventory.calls import Caller
from proton_exodus.inventory.runner import TaskRunner

NOT_FOUND = ("ResourceNotFoundException",)
# kind -> (List*Outputs, List*ProvisionedResources)
RESOURCE_OPS = {
    "environments": ("ListEnvironmentOutputs", "ListEnvironmentProvisionedResources"),
    "service_instances": ("ListServiceInstanceOutputs", "ListServiceInstanceProvisionedResources"),
    "service_pipelines": ("ListServicePipelineOutputs", "ListServicePipelineProvisionedResources"),
    "components": ("ListComponentOutputs", "ListComponentProvisionedResources"),
}
TEMPLATE_OPS = {
    "ENVIRONMENT": (
        "environment_templates",
        "ListEnvironmentTemplates",
        "GetEnvironmentTemplate",
        "environmentTemplate",
        "environment_template_versions",
        "ListEnvironmentTemplateVersions",
        "GetEnvironmentTemplateVersion",
        "environmentTemplateVersion",
    ),
    "SERVICE": (
        "service_templates",
        "ListServiceTemplates",
        "GetServiceTemplate",
        "serviceTemplate",
        "service_template_versions",
        "ListServiceTemplateVersions",
        "GetServiceTemplateVersion",
        "serviceTemplateVersion",
    ),
}


class ProtonCrawler:
    """The Proton half of one scope's crawl: spawn `start()`, wait on the runner, read `parts`."""

    def __init__(
        self,
        caller: Caller,
        runner: TaskRunner,
        on_resources: Callable[[str, str | None, list[dict[str, Any]]], None] | None = None,
    ) -> None:
        self.caller = caller
        self.runner = runner
        self.on_resources = on_resources  # (kind, resource ARN, provisioned resources), e.g. StackFollower
        self._lock = threading.Lock()
        self.parts: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = defaultdict(dict)
        self._seen: set[tuple[str, tuple[str, ...]]] = set()

    # -- plumbing -------------------------------------------------------------------------------
    def put(self, kind: str, key: tuple[str, ...], **fields: Any) -> None:
        with self._lock:
            self.parts[(kind, key)].update(fields)

    def first_sighting(self, kind: str, key: tuple[str, ...]) -> bool:
        with self._lock:
            if (kind, key) in self._seen:
                return False
            self._seen.add((kind, key))
            return True

    def spawn(self, fn: Any, *args: Any) -> None:
        self.runner.spawn(fn, *args)

    def start(self) -> None:
        """Spawn the root tasks; every other task is spawned by these."""
        for template_type in TEMPLATE_OPS:
            self.spawn(self.templates, template_type)
        for fn in (
            self.environments,
            self.services,
            self.service_instances,
            self.components,
            self.repositories,
            self.deployments,
            self.account_settings,
        ):
            self.spawn(fn)
        for side in ("MANAGEMENT_ACCOUNT", "ENVIRONMENT_ACCOUNT"):
            self.spawn(self.connections, side)

    def tags(self, kind: str, key: tuple[str, ...], arn: str) -> None:
        items = self.caller.list_all("ListTagsForResource", "tags", tolerate=NOT_FOUND, resourceArn=arn)
        self.put(kind, key, tags={t["key"]: t.get("value", "") for t in items or []})

    def get(
        self, kind: str, key: tuple[str, ...], op: str, member: str, **params: Any
    ) -> dict[str, Any] | None:
        result = self.caller.call(op, tolerate=NOT_FOUND, **params)
        detail = (result or {}).get(member)
        self.put(kind, key, detail=detail)  # None: deleted between List and Get
        return detail

    # -- templates and versions -----------------------------------------------------------------
    def templates(self, template_type: str) -> None:
        kind, list_op, get_op, member, *_ = TEMPLATE_OPS[template_type]
        for summary in self.caller.list_all(list_op, "templates") or []:
            key = (summary["name"],)
            self.put(kind, key, summary=summary)
            self.spawn(self._get_named, kind, key, get_op, member, summary["name"])
            self.spawn(self.tags, kind, key, summary["arn"])
            self.spawn(self.versions, template_type, summary["name"], None)
            self.spawn(self.template_sync_config, template_type, summary["name"])

    def _get_named(self, kind: str, key: tuple[str, ...], op: str, member: str, name: str) -> None:
        self.get(kind, key, op, member, name=name)

    def versions(self, template_type: str, name: str, major: str | None) -> None:
        """List versions; without a major the API may list only majors, so list each major too."""
        *_, kind, list_op, get_op, member = TEMPLATE_OPS[template_type]
        params: dict[str, Any] = {"templateName": name}
        if major is not None:
            params["majorVersion"] = major
        majors: set[str] = set()
        for summary in self.caller.list_all(list_op, "templateVersions", tolerate=NOT_FOUND, **params) or []:
            key = (name, str(summary["majorVersion"]), str(summary["minorVersion"]))
            majors.add(key[1])
            if not self.first_sighting(kind, key):
                continue
            self.put(kind, key, summary=summary)
            self.spawn(self._get_version, kind, key, get_op, member)
            self.spawn(self.tags, kind, key, summary["arn"])
        if major is None:
            for each in sorted(majors):
                self.spawn(self.versions, template_type, name, each)

    def _get_version(self, kind: str, key: tuple[str, ...], op: str, member: str) -> None:
        self.get(kind, key, op, member, templateName=key[0], majorVersion=key[1], minorVersion=key[2])

    def template_sync_config(self, template_type: str, name: str) -> None:
        result = self.caller.call(
            "GetTemplateSyncConfig", tolerate=NOT_FOUND, templateName=name, templateType=template_type
        )
        config = (result or {}).get("templateSyncConfig")
        if config:
            self.put("template_sync_configs", (template_type, name), summary={}, detail=config)

    # -- environments, services, instances, pipelines, components -------------------------------
    def environments(self) -> None:
        for summary in self.caller.list_all("ListEnvironments", "environments") or []:
            key = (summary["name"],)
            self.put("environments", key, summary=summary)
            self.spawn(self._get_named, "environments", key, "GetEnvironment", "environment", summary["name"])
            self.spawn(self.tags, "environments", key, summary["arn"])
            self.spawn(self.resource_data, "environments", key, {"environmentName": summary["name"]})

    def resource_data(self, kind: str, key: tuple[str, ...], params: dict[str, Any]) -> None:
        outputs_op, resources_op = RESOURCE_OPS[kind]
        self.spawn(self._outputs, kind, key, outputs_op, params)
        resources = self.caller.list_all(resources_op, "provisionedResources", tolerate=NOT_FOUND, **params)
        self.put(kind, key, provisionedResources=resources or [])
        if self.on_resources is not None and resources:
            with self._lock:
                part = self.parts[(kind, key)]
                arn = (part.get("detail") or part.get("summary") or {}).get("arn")
            self.on_resources(kind, arn, resources)

    def _outputs(self, kind: str, key: tuple[str, ...], op: str, params: dict[str, Any]) -> None:
        outputs = self.caller.list_all(op, "outputs", tolerate=NOT_FOUND, **params)
        self.put(kind, key, outputs={o["key"]: o.get("valueString") for o in outputs or []})

    def services(self) -> None:
        for summary in self.caller.list_all("ListServices", "services") or []:
            key = (summary["name"],)
            self.put("services", key, summary=summary)
            self.spawn(self._service, key)
            self.spawn(self.tags, "services", key, summary["arn"])
            self.spawn(self.service_sync_config, summary["name"])

    def _service(self, key: tuple[str, ...]) -> None:
        detail = self.get("services", key, "GetService", "service", name=key[0])
        pipeline = (detail or {}).get("pipeline")
        if pipeline:
            self.put("service_pipelines", key, summary={}, detail={**pipeline, "serviceName": key[0]})
            self.spawn(self.resource_data, "service_pipelines", key, {"serviceName": key[0]})

    def service_sync_config(self, name: str) -> None:
        result = self.caller.call("GetServiceSyncConfig", tolerate=NOT_FOUND, serviceName=name)
        config = (result or {}).get("serviceSyncConfig")
        if config:
            self.put("service_sync_configs", (name,), summary={}, detail=config)

    def service_instances(self) -> None:
        for summary in self.caller.list_all("ListServiceInstances", "serviceInstances") or []:
            key = (summary["serviceName"], summary["name"])
            self.put("service_instances", key, summary=summary)
            self.spawn(self._get_instance, key)
            self.spawn(self.tags, "service_instances", key, summary["arn"])
            self.spawn(
                self.resource_data,
                "service_instances",
                key,
                {"serviceName": key[0], "serviceInstanceName": key[1]},
            )

    def _get_instance(self, key: tuple[str, ...]) -> None:
        self.get(
            "service_instances", key, "GetServiceInstance", "serviceInstance", serviceName=key[0], name=key[1]
        )

    def components(self) -> None:
        for summary in self.caller.list_all("ListComponents", "components") or []:
            key = (summary["name"],)
            self.put("components", key, summary=summary)
            self.spawn(self._get_component, key)
            self.spawn(self.tags, "components", key, summary["arn"])
            self.spawn(self.resource_data, "components", key, {"componentName": key[0]})

    def _get_component(self, key: tuple[str, ...]) -> None:
        self.get("components", key, "GetComponent", "component", name=key[0])

    # -- connections, repositories, deployments, settings ----------------------------------------
    def connections(self, side: str) -> None:
        items = self.caller.list_all(
            "ListEnvironmentAccountConnections", "environmentAccountConnections", requestedBy=side
        )
        for summary in items or []:
            key = (summary["id"],)
            if not self.first_sighting("environment_account_connections", key):
                continue  # both sides list a connection between two accounts crawled together
            self.put("environment_account_connections", key, summary=summary)
            self.spawn(self._get_connection, key)
            self.spawn(self.tags, "environment_account_connections", key, summary["arn"])

    def _get_connection(self, key: tuple[str, ...]) -> None:
        self.get(
            "environment_account_connections",
            key,
            "GetEnvironmentAccountConnection",
            "environmentAccountConnection",
            id=key[0],
        )

    def repositories(self) -> None:
        for summary in self.caller.list_all("ListRepositories", "repositories") or []:
            key = (summary["provider"], summary["name"])
            self.put("repositories", key, summary=summary)
            self.spawn(self._get_repository, key)
            self.spawn(self.tags, "repositories", key, summary["arn"])

    def _get_repository(self, key: tuple[str, ...]) -> None:
        self.get("repositories", key, "GetRepository", "repository", provider=key[0], name=key[1])

    def deployments(self) -> None:
        for summary in self.caller.list_all("ListDeployments", "deployments") or []:
            key = (summary["id"],)
            self.put("deployments", key, summary=summary)
            self.spawn(self._get_deployment, key)

    def _get_deployment(self, key: tuple[str, ...]) -> None:
        self.get("deployments", key, "GetDeployment", "deployment", id=key[0])

    def account_settings(self) -> None:
        result = self.caller.call("GetAccountSettings", tolerate=NOT_FOUND)
        settings = (result or {}).get("accountSettings")
        if settings is not None:
            self.put("account_settings", (), summary={}, detail=settings)
