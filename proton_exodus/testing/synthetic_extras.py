"""Optional parts of synthetic estates: components, account connections, repositories and sync
configs, and a fixed set of deliberate faults (failed/stuck deployments, missing bundles,
unreachable stacks, secret-looking inputs, Terraform/CodeBuild/customer-managed provisioning,
a pipeline that calls the Proton API, an active sync blocker).

Applied by `proton_exodus.testing.synthetic.build_synthetic_snapshot` only when the matching
`SyntheticSize` fields are set, so estates of the default shape stay byte-identical.
"""

from __future__ import annotations

import hashlib
from typing import Any

from proton_exodus.testing.templates import service_bundle_files, stack_name_for

ENV_ACCOUNT = "222222222222"

_COMPONENT_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Description: Directly defined component {{ component.name }}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '{{ component.name }}-queue'
Outputs:
  QueueUrl:
    Value: !Ref Queue
"""

# A pipeline as in the Proton user guide's Example 5: the deploy stage calls Proton's API.
_LEGACY_PIPELINE_CFN = """AWSTemplateFormatVersion: '2010-09-09'
Description: Legacy pipeline for {{ service.name }}
Resources:
  ArtifactBucket:
    Type: AWS::S3::Bucket
  DeployProject:
    Type: AWS::CodeBuild::Project
    Properties:
      Artifacts: {Type: NO_ARTIFACTS}
      Environment: {ComputeType: BUILD_GENERAL1_SMALL, \
Image: aws/codebuild/standard:7.0, Type: LINUX_CONTAINER}
      ServiceRole: arn:aws:iam::111111111111:role/pipeline
      Source:
        Type: NO_SOURCE
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - aws proton --region $AWS_DEFAULT_REGION get-service --name {{ service.name }}
                - aws proton update-service-instance --deployment-type CURRENT_VERSION --name $INSTANCE \
--service-name {{ service.name }} --spec file://rendered_service.yaml
"""


def _uid(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _stack_of(snap: Any, arn: str) -> dict[str, Any] | None:
    return next((s for s in snap.stacks if s.get("resourceArn") == arn), None)


def add_components(builder: Any, count: int) -> None:
    """Attach `count` directly defined components to the first instances, each with its own stack."""
    snap = builder.snap
    for version in snap.records.get("service_template_versions", []):
        version["supportedComponentSources"] = ["DIRECTLY_DEFINED"]
    envs = {e["name"]: e for e in snap.records.get("environments", [])}
    for env in envs.values():
        env["componentRoleArn"] = f"arn:aws:iam::{builder.account}:role/ProtonComponentRole"
    template = builder.jinja.from_string(_COMPONENT_CFN)
    for index, inst in enumerate(snap.records.get("service_instances", [])[:count]):
        name = f"cmp-{index:03d}"
        arn = builder.arn(f"component/{name}")
        stack = stack_name_for(name)
        outputs = {"QueueUrl": f"https://sqs.{builder.region}.amazonaws.com/{builder.account}/{name}-queue"}
        tags = {
            "proton:account": builder.account,
            "proton:component": arn,
            "proton:environment": envs[inst["environmentName"]]["arn"],
        }
        builder.add_stack(stack, "component", arn, template.render(component={"name": name}), tags, outputs)
        builder.add(
            "components",
            {
                "name": name,
                "arn": arn,
                "environmentName": inst["environmentName"],
                "serviceName": inst["serviceName"],
                "serviceInstanceName": inst["name"],
                "deploymentStatus": "SUCCEEDED",
                "templateFile": _COMPONENT_CFN,
                "createdAt": builder.snap.meta["capturedAt"],
                "outputs": outputs,
                "stackName": stack,
                "tags": {},
                "provisionedResources": [
                    {
                        "identifier": snap.stacks[-1]["StackId"],
                        "name": stack,
                        "provisioningEngine": "CLOUDFORMATION",
                    }
                ],
            },
        )


def _move_stack(snap: Any, stack: dict[str, Any], account: str) -> None:
    """Re-home a stack record (and its template file) in another account."""
    old_rel = stack["templatePath"]
    new_rel = old_rel.replace(f"stacks/{stack['account']}/", f"stacks/{account}/", 1)
    snap.templates[new_rel] = snap.templates.pop(old_rel)
    stack["StackId"] = stack["StackId"].replace(f":{stack['account']}:", f":{account}:", 1)
    stack["account"], stack["templatePath"] = account, new_rel
    stack["Tags"] = [
        {"Key": t["Key"], "Value": account if t["Key"] == "proton:account" else t["Value"]}
        for t in stack["Tags"]
    ]


def add_account_connections(builder: Any, count: int) -> None:
    """Deploy the first `count` environments into ENV_ACCOUNT through environment account connections."""
    snap = builder.snap
    envs = snap.records.get("environments", [])[:count]
    for env in envs:
        conn_id = _uid(f"connection/{env['name']}")
        builder.add(
            "environment_account_connections",
            {
                "id": conn_id,
                "arn": builder.arn(f"environment-account-connection/{conn_id}"),
                "environmentAccountId": ENV_ACCOUNT,
                "managementAccountId": builder.account,
                "environmentName": env["name"],
                "status": "CONNECTED",
                "roleArn": f"arn:aws:iam::{ENV_ACCOUNT}:role/ProtonEnvironmentRole",
                "requestedAt": snap.meta["capturedAt"],
                "lastModifiedAt": snap.meta["capturedAt"],
                "tags": {},
            },
        )
        env["environmentAccountConnectionId"], env["environmentAccountId"] = conn_id, ENV_ACCOUNT
        env.pop("protonServiceRoleArn", None)
        hosted = [env] + [
            i for i in snap.records.get("service_instances", []) if i["environmentName"] == env["name"]
        ]
        hosted += [c for c in snap.records.get("components", []) if c["environmentName"] == env["name"]]
        for record in hosted:
            stack = _stack_of(snap, record["arn"])
            if stack is not None:
                _move_stack(snap, stack, ENV_ACCOUNT)
                for resource in record.get("provisionedResources", []):
                    resource["identifier"] = stack["StackId"]


def add_repositories(builder: Any, *, blocked: bool = False) -> None:
    """Link a templates repository with template sync configs,
    and a service sync config for the first service."""
    snap, conn = builder.snap, f"arn:aws:codeconnections:{builder.region}:{builder.account}:connection/syn"
    services = snap.records.get("services", [])
    repos = ["org/proton-templates"] + ([f"org/{services[0]['name']}-ops"] if services else [])
    for repo in repos:
        builder.add(
            "repositories",
            {
                "name": repo,
                "provider": "GITHUB",
                "connectionArn": conn,
                "arn": builder.arn(f"repository/github:{repo}"),
            },
        )
    for ttype, records in (("ENVIRONMENT", "environment_templates"), ("SERVICE", "service_templates")):
        for template in snap.records.get(records, []):
            builder.add(
                "template_sync_configs",
                {
                    "templateName": template["name"],
                    "templateType": ttype,
                    "repositoryName": repos[0],
                    "repositoryProvider": "GITHUB",
                    "branch": "main",
                    "subdirectory": "templates",
                },
            )
    if not services:
        return
    svc = services[0]
    instances = [i for i in snap.records.get("service_instances", []) if i["serviceName"] == svc["name"]]
    ops = (
        "sync:\n  services:\n    "
        + svc["name"]
        + ":\n"
        + "".join(
            f"      {i['name']}:\n        branch: main\n        spec: ./specs/{i['name']}.yaml\n"
            for i in instances
        )
    )
    record = {
        "serviceName": svc["name"],
        "repositoryName": repos[1],
        "repositoryProvider": "GITHUB",
        "branch": "main",
        "filePath": "proton-ops.yaml",
        "opsFile": ops,
    }
    if blocked and instances:
        record["syncBlockers"] = [
            {
                "id": _uid(f"blocker/{svc['name']}"),
                "type": "AUTOMATED",
                "status": "ACTIVE",
                "createdAt": snap.meta["capturedAt"],
                "resourceArn": instances[0]["arn"],
                "createdReason": "Manual update of service instance outside of service sync",
            }
        ]
    builder.add("service_sync_configs", record)


def _set_status(snap: Any, record: dict[str, Any], status: str, stack_status: str | None) -> None:
    record["deploymentStatus"] = status
    record["deploymentStatusMessage"] = f"synthetic fault: {status}"
    stack = _stack_of(snap, record["arn"])
    if stack is not None and stack_status:
        stack["StackStatus"], stack["StackStatusReason"] = stack_status, f"synthetic fault: {stack_status}"


def _add_failed_deployment(builder: Any, inst: dict[str, Any], status: str) -> None:
    dep_id = _uid(f"deployment/{inst['arn']}")
    builder.add(
        "deployments",
        {
            "id": dep_id,
            "arn": builder.arn(f"deployment/{dep_id}"),
            "targetArn": inst["arn"],
            "targetResourceType": "SERVICE_INSTANCE",
            "environmentName": inst["environmentName"],
            "serviceName": inst["serviceName"],
            "serviceInstanceName": inst["name"],
            "deploymentStatus": status,
            "deploymentStatusMessage": f"synthetic fault: {status}",
            "createdAt": builder.snap.meta["capturedAt"],
        },
    )


def _add_secret_input(snap: Any, inst: dict[str, Any]) -> None:
    head = f"  - name: {inst['name']}\n    environment: {inst['environmentName']}\n    spec:\n"
    for kind in ("services", "service_instances", "service_pipelines"):
        for record in snap.records.get(kind, []):
            if record.get("serviceName", record.get("name")) == inst["serviceName"] and head in record.get(
                "spec", ""
            ):
                record["spec"] = record["spec"].replace(head, head + "      db_password: hunter2-synthetic\n")


def _add_missing_bundle_version(builder: Any, inst: dict[str, Any]) -> None:
    svc_tpl = builder.snap.records["service_templates"][0]
    base = dict(builder.snap.records["service_template_versions"][0])
    base.update(minorVersion="1", arn=svc_tpl["arn"] + ":1.1", bundle=None, status="PUBLISHED")
    builder.snap.records["service_template_versions"].append(base)
    inst["templateMinorVersion"] = "1"


def _add_legacy_pipeline(builder: Any) -> None:
    """A service template 2.0 whose pipeline calls `aws proton`; the first pipeline runs on it."""
    snap = builder.snap
    pipelines = snap.records.get("service_pipelines", [])
    if not pipelines:
        return
    rel = "bundles/service/syn-svc/2.0"
    snap.bundles[rel] = service_bundle_files(_LEGACY_PIPELINE_CFN)
    version = dict(snap.records["service_template_versions"][0])
    version.update(
        majorVersion="2",
        minorVersion="0",
        recommendedMinorVersion="0",
        bundle=rel,
        arn=snap.records["service_templates"][0]["arn"] + ":2.0",
    )
    snap.records["service_template_versions"].append(version)
    pipe = pipelines[0]
    pipe["templateMajorVersion"] = "2"
    stack = _stack_of(snap, pipe["arn"])
    if stack is not None:
        body = builder.jinja.from_string(_LEGACY_PIPELINE_CFN).render(service={"name": pipe["serviceName"]})
        snap.templates[stack["templatePath"]] = body


def _add_unmanaged_environments(builder: Any) -> None:
    """Three environments Proton did not deploy through CloudFormation: Terraform, CodeBuild,
    customer-managed."""
    epoch = builder.snap.meta["capturedAt"]
    cm_tpl = builder.arn("environment-template/syn-env-cm")
    builder.add(
        "environment_templates",
        {
            "name": "syn-env-cm",
            "arn": cm_tpl,
            "provisioning": "CUSTOMER_MANAGED",
            "recommendedVersion": "1.0",
            "createdAt": epoch,
            "tags": {},
        },
    )
    builder.add(
        "environment_template_versions",
        {
            "templateName": "syn-env-cm",
            "majorVersion": "1",
            "minorVersion": "0",
            "status": "PUBLISHED",
            "arn": cm_tpl + ":1.0",
            "schema": "schema:\n  format:\n    openapi: \"3.0.0\"\n",
            "bundle": None,
            "recommendedMinorVersion": "0",
            "createdAt": epoch,
            "tags": {},
        },
    )
    common = {
        "templateName": "syn-env",
        "templateMajorVersion": "1",
        "templateMinorVersion": "0",
        "deploymentStatus": "SUCCEEDED",
        "createdAt": epoch,
        "outputs": {},
        "tags": {},
    }
    builder.add(
        "environments",
        {
            **common,
            "name": "tf-legacy",
            "arn": builder.arn("environment/tf-legacy"),
            "spec": "proton: EnvironmentSpec\nspec:\n  tier: dev\n",
            "provisioningRepository": {
                "provider": "GITHUB",
                "name": "org/infra",
                "branch": "main",
                "arn": builder.arn("repository/github:org/infra"),
            },
            "provisionedResources": [
                {"identifier": "module.vpc.aws_vpc.this", "name": "vpc", "provisioningEngine": "TERRAFORM"}
            ],
        },
    )
    builder.add(
        "environments",
        {
            **common,
            "name": "cb-legacy",
            "arn": builder.arn("environment/cb-legacy"),
            "spec": "proton: EnvironmentSpec\nspec:\n  tier: dev\n",
            "codebuildRoleArn": f"arn:aws:iam::{builder.account}:role/ProtonCodeBuild",
            "provisionedResources": [],
        },
    )
    builder.add(
        "environments",
        {
            **common,
            "name": "cm-legacy",
            "arn": builder.arn("environment/cm-legacy"),
            "templateName": "syn-env-cm",
            "outputs": {"VpcId": "vpc-0customer"},
            "spec": "proton: EnvironmentSpec\nspec:\n  VpcId: vpc-0customer\n",
            "provisionedResources": [],
        },
    )


def add_faults(builder: Any) -> None:
    """Break a fixed, deterministic selection of resources in the ways a real estate breaks."""
    snap = builder.snap
    insts = snap.records.get("service_instances", [])
    envs = snap.records.get("environments", [])
    if envs:
        _set_status(snap, envs[-1], "IN_PROGRESS", "UPDATE_IN_PROGRESS")
    faults = [("FAILED", "UPDATE_ROLLBACK_FAILED"), ("DELETE_FAILED", "DELETE_FAILED")]
    for inst, (status, stack_status) in zip(insts, faults, strict=False):
        _set_status(snap, inst, status, stack_status)
        _add_failed_deployment(builder, inst, status)
    if len(insts) > 2:
        _add_missing_bundle_version(builder, insts[2])
    if len(insts) > 3:
        stack = _stack_of(snap, insts[3]["arn"])
        if stack is not None:
            snap.templates.pop(stack["templatePath"], None)
            stack.update(
                reachable=False,
                templatePath=None,
                unreachableReason="AccessDenied: cloudformation:DescribeStacks was denied",
            )
    if len(insts) > 4:
        _add_secret_input(snap, insts[4])
    _add_legacy_pipeline(builder)
    _add_unmanaged_environments(builder)
