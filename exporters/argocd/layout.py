"""Where the `argocd` export puts each stack's Argo CD objects: an Application per environment (with
its unattached components), an ApplicationSet per service (one generated Application per instance,
with its components), an Application per service pipeline, an AppProject and a Crossplane
ProviderConfig per account. Read by the exporter and by `exodus plan` (through `handover`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from exporters import ExportedStack, Handover, StackRef
from exporters.argocd.k8s import k8s_name
from exporters.argocd.manifests import provider_config_name

PROVIDER_FILE = "bootstrap/crossplane-provider.yaml"


def environment_app(environment: str) -> tuple[str, str]:
    """(file, Application name) of an environment."""
    return f"apps/environments/{k8s_name(environment)}.yaml", k8s_name("env", environment)


def service_appset(service: str) -> tuple[str, str]:
    """(file, ApplicationSet name) of a service."""
    return f"apps/services/{k8s_name(service)}.yaml", k8s_name("svc", service)


def instance_app(service: str, instance: str) -> str:
    """The Application the service's ApplicationSet generates for one instance."""
    return k8s_name("svc", service, instance)


def pipeline_app(service: str) -> tuple[str, str]:
    """(file, Application name) of a service pipeline."""
    return f"apps/pipelines/{k8s_name(service)}.yaml", k8s_name("pipeline", service)


def project(account: str) -> tuple[str, str]:
    """(file, AppProject name) of an account."""
    return f"apps/projects/{k8s_name('proton', account)}.yaml", k8s_name("proton", account)


def handover(ref: StackRef) -> tuple[Handover, ...]:
    """The Argo CD object that syncs `ref`'s Crossplane Stack; for an account its project and provider."""
    if ref.kind == "account":
        path, name = project(ref.account)
        return Handover(PROVIDER_FILE, provider_config_name(ref.account), role="bootstrap"), Handover(
            path, name
        )
    if not ref.stack_name:
        return ()
    if ref.kind == "environment" or (ref.kind == "component" and not ref.service_instance):
        path, name = environment_app(ref.environment or ref.name)
        return (Handover(path, name, name),)
    if ref.kind == "service_pipeline":
        path, name = pipeline_app(ref.service or ref.name)
        return (Handover(path, name, name),)
    if not ref.service:
        return ()
    path, name = service_appset(ref.service)
    instance = ref.service_instance if ref.kind == "component" else ref.name
    return (Handover(path, name, instance_app(ref.service, instance or ref.name)),)


def exported_stacks(export: Path) -> Iterator[ExportedStack]:
    """Every Crossplane Stack the export's Applications apply, as Argo CD renders them (Kustomize builds:
    a shared template's text in templateBody), for `exodus verify`; the files are TEMPLATES.json's."""
    import json

    from exporters.argocd.rehearse import applications, stack_objects

    export = Path(export)
    listed = export / "TEMPLATES.json"
    rows = json.loads(listed.read_text(encoding="utf-8")).get("stacks", []) if listed.is_file() else []
    files = {(r.get("account"), r.get("region"), r.get("stack")): r for r in rows if isinstance(r, dict)}
    seen: set[tuple[str, str, str]] = set()
    for app in applications(export)[0]:
        if not app.path.startswith("stacks/"):
            continue
        for doc in stack_objects(export, app.path):
            fp = (doc.get("spec") or {}).get("forProvider") or {}
            account = str(((doc.get("metadata") or {}).get("labels") or {}).get("exodus.io/account", ""))
            key = (account, str(fp.get("region", "")), str(fp.get("name", "")))
            if key in seen:
                continue
            seen.add(key)
            row = files.get(key) or {}
            yield ExportedStack(
                *key,
                str(row.get("parameterFile") or app.path),
                str(row.get("templateFile") or app.path),
                str(fp.get("templateBody") or ""),
                {str(k): str(v) for k, v in (fp.get("parameters") or {}).items()},
                {str(k): str(v) for k, v in (fp.get("tags") or {}).items()},
            )
