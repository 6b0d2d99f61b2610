"""The estate as Backstage catalog entities (backstage.io/v1alpha1): who owns what, what runs where,
and what depends on what, so the portal shows what Proton's console showed.

- a `Component` per Proton service (type `service`), owning its instances' and pipeline's stacks;
- a `Resource` per environment (type `environment`) and per stack (type `cloudformation-stack`);
- a `System` per service and per environment, grouping the entities above;
- a `Group` per owner the entities name, so no owner reference dangles;
- `dependsOn` from the estate's dependency graph (what must exist before a stack deploys);
- links to each stack in the CloudFormation console and to the export repository.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit

API = "backstage.io/v1alpha1"
ANNOTATION = "proton-exodus"  # annotation prefix: <prefix>/proton-arn, <prefix>/stack-id ...
_NAME_OK = re.compile(r"^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$")
_SEPARATORS = re.compile(r"[^a-zA-Z0-9]+")
STACK_ROLE = {
    "environment": "environment stack",
    "service_instance": "service instance stack",
    "service_pipeline": "service pipeline stack",
    "component": "component stack",
}


def entity_name(text: str, unique_by: str = "") -> str:
    """A valid Backstage entity name (1-63 characters of [a-zA-Z0-9] separated by single [-_.]) for
    `text`; shortened with a digest of `unique_by` (or the text) when too long."""
    name = _SEPARATORS.sub("-", text).strip("-") or "unnamed"
    if len(name) <= 63 and _NAME_OK.match(name):
        return name
    digest = hashlib.sha256((unique_by or text).encode()).hexdigest()[:8]
    return f"{name[:54].rstrip('-')}-{digest}"


def console_link(region: str, stack_id: str) -> str:
    """The stack's page in the CloudFormation console."""
    return (
        f"https://{region}.console.aws.amazon.com/cloudformation/home?region={region}"
        f"#/stacks/stackinfo?stackId={quote(stack_id, safe='')}"
    )


@dataclass(frozen=True)
class Owners:
    """Who owns what: an explicit mapping (name -> owner, `*` for the rest) wins over the estate's
    tags (the first of `tag_keys` present, case-insensitive), then `default`."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    tag_keys: tuple[str, ...] = ("owner", "team")
    default: str = "unassigned"

    def of(self, name: str, *tag_sets: Mapping[str, str]) -> tuple[str, str]:
        """(owner, where it came from: `mapping`, `tag <key>` or `default`)."""
        if name in self.mapping:
            return self.mapping[name], "mapping"
        for tags in tag_sets:
            lowered = {str(k).lower(): str(v) for k, v in (tags or {}).items()}
            for key in self.tag_keys:
                if lowered.get(key.lower()):
                    return lowered[key.lower()], f"tag {key}"
        if "*" in self.mapping:
            return self.mapping["*"], "mapping"
        return self.default, "default"


def owner_ref(owner: str) -> str:
    """An owner as an entity reference: `group:default/<name>` unless it names its kind already."""
    if ":" in owner:
        return owner
    return f"group:default/{entity_name(owner)}"


def _entity(
    kind: str,
    name: str,
    *,
    description: str = "",
    annotations: Mapping[str, str] | None = None,
    links: Sequence[Mapping[str, str]] = (),
    tags: Sequence[str] = (),
    spec: Mapping[str, Any],
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if description:
        metadata["description"] = description
    if annotations:
        metadata["annotations"] = dict(sorted(annotations.items()))
    if tags:
        metadata["tags"] = sorted(set(tags))
    if links:
        metadata["links"] = [dict(link) for link in links]
    return {"apiVersion": API, "kind": kind, "metadata": metadata, "spec": dict(spec)}


def _tag(text: str) -> str:
    """A Backstage tag: lowercase [a-z0-9+#] separated by '-', at most 63 characters."""
    return re.sub(r"[^a-z0-9+#]+", "-", text.lower()).strip("-")[:63].strip("-") or "none"


def _minor(text: Any) -> int:
    return int(text) if str(text).isdigit() else -1


def newest_minors(snapshot: Snapshot) -> dict[tuple[str, str, str], str]:
    """(template kind, template name, major) -> its newest published minor version."""
    out: dict[tuple[str, str, str], str] = {}
    for kind in ("environment", "service"):
        for v in snapshot.kind(f"{kind}_template_versions"):
            if str(v.get("status", "PUBLISHED")) != "PUBLISHED":
                continue
            key = (kind, str(v.get("templateName")), str(v.get("majorVersion")))
            minor = str(v.get("minorVersion"))
            if key not in out or _minor(minor) > _minor(out[key]):
                out[key] = minor
    return out


def groups(owner_refs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """A Group entity (file path -> entity) for every `group:default/<name>` owner, so none dangles."""
    out = {}
    for ref in sorted(set(owner_refs)):
        kind, _, name = ref.partition(":")
        if kind == "group" and name.startswith("default/"):
            group = name.removeprefix("default/")
            out[f"catalog/groups/{group}.yaml"] = _entity(
                "Group",
                group,
                description="Owner named by the Proton estate (exodus export)",
                spec={"type": "team", "children": []},
            )
    return out


@dataclass
class Catalog:
    """Entities by file path under `catalog/`, and the owners that had to fall back to the default."""

    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaulted: list[str] = field(default_factory=list)


class CatalogBuilder:
    """Builds the catalog of one export from the snapshot, its units and the dependency order."""

    def __init__(
        self,
        snapshot: Snapshot,
        units: Sequence[DeploymentUnit],
        prerequisites: Mapping[str, Iterable[str]],
        owners: Owners,
        repository_url: str = "",
        lifecycle: str = "production",
    ) -> None:
        self.snapshot = snapshot
        self.units = list(units)
        self.prerequisites = prerequisites
        self.owners = owners
        self.repository_url = repository_url.rstrip("/")
        self.lifecycle = lifecycle
        self.stack_names = self._stack_names()
        self.newest = newest_minors(snapshot)

    def _stack_names(self) -> dict[str, str]:
        """Unit ARN -> the entity name of its stack Resource (unique across accounts and Regions)."""
        wanted: dict[str, str] = {}
        for u in self.units:
            if not u.stack_name:
                continue
            base = {
                "environment": f"{u.name}-environment-stack",
                "service_instance": f"{u.service}-{u.name}-stack",
                "service_pipeline": f"{u.service}-pipeline-stack",
                "component": f"{u.name}-component-stack",
            }[u.kind]
            wanted[u.arn] = base
        counts: dict[str, int] = {}
        for base in wanted.values():
            counts[base] = counts.get(base, 0) + 1
        return {
            arn: entity_name(base if counts[base] == 1 else f"{base}-{arn}", arn)
            for arn, base in wanted.items()
        }

    def _links(self, unit: DeploymentUnit) -> list[dict[str, str]]:
        links = []
        if unit.stack_id:
            links.append(
                {
                    "url": console_link(unit.region, unit.stack_id),
                    "title": f"Stack {unit.stack_name}",
                    "icon": "cloud",
                }
            )
        if self.repository_url:
            links.append({"url": self.repository_url, "title": "Export repository", "icon": "github"})
        return links

    def _owner(self, catalog: Catalog, what: str, name: str, *tag_sets: Mapping[str, str]) -> str:
        owner, source = self.owners.of(name, *tag_sets)
        if source == "default":
            catalog.defaulted.append(f"{what} {name}")
        return owner_ref(owner)

    def build(self) -> Catalog:
        catalog = Catalog()
        env_records = {r.get("name"): r for r in self.snapshot.kind("environments")}
        svc_records = {r.get("name"): r for r in self.snapshot.kind("services")}
        units_by_env: dict[str, list[DeploymentUnit]] = {}
        units_by_service: dict[str, list[DeploymentUnit]] = {}
        for u in self.units:
            if u.kind == "environment":
                units_by_env.setdefault(u.name, []).append(u)
            elif u.service:
                units_by_service.setdefault(u.service, []).append(u)
            elif u.environment:  # a directly defined component belongs to its environment
                units_by_env.setdefault(u.environment, []).append(u)
        env_names = sorted(
            set(units_by_env) | {n for n in env_records if n in units_by_env or not self.units}
        )
        service_names = sorted(
            set(units_by_service) | {n for n in svc_records if n in units_by_service or not self.units}
        )
        owners_of: dict[str, str] = {}
        for env in env_names:
            record = env_records.get(env, {})
            env_units = units_by_env.get(env, [])
            owner = self._owner(
                catalog, "environment", env, record.get("tags") or {}, *(u.tags for u in env_units)
            )
            owners_of[env] = owner
            self._environment(catalog, env, record, env_units, owner)
        for svc in service_names:
            record = svc_records.get(svc, {})
            svc_units = units_by_service.get(svc, [])
            owner = self._owner(
                catalog, "service", svc, record.get("tags") or {}, *(u.tags for u in svc_units)
            )
            self._service(catalog, svc, record, svc_units, owner)
        catalog.entities.update(groups({e["spec"]["owner"] for e in catalog.entities.values()}))
        return catalog

    def outdated(self, unit: DeploymentUnit) -> bool:
        """Whether the unit runs an older minor version than its major's newest published one."""
        newest = self.newest.get(
            (unit.template_kind or "", unit.template_name or "", str(unit.template_major))
        )
        return newest is not None and _minor(unit.template_minor) < _minor(newest)

    def _stack_resource(self, unit: DeploymentUnit, owner: str, system: str) -> tuple[str, dict[str, Any]]:
        name = self.stack_names[unit.arn]
        depends = sorted(
            f"resource:default/{self.stack_names[arn]}"
            for arn in self.prerequisites.get(unit.arn, ())
            if arn in self.stack_names and arn != unit.arn
        )
        spec: dict[str, Any] = {"type": "cloudformation-stack", "owner": owner, "system": system}
        if depends:
            spec["dependsOn"] = depends
        annotations = {
            f"{ANNOTATION}/proton-arn": unit.arn,
            f"{ANNOTATION}/stack-name": unit.stack_name or "",
            f"{ANNOTATION}/account": unit.account,
            f"{ANNOTATION}/region": unit.region,
        }
        if unit.stack_id:
            annotations[f"{ANNOTATION}/stack-id"] = unit.stack_id
        lag: list[str] = []
        if unit.template_name:
            version = f"{unit.template_major}.{unit.template_minor}" if unit.template_major else ""
            annotations[f"{ANNOTATION}/template"] = f"{unit.template_name} {version}".strip()
            newest = self.newest.get((unit.template_kind or "", unit.template_name, str(unit.template_major)))
            if newest is not None:
                annotations[f"{ANNOTATION}/recommended-version"] = f"{unit.template_major}.{newest}"
            if self.outdated(unit):
                lag.append("outdated")  # Proton's dashboard: not on the recommended minor version
        entity = _entity(
            "Resource",
            name,
            description=f"{STACK_ROLE[unit.kind]} of {unit.label} ({unit.account}/{unit.region})",
            annotations=annotations,
            links=self._links(unit),
            tags=[
                _tag(unit.kind),
                _tag(unit.provisioning),
                *([_tag(unit.template_name)] if unit.template_name else []),
                *lag,
            ],
            spec=spec,
        )
        return f"catalog/stacks/{name}.yaml", entity

    def _environment(
        self,
        catalog: Catalog,
        env: str,
        record: Mapping[str, Any],
        units: Sequence[DeploymentUnit],
        owner: str,
    ) -> None:
        system = entity_name(f"{env}-environment")
        name = entity_name(env)
        catalog.entities[f"catalog/systems/{system}.yaml"] = _entity(
            "System",
            system,
            description=f"Proton environment {env} and the stacks it holds",
            spec={"owner": owner},
        )
        env_unit = next((u for u in units if u.kind == "environment"), None)
        depends = (
            [f"resource:default/{self.stack_names[env_unit.arn]}"]
            if env_unit and env_unit.arn in self.stack_names
            else []
        )
        annotations = {
            f"{ANNOTATION}/proton-arn": str(record.get("arn") or (env_unit.arn if env_unit else ""))
        }
        template = record.get("templateName") or (env_unit.template_name if env_unit else None)
        if template:
            annotations[f"{ANNOTATION}/template"] = str(template)
        spec: dict[str, Any] = {"type": "environment", "owner": owner, "system": system}
        if depends:
            spec["dependsOn"] = depends
        catalog.entities[f"catalog/environments/{name}.yaml"] = _entity(
            "Resource",
            name,
            description=f"Proton environment {env}",
            annotations=annotations,
            links=self._links(env_unit) if env_unit else [],
            tags=["proton-environment"],
            spec=spec,
        )
        for unit in units:
            if unit.stack_name:
                path, entity = self._stack_resource(unit, owner, system)
                catalog.entities[path] = entity

    def _service(
        self,
        catalog: Catalog,
        svc: str,
        record: Mapping[str, Any],
        units: Sequence[DeploymentUnit],
        owner: str,
    ) -> None:
        system = entity_name(f"{svc}-service")
        name = entity_name(svc)
        catalog.entities[f"catalog/systems/{system}.yaml"] = _entity(
            "System",
            system,
            description=f"Proton service {svc}: its instances, pipeline and components",
            spec={"owner": owner},
        )
        stacks = [u for u in units if u.stack_name]
        depends = sorted(
            f"resource:default/{self.stack_names[u.arn]}" for u in stacks if u.arn in self.stack_names
        )
        envs = sorted({u.environment for u in units if u.kind == "service_instance" and u.environment})
        depends += [f"resource:default/{entity_name(e)}" for e in envs]
        instances = sorted(u.name for u in units if u.kind == "service_instance")
        annotations = {f"{ANNOTATION}/proton-arn": str(record.get("arn") or "")}
        template = record.get("templateName") or next(
            (u.template_name for u in units if u.template_name), None
        )
        if template:
            annotations[f"{ANNOTATION}/template"] = str(template)
        if instances:
            annotations[f"{ANNOTATION}/instances"] = ", ".join(
                f"{u.name}@{u.environment}"
                for u in sorted(units, key=lambda u: u.name)
                if u.kind == "service_instance"
            )
        spec: dict[str, Any] = {
            "type": "service",
            "lifecycle": self.lifecycle,
            "owner": owner,
            "system": system,
        }
        if depends:
            spec["dependsOn"] = sorted(set(depends))
        links = [link for u in sorted(stacks, key=lambda u: u.label) for link in self._links(u)[:1]]
        if self.repository_url:
            links.append({"url": self.repository_url, "title": "Export repository", "icon": "github"})
        catalog.entities[f"catalog/services/{name}.yaml"] = _entity(
            "Component",
            name,
            description=f"Proton service {svc} ({len(instances)} instance(s): "
            + (", ".join(instances) or "none")
            + ")",
            annotations=annotations,
            links=links,
            tags=["proton-service", *(["outdated"] if any(self.outdated(u) for u in units) else [])],
            spec=spec,
        )
        for unit in units:
            if unit.stack_name:
                path, entity = self._stack_resource(unit, owner, system)
                catalog.entities[path] = entity
