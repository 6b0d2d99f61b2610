"""Crossplane Stack parameter files on a shared template through Kustomize: where the template pointer
lives and the text edits `exodus repo` makes to them.

A Stack without an inline `spec.forProvider.templateBody` gets it from a Kustomize Component that its
directory's kustomization.yaml names (`components:`): the component generates a ConfigMap from the
template file beside it and copies it into the Stack. So the template an instance deploys is the
component's generated file; moving an instance to another shared template moves that component path,
and giving it its own template writes templateBody inline and drops the component. Every edit keeps
every other line of the file as it was and is read back before it is accepted.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from proton_exodus.cfn import text as cfn_text
from proton_exodus.errors import BadInput

KUSTOMIZATION = "kustomization.yaml"


def kustomization_of(stack_file: str) -> str:
    """The kustomization.yaml beside a Stack's file."""
    return posixpath.join(posixpath.dirname(stack_file), KUSTOMIZATION)


def _doc(text: str, rel: str) -> dict[str, Any]:
    try:
        doc = cfn_text.load_yaml(text)
    except yaml.YAMLError:
        doc = None
    if not isinstance(doc, dict):
        raise BadInput(f"{rel}: not a YAML mapping")
    return doc


def components(text: str, rel: str) -> list[str]:
    """The repository paths of the components a kustomization.yaml at `rel` names."""
    base = posixpath.dirname(rel)
    return [posixpath.normpath(posixpath.join(base, str(c))) for c in _doc(text, rel).get("components") or []]


def component_template(read: Callable[[str], str], component: str) -> str | None:
    """The template file a component generates its ConfigMap from (`files: [key=file]`), or None."""
    rel = posixpath.join(component, KUSTOMIZATION)
    for gen in _doc(read(rel), rel).get("configMapGenerator") or []:
        for item in gen.get("files") or []:
            name = str(item).partition("=")[2] or str(item)
            return posixpath.normpath(posixpath.join(component, name))
    return None


def has_inline_template(text: str) -> bool:
    """Whether a Stack manifest carries its own templateBody."""
    return re.search(r"^\s+templateBody:", text, re.M) is not None


def template_file(read: Callable[[str], str], stack_file: str, stack_text: str) -> str | None:
    """The template a Stack deploys: itself when it holds its templateBody, else the file of the component
    its directory's kustomization.yaml names; None when neither is there."""
    if has_inline_template(stack_text):
        return stack_file
    kust = kustomization_of(stack_file)
    try:
        named = components(read(kust), kust)
    except (BadInput, OSError, KeyError):
        return None
    for component in named:
        try:
            found = component_template(read, component)
        except (BadInput, OSError, KeyError):
            continue
        if found:
            return found
    return None


def set_component(text: str, rel: str, old: str, new: str) -> str:
    """A kustomization.yaml at `rel` naming component `new` where it named `old` (repository paths)."""
    base = posixpath.dirname(rel)
    before, after = posixpath.relpath(old, base), posixpath.relpath(new, base)
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.strip() in (f"- {before}", f"- {before}/")]
    if not hits:
        raise BadInput(f"{rel}: does not name component {before}")
    lines[hits[0]] = lines[hits[0]].replace(before, after)
    out = "\n".join(lines)
    if new not in components(out, rel):
        raise BadInput(f"{rel}: the new component does not read back; edit it by hand")
    return out


def drop_component(text: str, rel: str, old: str) -> str:
    """A kustomization.yaml without component `old` (and without `components:` when it was the last)."""
    base = posixpath.dirname(rel)
    name = posixpath.relpath(old, base)
    lines = [line for line in text.split("\n") if line.strip() not in (f"- {name}", f"- {name}/")]
    if lines and "components:" in lines:
        at = lines.index("components:")
        if at + 1 >= len(lines) or not lines[at + 1].startswith(("- ", "  ")):
            del lines[at]
    out = "\n".join(lines)
    if old in components(out, rel):
        raise BadInput(f"{rel}: could not drop component {name}; edit it by hand")
    return out


def set_parameters(text: str, rel: str, values: Mapping[str, str], scalar: Callable[[str], str]) -> str:
    """A Stack manifest with its whole `spec.forProvider.parameters` replaced by `values` (sorted)."""
    lines = text.split("\n")
    block = "    parameters:"
    kept: dict[str, str] = {}  # a line whose value stays is kept as written (its quoting too)
    if block in lines:
        start = lines.index(block)
        end = start + 1
        while end < len(lines) and lines[end].startswith("      "):
            try:
                one = yaml.safe_load(lines[end])
            except yaml.YAMLError:
                one = None
            if isinstance(one, dict) and len(one) == 1:
                ((key, value),) = one.items()
                if str(key) in values and str(value) == values[str(key)]:
                    kept[str(key)] = lines[end]
            end += 1
    body = [kept.get(k) or f"      {scalar(k)}: {scalar(v)}" for k, v in sorted(values.items())]
    if block in lines:
        lines[start:end] = [block, *body] if body else []
    elif body:
        at = next((i for i, line in enumerate(lines) if line.startswith("    region:")), None)
        if at is None:
            raise BadInput(f"{rel}: has no spec.forProvider.region to put parameters after")
        lines[at + 1 : at + 1] = [block, *body]
    out = "\n".join(lines)
    read = _stack(out, rel).get("parameters") or {}
    if {str(k): str(v) for k, v in read.items()} != dict(values):
        raise BadInput(f"{rel}: the new parameters do not read back as written; edit them by hand")
    return out


def _stack(text: str, rel: str) -> dict[str, Any]:
    doc = _doc(text, rel)
    provider = (doc.get("spec") or {}).get("forProvider") if isinstance(doc.get("spec"), dict) else None
    if not isinstance(provider, dict):
        raise BadInput(f"{rel}: not a Crossplane Stack with spec.forProvider")
    return provider


def inline_template(text: str, rel: str, template: str) -> str:
    """A Stack manifest holding `template` as its own templateBody (a literal block after its region)."""
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("    region:")), None)
    if at is None or has_inline_template(text):
        raise BadInput(f"{rel}: cannot place a templateBody in it; edit it by hand")
    chomp = "" if template.endswith("\n") else "-"
    block = [f"    templateBody: |{chomp}"] + [
        f"      {line}" if line else "" for line in template.rstrip("\n").split("\n")
    ]
    lines[at + 1 : at + 1] = block
    out = "\n".join(lines)
    if _stack(out, rel).get("templateBody") != template:
        raise BadInput(f"{rel}: the templateBody does not read back as written; edit it by hand")
    return out


def new_stack(sibling_text: str, rel: str, *, name: str, stack: str, labels: Mapping[str, str]) -> str:
    """A Stack for a new instance, modelled on a sibling's: its name, stack name and labels changed, no
    adoption annotation (nothing to adopt: the provider creates it), full management so it may."""
    docs = [d for d in yaml.safe_load_all(sibling_text) if isinstance(d, dict)]
    if len(docs) != 1:
        raise BadInput(f"{rel}: expected one Crossplane Stack")
    doc = docs[0]
    meta = doc.setdefault("metadata", {})
    meta["name"] = name
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    annotations = {
        k: v for k, v in (meta.get("annotations") or {}).items() if k != "crossplane.io/external-name"
    }
    meta["annotations"] = annotations
    spec = doc.setdefault("spec", {})
    spec.pop("managementPolicies", None)  # Crossplane's default ["*"]: it creates the stack
    provider = spec.setdefault("forProvider", {})
    provider["name"] = stack
    provider.pop("parameters", None)
    provider.pop("templateBody", None)
    provider["tags"] = {}
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=4096)


def listed_element(text: str, sibling_path: str) -> dict[str, Any] | None:
    """The list-generator element with `path: <sibling_path>` of an ApplicationSet-style file."""
    for doc in yaml.safe_load_all(text):
        for gen in ((doc or {}).get("spec") or {}).get("generators") or []:
            for element in (gen.get("list") or {}).get("elements") or []:
                if isinstance(element, dict) and element.get("path") == sibling_path:
                    return element
    return None


def add_listed_element(text: str, rel: str, sibling_path: str, values: Mapping[str, Any]) -> str | None:
    """An ApplicationSet-style file whose list generator has an element with `path: <sibling_path>`,
    with a copy of that element for a new directory (`values` override its keys) appended; None when
    the file lists no such element."""
    docs = list(yaml.safe_load_all(text))
    for doc in docs:
        for gen in ((doc or {}).get("spec") or {}).get("generators") or []:
            elements = (gen.get("list") or {}).get("elements")
            if not isinstance(elements, list):
                continue
            found = next((e for e in elements if isinstance(e, dict) and e.get("path") == sibling_path), None)
            if found is None:
                continue
            elements.append({**found, **values})
            head = "".join(line + "\n" for line in text.split("\n") if line.startswith("#"))
            return head + "---\n".join(
                yaml.safe_dump(d, sort_keys=False, default_flow_style=False, width=4096) for d in docs
            )
    return None


def copy_application(
    text: str, rel: str, sibling_path: str, new_path: str, rename: Callable[[str], str]
) -> tuple[str, str] | None:
    """A file holding one Application whose source is `sibling_path`, copied for `new_path`: its file
    name, `metadata.name` and destination namespace renamed; None when the file is not that."""
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("kind") != "Application":
        return None
    doc = docs[0]
    spec = doc.get("spec") or {}
    if (spec.get("source") or {}).get("path") != sibling_path:
        return None
    doc["metadata"]["name"] = rename(str(doc["metadata"]["name"]))
    spec["source"]["path"] = new_path
    if (spec.get("destination") or {}).get("namespace"):
        spec["destination"]["namespace"] = rename(str(spec["destination"]["namespace"]))
    head = "".join(line + "\n" for line in text.split("\n") if line.startswith("#"))
    folder, _, name = rel.rpartition("/")
    new_rel = f"{folder}/{rename(name)}"
    if new_rel == rel:
        return None
    return new_rel, head + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=4096)


def dump_kustomization(resources: list[str], components_: list[str], directory: str) -> str:
    """A new stack directory's kustomization.yaml (repository paths in, relative paths written)."""
    doc: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [posixpath.relpath(r, directory) for r in resources],
    }
    if components_:
        doc["components"] = [posixpath.relpath(c, directory) for c in components_]
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
