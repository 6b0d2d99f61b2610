"""The issue's scenario, step by step, against moto's CloudFormation: states, versions, deployment records
and the rendered stack templates at every step."""

from __future__ import annotations

from typing import Any

import pytest

from proton_exodus.engine.backend import ProtonBackend
from proton_exodus.engine.errors import ConflictException, ResourceNotFoundException, ValidationException
from tests.engine import bundles as B
from tests.engine.helpers import (
    compatible,
    create_service,
    outputs,
    register,
    setup_environment,
    setup_service_template,
    stack_template,
    svc_spec,
)


def _stack(backend: ProtonBackend, lister: str, **names: str) -> dict[str, str]:
    (resource,) = getattr(backend, lister)(**names)["provisionedResources"]
    assert resource["provisioningEngine"] == "CLOUDFORMATION"
    assert resource["name"].startswith("AWSProton-") and "-cloudformation--" in resource["name"]
    return resource


def _tags(aws: dict[str, Any], stack: str) -> dict[str, str]:
    (found,) = aws["cfn"].describe_stacks(StackName=stack)["Stacks"]
    return {t["Key"]: t["Value"] for t in found["Tags"]}


def test_full_lifecycle(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    arn = backend.arn
    # 1. environment template 1.0, registered then published: the recommended version
    backend.create_environment_template(name="env-tpl", displayName="Env")
    version = register(backend, aws, "environment", "env-tpl", B.env_bundle(), publish=False)
    assert (version["status"], version["majorVersion"], version["minorVersion"]) == ("DRAFT", "1", "0")
    assert "recommendedVersion" not in backend.get_environment_template(name="env-tpl")["environmentTemplate"]
    backend.update_environment_template_version(
        templateName="env-tpl", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    assert (
        backend.get_environment_template(name="env-tpl")["environmentTemplate"]["recommendedVersion"] == "1.0"
    )

    # 2. an environment: IN_PROGRESS, then SUCCEEDED with the stack's outputs
    env = setup_environment(backend, aws, "prod", vpc_name="blue")
    assert env["deploymentStatus"] == "SUCCEEDED"
    assert (env["templateMajorVersion"], env["templateMinorVersion"]) == ("1", "0")
    env_out = outputs(backend.list_environment_outputs(environmentName="prod")["outputs"])
    assert env_out["VpcName"] == "blue" and env_out["Size"] == "1"
    env_stack = _stack(backend, "list_environment_provisioned_resources", environmentName="prod")
    assert 'TopicName: "prod-blue"' in stack_template(aws, env_stack["name"])
    assert _tags(aws, env_stack["name"]) == {
        "proton:account": "123456789012",
        "proton:template": arn("environment-template/env-tpl"),
        "proton:environment": arn("environment/prod"),
    }
    (dep,) = backend.list_deployments(environmentName="prod")["deployments"]
    record = backend.get_deployment(id=dep["id"])["deployment"]
    assert record["deploymentStatus"] == "SUCCEEDED" and "initialState" not in record
    assert record["targetState"]["environment"]["templateMajorVersion"] == "1"
    assert env["lastSucceededDeploymentId"] == env["lastAttemptedDeploymentId"] == dep["id"]

    # 3. service template 1.0 compatible with env major 1; a service with two instances and a pipeline
    setup_service_template(backend, aws)
    service = create_service(
        backend, "web", {"a": ("prod", {"port": 8080}), "b": ("prod", {})}, pipeline={"build_cmd": "go"}
    )
    assert service["status"] == "ACTIVE"
    assert service["pipeline"]["deploymentStatus"] == "SUCCEEDED"
    inst_a = backend.get_service_instance(serviceName="web", name="a")["serviceInstance"]
    assert (inst_a["deploymentStatus"], inst_a["templateMinorVersion"]) == ("SUCCEEDED", "0")
    out_a = outputs(
        backend.list_service_instance_outputs(serviceName="web", serviceInstanceName="a")["outputs"]
    )
    assert out_a["Port"] == "8080" and out_a["EnvTopic"] == env_out["TopicArn"]
    assert (
        outputs(backend.list_service_pipeline_outputs(serviceName="web")["outputs"])["Instances"]
        == "a:8080;b:80;"
    )
    stack_a = _stack(
        backend, "list_service_instance_provisioned_resources", serviceName="web", serviceInstanceName="a"
    )
    assert 'QueueName: "web-a"' in stack_template(aws, stack_a["name"])
    assert _tags(aws, stack_a["name"])["proton:service-instance"] == arn("service/web/service-instance/a")
    pipe_stack = _stack(backend, "list_service_pipeline_provisioned_resources", serviceName="web")
    assert "proton:service-instance" not in _tags(aws, pipe_stack["name"])

    # 4. a component attached to instance a
    backend.create_component(
        name="bucket",
        serviceName="web",
        serviceInstanceName="a",
        manifest=B.CFN_MANIFEST,
        templateFile=B.COMPONENT_CFN,
    )
    assert backend.get_component(name="bucket")["component"]["deploymentStatus"] == "IN_PROGRESS"
    backend.run_pending()
    comp = backend.get_component(name="bucket")["component"]
    assert (comp["deploymentStatus"], comp["environmentName"]) == ("SUCCEEDED", "prod")
    comp_stack = _stack(backend, "list_component_provisioned_resources", componentName="bucket")
    assert 'TopicName: "bucket-a"' in stack_template(aws, comp_stack["name"])
    assert _tags(aws, comp_stack["name"])["proton:component"] == arn("component/bucket")

    # 5. minor 1.1, MINOR_VERSION update of instance a; old version shown until the deployment succeeds
    v11 = register(
        backend,
        aws,
        "service",
        "svc-tpl",
        B.svc_bundle("1.1"),
        major="1",
        compatibleEnvironmentTemplates=compatible(),
        supportedComponentSources=["DIRECTLY_DEFINED"],
    )
    assert (v11["minorVersion"], v11["recommendedMinorVersion"]) == ("1", "1")
    assert backend.get_service_template(name="svc-tpl")["serviceTemplate"]["recommendedVersion"] == "1.1"
    pending = backend.update_service_instance(serviceName="web", name="a", deploymentType="MINOR_VERSION")
    assert pending["serviceInstance"]["deploymentStatus"] == "IN_PROGRESS"
    assert pending["serviceInstance"]["templateMinorVersion"] == "0"
    backend.run_pending()
    inst_a = backend.get_service_instance(serviceName="web", name="a")["serviceInstance"]
    assert (inst_a["templateMajorVersion"], inst_a["templateMinorVersion"]) == ("1", "1")
    record = backend.get_deployment(id=inst_a["lastAttemptedDeploymentId"])["deployment"]
    assert record["initialState"]["serviceInstance"]["templateMinorVersion"] == "0"
    assert record["targetState"]["serviceInstance"]["templateMinorVersion"] == "1"
    assert record["lastSucceededDeploymentId"] == record["id"]
    assert 'Value: "1.1"' in stack_template(aws, stack_a["name"])
    assert (
        outputs(backend.list_service_instance_outputs(serviceName="web", serviceInstanceName="a")["outputs"])[
            "Version"
        ]
        == "1.1"
    )

    # 6. major 2.0: refused while incompatible with env-tpl major 1, accepted once compatible
    register(backend, aws, "environment", "env-tpl", B.env_bundle())  # env-tpl 2.0
    register(
        backend,
        aws,
        "service",
        "svc-tpl",
        B.svc_bundle("2.0"),
        compatibleEnvironmentTemplates=compatible("2"),
    )
    with pytest.raises(ValidationException, match="not compatible with environment prod"):
        backend.update_service_instance(serviceName="web", name="b", deploymentType="MAJOR_VERSION")
    backend.update_service_template_version(
        templateName="svc-tpl",
        majorVersion="2",
        minorVersion="0",
        compatibleEnvironmentTemplates=compatible("1") + compatible("2"),
    )
    backend.update_service_instance(serviceName="web", name="b", deploymentType="MAJOR_VERSION")
    backend.run_pending()
    inst_b = backend.get_service_instance(serviceName="web", name="b")["serviceInstance"]
    assert (inst_b["deploymentStatus"], inst_b["templateMajorVersion"], inst_b["templateMinorVersion"]) == (
        "SUCCEEDED",
        "2",
        "0",
    )
    _deletes_in_order(
        backend, aws, [stack_a["name"], pipe_stack["name"], comp_stack["name"], env_stack["name"]]
    )


def _deletes_in_order(backend: ProtonBackend, aws: dict[str, Any], stacks: list[str]) -> None:
    """Proton's only order: detach/delete components, services, environments, versions, templates."""
    with pytest.raises(ConflictException, match="components"):
        backend.delete_environment(name="prod")
    with pytest.raises(ConflictException, match="attached components"):
        backend.delete_service(name="web")
    with pytest.raises(ConflictException, match="detach"):
        backend.delete_component(name="bucket")
    backend.update_component(
        name="bucket", deploymentType="CURRENT_VERSION", serviceName="", serviceInstanceName=""
    )
    backend.run_pending()
    assert 'TopicName: "bucket-detached"' in stack_template(aws, stacks[2])
    backend.delete_component(name="bucket")
    backend.run_pending()
    with pytest.raises(ResourceNotFoundException):
        backend.get_component(name="bucket")
    with pytest.raises(ConflictException, match="service instances"):
        backend.delete_environment(name="prod")
    assert backend.delete_service(name="web")["service"]["status"] == "DELETE_IN_PROGRESS"
    with pytest.raises(ConflictException, match="in use"):
        backend.delete_service_template_version(templateName="svc-tpl", majorVersion="2", minorVersion="0")
    backend.run_pending()
    with pytest.raises(ResourceNotFoundException):
        backend.get_service(name="web")
    assert backend.delete_service(name="web") == {}  # a retried delete is a success (PROTON.md §4.10)
    with pytest.raises(ConflictException, match="has versions"):
        backend.delete_service_template(name="svc-tpl")
    with pytest.raises(ConflictException, match="recommended minor"):
        backend.delete_service_template_version(templateName="svc-tpl", majorVersion="1", minorVersion="1")
    with pytest.raises(ConflictException, match="recommended version"):
        backend.delete_service_template_version(templateName="svc-tpl", majorVersion="2", minorVersion="0")
    for major, minor in (("1", "0"), ("1", "1"), ("2", "0")):
        backend.delete_service_template_version(
            templateName="svc-tpl", majorVersion=major, minorVersion=minor
        )
    backend.delete_service_template(name="svc-tpl")
    backend.delete_environment(name="prod")
    backend.run_pending()
    with pytest.raises(ResourceNotFoundException):
        backend.get_environment(name="prod")
    for major in ("1", "2"):
        backend.delete_environment_template_version(
            templateName="env-tpl", majorVersion=major, minorVersion="0"
        )
    backend.delete_environment_template(name="env-tpl")
    live = {
        s["StackName"]
        for s in aws["cfn"].describe_stacks()["Stacks"]
        if s["StackStatus"] != "DELETE_COMPLETE"
    }
    assert not live & set(stacks)


def test_instances_added_and_removed_rerender_pipeline(backend: ProtonBackend, aws: dict[str, Any]) -> None:
    setup_environment(backend, aws)
    setup_service_template(backend, aws)
    create_service(backend, "web", {"a": ("prod", {"port": 1})}, pipeline={"build_cmd": "go"})
    spec = svc_spec({"a": ("prod", {"port": 1}), "c": ("prod", {"port": 3})}, {"build_cmd": "go"})
    assert backend.update_service(name="web", spec=spec)["service"]["status"] == "UPDATE_IN_PROGRESS"
    backend.run_pending()
    assert backend.get_service(name="web")["service"]["status"] == "ACTIVE"
    assert (
        outputs(backend.list_service_pipeline_outputs(serviceName="web")["outputs"])["Instances"]
        == "a:1;c:3;"
    )
    backend.update_service(name="web", spec=svc_spec({"c": ("prod", {"port": 3})}, {"build_cmd": "go"}))
    backend.run_pending()
    assert [i["name"] for i in backend.list_service_instances(serviceName="web")["serviceInstances"]] == ["c"]
    assert outputs(backend.list_service_pipeline_outputs(serviceName="web")["outputs"])["Instances"] == "c:3;"
    with pytest.raises(ResourceNotFoundException):
        backend.get_service_instance(serviceName="web", name="a")
