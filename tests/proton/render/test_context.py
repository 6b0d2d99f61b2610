"""proton/render/context.py: the one builder of the Jinja namespaces (PROTON.md §2.1)."""

from __future__ import annotations

from proton_exodus.proton.render.context import (
    EnvironmentContext,
    InstanceContext,
    ServiceContext,
    component_namespaces,
    environment_namespaces,
    instance_namespaces,
    pipeline_namespaces,
    service_namespace,
)

ENV = EnvironmentContext("prod", "123456789012", {"Vpc": "vpc-1"})
SVC = ServiceContext("api", "main", "org/api", "arn:conn")


def test_environment_file_sees_inputs_not_outputs() -> None:
    assert environment_namespaces("prod", {"cidr": "10.0.0.0/16"}, "1") == {
        "environment": {"name": "prod", "inputs": {"cidr": "10.0.0.0/16"}, "account_id": "1"}
    }
    assert environment_namespaces("prod", {}) == {"environment": {"name": "prod", "inputs": {}}}


def test_service_repository_fields_only_when_known() -> None:
    assert service_namespace(ServiceContext("api")) == {"name": "api"}
    assert list(service_namespace(SVC)) == [
        "name",
        "repository_connection_arn",
        "repository_id",
        "branch_name",
    ]


def test_instance_components_default_is_always_defined() -> None:
    ns = instance_namespaces(ServiceContext("api"), "i1", {"port": 80}, ENV)
    assert ns["service_instance"]["components"] == {"default": {"outputs": {}}}
    assert ns["service_instance"]["environment"] is ns["environment"]
    assert ns["environment"] == {"name": "prod", "outputs": {"Vpc": "vpc-1"}, "account_id": "123456789012"}
    attached = instance_namespaces(SVC, "i1", {}, ENV, {"Q": "q"}, "comp")
    assert attached["service_instance"]["components"] == {"default": {"outputs": {"Q": "q"}, "name": "comp"}}


def test_unknown_account_id_stays_undefined() -> None:
    ns = instance_namespaces(SVC, "i1", {}, EnvironmentContext("dev"))
    assert ns["environment"] == {"name": "dev", "outputs": {}}


def test_pipeline_lists_instances_with_their_environment() -> None:
    ns = pipeline_namespaces(SVC, {"x": 1}, [InstanceContext("i1", {"a": 1}, {"Url": "u"}, ENV)])
    assert ns["pipeline"] == {"inputs": {"x": 1}}
    assert ns["service_instances"] == [
        {
            "name": "i1",
            "inputs": {"a": 1},
            "outputs": {"Url": "u"},
            "environment": {"name": "prod", "outputs": {"Vpc": "vpc-1"}, "account_id": "123456789012"},
        }
    ]


def test_component_sees_service_only_while_attached() -> None:
    assert set(component_namespaces("c", ENV)) == {"component", "environment"}
    attached = component_namespaces("c", ENV, SVC, "i1", {"a": 1})
    assert attached["service_instance"] == {"name": "i1", "inputs": {"a": 1}}
    assert attached["service"]["name"] == "api"
