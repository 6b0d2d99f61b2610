"""A plain, careful, sequential boto3 crawl of one account and Region: the ground truth the tests
compare snapshots with, and the baseline benchmarks/crawl.py races against.

It Gets only what List summaries lack (PROTON.md §6.3): every kind's Get adds members its summary
does not carry (schema, spec, encryptionKey, codebuildRoleArn, deployment states...).
"""

from __future__ import annotations

from typing import Any

NOT_FOUND = "ResourceNotFoundException"


def _all(client: Any, method: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = getattr(client, method)(**params, **({"nextToken": token} if token else {}))
        items += page.get(key) or []
        token = page.get("nextToken")
        if not token:
            return items


def _tags(client: Any, arn: str) -> dict[str, str]:
    return {t["key"]: t["value"] for t in _all(client, "list_tags_for_resource", "tags", resourceArn=arn)}


def _maybe(client: Any, method: str, member: str, **params: Any) -> dict[str, Any] | None:
    try:
        return getattr(client, method)(**params).get(member)
    except client.exceptions.ResourceNotFoundException:
        return None


def _resource(client: Any, prefix: str, **params: Any) -> dict[str, Any]:
    outputs = _all(client, f"list_{prefix}_outputs", "outputs", **params)
    return {
        "outputs": {o["key"]: o.get("valueString") for o in outputs},
        "provisionedResources": _all(
            client, f"list_{prefix}_provisioned_resources", "provisionedResources", **params
        ),
    }


def _templates(client: Any, state: dict[str, dict[Any, Any]], kind: str, ttype: str) -> None:
    for summary in _all(client, f"list_{kind}_templates", "templates"):
        name = summary["name"]
        detail = client.__getattribute__(f"get_{kind}_template")(name=name)[f"{_camel(kind)}Template"]
        state[f"{kind}_templates"][name] = {**summary, **detail, "tags": _tags(client, summary["arn"])}
        majors = {
            v["majorVersion"]
            for v in _all(client, f"list_{kind}_template_versions", "templateVersions", templateName=name)
        }
        for major in sorted(majors):
            for v in _all(
                client,
                f"list_{kind}_template_versions",
                "templateVersions",
                templateName=name,
                majorVersion=major,
            ):
                got = getattr(client, f"get_{kind}_template_version")(
                    templateName=name, majorVersion=v["majorVersion"], minorVersion=v["minorVersion"]
                )
                state[f"{kind}_template_versions"][(name, v["majorVersion"], v["minorVersion"])] = {
                    **v,
                    **got[f"{_camel(kind)}TemplateVersion"],
                    "tags": _tags(client, v["arn"]),
                }
        sync = _maybe(
            client, "get_template_sync_config", "templateSyncConfig", templateName=name, templateType=ttype
        )
        if sync:
            state["template_sync_configs"][(ttype, name)] = sync


def _camel(kind: str) -> str:
    return {"environment": "environment", "service": "service"}[kind]


def reference_crawl(client: Any) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every Proton record of the client's account and Region, keyed per kind by identity."""
    kinds = (
        "environment_templates",
        "environment_template_versions",
        "service_templates",
        "service_template_versions",
        "environments",
        "services",
        "service_instances",
        "service_pipelines",
        "components",
        "environment_account_connections",
        "repositories",
        "template_sync_configs",
        "service_sync_configs",
        "deployments",
        "account_settings",
    )
    state: dict[str, dict[Any, dict[str, Any]]] = {k: {} for k in kinds}
    _templates(client, state, "environment", "ENVIRONMENT")
    _templates(client, state, "service", "SERVICE")
    for s in _all(client, "list_environments", "environments"):
        state["environments"][s["name"]] = {
            **s,
            **client.get_environment(name=s["name"])["environment"],
            "tags": _tags(client, s["arn"]),
            **_resource(client, "environment", environmentName=s["name"]),
        }
    for s in _all(client, "list_services", "services"):
        detail = client.get_service(name=s["name"])["service"]
        state["services"][s["name"]] = {**s, **detail, "tags": _tags(client, s["arn"])}
        if detail.get("pipeline"):
            state["service_pipelines"][s["name"]] = {
                **detail["pipeline"],
                "serviceName": s["name"],
                **_resource(client, "service_pipeline", serviceName=s["name"]),
            }
        sync = _maybe(client, "get_service_sync_config", "serviceSyncConfig", serviceName=s["name"])
        if sync:
            state["service_sync_configs"][s["name"]] = sync
    for s in _all(client, "list_service_instances", "serviceInstances"):
        detail = client.get_service_instance(serviceName=s["serviceName"], name=s["name"])["serviceInstance"]
        state["service_instances"][(s["serviceName"], s["name"])] = {
            **s,
            **detail,
            "tags": _tags(client, s["arn"]),
            **_resource(
                client, "service_instance", serviceName=s["serviceName"], serviceInstanceName=s["name"]
            ),
        }
    for s in _all(client, "list_components", "components"):
        state["components"][s["name"]] = {
            **s,
            **client.get_component(name=s["name"])["component"],
            "tags": _tags(client, s["arn"]),
            **_resource(client, "component", componentName=s["name"]),
        }
    for side in ("MANAGEMENT_ACCOUNT", "ENVIRONMENT_ACCOUNT"):
        for s in _all(
            client, "list_environment_account_connections", "environmentAccountConnections", requestedBy=side
        ):
            if s["id"] not in state["environment_account_connections"]:
                detail = client.get_environment_account_connection(id=s["id"])["environmentAccountConnection"]
                state["environment_account_connections"][s["id"]] = {
                    **s,
                    **detail,
                    "tags": _tags(client, s["arn"]),
                }
    for s in _all(client, "list_repositories", "repositories"):
        detail = client.get_repository(provider=s["provider"], name=s["name"])["repository"]
        state["repositories"][(s["provider"], s["name"])] = {**s, **detail, "tags": _tags(client, s["arn"])}
    for s in _all(client, "list_deployments", "deployments"):
        state["deployments"][s["id"]] = {**s, **client.get_deployment(id=s["id"])["deployment"]}
    settings = _maybe(client, "get_account_settings", "accountSettings")
    if settings is not None:
        state["account_settings"][()] = settings
    return state
