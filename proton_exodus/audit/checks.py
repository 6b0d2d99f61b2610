"""The readiness checks: each looks at one aspect of the snapshot and yields findings.

Resources audited are the ones that move: environments, service instances, pipelines, components
and environment account connections (plus sync configs, which are retired along the way)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
import yaml

from proton_exodus.cfn.text import load_yaml
from proton_exodus.graph import DEPLOYED_KINDS, node_key
from proton_exodus.model.secrets import looks_secret
from proton_exodus.model.snapshot import Snapshot

GIT_SYNC_STATUSES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                               "IMPORT_ROLLBACK_COMPLETE"})  # TARGETS.md §1.4
FAILED = frozenset({"FAILED", "DELETE_FAILED", "CREATE_FAILED", "UPDATE_FAILED", "CREATE_FAILED_CLEANUP_FAILED",
                    "UPDATE_FAILED_CLEANUP_FAILED", "UPDATE_COMPLETE_CLEANUP_FAILED", "CREATE_FAILED_CLEANUP_COMPLETE",
                    "UPDATE_FAILED_CLEANUP_COMPLETE"})
IN_FLIGHT = frozenset({"IN_PROGRESS", "DELETE_IN_PROGRESS", "CANCELLING", "CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS",
                       "CREATE_FAILED_CLEANUP_IN_PROGRESS", "UPDATE_FAILED_CLEANUP_IN_PROGRESS"})
MAX_SYNC_RESOURCE_NAME = 100  # codeconnections CreateSyncConfiguration ResourceName
PROTON_API = re.compile(r"\baws\s+proton\b|notify-resource-deployment-status-change|"
                        r"client\(\s*['\"]proton['\"]|\bProtonClient\b|proton:(?:Update|Create|Notify)\w+")


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
        for plural in ("environments", "service_instances", "service_pipelines", "components",
                       "environment_account_connections"):
            kind = plural[:-1]
            self.records.update({node_key(kind, r): r for r in snapshot.kind(plural)})
        self._spec_cache: dict[str, Any] = {}

    def finding(self, code: str, node: str, message: str) -> AuditFinding:
        attrs = self.g.nodes[node] if node in self.g else {}
        return AuditFinding(code, node, attrs.get("kind", "account"), attrs.get("label", node),
                            attrs.get("account", node if node.isdigit() else ""), attrs.get("region", ""), message)

    def resources(self) -> list[str]:
        """Every resource that moves in a wave, sorted."""
        kinds = set(DEPLOYED_KINDS) | {"environment_account_connection"}
        return sorted(n for n, k in self.g.nodes(data="kind") if k in kinds and not self.g.nodes[n].get("missing"))

    def run(self) -> list[AuditFinding]:
        found: list[AuditFinding] = []
        for node in self.resources():
            for check in (self.check_status, self.check_provisioning, self.check_version, self.check_component,
                          self.check_pipeline_calls, self.check_secrets, self.check_connection):
                found.extend(check(node))
        found.extend(self.check_sync())
        found.extend(self.check_past_failures())
        found.extend(self.check_service_roles())
        return sorted(found, key=lambda f: (f.resource, f.code, f.message))

    def check_status(self, node: str) -> Iterator[AuditFinding]:
        status = str(self.g.nodes[node].get("status") or "")
        if self.g.nodes[node]["kind"] == "environment_account_connection":
            return
        if status in FAILED:
            reason = self.records.get(node, {}).get("deploymentStatusMessage")
            yield self.finding("E101", node, f"deployment status {status}" + (f": {reason}" if reason else ""))
        elif status in IN_FLIGHT:
            yield self.finding("E102", node, f"deployment status {status}")

    def check_provisioning(self, node: str) -> Iterator[AuditFinding]:
        attrs = self.g.nodes[node]
        kind, provisioning = attrs["kind"], attrs.get("provisioning")
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
            yield self.finding("E111", node, f"stack {name} unreachable: {stack.get('unreachableReason', 'no reason')}")
            return
        if stack.get("StackStatus") not in GIT_SYNC_STATUSES:
            yield self.finding("E110", node, f"stack {name} is {stack.get('StackStatus')}")
        if len(name) > MAX_SYNC_RESOURCE_NAME:
            yield self.finding("E113", node, f"stack name {name} has {len(name)} characters")

    def check_version(self, node: str) -> Iterator[AuditFinding]:
        if self.g.nodes[node].get("provisioning") == "customer-managed":
            return  # its bundle is only a schema; nothing is rendered from it
        for version, _, rel in self.g.in_edges(node, data="relation"):
            if rel != "deployed_from":
                continue
            attrs = self.g.nodes[version]
            if attrs.get("missing"):
                yield self.finding("W121", node, f"template version {attrs.get('label')} does not exist")
            elif not attrs.get("bundle"):
                yield self.finding("W120", node, f"no bundle for template version {attrs.get('label')}")

    def check_component(self, node: str) -> Iterator[AuditFinding]:
        if self.g.nodes[node]["kind"] == "component":
            rec = self.records.get(node, {})
            owner = f"{rec.get('serviceName')}/{rec.get('serviceInstanceName')}" if rec.get("serviceName") else "detached"
            yield self.finding("W150", node, f"directly defined component ({owner})")

    def check_pipeline_calls(self, node: str) -> Iterator[AuditFinding]:
        if self.g.nodes[node]["kind"] != "service_pipeline":
            return
        texts: list[tuple[str, str]] = []
        stack = self.stacks.get(node)
        if stack is not None:
            texts.append((f"deployed template of {stack.get('StackName')}", self.snap.stack_template(stack) or ""))
        for version, _, rel in self.g.in_edges(node, data="relation"):
            files = self.snap.bundle_files(self.g.nodes[version].get("bundle")) if rel == "deployed_from" else None
            texts += [(f"bundle file {path}", data.decode("utf-8", "replace")) for path, data in sorted((files or {}).items())
                      if path.startswith("pipeline_infrastructure/")]
        for where, text in texts:
            match = PROTON_API.search(text)
            if match:
                yield self.finding("W140", node, f"{where} calls the Proton API ({match.group(0)!r})")
                return

    def _inputs(self, node: str) -> dict[str, Any]:
        """The resource's own spec inputs (an instance's block, the pipeline block, or the environment spec)."""
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
            block = next((i for i in spec.get("instances") or [] if isinstance(i, dict) and i.get("name") == rec.get("name")), {})
            inputs = block.get("spec")
        else:
            inputs = spec.get("pipeline") if kind == "service_pipeline" else spec.get("spec")
        return inputs if isinstance(inputs, dict) else {}

    def check_secrets(self, node: str) -> Iterator[AuditFinding]:
        for name, value in sorted(self._inputs(node).items(), key=lambda kv: str(kv[0])):
            if looks_secret(str(name), value):
                yield self.finding("W170", node, f"spec input {name!r} looks like a secret and is stored in clear")

    def check_connection(self, node: str) -> Iterator[AuditFinding]:
        attrs = self.g.nodes[node]
        if attrs["kind"] == "environment_account_connection" and attrs.get("status") not in (None, "CONNECTED"):
            yield self.finding("W180", node, f"connection is {attrs.get('status')}")
        if attrs["kind"] == "environment":
            for _, conn, rel in self.g.out_edges(node, data="relation"):
                status = self.g.nodes[conn].get("status")
                if rel == "connected_via" and status not in (None, "CONNECTED"):
                    yield self.finding("W180", node, f"uses connection {self.g.nodes[conn].get('label')} which is {status}")

    def check_sync(self) -> Iterator[AuditFinding]:
        for kind in ("template_sync_config", "service_sync_config"):
            for node in sorted(n for n, k in self.g.nodes(data="kind") if k == kind):
                target = self.g.nodes[node].get("name")
                yield self.finding("I190", node, f"{kind.replace('_', ' ')} for {target} keeps deploying from Git")
        for rec in self.snap.kind("service_sync_configs"):
            for blocker in rec.get("syncBlockers") or []:
                if blocker.get("status") != "ACTIVE":
                    continue
                targets = [blocker["resourceArn"]] if blocker.get("resourceArn") in self.g else [
                    n for n, d in self.g.nodes(data=True)
                    if d.get("kind") == "service_instance" and d.get("service") == rec.get("serviceName")]
                for target in sorted(targets):
                    yield self.finding("W160", target, f"active sync blocker {blocker.get('id')}: "
                                                       f"{blocker.get('createdReason', 'no reason recorded')}")

    def check_past_failures(self) -> Iterator[AuditFinding]:
        seen: set[str] = set()
        for dep in self.snap.kind("deployments"):
            target = dep.get("targetArn")
            if (dep.get("deploymentStatus") in FAILED and target in self.g and target not in seen
                    and str(self.g.nodes[target].get("status")) not in FAILED):
                seen.add(target)
                yield self.finding("I191", target, f"deployment {dep.get('id')} {dep.get('deploymentStatus')}")

    def check_service_roles(self) -> Iterator[AuditFinding]:
        counts: dict[str, int] = {}
        for stack in self.snap.stacks:
            if stack.get("reachable", True) and not stack.get("RoleARN"):
                counts[stack.get("account", "")] = counts.get(stack.get("account", ""), 0) + 1
        for account, count in sorted(counts.items()):
            yield self.finding("I192", account, f"{count} stack(s) in account {account} have no service role")
