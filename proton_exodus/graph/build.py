"""Build the estate's dependency graph from a snapshot: one node per Proton resource and stack,
typed edges between them (node key = ARN, stacks keyed by StackId)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from proton_exodus.model.snapshot import Snapshot

# snapshot kind (plural) -> node kind (singular)
NODE_KINDS: dict[str, str] = {
    "environment_templates": "environment_template",
    "environment_template_versions": "environment_template_version",
    "service_templates": "service_template",
    "service_template_versions": "service_template_version",
    "environments": "environment",
    "services": "service",
    "service_instances": "service_instance",
    "service_pipelines": "service_pipeline",
    "components": "component",
    "environment_account_connections": "environment_account_connection",
    "repositories": "repository",
    "template_sync_configs": "template_sync_config",
    "service_sync_configs": "service_sync_config",
}
DEPLOYED_KINDS = ("environment", "service_instance", "service_pipeline", "component")

_ARN_PART = {
    "template_sync_config": "template-sync-config",
    "service_sync_config": "service-sync-config",
    "repository": "repository",
    "environment_account_connection": "environment-account-connection",
}


def pseudo_arn(kind: str, record: dict[str, Any]) -> str:
    """A stable ARN-like key for records Proton gives no ARN (sync configs, or records read without one)."""
    region, account = record.get("region", ""), record.get("account", "")
    if kind == "template_sync_config":
        ident = f"{str(record.get('templateType', '')).lower()}/{record.get('templateName', '')}"
    elif kind == "service_sync_config":
        ident = str(record.get("serviceName", ""))
    elif kind == "repository":
        ident = f"{str(record.get('provider', '')).lower()}:{record.get('name', '')}"
    elif kind.endswith("_version"):
        base = "environment-template" if kind.startswith("environment") else "service-template"
        ident = (
            f"{base}/{record.get('templateName')}:{record.get('majorVersion')}.{record.get('minorVersion')}"
        )
        return f"arn:aws:proton:{region}:{account}:{ident}"
    elif kind == "service_instance":
        ident = f"{record.get('serviceName')}/service-instance/{record.get('name')}"
        return f"arn:aws:proton:{region}:{account}:service/{ident}"
    elif kind == "service_pipeline":
        return f"arn:aws:proton:{region}:{account}:service/{record.get('serviceName')}/pipeline"
    else:
        ident = str(record.get("name", record.get("id", "")))
    part = _ARN_PART.get(kind, kind.replace("_", "-"))
    return f"arn:aws:proton:{region}:{account}:{part}/{ident}"


def node_key(kind: str, record: dict[str, Any]) -> str:
    """The graph key of a snapshot record: its ARN, or a pseudo ARN when it has none."""
    return str(record.get("arn") or pseudo_arn(kind, record))


def provisioning_of(
    kind: str, record: dict[str, Any], env: dict[str, Any] | None, template: dict[str, Any] | None
) -> str:
    """How Proton provisioned a deployed resource: cloudformation, terraform,
    codebuild or customer-managed."""
    for rec in (record, env):
        if rec is None:
            continue
        engines = {
            str(r.get("provisioningEngine", "")).upper() for r in rec.get("provisionedResources") or []
        }
        if rec.get("provisioningRepository") or "TERRAFORM" in engines:
            return "terraform"
        if rec.get("codebuildRoleArn") or str(rec.get("stackName") or "").startswith("AWSProton-CodeBuild-"):
            return "codebuild"
    if kind == "environment" and template and template.get("provisioning") == "CUSTOMER_MANAGED":
        return "customer-managed"
    if kind == "service_pipeline" and template and template.get("pipelineProvisioning") == "CUSTOMER_MANAGED":
        return "customer-managed"
    return "cloudformation"


def _version_string(record: dict[str, Any]) -> str | None:
    major = record.get("templateMajorVersion")
    return f"{major}.{record.get('templateMinorVersion')}" if major is not None else None


class _Builder:
    """Indexes the snapshot once, then adds nodes and edges kind by kind."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snap = snapshot
        self.g = nx.MultiDiGraph(capturedAt=snapshot.meta.get("capturedAt"))
        self.index: dict[tuple[str, ...], str] = {}  # (kind, account, region, *identity) -> key
        self.records: dict[str, dict[str, Any]] = {}

    def lookup(self, kind: str, record: dict[str, Any], *ident: Any) -> str | None:
        """The key of the `kind` node identified by `ident`, in `record`'s account and Region."""
        return self.index.get((kind, record.get("account", ""), record.get("region", ""), *map(str, ident)))

    def _identity(self, kind: str, rec: dict[str, Any]) -> tuple[str, ...]:
        if kind.endswith("_version"):
            return (rec.get("templateName"), rec.get("majorVersion"), rec.get("minorVersion"))
        if kind == "service_instance":
            return (rec.get("serviceName"), rec.get("name"))
        if kind in ("service_pipeline", "service_sync_config"):
            return (rec.get("serviceName"),)
        if kind == "template_sync_config":
            return (rec.get("templateType"), rec.get("templateName"))
        if kind == "environment_account_connection":
            return (rec.get("id"),)
        return (rec.get("name"),)

    def add_nodes(self) -> None:
        for plural, kind in NODE_KINDS.items():
            for rec in self.snap.kind(plural):
                key = node_key(kind, rec)
                self.index[
                    (
                        kind,
                        rec.get("account", ""),
                        rec.get("region", ""),
                        *map(str, self._identity(kind, rec)),
                    )
                ] = key
                self.records[key] = rec
                self.g.add_node(key, **self._attrs(kind, rec))

    def _attrs(self, kind: str, rec: dict[str, Any]) -> dict[str, Any]:
        name = rec.get("name") or rec.get("serviceName") or rec.get("templateName") or rec.get("id") or ""
        attrs: dict[str, Any] = {
            "kind": kind,
            "name": str(name),
            "account": rec.get("account", ""),
            "region": rec.get("region", ""),
        }
        if kind == "service_pipeline":
            attrs.update(name="pipeline", service=rec.get("serviceName"))
        elif kind.endswith("_version"):
            attrs.update(
                name=f"{rec.get('majorVersion')}.{rec.get('minorVersion')}",
                template=rec.get("templateName"),
                status=rec.get("status"),
                bundle=rec.get("bundle"),
            )
        elif kind == "environment_account_connection":
            attrs.update(
                environment=rec.get("environmentName"),
                status=rec.get("status"),
                environment_account=rec.get("environmentAccountId"),
            )
        elif kind in ("template_sync_config", "service_sync_config"):
            attrs.update(
                template_type=rec.get("templateType"),
                repository=rec.get("repositoryName"),
                repository_provider=rec.get("repositoryProvider"),
                branch=rec.get("branch"),
                file_path=rec.get("filePath") or rec.get("subdirectory"),
            )
        for key, field in (
            ("service", "serviceName"),
            ("environment", "environmentName"),
            ("template", "templateName"),
            ("stack_name", "stackName"),
            ("service_instance", "serviceInstanceName"),
        ):
            if rec.get(field) is not None and key not in attrs:
                attrs[key] = rec[field]
        status = rec.get("deploymentStatus") or rec.get("status")
        if status is not None:
            attrs["status"] = status
        if _version_string(rec):
            attrs["template_version"] = _version_string(rec)
        if rec.get("tags"):
            attrs["tags"] = dict(sorted(rec["tags"].items()))
        attrs["label"] = _label(kind, attrs)
        return attrs

    def edge(self, u: str | None, v: str | None, relation: str, **attrs: Any) -> None:
        if u is not None and v is not None:
            self.g.add_edge(u, v, key=relation, relation=relation, **attrs)

    def placeholder(self, kind: str, rec: dict[str, Any], **ident: Any) -> str:
        """A node for something a record refers to but the snapshot lacks (e.g. a deleted template
        version)."""
        stub = {"account": rec.get("account", ""), "region": rec.get("region", ""), **ident}
        key = pseudo_arn(kind, stub)
        if key not in self.g:
            attrs = {
                "kind": kind,
                "name": str(ident.get("name", "")),
                "account": stub["account"],
                "region": stub["region"],
                "missing": True,
                **{k: v for k, v in ident.items() if k != "name"},
            }
            attrs["label"] = _label(kind, attrs)
            self.g.add_node(key, **attrs)
        return key


def _label(kind: str, attrs: dict[str, Any]) -> str:
    """A short human label, unique enough to read a diagram."""
    if kind == "service_instance":
        return f"{attrs.get('service')}/{attrs['name']}"
    if kind == "service_pipeline":
        return f"{attrs.get('service')}/pipeline"
    if kind.endswith("_version"):
        return f"{attrs.get('template')}:{attrs['name']}"
    if kind == "environment_account_connection":
        return f"{attrs.get('environment')} (account {attrs.get('environment_account')})"
    return str(attrs["name"])


def _deployed_edges(b: _Builder) -> None:
    for plural, kind in (
        ("environments", "environment"),
        ("service_instances", "service_instance"),
        ("service_pipelines", "service_pipeline"),
    ):
        tkind = "environment_template" if kind == "environment" else "service_template"
        for rec in b.snap.kind(plural):
            key = node_key(kind, rec)
            major, minor = rec.get("templateMajorVersion"), rec.get("templateMinorVersion")
            if major is None:
                continue
            version = b.lookup(
                f"{tkind}_version", rec, rec.get("templateName"), major, minor
            ) or b.placeholder(
                f"{tkind}_version",
                rec,
                templateName=rec.get("templateName"),
                majorVersion=major,
                minorVersion=minor,
                name=f"{major}.{minor}",
                template=rec.get("templateName"),
            )
            b.edge(version, key, "deployed_from")
            template = b.records.get(b.lookup(tkind, rec, rec.get("templateName")) or "")
            env = (
                b.records.get(b.lookup("environment", rec, rec.get("environmentName")) or "")
                if kind != "environment"
                else rec
            )
            b.g.nodes[key]["provisioning"] = provisioning_of(
                kind, rec, env if kind != "service_pipeline" else None, template
            )
    for rec in b.snap.kind("components"):
        env = b.records.get(b.lookup("environment", rec, rec.get("environmentName")) or "")
        b.g.nodes[node_key("component", rec)]["provisioning"] = provisioning_of("component", rec, env, None)


def _structure_edges(b: _Builder) -> None:
    for tplural, tkind in (
        ("environment_template_versions", "environment_template"),
        ("service_template_versions", "service_template"),
    ):
        for rec in b.snap.kind(tplural):
            b.edge(
                b.lookup(tkind, rec, rec.get("templateName")),
                node_key(f"{tkind}_version", rec),
                "has_version",
            )
            for compat in rec.get("compatibleEnvironmentTemplates") or []:
                target = b.lookup("environment_template", rec, compat.get("templateName"))
                b.edge(
                    node_key(f"{tkind}_version", rec),
                    target,
                    "compatible_with",
                    major_version=str(compat.get("majorVersion")),
                )
    for rec in b.snap.kind("service_instances"):
        key = node_key("service_instance", rec)
        b.edge(b.lookup("environment", rec, rec.get("environmentName")), key, "hosts")
        b.edge(b.lookup("service", rec, rec.get("serviceName")), key, "has_instance")
        b.edge(key, b.lookup("service_pipeline", rec, rec.get("serviceName")), "outputs_to")
    for rec in b.snap.kind("service_pipelines"):
        b.edge(
            b.lookup("service", rec, rec.get("serviceName")),
            node_key("service_pipeline", rec),
            "has_pipeline",
        )
    for rec in b.snap.kind("components"):
        key = node_key("component", rec)
        b.edge(b.lookup("environment", rec, rec.get("environmentName")), key, "hosts")
        if rec.get("serviceInstanceName"):
            b.edge(
                b.lookup("service_instance", rec, rec.get("serviceName"), rec.get("serviceInstanceName")),
                key,
                "attaches",
            )
    for rec in b.snap.kind("environments"):
        conn = rec.get("environmentAccountConnectionId")
        if conn:
            b.edge(
                node_key("environment", rec),
                b.lookup("environment_account_connection", rec, conn),
                "connected_via",
            )


def _sync_edges(b: _Builder) -> None:
    repos = {
        (
            r.get("account", ""),
            r.get("region", ""),
            str(r.get("provider", "")).upper(),
            r.get("name"),
        ): node_key("repository", r)
        for r in b.snap.kind("repositories")
    }

    def repo_of(rec: dict[str, Any]) -> str | None:
        return repos.get(
            (
                rec.get("account", ""),
                rec.get("region", ""),
                str(rec.get("repositoryProvider", "")).upper(),
                rec.get("repositoryName"),
            )
        )

    for rec in b.snap.kind("template_sync_configs"):
        key = node_key("template_sync_config", rec)
        tkind = "environment_template" if rec.get("templateType") == "ENVIRONMENT" else "service_template"
        b.edge(repo_of(rec), key, "syncs")
        b.edge(key, b.lookup(tkind, rec, rec.get("templateName")), "syncs_to")
    for rec in b.snap.kind("service_sync_configs"):
        key = node_key("service_sync_config", rec)
        b.edge(repo_of(rec), key, "syncs")
        b.edge(key, b.lookup("service", rec, rec.get("serviceName")), "syncs_to")


def _stack_nodes(b: _Builder) -> None:
    for stack in b.snap.stacks:
        key = stack.get("StackId") or (
            f"arn:aws:cloudformation:{stack.get('region', '')}:{stack.get('account', '')}"
            f":stack/{stack.get('StackName')}"
        )
        b.g.add_node(
            key,
            kind="stack",
            name=stack.get("StackName", ""),
            label=stack.get("StackName", ""),
            account=stack.get("account", ""),
            region=stack.get("region", ""),
            status=stack.get("StackStatus"),
            reachable=bool(stack.get("reachable", True)),
            resource_kind=stack.get("resourceKind"),
        )
        resource = stack.get("resourceArn")
        if resource in b.g:
            b.edge(resource, key, "provisioned_by")
            b.g.nodes[resource]["stack_id"] = key


def build_graph(snapshot: Snapshot) -> nx.MultiDiGraph:
    """The estate as a typed MultiDiGraph: nodes keyed by ARN (stacks by StackId) with `kind`, `name`,
    `label`, `account`, `region` and status fields; edges carry `relation` (see `RELATIONS`)."""
    b = _Builder(snapshot)
    b.add_nodes()
    _structure_edges(b)
    _deployed_edges(b)
    _sync_edges(b)
    _stack_nodes(b)
    return b.g


def nodes_of_kind(graph: nx.MultiDiGraph, kinds: Iterable[str]) -> list[str]:
    """Keys of the nodes whose kind is one of `kinds`, sorted."""
    wanted = set(kinds)
    return sorted(n for n, k in graph.nodes(data="kind") if k in wanted)
