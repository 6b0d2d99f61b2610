"""Proton resources from Proton-made stacks: which resource a stack backs (from its `proton:*` tag
ARNs, PROTON.md §3.2, §6.6), and the snapshot records (API member names) rebuilt around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from proton_exodus.inventory.stacks_discover import TAG_KEYS, FoundStack


@dataclass(frozen=True)
class Backed:
    """The Proton resource behind one stack, read from its tags."""

    kind: str  # environments, service_instances, service_pipelines, components
    arn: str
    account: str  # the Proton (management) account, from the ARN
    region: str
    name: str
    environment: str | None
    service: str | None
    instance: str | None
    template: str | None
    stack: FoundStack
    template_version: str | None = None  # when the template tag is a version ARN (`<name>:<major>.<minor>`)


def arn_parts(arn: str) -> tuple[str, str, list[str]]:
    """(region, account, resource path segments) of a Proton ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "proton":
        raise ValueError(f"not a Proton ARN: {arn}")
    return parts[3], parts[4], parts[5].split("/")


def _last(arn: str | None) -> str | None:
    return arn_parts(arn)[2][-1] if arn else None


def classify(stack: FoundStack) -> Backed | str:
    """The resource a stack backs, or why it cannot be told."""
    tags = stack.tags
    comp, inst, svc, env = (
        tags.get(k)
        for k in ("proton:component", "proton:service-instance", "proton:service", "proton:environment")
    )
    try:
        if comp:
            kind, arn = "components", comp
        elif inst:
            kind, arn = "service_instances", inst
        elif svc and not env:
            kind, arn = "service_pipelines", svc
        elif env:
            kind, arn = "environments", env
        else:
            return "no proton:* tag names the resource (only the AWSProton- name prefix)"
        region, account, path = arn_parts(arn)
        service = _last(svc) if svc else None
        instance = (
            path[3] if kind == "service_instances" and len(path) >= 4 else (_last(inst) if inst else None)
        )
        if kind == "service_instances":
            service = path[1]
        name = {"service_pipelines": service or path[-1], "service_instances": instance}.get(kind, path[-1])
        template, _, version = (_last(tags.get("proton:template")) or "").partition(":")
        return Backed(
            kind,
            arn,
            account,
            region,
            str(name),
            _last(env),
            service,
            instance,
            template or None,
            stack,
            version or None,
        )
    except ValueError as err:
        return str(err)


def deployment_status(stack_status: str | None) -> str:
    """Proton's deploymentStatus for a stack status: a rolled-back or failed stack failed."""
    status = stack_status or ""
    if status.startswith("DELETE_"):
        return "DELETE_FAILED" if status.endswith("FAILED") else "DELETE_IN_PROGRESS"
    if status.endswith("_IN_PROGRESS") and "ROLLBACK" not in status:
        return "IN_PROGRESS"
    if "ROLLBACK" in status or status.endswith("FAILED"):
        return "FAILED"
    return "SUCCEEDED"


def user_tags(stack: FoundStack) -> dict[str, str]:
    """The stack's tags other than Proton's own (Proton propagates no customer tags to stacks)."""
    return {k: v for k, v in sorted(stack.tags.items()) if k not in TAG_KEYS and not k.startswith("aws:")}


# The AWS-managed tags Proton kept on each kind of record (`aws:proton:<x>`), which it copied onto the
# stacks it provisioned as `proton:<x>` (PROTON.md §3.2): the record's tags come back from its stack's.
# A service pipeline is not a taggable Proton resource (the API gives its record no tags).
RECORD_TAGS: dict[str, tuple[str, ...]] = {
    "environments": ("account", "environment", "template"),
    "service_instances": ("account", "environment", "service", "service-instance", "template"),
    "components": ("account", "component", "environment"),
    "services": ("account", "service", "template"),
    "service_pipelines": (),
}


def proton_tags(kind: str, tags: dict[str, str]) -> dict[str, str]:
    """The `aws:proton:*` tags a record of `kind` carried, from the `proton:*` tags of a stack it backs."""
    return {
        f"aws:proton:{k}": tags[f"proton:{k}"] for k in RECORD_TAGS.get(kind, ()) if tags.get(f"proton:{k}")
    }


def record_tags(kind: str, stack: FoundStack) -> dict[str, str]:
    """A rebuilt record's tags: Proton's own, recovered from the stack's, and any tag a user put on the
    stack. Customer tags of the Proton resource never reached its stack: an earlier snapshot brings them
    back (`--tags-from`)."""
    return dict(sorted({**proton_tags(kind, stack.tags), **user_tags(stack)}.items()))


def base_record(b: Backed) -> dict[str, Any]:
    """Members every deployed record carries, straight from the stack."""
    rec = b.stack.record
    return {
        "name": b.name,
        "arn": b.arn,
        "account": b.account,
        "region": b.region,
        "provenance": "stack",
        "deploymentStatus": deployment_status(rec.get("StackStatus")),
        "deploymentStatusMessage": rec.get("StackStatusReason") or "",
        "outputs": b.stack.outputs,
        "stackName": rec["StackName"],
        "tags": record_tags(b.kind, b.stack),
        "provisionedResources": [
            {
                "identifier": rec.get("StackId") or rec["StackName"],
                "name": rec["StackName"],
                "provisioningEngine": "CLOUDFORMATION",
            }
        ],
        "createdAt": rec.get("CreationTime"),
        "lastDeploymentSucceededAt": rec.get("LastUpdatedTime") or rec.get("CreationTime"),
    }


def env_spec(inputs: dict[str, Any]) -> str:
    return yaml.safe_dump({"proton": "EnvironmentSpec", "spec": inputs}, sort_keys=True)


def service_spec(pipeline: dict[str, Any] | None, instances: list[tuple[str, str, dict[str, Any]]]) -> str:
    """A ServiceSpec holding the recovered pipeline inputs and the given instances' inputs."""
    doc: dict[str, Any] = {"proton": "ServiceSpec"}
    if pipeline is not None:
        doc["pipeline"] = pipeline
    doc["instances"] = [{"name": n, "environment": e, "spec": s} for n, e, s in sorted(instances)]
    return yaml.safe_dump(doc, sort_keys=False)


def template_arn(region: str, account: str, kind: str, name: str) -> str:
    return f"arn:aws:proton:{region}:{account}:{kind}-template/{name}"
