"""Builders for the Argo CD and Crossplane objects of the `argocd` export (plain dicts, key order fixed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from exporters.argocd.k8s import k8s_name

ARGO_API = "argoproj.io/v1alpha1"
STACK_API = "cloudformation.aws.upbound.io/v1beta1"
IN_CLUSTER = "https://kubernetes.default.svc"
WAVE = "argocd.argoproj.io/sync-wave"
WAVE_LABEL = "exodus.io/migration-wave"
OBSERVE_ONLY = ["Observe"]
NAMESPACE_PATTERN = "proton-*"  # every Application's destination namespace (k8s_name("proton", ...))


def app_project(
    name: str, *, account: str, repo_url: str, namespace: str, environments: Sequence[str]
) -> dict:
    """One AppProject per environment account: only our repo; cluster-wide, only Crossplane Stacks and the
    Applications' own `proton-*` namespaces."""
    return {
        "apiVersion": ARGO_API,
        "kind": "AppProject",
        "metadata": {"name": name, "namespace": namespace, "annotations": {WAVE: "-1"}},
        "spec": {
            "description": (
                f"Proton estate of AWS account {account} (environments: {', '.join(environments)})"
            ),
            "sourceRepos": [repo_url],
            "destinations": [{"server": IN_CLUSTER, "namespace": "*"}],
            # The Applications' CreateNamespace=true creates their `proton-...` namespace, a cluster-scoped
            # resource the project must admit ("resource :Namespace is not permitted in project" otherwise).
            "clusterResourceWhitelist": [
                {"group": "cloudformation.aws.upbound.io", "kind": "Stack"},
                {"group": "", "kind": "Namespace", "name": NAMESPACE_PATTERN},
            ],
            "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}],
            "orphanedResources": {"warn": True},
        },
    }


def _source(repo_url: str, revision: str, path: str, *, kustomize: bool = False) -> dict:
    """A Git source; a Kustomize path names no tool, so Argo CD detects Kustomize from its
    kustomization.yaml (https://argo-cd.readthedocs.io/en/stable/user-guide/tool_detection/);
    `directory` would force plain YAML."""
    source = {"repoURL": repo_url, "targetRevision": revision, "path": path}
    if not kustomize:
        source["directory"] = {"recurse": True}
    return source


def _sync_policy(create_namespace: bool) -> dict:
    # No `automated`: the hand-over is driven by people, wave by wave (see the export README).
    options = ["ServerSideApply=true", "PruneLast=true"]
    if create_namespace:
        options.insert(0, "CreateNamespace=true")
    return {
        "syncOptions": options,
        "retry": {"limit": 3, "backoff": {"duration": "30s", "factor": 2, "maxDuration": "5m"}},
    }


def application(
    name: str,
    *,
    namespace: str,
    project: str,
    repo_url: str,
    revision: str,
    path: str,
    destination_namespace: str,
    wave: int,
    labels: Mapping[str, str],
) -> dict:
    """An Application for one environment (or pipeline), ordered in the root app by sync wave."""
    return {
        "apiVersion": ARGO_API,
        "kind": "Application",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": {WAVE: str(wave)},
        },
        "spec": {
            "project": project,
            "source": _source(repo_url, revision, path, kustomize=True),
            "destination": {"server": IN_CLUSTER, "namespace": destination_namespace},
            "syncPolicy": _sync_policy(create_namespace=True),
        },
    }


def application_set(
    name: str,
    *,
    namespace: str,
    service: str,
    repo_url: str,
    revision: str,
    wave: int,
    elements: Sequence[Mapping[str, Any]],
    rolling_waves: Sequence[int],
) -> dict:
    """One ApplicationSet per Proton service; its list generator has one element per instance."""
    spec: dict[str, Any] = {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [{"list": {"elements": [dict(e) for e in elements]}}],
        "template": {
            "metadata": {
                "name": "{{.appName}}",
                "labels": {
                    "exodus.io/service": service,
                    "exodus.io/environment": "{{.environment}}",
                    "exodus.io/kind": "{{.kind}}",
                    WAVE_LABEL: "{{.wave}}",
                },
                "annotations": {WAVE: "{{.syncWave}}"},
            },
            "spec": {
                "project": "{{.project}}",
                "source": _source(repo_url, revision, "{{.path}}", kustomize=True),
                "destination": {"server": IN_CLUSTER, "namespace": "{{.namespace}}"},
                "syncPolicy": _sync_policy(create_namespace=True),
            },
        },
        # Deleting the ApplicationSet must never delete the Applications (and so the Stacks).
        "syncPolicy": {"preserveResourcesOnDeletion": True},
    }
    if rolling_waves:
        spec["strategy"] = {
            "type": "RollingSync",
            "rollingSync": {
                "steps": [
                    {"matchExpressions": [{"key": WAVE_LABEL, "operator": "In", "values": [str(w)]}]}
                    for w in rolling_waves
                ]
            },
        }
    return {
        "apiVersion": ARGO_API,
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": namespace, "annotations": {WAVE: str(wave)}},
        "spec": spec,
    }


def root_application(*, namespace: str, repo_url: str, revision: str) -> dict:
    """The app of apps: everything under apps/, in sync-wave order."""
    return {
        "apiVersion": ARGO_API,
        "kind": "Application",
        "metadata": {"name": "proton-exodus-root", "namespace": namespace},
        "spec": {
            "project": "default",
            "source": _source(repo_url, revision, "apps"),
            "destination": {"server": IN_CLUSTER, "namespace": namespace},
            "syncPolicy": {"syncOptions": ["ServerSideApply=true"]},
        },
    }


def crossplane_stack(
    *,
    name: str,
    external_name: str,
    stack_name: str,
    region: str,
    provider_config: str,
    template_body: str | None,
    parameters: Mapping[str, str],
    capabilities: Sequence[str],
    tags: Mapping[str, str],
    wave: int,
    labels: Mapping[str, str],
) -> dict:
    """A Crossplane Stack that adopts an existing CloudFormation stack, observe-only at first. Without
    `template_body` its templateBody comes from its shared template's Kustomize component."""
    for_provider: dict[str, Any] = {"name": stack_name, "region": region}
    if template_body is not None:
        for_provider["templateBody"] = template_body
    if parameters:
        for_provider["parameters"] = dict(sorted(parameters.items()))
    if capabilities:
        for_provider["capabilities"] = sorted(capabilities)
    if tags:
        for_provider["tags"] = dict(sorted(tags.items()))
    return {
        "apiVersion": STACK_API,
        "kind": "Stack",
        "metadata": {
            "name": name,
            "labels": dict(labels),
            "annotations": {"crossplane.io/external-name": external_name, WAVE: str(wave)},
        },
        "spec": {
            "managementPolicies": list(OBSERVE_ONLY),
            "deletionPolicy": "Orphan",
            "forProvider": for_provider,
            "providerConfigRef": {"name": provider_config},
        },
    }


def provider_config_name(account: str) -> str:
    return k8s_name("aws", account)
