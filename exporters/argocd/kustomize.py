"""The Kustomize files of the `argocd` export and the part of `kustomize build` that renders them.

A shared parameterised template (translate/) lives once in the repository, as a Kustomize Component
beside its file: `templates/<template>/v<major>.<minor>/<kind>-<key>/{kustomization.yaml,template.yaml}`.
The component generates a ConfigMap from the template file, marked `config.kubernetes.io/local-config`
so it is never emitted, and a `replacements` entry copies its data into `spec.forProvider.templateBody`
of the Stacks labelled with the component's kind (the one Stack of that kind in an instance's
directory: Proton components and pipelines keep their own inline template). Each stack directory has a
kustomization.yaml listing its files and, when its main Stack is on a shared template, that component.
Argo CD renders a path with a kustomization.yaml with Kustomize (its tool detection, when the source
names no tool), so what it applies is the Stack with the template filled in.

`build` renders exactly the constructs written here (resources, components, configMapGenerator from
files, replacements with `create`, local-config dropped) the way `kubectl kustomize` does; tests compare
the two byte for byte on the demo export. Anything else is refused: a repository edited beyond these
constructs is rendered by the real tool or not at all.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.errors import BadInput

KUSTOMIZATION = "kustomization.yaml"
TEMPLATE_FILE = "template.yaml"  # the shared template, beside its component's kustomization.yaml
CONFIG_MAP = "exodus-template"
DATA_KEY = "templateBody"
BODY_PATH = "spec.forProvider.templateBody"
KIND_LABEL = "exodus.io/kind"
LOCAL_CONFIG = "config.kubernetes.io/local-config"
KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
COMPONENT_API = "kustomize.config.k8s.io/v1alpha1"
STACK_GROUP = "cloudformation.aws.upbound.io"


def component_dir(template_path: str) -> str:
    """The component directory of a shared template file (`templates/x/v1.0/e-ab.yaml` -> `.../e-ab`)."""
    return template_path.rsplit(".", 1)[0]


def component_files(directory: str, kind_label: str, template_text: str) -> dict[str, str]:
    """The component of one shared template: its kustomization.yaml and the template file."""
    doc = {
        "apiVersion": COMPONENT_API,
        "kind": "Component",
        # the template file as a ConfigMap that never leaves kustomize (local-config), read by the replacement
        "configMapGenerator": [
            {
                "name": CONFIG_MAP,
                "files": [f"{DATA_KEY}={TEMPLATE_FILE}"],
                "options": {"disableNameSuffixHash": True, "annotations": {LOCAL_CONFIG: "true"}},
            }
        ],
        "replacements": [
            {
                "source": {"kind": "ConfigMap", "name": CONFIG_MAP, "fieldPath": f"data.{DATA_KEY}"},
                "targets": [
                    {
                        "select": {
                            "group": STACK_GROUP,
                            "kind": "Stack",
                            "labelSelector": f"{KIND_LABEL}={kind_label}",
                        },
                        "fieldPaths": [BODY_PATH],
                        "options": {"create": True},
                    }
                ],
            }
        ],
    }
    text = template_text if template_text.endswith("\n") else template_text + "\n"
    return {f"{directory}/{KUSTOMIZATION}": _dump(doc), f"{directory}/{TEMPLATE_FILE}": text}


def kustomization(directory: str, resources: Sequence[str], components: Sequence[str]) -> str:
    """A stack directory's kustomization.yaml: its files, and the components (by repository path)."""
    doc: dict[str, Any] = {
        "apiVersion": KUSTOMIZE_API,
        "kind": "Kustomization",
        "resources": [posixpath.relpath(r, directory) for r in sorted(resources)],
    }
    if components:
        doc["components"] = [posixpath.relpath(c, directory) for c in components]
    return _dump(doc)


def _dump(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), sort_keys=False, default_flow_style=False, width=4096)


def components_of(text: str, directory: str, rel: str) -> list[str]:
    """The repository paths of the components a kustomization.yaml names (`directory` is where it is)."""
    doc = _load(text, rel)
    return [posixpath.normpath(posixpath.join(directory, str(c))) for c in doc.get("components") or []]


# -- kustomize build, for the constructs above ---------------------------------------------------------


def _load(text: str, rel: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise BadInput(f"{rel}: not readable YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{rel}: not a kustomization (a mapping)")
    return doc


def _read(root: Path, rel: str) -> str:
    try:
        return (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"{rel}: cannot be read ({type(err).__name__})") from None


SUPPORTED = {
    "Kustomization": {"apiVersion", "kind", "resources", "components"},
    "Component": {"apiVersion", "kind", "resources", "configMapGenerator", "replacements"},
}


def _kustomization(root: Path, directory: str, kind: str) -> dict[str, Any]:
    rel = posixpath.join(directory, KUSTOMIZATION)
    doc = _load(_read(root, rel), rel)
    if doc.get("kind", "Kustomization") != kind:
        raise BadInput(f"{rel}: expected kind {kind}, found {doc.get('kind')}")
    extra = sorted(set(doc) - SUPPORTED[kind])
    if extra:
        raise BadInput(f"{rel}: {extra[0]} is beyond what the rehearsal renders; render it with kustomize")
    return doc


def _inside(root: Path, directory: str, entry: str, rel: str) -> str:
    path = posixpath.normpath(posixpath.join(directory, entry))
    if path.startswith("../") or path == "..":
        raise BadInput(f"{rel}: {entry} is outside the repository")
    if not (root / path).exists():
        raise BadInput(f"{rel}: {entry} does not exist")
    return path


def _resources(root: Path, directory: str, doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    rel = posixpath.join(directory, KUSTOMIZATION)
    out: list[dict[str, Any]] = []
    for entry in doc.get("resources") or []:
        path = _inside(root, directory, str(entry), rel)
        if (root / path).is_dir():
            out += build(root, path)
            continue
        try:
            docs = [d for d in yaml.safe_load_all(_read(root, path)) if d is not None]
        except yaml.YAMLError as err:
            raise BadInput(f"{path}: not readable YAML ({str(err).splitlines()[0]})") from None
        for d in docs:
            if not isinstance(d, dict) or not d.get("kind") or not (d.get("metadata") or {}).get("name"):
                raise BadInput(f"{path}: every document needs kind and metadata.name (kustomize refuses it)")
            out.append(d)
    return out


def _generated(root: Path, directory: str, doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    rel = posixpath.join(directory, KUSTOMIZATION)
    out = []
    for gen in doc.get("configMapGenerator") or []:
        data = {}
        for item in gen.get("files") or []:
            key, eq, name = str(item).partition("=")
            name = name if eq else key
            key = key if eq else posixpath.basename(name)
            data[key] = _read(root, _inside(root, directory, name, rel))
        options = gen.get("options") or {}
        if not options.get("disableNameSuffixHash"):
            raise BadInput(
                f"{rel}: a generated ConfigMap with a hash suffix is beyond what the rehearsal renders"
            )
        meta: dict[str, Any] = {"name": str(gen["name"])}
        if options.get("annotations"):
            meta["annotations"] = dict(options["annotations"])
        out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})
    return out


def _group(doc: Mapping[str, Any]) -> str:
    api = str(doc.get("apiVersion", ""))
    return api.rpartition("/")[0] if "/" in api else ""


def _selects(select: Mapping[str, Any], doc: Mapping[str, Any]) -> bool:
    meta = doc.get("metadata") or {}
    if "group" in select and select["group"] != _group(doc):
        return False
    if "kind" in select and select["kind"] != doc.get("kind"):
        return False
    if "name" in select and select["name"] != meta.get("name"):
        return False
    for term in str(select.get("labelSelector") or "").split(","):
        if not term:
            continue
        key, eq, value = term.partition("=")
        if not eq or (meta.get("labels") or {}).get(key) != value:
            return False
    return True


def _field(doc: Mapping[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _replace(resources: list[dict[str, Any]], replacements: Sequence[Mapping[str, Any]], rel: str) -> None:
    for rep in replacements:
        source = rep.get("source") or {}
        found = [d for d in resources if _selects(source, d)]
        if len(found) != 1:
            raise BadInput(f"{rel}: replacement source {source.get('name')} matches {len(found)} resources")
        value = _field(found[0], str(source.get("fieldPath")))
        for target in rep.get("targets") or []:
            create = bool((target.get("options") or {}).get("create"))
            for doc in resources:
                if not _selects(target.get("select") or {}, doc):
                    continue
                for path in target.get("fieldPaths") or []:
                    node, parts = doc, str(path).split(".")
                    for part in parts[:-1]:
                        if not isinstance(node.get(part), dict):
                            if not create:
                                raise BadInput(f"{rel}: unable to find field {path} in replacement target")
                            node[part] = {}
                        node = node[part]
                    if parts[-1] not in node and not create:
                        raise BadInput(f"{rel}: unable to find field {path} in replacement target")
                    node[parts[-1]] = value


def build(root: Path, directory: str, *, final: bool = False) -> list[dict[str, Any]]:
    """The documents `kustomize build <directory>` emits for the constructs this module writes, in the
    order kustomize emits them (`final`: drop local-config, as the top-level build does)."""
    root = Path(root)
    doc = _kustomization(root, directory, "Kustomization")
    resources = _resources(root, directory, doc)
    for entry in doc.get("components") or []:
        path = _inside(root, directory, str(entry), posixpath.join(directory, KUSTOMIZATION))
        comp = _kustomization(root, path, "Component")
        resources += _resources(root, path, comp)
        resources += _generated(root, path, comp)
        _replace(resources, comp.get("replacements") or [], posixpath.join(path, KUSTOMIZATION))
    if final:
        resources = [
            r
            for r in resources
            if ((r.get("metadata") or {}).get("annotations") or {}).get(LOCAL_CONFIG) != "true"
        ]
        resources.sort(key=_legacy_order)
    return resources


# kustomize's default (legacy) output order: these kinds first, in this order, the webhooks last, the
# rest by group, version and kind between them; then by namespace and name (api/resid/gvk.go).
_FIRST = (
    *("Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount"),
    *("PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap"),
    *("Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume"),
    *("PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"),
)
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def _legacy_order(doc: Mapping[str, Any]) -> tuple[int, str, str, str, str, str]:
    kind = str(doc.get("kind", ""))
    rank = (
        _FIRST.index(kind) - len(_FIRST)
        if kind in _FIRST
        else (_LAST.index(kind) + 1 if kind in _LAST else 0)
    )
    version = str(doc.get("apiVersion", "")).rpartition("/")[2]
    meta = doc.get("metadata") or {}
    return (rank, _group(doc), version, kind, str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def render(root: Path, directory: str) -> list[dict[str, Any]]:
    """What Argo CD applies from a Kustomize path: the built documents without local config."""
    return build(root, directory, final=True)


class _Dumper(yaml.SafeDumper):
    """go-yaml's choices, as kustomize prints: double quotes where a plain scalar would not read back."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(documents: Sequence[Mapping[str, Any]]) -> str:
    """Documents as `kubectl kustomize` prints them: keys sorted, text as literal blocks, `---` between."""
    return "---\n".join(
        yaml.dump(
            dict(d), Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=4096, allow_unicode=True
        )
        for d in documents
    )
