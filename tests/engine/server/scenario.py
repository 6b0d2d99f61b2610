"""A Proton estate driven through the real boto3 client, step by step,
touching every operation's happy path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.engine.server.bundles import (
    COMPONENT_MANIFEST,
    COMPONENT_TEMPLATE,
    ENV_SPEC,
    broken,
    service_spec,
    upload_broken_bundles,
    upload_bundles,
)
from tests.engine.server.conftest import make_client
from tests.engine.server.recorder import Recorder

MGMT = "123456789012"
ENV_ACCOUNT = "999988887777"
SERVICE_ROLE = f"arn:aws:iam::{MGMT}:role/ProtonServiceRole"
COMPONENT_ROLE = f"arn:aws:iam::{MGMT}:role/ProtonComponentRole"
CONNECTION = f"arn:aws:codestar-connections:us-east-1:{MGMT}:connection/0123abcd-0123-4567-89ab-0123456789ab"
FAST = {"Delay": 0.1, "MaxAttempts": 300}


@dataclass
class Estate:
    url: str
    rec: Recorder
    proton: Any = None
    env_side: Any = None  # the environment account's proton client
    sources: dict[str, Any] = field(default_factory=dict)
    connection_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.proton = self.rec.watch(make_client(self.url))
        sts = make_client(self.url, "sts")
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{ENV_ACCOUNT}:role/Admin", RoleSessionName="env-admin"
        )["Credentials"]
        self.env_side = self.rec.watch(
            make_client(
                self.url,
                key=creds["AccessKeyId"],
                secret=creds["SecretAccessKey"],
                token=creds["SessionToken"],
            )
        )

    waiters: set[str] = field(default_factory=set)

    def wait(self, waiter: str, **kwargs: Any) -> None:
        self.waiters.add(waiter)
        self.proton.get_waiter(waiter).wait(**kwargs, WaiterConfig=FAST)


def templates(e: Estate, bucket: str) -> None:
    """Templates and versions: three of each so their lists page; versions registered and published."""
    p = e.proton
    e.sources = upload_bundles(make_client(e.url, "s3"), bucket)
    p.update_account_settings(pipelineServiceRoleArn=SERVICE_ROLE)
    assert p.get_account_settings()["accountSettings"]["pipelineServiceRoleArn"] == SERVICE_ROLE
    for i, name in enumerate(["env-tmpl", "env-tmpl-b", "env-tmpl-c"]):
        p.create_environment_template(name=name, displayName=f"Env {i}", tags=[{"key": "team", "value": "a"}])
    for name in ["svc-tmpl", "svc-tmpl-b", "svc-tmpl-c"]:
        p.create_service_template(name=name, description="service template")
    p.update_environment_template(name="env-tmpl", description="the environment template")
    p.update_service_template(name="svc-tmpl", displayName="Service")
    assert p.get_environment_template(name="env-tmpl")["environmentTemplate"]["description"]
    assert p.get_service_template(name="svc-tmpl")["serviceTemplate"]["displayName"] == "Service"
    for minor in range(3):
        p.create_environment_template_version(
            templateName="env-tmpl", source=e.sources["env"], **({"majorVersion": "1"} if minor else {})
        )
        e.wait(
            "environment_template_version_registered",
            templateName="env-tmpl",
            majorVersion="1",
            minorVersion=str(minor),
        )
        p.update_environment_template_version(
            templateName="env-tmpl",
            majorVersion="1",
            minorVersion=str(minor),
            status="PUBLISHED",
            description=f"1.{minor}",
        )
        p.create_service_template_version(
            templateName="svc-tmpl",
            source=e.sources["svc"],
            supportedComponentSources=["DIRECTLY_DEFINED"],
            compatibleEnvironmentTemplates=[{"templateName": "env-tmpl", "majorVersion": "1"}],
            **({"majorVersion": "1"} if minor else {}),
        )
        e.wait(
            "service_template_version_registered",
            templateName="svc-tmpl",
            majorVersion="1",
            minorVersion=str(minor),
        )
        p.update_service_template_version(
            templateName="svc-tmpl", majorVersion="1", minorVersion=str(minor), status="PUBLISHED"
        )
    version = p.get_environment_template_version(templateName="env-tmpl", majorVersion="1", minorVersion="2")
    assert version["environmentTemplateVersion"]["status"] == "PUBLISHED"
    assert p.get_service_template_version(templateName="svc-tmpl", majorVersion="1", minorVersion="2")[
        "serviceTemplateVersion"
    ]["compatibleEnvironmentTemplates"] == [{"templateName": "env-tmpl", "majorVersion": "1"}]


def environments(e: Estate) -> None:
    """Three AWS-managed environments with real stacks; one update; outputs and provisioned resources."""
    p = e.proton
    for name in ["env-a", "env-b", "env-c"]:
        p.create_environment(
            name=name,
            templateName="env-tmpl",
            templateMajorVersion="1",
            spec=ENV_SPEC,
            protonServiceRoleArn=SERVICE_ROLE,
            componentRoleArn=COMPONENT_ROLE,
        )
    for name in ["env-a", "env-b", "env-c"]:
        e.wait("environment_deployed", name=name)
    p.update_environment(
        name="env-a",
        deploymentType="CURRENT_VERSION",
        description="first",
        spec=ENV_SPEC.replace("events", "signals"),
    )
    e.wait("environment_deployed", name="env-a")
    assert p.get_environment(name="env-a")["environment"]["deploymentStatus"] == "SUCCEEDED"
    outputs = p.list_environment_outputs(environmentName="env-a")["outputs"]
    assert outputs == [{"key": "TopicArn", "valueString": f"arn:aws:sns:us-east-1:{MGMT}:env-a-signals"}]
    (stack,) = p.list_environment_provisioned_resources(environmentName="env-a")["provisionedResources"]
    assert stack["provisioningEngine"] == "CLOUDFORMATION"
    assert {env["name"] for env in p.list_environments()["environments"]} >= {"env-a", "env-b", "env-c"}


def connections(e: Estate) -> None:
    """The environment account asks, the management account accepts one, rejects one;
    env-x deploys cross-account."""
    role = f"arn:aws:iam::{ENV_ACCOUNT}:role/ProtonEnvRole"
    for env in ["env-x", "env-y", "env-z", "env-w"]:
        conn = e.env_side.create_environment_account_connection(
            environmentName=env, managementAccountId=MGMT, roleArn=role
        )
        e.connection_ids.append(conn["environmentAccountConnection"]["id"])
    x, y, z, w = e.connection_ids
    assert (
        e.proton.accept_environment_account_connection(id=x)["environmentAccountConnection"]["status"]
        == "CONNECTED"
    )
    assert (
        e.proton.reject_environment_account_connection(id=y)["environmentAccountConnection"]["status"]
        == "REJECTED"
    )
    e.env_side.update_environment_account_connection(
        id=x, componentRoleArn=f"arn:aws:iam::{ENV_ACCOUNT}:role/Comp"
    )
    assert e.env_side.get_environment_account_connection(id=x)["environmentAccountConnection"][
        "componentRoleArn"
    ]
    mine = e.env_side.list_environment_account_connections(requestedBy="ENVIRONMENT_ACCOUNT")
    assert {c["id"] for c in mine["environmentAccountConnections"]} == {x, y, z, w}
    e.env_side.delete_environment_account_connection(id=z)
    theirs = e.proton.list_environment_account_connections(
        requestedBy="MANAGEMENT_ACCOUNT", statuses=["CONNECTED"]
    )
    assert [c["id"] for c in theirs["environmentAccountConnections"]] == [x]
    e.proton.create_environment(
        name="env-x",
        templateName="env-tmpl",
        templateMajorVersion="1",
        spec=ENV_SPEC,
        environmentAccountConnectionId=x,
    )
    e.wait("environment_deployed", name="env-x")
    cfn = make_client(e.url, "cloudformation", key="k", secret="s")
    cfn.meta.events.register(
        "before-sign", lambda request, **_: request.headers.__setitem__("x-moto-account-id", ENV_ACCOUNT)
    )
    stacks = [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]
    assert any(name.startswith("AWSProton-env-x") for name in stacks), stacks


def services(e: Estate) -> None:
    """Services with instances and pipelines; updates of each; a new instance blocks service sync."""
    p = e.proton
    plan = {
        "svc-a": [("inst-1", "env-a"), ("inst-2", "env-b")],
        "svc-b": [("inst-1", "env-b")],
        "svc-c": [("inst-1", "env-c")],
    }
    for name, instances in plan.items():
        p.create_service(
            name=name,
            templateName="svc-tmpl",
            templateMajorVersion="1",
            spec=service_spec(instances),
            repositoryConnectionArn=CONNECTION,
            repositoryId="org/app",
            branchName="main",
        )
    for name in plan:
        e.wait("service_created", name=name)
        e.wait("service_pipeline_deployed", name=name)
    p.update_service(name="svc-a", description="the first service")
    e.wait("service_updated", name="svc-a")
    p.update_service_instance(
        name="inst-1",
        serviceName="svc-a",
        deploymentType="CURRENT_VERSION",
        spec=service_spec([("inst-1", "env-a")], size="large"),
    )
    e.wait("service_instance_deployed", name="inst-1", serviceName="svc-a")
    outputs = {
        o["key"]: o["valueString"]
        for o in p.list_service_instance_outputs(serviceName="svc-a", serviceInstanceName="inst-1")["outputs"]
    }
    assert outputs["EnvironmentTopic"].endswith(":env-a-signals") and outputs["Size"] == "large", outputs
    assert p.list_service_instance_provisioned_resources(serviceName="svc-a", serviceInstanceName="inst-1")[
        "provisionedResources"
    ]
    p.update_service_pipeline(
        serviceName="svc-a",
        deploymentType="CURRENT_VERSION",
        spec="proton: ServiceSpec\npipeline:\n  stage: release\n",
    )
    e.wait("service_pipeline_deployed", name="svc-a")
    stage = [
        o for o in p.list_service_pipeline_outputs(serviceName="svc-a")["outputs"] if o["key"] == "Stage"
    ]
    assert stage == [{"key": "Stage", "valueString": "release"}]
    assert p.list_service_pipeline_provisioned_resources(serviceName="svc-a")["provisionedResources"]
    assert (
        p.get_service_instance(name="inst-2", serviceName="svc-a")["serviceInstance"]["environmentName"]
        == "env-b"
    )
    sync_and_blockers(e)


def sync_and_blockers(e: Estate) -> None:
    """Linked repositories, template sync and service sync; a manual instance creation blocks the sync."""
    p = e.proton
    for i in range(3):
        p.create_repository(name=f"org/repo-{i}", provider="GITHUB", connectionArn=CONNECTION)
    assert p.get_repository(name="org/repo-0", provider="GITHUB")["repository"]["connectionArn"] == CONNECTION
    p.create_template_sync_config(
        templateName="env-tmpl",
        templateType="ENVIRONMENT",
        repositoryName="org/repo-0",
        repositoryProvider="GITHUB",
        branch="main",
        subdirectory="env-tmpl",
    )
    p.update_template_sync_config(
        templateName="env-tmpl",
        templateType="ENVIRONMENT",
        repositoryName="org/repo-0",
        repositoryProvider="GITHUB",
        branch="release",
    )
    assert (
        p.get_template_sync_config(templateName="env-tmpl", templateType="ENVIRONMENT")["templateSyncConfig"][
            "branch"
        ]
        == "release"
    )
    p.get_template_sync_status(templateName="env-tmpl", templateType="ENVIRONMENT", templateVersion="1")
    p.get_repository_sync_status(
        repositoryName="org/repo-0", repositoryProvider="GITHUB", branch="release", syncType="TEMPLATE_SYNC"
    )
    definitions = p.list_repository_sync_definitions(
        repositoryName="org/repo-0", repositoryProvider="GITHUB", syncType="TEMPLATE_SYNC"
    )["syncDefinitions"]
    assert [d["target"] for d in definitions] == ["env-tmpl"]
    p.create_service_sync_config(
        serviceName="svc-a",
        repositoryName="org/repo-1",
        repositoryProvider="GITHUB",
        branch="main",
        filePath="proton/svc-a.yaml",
    )
    p.update_service_sync_config(
        serviceName="svc-a",
        repositoryName="org/repo-1",
        repositoryProvider="GITHUB",
        branch="main",
        filePath="proton/ops.yaml",
    )
    assert (
        p.get_service_sync_config(serviceName="svc-a")["serviceSyncConfig"]["filePath"] == "proton/ops.yaml"
    )
    p.create_service_instance(name="inst-3", serviceName="svc-a", spec=service_spec([("inst-3", "env-c")]))
    e.wait("service_instance_deployed", name="inst-3", serviceName="svc-a")
    p.get_service_instance_sync_status(serviceName="svc-a", serviceInstanceName="inst-3")
    summary = p.get_service_sync_blocker_summary(serviceName="svc-a", serviceInstanceName="inst-3")
    (blocker,) = summary["serviceSyncBlockerSummary"]["latestBlockers"]
    resolved = p.update_service_sync_blocker(id=blocker["id"], resolvedReason="created on purpose")
    assert resolved["serviceSyncBlocker"]["status"] == "RESOLVED"


def components(e: Estate) -> None:
    """Directly defined components: two attached to instances, two to environments only (one deleted)."""
    p = e.proton
    attach = {
        "comp-1": {"serviceName": "svc-a", "serviceInstanceName": "inst-1"},
        "comp-2": {"serviceName": "svc-a", "serviceInstanceName": "inst-2"},
        "comp-3": {"environmentName": "env-a"},
        "comp-4": {"environmentName": "env-b"},
    }
    for name, where in attach.items():
        p.create_component(name=name, manifest=COMPONENT_MANIFEST, templateFile=COMPONENT_TEMPLATE, **where)
    for name in attach:
        e.wait("component_deployed", name=name)
    p.update_component(name="comp-1", deploymentType="CURRENT_VERSION", description="bucket for inst-1")
    e.wait("component_deployed", name="comp-1")
    assert p.get_component(name="comp-1")["component"]["description"] == "bucket for inst-1"
    assert [o["key"] for o in p.list_component_outputs(componentName="comp-1")["outputs"]] == ["BucketName"]
    assert p.list_component_provisioned_resources(componentName="comp-1")["provisionedResources"]
    p.delete_component(name="comp-3")
    e.wait("component_deleted", name="comp-3")


def failures(e: Estate) -> None:
    """A failed deployment of every kind (environment, instance, pipeline, component); the failed service is
    deleted, which needs no template state of its never-deployed pipeline (issue 20, item 6)."""
    p = e.proton
    sources = upload_broken_bundles(make_client(e.url, "s3"), e.sources["env"]["s3"]["bucket"])
    p.create_environment_template(name="env-broken")
    p.create_environment_template_version(templateName="env-broken", source=sources["env"])
    e.wait(
        "environment_template_version_registered",
        templateName="env-broken",
        majorVersion="1",
        minorVersion="0",
    )
    p.update_environment_template_version(
        templateName="env-broken", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    p.create_service_template(name="svc-broken")
    p.create_service_template_version(
        templateName="svc-broken",
        source=sources["svc"],
        compatibleEnvironmentTemplates=[{"templateName": "env-tmpl", "majorVersion": "1"}],
    )
    e.wait(
        "service_template_version_registered", templateName="svc-broken", majorVersion="1", minorVersion="0"
    )
    p.update_service_template_version(
        templateName="svc-broken", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    p.create_environment(
        name="env-f",
        templateName="env-broken",
        templateMajorVersion="1",
        spec=ENV_SPEC,
        protonServiceRoleArn=SERVICE_ROLE,
    )
    p.create_component(
        name="comp-f",
        manifest=COMPONENT_MANIFEST,
        templateFile=broken(COMPONENT_TEMPLATE),
        environmentName="env-c",
    )
    for svc in ("svc-f", "svc-g"):
        p.create_service(
            name=svc,
            templateName="svc-broken",
            templateMajorVersion="1",
            spec=service_spec([("inst-1", "env-c")]),
            repositoryConnectionArn=CONNECTION,
            repositoryId="org/app",
            branchName="main",
        )
    waits = [
        ("environment_deployed", {"name": "env-f"}),
        ("component_deployed", {"name": "comp-f"}),
        ("service_created", {"name": "svc-f"}),
        ("service_created", {"name": "svc-g"}),
    ]
    for waiter, kwargs in waits:
        try:
            e.wait(waiter, **kwargs)
        except Exception as err:  # noqa: BLE001 - the waiters end in their failure state
            assert "failure state" in str(err), err
    assert p.get_environment(name="env-f")["environment"]["deploymentStatus"] == "FAILED"
    assert p.get_component(name="comp-f")["component"]["deploymentStatus"] == "FAILED"
    svc = p.get_service(name="svc-f")["service"]
    assert svc["status"] == "CREATE_FAILED" and svc["pipeline"]["deploymentStatus"] == "FAILED", svc
    inst = p.get_service_instance(name="inst-1", serviceName="svc-f")["serviceInstance"]
    assert inst["deploymentStatus"] == "FAILED" and "NoSuchResource" in inst["deploymentStatusMessage"]
    p.delete_service(name="svc-g")
    e.wait("service_deleted", name="svc-g")


def self_managed(e: Estate) -> None:
    """A Terraform environment waits for its caller: NotifyResourceDeploymentStatusChange completes it."""
    from tests.engine.server.bundles import terraform_environment_bundle

    p = e.proton
    bucket = e.sources["env"]["s3"]["bucket"]
    make_client(e.url, "s3").put_object(
        Bucket=bucket, Key="tf/v1.tar.gz", Body=terraform_environment_bundle()
    )
    p.create_environment_template(name="tf-tmpl")
    p.create_environment_template_version(
        templateName="tf-tmpl", source={"s3": {"bucket": bucket, "key": "tf/v1.tar.gz"}}
    )
    e.wait(
        "environment_template_version_registered", templateName="tf-tmpl", majorVersion="1", minorVersion="0"
    )
    p.update_environment_template_version(
        templateName="tf-tmpl", majorVersion="1", minorVersion="0", status="PUBLISHED"
    )
    p.create_environment(
        name="env-tf",
        templateName="tf-tmpl",
        templateMajorVersion="1",
        spec=ENV_SPEC,
        provisioningRepository={"name": "org/repo-2", "provider": "GITHUB", "branch": "main"},
    )
    env = p.get_environment(name="env-tf")["environment"]
    assert env["deploymentStatus"] == "IN_PROGRESS"
    p.notify_resource_deployment_status_change(
        resourceArn=env["arn"],
        status="SUCCEEDED",
        deploymentId=env["lastAttemptedDeploymentId"],
        outputs=[{"key": "topic_suffix", "valueString": "events"}],
    )
    e.wait("environment_deployed", name="env-tf")
    assert p.list_environment_outputs(environmentName="env-tf")["outputs"] == [
        {"key": "topic_suffix", "valueString": "events"}
    ]


def tags_and_summary(e: Estate) -> None:
    p = e.proton
    arn = p.get_environment(name="env-c")["environment"]["arn"]
    p.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": str(i)} for i in range(4)])
    p.untag_resource(resourceArn=arn, tagKeys=["k0"])
    keys = {t["key"] for t in p.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert {"k1", "k2", "k3"} <= keys and "k0" not in keys
    counts = p.get_resources_summary()["counts"]
    assert counts["environments"]["total"] >= 4 and counts["services"]["total"] == 4  # svc-f failed


def deployments(e: Estate) -> None:
    p = e.proton
    listed = p.list_deployments(environmentName="env-a")["deployments"]
    assert len(listed) >= 2
    old = listed[-1] if listed[-1]["deploymentStatus"] == "SUCCEEDED" else listed[0]
    got = p.get_deployment(id=old["id"], environmentName="env-a")["deployment"]
    assert got["targetArn"].endswith(":environment/env-a") and "environment" in got["targetState"]
    current = p.get_environment(name="env-a")["environment"]["lastSucceededDeploymentId"]
    superseded = next(d["id"] for d in listed if d["id"] != current)
    p.delete_deployment(id=superseded)


def teardown(e: Estate) -> None:
    """Deletes in dependency order; the delete waiters see ResourceNotFoundException at the end."""
    p = e.proton
    p.delete_service_sync_config(serviceName="svc-a")
    p.delete_template_sync_config(templateName="env-tmpl", templateType="ENVIRONMENT")
    p.delete_service(name="svc-c")
    e.wait("service_deleted", name="svc-c")
    p.delete_environment(name="env-x")  # the cross-account one: its stack goes from the other account
    p.delete_repository(name="org/repo-0", provider="GITHUB")
    p.delete_environment_template(name="env-tmpl-c")
    p.delete_service_template(name="svc-tmpl-c")
    p.create_environment_template_version(templateName="env-tmpl", source=e.sources["env"], majorVersion="1")
    e.wait(
        "environment_template_version_registered", templateName="env-tmpl", majorVersion="1", minorVersion="3"
    )
    p.delete_environment_template_version(templateName="env-tmpl", majorVersion="1", minorVersion="3")
    p.create_service_template_version(
        templateName="svc-tmpl",
        source=e.sources["svc"],
        majorVersion="1",
        compatibleEnvironmentTemplates=[{"templateName": "env-tmpl", "majorVersion": "1"}],
    )
    e.wait("service_template_version_registered", templateName="svc-tmpl", majorVersion="1", minorVersion="3")
    p.delete_service_template_version(templateName="svc-tmpl", majorVersion="1", minorVersion="3")
