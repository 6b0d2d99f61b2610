"""Inputs users still hold after Proton's end of support: spec files (`--specs`: service specs such as
`.aws-proton/*.yaml`, environment specs) and self-managed Terraform provisioning repositories
(`--provisioning-repo`: `.proton/deployment-metadata.json` beside `proton.auto.tfvars.json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.errors import BadInput
from proton_exodus.inventory.stacks_records import arn_parts, env_spec, proton_tags, service_spec

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class SpecFiles:
    """Environment specs by environment name (file stem) and service specs with their paths."""

    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    by_ops: dict[str, tuple[Path, dict[str, Any]]] = field(
        default_factory=dict
    )  # proton-ops: service -> spec

    def environment(self, name: str) -> dict[str, Any] | None:
        return self.environments.get(name)

    def service(self, name: str, instances: set[tuple[str, str]]) -> tuple[Path, dict[str, Any]] | None:
        """The spec a proton-ops file names for the service, else the file named after the service,
        else the one listing exactly its instances."""
        if name in self.by_ops:
            return self.by_ops[name]
        for path, doc in self.services:
            if path.stem == name:
                return path, doc
        for path, doc in self.services:
            listed = {
                (str(i.get("name")), str(i.get("environment")))
                for i in doc.get("instances") or []
                if isinstance(i, dict)
            }
            if listed and listed == instances:
                return path, doc
        return None


def _spec_paths(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in SPEC_SUFFIXES and ".git" not in p.parts
        )
    raise BadInput(f"--specs {path}: no such file or directory")


def load_specs(paths: tuple[str, ...], warnings: list[str]) -> SpecFiles:
    """Every EnvironmentSpec/ServiceSpec YAML under the given paths; other YAML is skipped."""
    found = SpecFiles()
    for given in paths:
        for path in _spec_paths(Path(given)):
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
                warnings.append(f"spec file {path} skipped: {str(err).splitlines()[0]}")
                continue
            if not isinstance(doc, dict):
                continue
            if doc.get("proton") == "EnvironmentSpec":
                found.environments[path.stem] = dict(doc.get("spec") or {})
            elif doc.get("proton") == "ServiceSpec":
                found.services.append((path, doc))
            elif isinstance(doc.get("sync"), dict) and "services" in doc["sync"]:
                _add_ops_file(found, path, warnings)
    return found


def _add_ops_file(found: SpecFiles, path: Path, warnings: list[str]) -> None:
    """A proton-ops file: each service's spec file, relative to the repository root (the file's folder)."""
    from proton_exodus.errors import ExodusError
    from proton_exodus.proton.spec import parse_proton_ops

    try:
        entries = parse_proton_ops(path.read_bytes(), source=str(path))
    except ExodusError as err:
        warnings.append(f"proton-ops file skipped: {err.message}")
        return
    for entry in entries:
        spec_path = path.parent / entry.spec.removeprefix("./").lstrip("/")
        try:
            doc = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            warnings.append(f"{path}: spec file {entry.spec} of service {entry.service} could not be read")
            continue
        if isinstance(doc, dict) and doc.get("proton") == "ServiceSpec":
            found.by_ops.setdefault(entry.service, (spec_path, doc))


def _read_json(path: Path, warnings: list[str]) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        warnings.append(f"{path} skipped: {err}")
        return None
    return data if isinstance(data, dict) else None


def _metadata_tags(resource: dict[str, Any], account: str) -> dict[str, str]:
    """The aws:proton:* tags of the record, from the ARNs Proton wrote in the deployment metadata (the
    same tags it passed to Terraform as `proton_tags`, PROTON.md §3.2)."""
    arn = str(resource.get("arn", ""))
    kind = arn_parts(arn)[2][0]
    tags = {
        "proton:account": account,
        "proton:template": str(resource.get("templateArn") or ""),
        "proton:environment": str(resource.get("environmentArn") or ""),
    }
    if kind == "environment":
        tags["proton:environment"], rkind = arn, "environments"
    elif kind == "component":
        tags["proton:component"], rkind = arn, "components"
    elif "/service-instance/" in arn:
        tags.update({"proton:service-instance": arn, "proton:service": arn.split("/service-instance/")[0]})
        rkind = "service_instances"
    else:
        return {}  # a service pipeline is not a taggable Proton resource
    return proton_tags(rkind, tags)


def _terraform_record(
    meta: dict[str, Any], tfvars: dict[str, Any], folder: str, repo: str
) -> dict[str, Any] | None:
    resource = meta.get("resourceMetadata") or meta.get("componentMetadata") or {}
    region, account, path = arn_parts(str(resource.get("arn", "")))
    base = {
        "arn": resource["arn"],
        "account": account,
        "region": region,
        "provenance": "provisioning-repo",
        "deploymentStatus": "SUCCEEDED",
        "outputs": {},
        "tags": _metadata_tags(resource, account),
        "provisionedResources": [
            {"identifier": folder, "name": Path(folder).name, "provisioningEngine": "TERRAFORM"}
        ],
        "provisioningRepository": repo,
    }
    if resource.get("templateArn"):
        base.update(
            templateName=arn_parts(resource["templateArn"])[2][-1],
            templateMajorVersion=resource.get("templateMajorVersion"),
            templateMinorVersion=resource.get("templateMinorVersion"),
        )
    if path[0] == "environment":
        inputs = dict((tfvars.get("environment") or {}).get("inputs") or {})
        return {
            **base,
            "_kind": "environments",
            "name": path[1],
            "spec": env_spec(inputs),
            "environmentAccountId": account,
        }
    if path[0] == "service" and len(path) >= 4:
        env = arn_parts(resource["environmentArn"])[2][-1] if resource.get("environmentArn") else None
        inputs = dict((tfvars.get("service_instance") or {}).get("inputs") or {})
        return {
            **base,
            "_kind": "service_instances",
            "name": path[3],
            "serviceName": path[1],
            "environmentName": env,
            "spec": service_spec(None, [(path[3], env or "", inputs)]),
        }
    if path[0] == "service":
        inputs = dict((tfvars.get("pipeline") or {}).get("inputs") or {})
        return {
            **base,
            "_kind": "service_pipelines",
            "serviceName": path[1],
            "spec": service_spec(inputs, []),
        }
    if path[0] == "component":
        env = (tfvars.get("environment") or {}).get("name")
        return {**base, "_kind": "components", "name": path[1], "environmentName": env}
    return None


def load_provisioning_repos(
    repos: tuple[str, ...], records: dict[str, list[dict[str, Any]]], warnings: list[str]
) -> list[dict[str, Any]]:
    """Records of self-managed Terraform resources found in provisioning repository checkouts.

    Inputs are read from `proton.auto.tfvars.json` as Proton wrote them; a resource already
    rebuilt from a stack is left alone (one only named by other stacks is not: see merge_records).
    """
    seen = {r.get("arn") for recs in records.values() for r in recs if r.get("provisionedResources")}
    found: list[dict[str, Any]] = []
    for repo in repos:
        root = Path(repo)
        if not root.is_dir():
            raise BadInput(f"--provisioning-repo {repo}: not a directory")
        for meta_path in sorted(root.rglob(".proton/deployment-metadata.json")):
            folder = meta_path.parent.parent
            meta = _read_json(meta_path, warnings)
            tfvars = _read_json(folder / "proton.auto.tfvars.json", warnings) or {}
            if meta is None or meta.get("isResourceDeleted"):
                continue
            try:
                rec = _terraform_record(meta, tfvars, folder.relative_to(root).as_posix(), repo)
            except (KeyError, ValueError, IndexError) as err:
                warnings.append(f"{meta_path}: not Proton deployment metadata ({err})")
                continue
            if rec is not None and rec["arn"] not in seen:
                seen.add(rec["arn"])
                found.append(rec)
    return found
