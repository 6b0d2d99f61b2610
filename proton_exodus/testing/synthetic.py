"""Deterministic synthetic Proton estates, built directly as snapshots.

Used by tests and benchmarks that need estates far larger than a local Proton can provision quickly
(e.g. 100 environments and 20,000 service instances). The records have the API's shapes, the stacks
carry Proton's names and tags, and each deployed template is the Jinja render of the bundle stored
in the snapshot, so renderers, exporters and `verify` can be exercised end to end.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import jinja2

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.testing import synthetic_extras as extras
from proton_exodus.testing.templates import (
    ENV_CFN,
    ENV_SCHEMA,
    PIPELINE_CFN,
    SVC_CFN,
    SVC_SCHEMA,
    environment_bundle_files,
    service_bundle_files,
    stack_name_for,
)

ENV_TEMPLATE = "syn-env"
SVC_TEMPLATE = "syn-svc"
EPOCH = "2026-01-01T00:00:00+00:00"


def _deployed(template: str, spec: str) -> dict[str, Any]:
    """The fields of a record deployed once, at EPOCH, from version 1.0 of `template`."""
    return {
        "templateName": template,
        "templateMajorVersion": "1",
        "templateMinorVersion": "0",
        "deploymentStatus": "SUCCEEDED",
        "spec": spec,
        "createdAt": EPOCH,
        "lastDeploymentAttemptedAt": EPOCH,
        "lastDeploymentSucceededAt": EPOCH,
    }


@dataclass(frozen=True)
class SyntheticSize:
    """How big an estate to build."""

    environments: int = 3
    services: int = 4
    instances_per_service: int = 2
    pipelines: bool = True
    # Optional parts (proton_exodus.testing.synthetic_extras); the defaults leave the estate unchanged.
    components: int = 0  # directly defined components on the first N instances
    account_connections: int = 0  # first N environments deployed into another account
    repositories: bool = False  # repositories, template sync configs, a service sync config
    faults: bool = False  # failed/stuck deployments, missing bundle, unreachable stack, secrets, non-CFN


class _Builder:
    def __init__(self, account: str, region: str) -> None:
        self.account, self.region = account, region
        self.snap = Snapshot(
            meta={
                "source": "synthetic",
                "accounts": [account],
                "regions": [region],
                "toolVersion": "synthetic",
                "capturedAt": EPOCH,
            }
        )
        self.jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        self.env_tpl = self.jinja.from_string(ENV_CFN)
        self.svc_tpl = self.jinja.from_string(SVC_CFN)
        self.pipe_tpl = self.jinja.from_string(PIPELINE_CFN)

    def arn(self, suffix: str) -> str:
        return f"arn:aws:proton:{self.region}:{self.account}:{suffix}"

    def _provisioned(self, stack: str) -> list[dict[str, str]]:
        """`provisionedResources` of a record deployed by the stack added last."""
        return [
            {
                "identifier": self.snap.stacks[-1]["StackId"],
                "name": stack,
                "provisioningEngine": "CLOUDFORMATION",
            }
        ]

    def add(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        record.update(account=self.account, region=self.region, provenance="synthetic")
        self.snap.records.setdefault(kind, []).append(record)
        return record

    def add_stack(
        self,
        name: str,
        kind: str,
        resource_arn: str,
        body: str,
        tags: dict[str, str],
        outputs: dict[str, str],
    ) -> None:
        rel = f"stacks/{self.account}/{self.region}/{name}.template"
        self.snap.templates[rel] = body
        stack_id = (
            f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{name}/"
            + hashlib.md5(name.encode()).hexdigest()
        )
        self.snap.stacks.append(
            {
                "StackName": name,
                "StackId": stack_id,
                "StackStatus": "CREATE_COMPLETE",
                "Parameters": [],
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in sorted(outputs.items())],
                "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())],
                "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                "CreationTime": EPOCH,
                "account": self.account,
                "region": self.region,
                "resourceArn": resource_arn,
                "resourceKind": kind,
                "templatePath": rel,
                "reachable": True,
            }
        )

    def templates(self) -> None:
        env_arn, svc_arn = (
            self.arn(f"environment-template/{ENV_TEMPLATE}"),
            self.arn(f"service-template/{SVC_TEMPLATE}"),
        )
        self.add(
            "environment_templates",
            {
                "name": ENV_TEMPLATE,
                "arn": env_arn,
                "recommendedVersion": "1.0",
                "createdAt": EPOCH,
                "lastModifiedAt": EPOCH,
                "tags": {},
            },
        )
        self.add(
            "service_templates",
            {
                "name": SVC_TEMPLATE,
                "arn": svc_arn,
                "recommendedVersion": "1.0",
                "createdAt": EPOCH,
                "lastModifiedAt": EPOCH,
                "tags": {},
            },
        )
        env_bundle = "bundles/environment/syn-env/1.0"
        self.snap.bundles[env_bundle] = environment_bundle_files()
        svc_bundle = "bundles/service/syn-svc/1.0"
        self.snap.bundles[svc_bundle] = service_bundle_files()
        self.add(
            "environment_template_versions",
            {
                "templateName": ENV_TEMPLATE,
                "majorVersion": "1",
                "minorVersion": "0",
                "status": "PUBLISHED",
                "recommendedMinorVersion": "0",
                "arn": env_arn + ":1.0",
                "schema": ENV_SCHEMA,
                "createdAt": EPOCH,
                "lastModifiedAt": EPOCH,
                "bundle": env_bundle,
                "tags": {},
            },
        )
        self.add(
            "service_template_versions",
            {
                "templateName": SVC_TEMPLATE,
                "majorVersion": "1",
                "minorVersion": "0",
                "status": "PUBLISHED",
                "recommendedMinorVersion": "0",
                "arn": svc_arn + ":1.0",
                "schema": SVC_SCHEMA,
                "compatibleEnvironmentTemplates": [{"templateName": ENV_TEMPLATE, "majorVersion": "1"}],
                "createdAt": EPOCH,
                "lastModifiedAt": EPOCH,
                "bundle": svc_bundle,
                "tags": {},
            },
        )

    def environment(self, index: int) -> dict[str, Any]:
        tier = ("dev", "staging", "prod")[index % 3]
        name = f"{tier}-{index:03d}"
        arn = self.arn(f"environment/{name}")
        inputs = {"vpc_cidr": f"10.{index % 250}.0.0/16", "tier": tier}
        spec = f"proton: EnvironmentSpec\nspec:\n  vpc_cidr: {inputs['vpc_cidr']}\n  tier: {tier}\n"
        body = self.env_tpl.render(environment={"name": name, "inputs": inputs})
        stack = stack_name_for(name)
        outputs = {
            "VpcId": f"vpc-{hashlib.md5(name.encode()).hexdigest()[:17]}",
            "ClusterName": f"{name}-cluster",
        }
        tags = {
            "proton:account": self.account,
            "proton:environment": arn,
            "proton:template": self.arn(f"environment-template/{ENV_TEMPLATE}"),
        }
        self.add_stack(stack, "environment", arn, body, tags, outputs)
        return self.add(
            "environments",
            {
                "name": name,
                "arn": arn,
                "templateName": ENV_TEMPLATE,
                "templateMajorVersion": "1",
                "templateMinorVersion": "0",
                "deploymentStatus": "SUCCEEDED",
                "spec": spec,
                "protonServiceRoleArn": f"arn:aws:iam::{self.account}:role/ProtonServiceRole",
                "createdAt": EPOCH,
                "lastDeploymentAttemptedAt": EPOCH,
                "lastDeploymentSucceededAt": EPOCH,
                "outputs": outputs,
                "stackName": stack,
                "tags": {"team": "platform"},
                "provisionedResources": self._provisioned(stack),
            },
        )

    def service(self, index: int, envs: list[dict[str, Any]], size: SyntheticSize) -> None:
        name = f"svc-{index:05d}"
        svc_arn = self.arn(f"service/{name}")
        chosen = [envs[(index + k) % len(envs)] for k in range(size.instances_per_service)]
        instances = []
        spec_lines = ["proton: ServiceSpec"]
        if size.pipelines:
            spec_lines += ["pipeline:", "  build_command: make build"]
        spec_lines.append("instances:")
        for k, env in enumerate(chosen):
            inst = f"{env['name']}-{k}"
            inputs = {
                "port": 8000 + index % 1000,
                "desired_count": 1 + k,
                "image": "public.ecr.aws/nginx/nginx:latest",
            }
            spec_lines += [
                f"  - name: {inst}",
                f"    environment: {env['name']}",
                "    spec:",
                f"      port: {inputs['port']}",
                f"      desired_count: {inputs['desired_count']}",
            ]
            instances.append((inst, env, inputs))
        spec = "\n".join(spec_lines) + "\n"
        tpl_arn = self.arn(f"service-template/{SVC_TEMPLATE}")
        self.add(
            "services",
            {
                "name": name,
                "arn": svc_arn,
                "templateName": SVC_TEMPLATE,
                "status": "ACTIVE",
                "spec": spec,
                "createdAt": EPOCH,
                "lastModifiedAt": EPOCH,
                "tags": {"team": f"team-{index % 7}"},
                **(
                    {
                        "repositoryId": f"org/{name}",
                        "branchName": "main",
                        "repositoryConnectionArn": (
                            f"arn:aws:codeconnections:{self.region}:{self.account}:connection/syn"
                        ),
                    }
                    if size.pipelines
                    else {}
                ),
            },
        )
        rendered = []
        for inst, env, inputs in instances:
            arn = f"{svc_arn}/service-instance/{inst}"
            ctx = {
                "service": {"name": name},
                "service_instance": {"name": inst, "inputs": inputs},
                "environment": {"name": env["name"], "outputs": env["outputs"]},
            }
            body = self.svc_tpl.render(**ctx)
            stack = stack_name_for(name, inst)
            outputs = {"ServiceName": f"{name}-{inst}"}
            tags = {
                "proton:account": self.account,
                "proton:environment": env["arn"],
                "proton:service": svc_arn,
                "proton:service-instance": arn,
                "proton:template": tpl_arn,
            }
            self.add_stack(stack, "service_instance", arn, body, tags, outputs)
            self.add(
                "service_instances",
                {
                    "name": inst,
                    "serviceName": name,
                    "arn": arn,
                    "environmentName": env["name"],
                    **_deployed(SVC_TEMPLATE, spec),
                    "outputs": outputs,
                    "stackName": stack,
                    "tags": {},
                    "provisionedResources": self._provisioned(stack),
                },
            )
            rendered.append(
                {
                    "name": inst,
                    "inputs": inputs,
                    "outputs": outputs,
                    "environment": {
                        "name": env["name"],
                        "account_id": self.account,
                        "outputs": env["outputs"],
                    },
                }
            )
        if size.pipelines:
            arn = f"{svc_arn}/pipeline"
            body = self.pipe_tpl.render(
                service={"name": name},
                service_instances=rendered,
                pipeline={"inputs": {"build_command": "make build"}},
            )
            stack = stack_name_for(name, "pipeline")
            tags = {"proton:account": self.account, "proton:service": svc_arn, "proton:template": tpl_arn}
            self.add_stack(stack, "service_pipeline", arn, body, tags, {"BuildCommand": "make build"})
            self.add(
                "service_pipelines",
                {
                    "serviceName": name,
                    "arn": arn,
                    **_deployed(SVC_TEMPLATE, spec),
                    "outputs": {"BuildCommand": "make build"},
                    "stackName": stack,
                    "tags": {},
                    "provisionedResources": self._provisioned(stack),
                },
            )


def build_synthetic_snapshot(
    size: SyntheticSize | None = None, *, account: str = "111111111111", region: str = "us-east-1"
) -> Snapshot:
    """An in-memory snapshot of a synthetic estate of the given size; same size in, same snapshot out."""
    size = size or SyntheticSize()
    builder = _Builder(account, region)
    builder.templates()
    envs = [builder.environment(i) for i in range(size.environments)]
    for i in range(size.services):
        builder.service(i, envs, size)
    _add_extras(builder, size)
    return builder.snap


def _add_extras(builder: _Builder, size: SyntheticSize) -> None:
    if size.components:
        extras.add_components(builder, size.components)
    if size.account_connections:
        extras.add_account_connections(builder, size.account_connections)
    if size.repositories:
        extras.add_repositories(builder, blocked=size.faults)
    if size.faults:
        extras.add_faults(builder)
