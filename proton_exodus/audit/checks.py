"""The readiness checks: each looks at one aspect of the snapshot and yields findings.

Resources audited are the ones that move: environments, service instances, pipelines, components
and environment account connections (plus sync configs, which are retired along the way)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
import yaml

from proton_exodus.cfn.text import load_yaml
from proton_exodus.graph import DEPLOYED_KINDS, node_key
from proton_exodus.model.secrets import MIN_SCRUB_LENGTH, PLACEHOLDER_RE, looks_secret
from proton_exodus.model.snapshot import Snapshot

GIT_SYNC_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)  # TARGETS.md §1.4
FAILED = frozenset(
    {
        "FAILED",
        "DELETE_FAILED",
        "CREATE_FAILED",
        "UPDATE_FAILED",
        "CREATE_FAILED_CLEANUP_FAILED",
        "UPDATE_FAILED_CLEANUP_FAILED",
        "UPDATE_COMPLETE_CLEANUP_FAILED",
        "CREATE_FAILED_CLEANUP_COMPLETE",
        "UPDATE_FAILED_CLEANUP_COMPLETE",
    }
)
IN_FLIGHT = frozenset(
    {
        "IN_PROGRESS",
        "DELETE_IN_PROGRESS",
        "CANCELLING",
        "CREATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS",
        "CREATE_FAILED_CLEANUP_IN_PROGRESS",
        "UPDATE_FAILED_CLEANUP_IN_PROGRESS",
    }
)
FAILED_CREATE = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED"})  # E114
STATUS_REMEDY = {
    "UPDATE_ROLLBACK_FAILED": "continue the rollback (`aws cloudformation continue-update-rollback`)",
    "DELETE_FAILED": "retain or fix the resources that failed to delete, then delete again",
    "UPDATE_FAILED": "wait for the automatic rollback to finish",
}
MAX_SYNC_RESOURCE_NAME = 100  # codeconnections CreateSyncConfiguration ResourceName
PROTON_API = re.compile(
    r"\baws\s+proton\b|notify-resource-deployment-status-change|"
    r"client\(\s*['\"]proton['\"]|\bProtonClient\b|proton:(?:Update|Create|Notify)\w+"
)


@dataclass(frozen=True)
class AuditFinding:
    """One finding about one resource; `message` says exactly what was seen."""

    code: str
    resource: str  # graph node key (ARN), or an account ID for account-wide findings
    kind: str
    label: str
    account: str
    region: str
    message: str

    @property
    def severity(self) -> str:
        return {"E": "error", "W": "warning"}.get(self.code[:1], "info")


class Auditor:
    """Runs every check over one snapshot and its graph."""

    def __init__(self, snapshot: Snapshot, graph: nx.MultiDiGraph) -> None:
        self.snap, self.g = snapshot, graph
        self.stacks = {s.get("resourceArn"): s for s in snapshot.stacks if s.get("resourceArn")}
        self.records: dict[str, dict[str, Any]] = {}
        for plural in (
            "environments",
            "service_instances",
            "service_pipelines",
            "components",
            "environment_account_connections",
        ):
            kind = plural[:-1]
            self.records.update({node_key(kind, r): r for r in snapshot.kind(plural)})
        self._spec_cache: dict[str, Any] = {}

    def finding(self, code: str, node: str, message: str) -> AuditFinding:
        attrs = self.g.nodes[node] if node in self.g else {}
        return AuditFinding(
            code,
            node,
            attrs.get("kind", "account"),
            attrs.get("label", node),
            attrs.get("account", node if node.isdigit() else ""),
            attrs.get("region", ""),
            message,
        )

    def resources(self) -> list[str]:
        """Every resource that moves in a wave, sorted."""
        kinds = set(DEPLOYED_KINDS) | {"environment_account_connection"}
        return sorted(
            n for n, k in self.g.nodes(data="kind") if k in kinds and not self.g.nodes[n].get("missing")
        )

    def run(self) -> list[AuditFinding]:
        found: list[AuditFinding] = []
        for node in self.resources():
            for check in (
                self.check_status,
                self.check_provisioning,
                self.check_version,
                self.check_component,
                self.check_pipeline_calls,
                self.check_pipeline_order,
                self.check_secrets,
                self.check_rotation,
                self.check_connection,
            ):
                found.extend(check(node))
        found.extend(self.check_bundles())
        found.extend(self.check_sync())
        found.extend(self.check_past_failures())
        found.extend(self.check_service_roles())
        found.extend(self.check_kept_roles())
        return sorted(found, key=lambda f: (f.resource, f.code, f.message))

    def check_status(self, node: str) -> Iterator[AuditFinding]:
        status = str(self.g.nodes[node].get("status") or "")
        if self.g.nodes[node]["kind"] == "environment_account_connection":
            return
        if status in FAILED:
            reason = self.records.get(node, {}).get("deploymentStatusMessage")
            yield self.finding(
                "E101", node, f"deployment status {status}" + (f": {reason}" if reason else "")
            )
        elif status in IN_FLIGHT:
            yield self.finding("E102", node, f"deployment status {status}")

    def provisioning(self, node: str) -> str | None:
        """The graph's provisioning, or the record's own (`provisioning.engine`, which a stacks rebuild
        records even when the template record it rebuilt lacks Proton's `provisioning` member)."""
        found = self.g.nodes[node].get("provisioning")
        own = self.records.get(node, {}).get("provisioning") or {}
        engine = own.get("engine") if isinstance(own, dict) else None
        return (
            engine
            if found in (None, "cloudformation") and engine in ("customer-managed", "terraform", "codebuild")
            else found
        )

    def check_provisioning(self, node: str) -> Iterator[AuditFinding]:
        attrs = self.g.nodes[node]
        kind, provisioning = attrs["kind"], self.provisioning(node)
        if kind == "environment_account_connection":
            return
        if provisioning == "terraform":
            yield self.finding("W130", node, "provisioned by Terraform through a provisioning repository")
        elif provisioning == "codebuild":
            yield self.finding("W131", node, "provisioned by CodeBuild")
        elif provisioning == "customer-managed":
            yield self.finding("W132", node, "customer-managed: Proton only stores its outputs")
        else:
            yield from self._check_stack(node)

    def _check_stack(self, node: str) -> Iterator[AuditFinding]:
        stack = self.stacks.get(node)
        if stack is None:
            yield self.finding("E112", node, "no CloudFormation stack recorded for this resource")
            return
        name = stack.get("StackName", "")
        if not stack.get("reachable", True):
            yield self.finding(
                "E111", node, f"stack {name} unreachable: {stack.get('unreachableReason', 'no reason')}"
            )
            return
        status = str(stack.get("StackStatus"))
        if status in FAILED_CREATE:
            yield self.finding(
                "E114",
                node,
                f"stack {name} is {status}: its creation failed; delete and re-create "
                "it, or import its resources into a new stack",
            )
        elif status not in GIT_SYNC_STATUSES:
            remedy = STATUS_REMEDY.get(
                status,
                "wait for it to finish"
                if status.endswith("_IN_PROGRESS")
                else "bring it to a *_COMPLETE status with CloudFormation",
            )
            yield self.finding("E110", node, f"stack {name} is {status}: {remedy}")
        if len(name) > MAX_SYNC_RESOURCE_NAME:
            yield self.finding("E113", node, f"stack name {name} has {len(name)} characters")

    def check_version(self, node: str) -> Iterator[AuditFinding]:
        if self.provisioning(node) == "customer-managed":
            return  # its bundle is only a schema; nothing is rendered from it
        for version, _, rel in self.g.in_edges(node, data="relation"):
            if rel != "deployed_from":
                continue
            attrs = self.g.nodes[version]
            if attrs.get("missing"):
                yield self.finding("W121", node, f"template version {attrs.get('label')} does not exist")
            elif not attrs.get("bundle"):
                yield self.finding("W120", node, f"no bundle for template version {attrs.get('label')}")
            else:
                yield from self._check_minor(node, version)

    def _check_minor(self, node: str, version: str) -> Iterator[AuditFinding]:
        """I122 when a newer minor version of the same major is the template's recommended one."""
        attrs = self.g.nodes[version]
        rec = self.records.get(node, {})
        major, minor = str(rec.get("templateMajorVersion") or ""), str(rec.get("templateMinorVersion") or "")
        kind = (
            "environment_template_versions"
            if self.g.nodes[node]["kind"] == "environment"
            else "service_template_versions"
        )
        current = next(
            self.snap.find(
                kind, templateName=rec.get("templateName"), majorVersion=major, minorVersion=minor
            ),
            None,
        )
        template = next(self.snap.find(kind.replace("_versions", "s"), name=rec.get("templateName")), None)
        t_major, _, t_minor = str((template or {}).get("recommendedVersion") or "").partition(".")
        recommended = (
            t_minor if t_major == major else str((current or {}).get("recommendedMinorVersion") or "")
        )
        if recommended.isdigit() and minor.isdigit() and int(recommended) > int(minor):
            yield self.finding(
                "I122", node, f"runs {attrs.get('label')}; the recommended version is {major}.{recommended}"
            )

    def check_bundles(self) -> Iterator[AuditFinding]:
        """I123 for every registered template version whose bundle was not found."""
        for kind in ("environment_template_versions", "service_template_versions"):
            for rec in self.snap.kind(kind):
                if rec.get("bundle"):
                    continue
                key = node_key(kind[:-1], rec)
                name = f"{rec.get('templateName')} {rec.get('majorVersion')}.{rec.get('minorVersion')}"
                yield AuditFinding(
                    "I123",
                    key,
                    kind[:-1],
                    name,
                    rec.get("account", ""),
                    rec.get("region", ""),
                    f"template version {name} ({rec.get('status', 'status unknown')}) has no bundle",
                )

    def check_component(self, node: str) -> Iterator[AuditFinding]:
        if self.g.nodes[node]["kind"] == "component":
            rec = self.records.get(node, {})
            owner = (
                f"{rec.get('serviceName')}/{rec.get('serviceInstanceName')}"
                if rec.get("serviceName")
                else "detached"
            )
            yield self.finding("W150", node, f"directly defined component ({owner})")

    def check_pipeline_calls(self, node: str) -> Iterator[AuditFinding]:
        if self.g.nodes[node]["kind"] != "service_pipeline":
            return
        texts: list[tuple[str, str]] = []
        stack = self.stacks.get(node)
        if stack is not None:
            texts.append(
                (f"deployed template of {stack.get('StackName')}", self.snap.stack_template(stack) or "")
            )
        for version, _, rel in self.g.in_edges(node, data="relation"):
            files = (
                self.snap.bundle_files(self.g.nodes[version].get("bundle"))
                if rel == "deployed_from"
                else None
            )
            texts += [
                (f"bundle file {path}", data.decode("utf-8", "replace"))
                for path, data in sorted((files or {}).items())
                if path.startswith("pipeline_infrastructure/")
            ]
        for where, text in texts:
            match = PROTON_API.search(text)
            if match:
                yield self.finding("W140", node, f"{where} calls the Proton API ({match.group(0)!r})")
                return

    def _inputs(self, node: str) -> dict[str, Any]:
        """The resource's own spec inputs (an instance's block, the pipeline block,
        or the environment spec)."""
        rec = self.records.get(node, {})
        text = rec.get("spec")
        if not isinstance(text, str) or not text:
            return {}
        if text not in self._spec_cache:
            try:
                self._spec_cache[text] = load_yaml(text)
            except yaml.YAMLError:
                self._spec_cache[text] = None
        spec = self._spec_cache[text]
        if not isinstance(spec, dict):
            return {}
        kind = self.g.nodes[node]["kind"]
        if kind == "service_instance":
            block = next(
                (
                    i
                    for i in spec.get("instances") or []
                    if isinstance(i, dict) and i.get("name") == rec.get("name")
                ),
                {},
            )
            inputs = block.get("spec")
        else:
            inputs = spec.get("pipeline") if kind == "service_pipeline" else spec.get("spec")
        return inputs if isinstance(inputs, dict) else {}

    def check_secrets(self, node: str) -> Iterator[AuditFinding]:
        for name, value in sorted(self._inputs(node).items(), key=lambda kv: str(kv[0])):
            if looks_secret(str(name), value):
                yield self.finding(
                    "W170", node, f"spec input {name!r} looks like a secret and is stored in clear"
                )

    def check_rotation(self, node: str) -> Iterator[AuditFinding]:
        """I171: a secret was in clear in the resource's own spec inputs or its deployed template (the
        snapshot holds a placeholder there, or still the clear value when it knows the secret)."""
        where: dict[str, set[str]] = {}
        inputs = json.dumps(self._inputs(node), sort_keys=True, default=str)
        where["its spec"] = set(PLACEHOLDER_RE.findall(inputs))
        stack = self.stacks.get(node)
        if stack is not None:
            text = self.snap.stack_template(stack) or ""
            found = set(PLACEHOLDER_RE.findall(text)) | {
                sid
                for sid, value in self.snap.secrets.items()
                if len(str(value)) >= MIN_SCRUB_LENGTH and str(value) in text
            }
            where[f"the deployed template of {stack.get('StackName')}"] = found
        seen = {place: ids for place, ids in where.items() if ids}
        if seen:
            ids = sorted(set().union(*seen.values()))
            yield self.finding(
                "I171",
                node,
                f"{len(ids)} secret(s) were in clear in {' and '.join(sorted(seen))}: "
                f"rotate {', '.join(ids)} after the hand-over (secrets.json names them)",
            )

    def check_pipeline_order(self, node: str) -> Iterator[AuditFinding]:
        """W141: Proton's pipeline deploys the instances by name; say so when that is not tier order."""
        # the planner's tiers, imported late: plan imports audit
        from proton_exodus.graph.tiers import own_tier

        if self.g.nodes[node]["kind"] != "service_pipeline":
            return
        service = self.g.nodes[node].get("service")
        insts = sorted(
            (
                a
                for _, a in self.g.nodes(data=True)
                if a.get("kind") == "service_instance" and a.get("service") == service
            ),
            key=lambda a: str(a.get("name")),
        )
        tiers = [own_tier(a) for a in insts]
        if tiers != sorted(tiers):
            order = " -> ".join(str(a.get("name")) for a in insts)
            ordered = " -> ".join(
                str(a.get("name"))
                for _, a in sorted(
                    zip(tiers, insts, strict=True), key=lambda p: (p[0], str(p[1].get("name")))
                )
            )
            yield self.finding(
                "W141",
                node,
                f"deploys {order} (Proton's order, kept by the export); tier order would be {ordered}",
            )

    def check_connection(self, node: str) -> Iterator[AuditFinding]:
        attrs = self.g.nodes[node]
        if attrs["kind"] == "environment_account_connection" and attrs.get("status") not in (
            None,
            "CONNECTED",
        ):
            yield self.finding("W180", node, f"connection is {attrs.get('status')}")
        if attrs["kind"] == "environment":
            for _, conn, rel in self.g.out_edges(node, data="relation"):
                status = self.g.nodes[conn].get("status")
                if rel == "connected_via" and status not in (None, "CONNECTED"):
                    yield self.finding(
                        "W180", node, f"uses connection {self.g.nodes[conn].get('label')} which is {status}"
                    )

    def check_sync(self) -> Iterator[AuditFinding]:
        for kind in ("template_sync_config", "service_sync_config"):
            for node in sorted(n for n, k in self.g.nodes(data="kind") if k == kind):
                target = self.g.nodes[node].get("name")
                yield self.finding(
                    "I190", node, f"{kind.replace('_', ' ')} for {target} keeps deploying from Git"
                )
        for rec in self.snap.kind("service_sync_configs"):
            for blocker in rec.get("syncBlockers") or []:
                if blocker.get("status") != "ACTIVE":
                    continue
                targets = (
                    [blocker["resourceArn"]]
                    if blocker.get("resourceArn") in self.g
                    else [
                        n
                        for n, d in self.g.nodes(data=True)
                        if d.get("kind") == "service_instance" and d.get("service") == rec.get("serviceName")
                    ]
                )
                for target in sorted(targets):
                    yield self.finding(
                        "W160",
                        target,
                        f"active sync blocker {blocker.get('id')}: "
                        f"{blocker.get('createdReason', 'no reason recorded')}",
                    )

    def check_past_failures(self) -> Iterator[AuditFinding]:
        seen: set[str] = set()
        for dep in self.snap.kind("deployments"):
            target = dep.get("targetArn")
            if (
                dep.get("deploymentStatus") in FAILED
                and target in self.g
                and target not in seen
                and str(self.g.nodes[target].get("status")) not in FAILED
            ):
                seen.add(target)
                yield self.finding(
                    "I191", target, f"deployment {dep.get('id')} {dep.get('deploymentStatus')}"
                )

    def check_service_roles(self) -> Iterator[AuditFinding]:
        counts: dict[str, int] = {}
        for stack in self.snap.stacks:
            if stack.get("reachable", True) and not stack.get("RoleARN"):
                counts[stack.get("account", "")] = counts.get(stack.get("account", ""), 0) + 1
        for account, count in sorted(counts.items()):
            yield self.finding("I192", account, f"{count} stack(s) in account {account} have no service role")

    def check_kept_roles(self) -> Iterator[AuditFinding]:
        """W193 per account: the service roles Proton gave the stacks must outlive Proton's leftovers."""
        roles: dict[str, dict[str, int]] = {}
        for stack in self.snap.stacks:
            if stack.get("RoleARN"):
                per = roles.setdefault(stack.get("account", ""), {})
                per[stack["RoleARN"]] = per.get(stack["RoleARN"], 0) + 1
        for account, per in sorted(roles.items()):
            listed = ", ".join(f"{arn} ({n} stack{'s' if n > 1 else ''})" for arn, n in sorted(per.items()))
            yield self.finding("W193", account, f"keep the stacks' service roles: {listed}")
