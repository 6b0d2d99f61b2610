"""Probes over a populated estate: every read with the estate's real ids, then every operation again with
each resource reference pointed at something that does not exist. The Recorder checks each answer."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError

from tests.engine.server.scenario import Estate

MISSING_UUID = "00000000-0000-4000-8000-000000000000"
# Members that name no resource (changing them makes no "missing" case); clientToken would replay a create.
# IAM roles and CodeStar connections are not Proton resources (Proton does not look them up either).
NOT_REFERENCES = {
    "clientToken",
    "nextToken",
    "maxResults",
    "description",
    "displayName",
    "spec",
    "status",
    "deploymentType",
    "branch",
    "branchName",
    "filePath",
    "subdirectory",
    "resolvedReason",
    "statusMessage",
    "tagKeys",
    "manifest",
    "templateFile",
    "serviceSpec",
    "source",
    "roleArn",
    "componentRoleArn",
    "codebuildRoleArn",
    "protonServiceRoleArn",
    "connectionArn",
    "pipelineServiceRoleArn",
    "pipelineCodebuildRoleArn",
    "repositoryConnectionArn",
    "managementAccountId",
}


def read_everything(e: Estate) -> None:
    """Every deployment by id (and by each of its names), lists filtered by every resource, past outputs."""
    p = e.proton
    deployments = p.list_deployments()["deployments"]
    kinds = {(d["targetResourceType"], d["deploymentStatus"]) for d in deployments}
    for kind in ("ENVIRONMENT", "SERVICE_INSTANCE", "SERVICE_PIPELINE", "COMPONENT"):
        assert {(kind, "SUCCEEDED"), (kind, "FAILED")} <= kinds, (kind, sorted(kinds))
    names = ("environmentName", "serviceName", "serviceInstanceName", "componentName")
    for dep in deployments:
        got = p.get_deployment(id=dep["id"])["deployment"]
        assert got["targetResourceType"] == dep["targetResourceType"]
        p.get_deployment(id=dep["id"], **{n: dep[n] for n in names if dep.get(n)})
    for env in p.list_environments()["environments"]:
        p.list_deployments(environmentName=env["name"])
        for dep in p.list_deployments(environmentName=env["name"])["deployments"]:
            if dep["targetResourceType"] == "ENVIRONMENT" and dep["deploymentStatus"] == "SUCCEEDED":
                p.list_environment_outputs(environmentName=env["name"], deploymentId=dep["id"])
        p.list_components(environmentName=env["name"])
    for svc in p.list_services()["services"]:
        p.get_service(name=svc["name"])
        p.list_deployments(serviceName=svc["name"])
        for inst in p.list_service_instances(serviceName=svc["name"])["serviceInstances"]:
            p.get_service_instance(name=inst["name"], serviceName=svc["name"])
            p.list_deployments(serviceName=svc["name"], serviceInstanceName=inst["name"])
    for comp in p.list_components()["components"]:
        p.get_component(name=comp["name"])
        p.list_deployments(componentName=comp["name"])
    connections = p.list_environment_account_connections(requestedBy="MANAGEMENT_ACCOUNT")
    for conn in connections["environmentAccountConnections"]:
        p.get_environment_account_connection(id=conn["id"])
    p.get_resources_summary()


def missing_references(proton: Any, env_side: Any, calls: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Replay one successful call of every operation with each resource reference replaced by a missing one.

    Answers may succeed (a delete of something already gone, an empty filtered list) or fail; the Recorder
    watching the clients flags any error the operation's model does not list. Returns the operations replayed.
    """
    replayed = set()
    for name in sorted(calls):
        client = env_side if name == "CreateEnvironmentAccountConnection" else proton
        for variant in _variants(name, calls[name][0]):
            replayed.add(name)
            with contextlib.suppress(ClientError):  # the Recorder checks that the code is modelled
                getattr(client, xform_name(name))(**variant)
    return replayed


def _variants(name: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for member, value in params.items():
        if member in NOT_REFERENCES or not isinstance(value, str | dict):
            continue
        if member == "name" and name.startswith("Create"):
            continue  # a new name is a new resource, not a missing one
        missing = _missing_value(member, value)
        if missing is not None:
            yield {**copy.deepcopy(params), member: missing}


def _missing_value(member: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {**value, "name": "org/exodus-missing"} if member == "provisioningRepository" else None
    if member.endswith("Version"):
        return "99"
    if member == "id" or (member.endswith("Id") and len(value) == 36):
        return MISSING_UUID
    if member.endswith("Arn"):
        return value.rsplit("/", 1)[0] + "/exodus-missing" if "/" in value else None
    if "/" in value and member in ("repositoryName", "name"):
        return "org/exodus-missing"
    if member == "name" or member.endswith("Name"):
        return "exodus-missing"
    return None
