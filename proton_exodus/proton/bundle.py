"""Proton template bundles: load them from a directory, a .tar.gz or a .zip (in memory), and check Proton's
rules.

Layouts and limits follow shared/reference/PROTON.md §1 (bundle layouts, manifests, packaging limits)
and §4.8 (template-sync `<name>/v<N>/` layouts, `.template-registration.yaml`, legacy `.compatible-envs`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proton_exodus.errors import BadInput, BundleError
from proton_exodus.proton.archive import ReadBundle, read_archive, read_directory
from proton_exodus.proton.schema import TemplateSchema
from proton_exodus.proton.spec import load_yaml

__all__ = [
    "Bundle",
    "Manifest",
    "ManifestTemplate",
    "load_bundle",
    "load_component",
    "load_template_sync_repo",
]

KB = 1024
MAX_BUNDLE = 5 * KB * KB
MAX_MANIFEST = MAX_SCHEMA = 50 * KB
MAX_TEMPLATE_FILE = 200 * KB  # each IaC file a manifest lists (UG ag-limits "other template files")
MAX_TEMPLATE_FILES = 10
MAX_NAME = 100
MAX_COMPONENT_FILE, MAX_COMPONENT_MANIFEST = (
    51_200,
    1_024,
)  # BOTO TemplateFileContents / TemplateManifestContents
FOLDERS = ("infrastructure", "instance_infrastructure", "pipeline_infrastructure")
_ENGINES = {"jinja": "cloudformation", "hcl": "terraform", "codebuild": "codebuild"}
_ENV_REF = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*:\s*([0-9]+)\s*$")


@dataclass(frozen=True)
class ManifestTemplate:
    """One entry of a manifest's `infrastructure.templates` list."""

    rendering_engine: str  # jinja | hcl | codebuild
    template_language: str | None  # cloudformation | terraform | None (codebuild)
    file: str | None  # "cloudformation.yaml", "*", a .tf name; None for codebuild
    settings: Mapping[str, Any] = field(default_factory=dict)  # codebuild settings (image, provision, ...)


@dataclass(frozen=True)
class Manifest:
    """A parsed `manifest.yaml` of one bundle folder (or of a directly defined component)."""

    folder: str  # infrastructure | instance_infrastructure | pipeline_infrastructure | "" (component)
    templates: tuple[ManifestTemplate, ...]
    text: str

    @property
    def language(self) -> str:
        """'cloudformation', 'terraform' or 'codebuild'."""
        return _ENGINES[self.templates[0].rendering_engine]

    def template_paths(self, names: list[str]) -> list[str]:
        """Which of `names` (paths relative to the folder) this manifest renders."""
        out: list[str] = []
        for tmpl in self.templates:
            if tmpl.file == "*":
                out += [n for n in names if n.endswith(".tf") and "/" not in n]
            elif tmpl.file:
                out.append(tmpl.file)
        return sorted(dict.fromkeys(out))


@dataclass(frozen=True)
class Bundle:
    """A loaded, rule-checked template bundle. `files` maps POSIX relative paths to bytes."""

    template_type: str  # environment | service | component
    files: Mapping[str, bytes]
    schema: TemplateSchema | None
    provisioning: str  # cloudformation | terraform | codebuild | customer-managed
    has_pipeline: bool
    compatible_environments: tuple[tuple[str, int], ...] = ()
    supported_component_sources: tuple[str, ...] = ()
    manifests: Mapping[str, Manifest] = field(default_factory=dict)  # folder -> manifest
    name: str | None = None
    warnings: tuple[str, ...] = ()  # what was read leniently: links not followed, limits Proton enforced

    def digest(self) -> str:
        """sha256 over the sorted (path, content) pairs: equal bundles have equal digests."""
        sha = hashlib.sha256()
        for path in sorted(self.files):
            sha.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        return sha.hexdigest()

    def folder_files(self, folder: str) -> dict[str, bytes]:
        """The files under `folder/` (relative to it), e.g. the .tf files of `instance_infrastructure`."""
        prefix = folder.rstrip("/") + "/" if folder else ""
        return {p[len(prefix) :]: b for p, b in self.files.items() if p.startswith(prefix)}

    def template_text(self, folder: str) -> dict[str, str]:
        """The IaC files the folder's manifest names, as text (relative path -> text)."""
        manifest = self.manifests[folder]
        files = self.folder_files(folder)
        return {
            name: _decode(files[name], f"{folder}/{name}") for name in manifest.template_paths(list(files))
        }


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(f"{where}: not UTF-8 text") from None


def _parse_manifest(text: str, folder: str, source: str) -> Manifest:
    doc = load_yaml(text, source=source, error=BundleError)
    templates = (
        doc.get("infrastructure", {}).get("templates")
        if isinstance(doc, Mapping) and isinstance(doc.get("infrastructure"), Mapping)
        else None
    )
    if not isinstance(templates, list) or not templates:
        raise BundleError(f"{source}: expected `infrastructure: templates:` with at least one entry")
    entries = tuple(
        _manifest_entry(t, f"{source}: infrastructure.templates[{i}]") for i, t in enumerate(templates)
    )
    if len({_ENGINES[e.rendering_engine] for e in entries}) > 1:
        raise BundleError(f"{source}: all templates of one manifest must use the same rendering_engine")
    if entries[0].rendering_engine == "jinja" and len(entries) != 1:
        raise BundleError(f"{source}: a CloudFormation manifest lists exactly one file, not {len(entries)}")
    return Manifest(folder, entries, text)


def _manifest_entry(item: Any, where: str) -> ManifestTemplate:
    if not isinstance(item, Mapping):
        raise BundleError(f"{where}: must be a mapping")
    # `engine:` is the pre-GA key (PROTON.md §1.1); AWS's own template checker still accepts it.
    engine = item.get("rendering_engine", item.get("engine"))
    language, file = item.get("template_language"), item.get("file")
    settings = item.get("settings") or {}
    if engine not in _ENGINES:
        raise BundleError(f"{where}.rendering_engine: must be jinja, hcl or codebuild, not {engine!r}")
    if engine == "codebuild":
        if not isinstance(settings, Mapping) or not isinstance(settings.get("provision"), list):
            raise BundleError(f"{where}.settings.provision: a codebuild manifest needs a list of commands")
        return ManifestTemplate(engine, None, None, settings)
    if language != _ENGINES[engine]:
        raise BundleError(
            f"{where}.template_language: rendering_engine {engine} needs "
            f"template_language {_ENGINES[engine]}, not {language!r}"
        )
    if not isinstance(file, str) or not file or (file == "*" and engine != "hcl"):
        raise BundleError(
            f"{where}.file: name the template file" + (" (`*` is for terraform only)" if file == "*" else "")
        )
    return ManifestTemplate(engine, language, file, {})


def _parse_env_refs(values: Any, source: str) -> tuple[tuple[str, int], ...]:
    items = [values] if isinstance(values, str) else values
    if not isinstance(items, list):
        raise BundleError(f"{source}: compatible environments must be a list of `template:major`")
    out: list[tuple[str, int]] = []
    for item in items:
        match = _ENV_REF.match(str(item))
        if not match:
            raise BundleError(f"{source}: {item!r} is not `environment-template-name:major-version`")
        out.append((match.group(1), int(match.group(2))))
    return tuple(dict.fromkeys(out))


def _registration(files: Mapping[str, bytes]) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    if ".template-registration.yaml" in files:
        src = ".template-registration.yaml"
        doc = load_yaml(files[src], source=src, error=BundleError) or {}
        if not isinstance(doc, Mapping):
            raise BundleError(f"{src}: must be a mapping")
        # 3 of AWS's 8 CodeBuild samples spell it `compatible_environment` (corpus INDEX "cope with" 5).
        raw = doc.get("compatible_environments", doc.get("compatible_environment", []))
        sources = doc.get("supported_component_sources") or []
        if not isinstance(sources, list) or any(s != "DIRECTLY_DEFINED" for s in sources):
            raise BundleError(f"{src}: supported_component_sources may only list DIRECTLY_DEFINED")
        return _parse_env_refs(raw or [], src), tuple(sources)
    if ".compatible-envs" in files:
        lines = [
            ln for ln in _decode(files[".compatible-envs"], ".compatible-envs").splitlines() if ln.strip()
        ]
        return _parse_env_refs(lines, ".compatible-envs"), ()
    return (), ()


def _over(what: str, size: int, limit: int, strict: bool, warnings: list[str]) -> None:
    message = f"{what}: {size} bytes is over Proton's {limit // KB} KB limit for this file"
    if strict:
        raise BundleError(message)
    warnings.append(message + " (Proton refuses it when registering a new version; read anyway)")


def _check_limits(
    files: Mapping[str, bytes],
    manifests: Mapping[str, Manifest],
    name: str | None,
    strict: bool,
    warnings: list[str],
) -> None:
    """Proton's documented per-file limits (PROTON.md §1.3 and §4.12, from the quotas page UG:`ag-limits`,
    linked from UG:`template-considerations` "Bundle file size limits"): manifest and schema 50 KB each,
    each *template file* 200 KB, at most 10 template files. "Template file" is the IaC file a manifest
    lists (UG:`ag-wrap-up`: with `file: "*"` only `.tf` files count, "other files are ignored"), so files a
    CodeBuild command merely uses (package-lock.json, scripts) have no limit beyond the 5 MB bundle.
    `strict` (registering a new version) refuses what Proton refused; reading an existing bundle warns.
    """
    if name is not None and (not name or len(name) > MAX_NAME):
        message = f"template name {name[:40]!r}... is {len(name)} characters; Proton allows 1 to {MAX_NAME}"
        if strict:
            raise BundleError(message)
        warnings.append(message)
    if len(files.get("schema/schema.yaml", b"")) > MAX_SCHEMA:
        _over("schema/schema.yaml", len(files["schema/schema.yaml"]), MAX_SCHEMA, strict, warnings)
    templates: list[str] = []
    for folder, manifest in manifests.items():
        src = f"{folder}/manifest.yaml"
        if len(files[src]) > MAX_MANIFEST:
            _over(src, len(files[src]), MAX_MANIFEST, strict, warnings)
        names = [p[len(folder) + 1 :] for p in files if p.startswith(folder + "/")]
        templates += [f"{folder}/{n}" for n in manifest.template_paths(names) if f"{folder}/{n}" in files]
    for path in templates:
        if len(files[path]) > MAX_TEMPLATE_FILE:
            _over(path, len(files[path]), MAX_TEMPLATE_FILE, strict, warnings)
    if len(templates) > MAX_TEMPLATE_FILES:
        message = f"bundle has {len(templates)} template files; Proton allows at most {MAX_TEMPLATE_FILES}"
        if strict:
            raise BundleError(message)
        warnings.append(message)


def _check_pre_ga(files: Mapping[str, bytes], schema: TemplateSchema) -> None:
    folders = {p.split("/", 1)[0] for p in files if "/" in p}
    if schema.service_input_type and ("pipeline" in folders or "infrastructure" in folders):
        raise BundleError(
            "pre-GA service bundle layout (infrastructure/ and pipeline/): nothing to render",
            hint="since GA, service bundles use instance_infrastructure/ and pipeline_infrastructure/ "
            "and manifests say rendering_engine:",
        )


def _refuse_outside_link(path: str, unresolved: Mapping[str, str]) -> None:
    """A file Proton reads (schema, manifest, IaC template) must not be a link we did not follow."""
    if path in unresolved:
        raise BundleError(
            f"{path} is a symbolic link that {unresolved[path]}; exodus reads nothing outside "
            "the bundle, so it cannot read this file",
            hint="replace the link with the file, or point it at a file inside the bundle",
        )


def _load_manifests(files: Mapping[str, bytes], unresolved: Mapping[str, str]) -> dict[str, Manifest]:
    manifests: dict[str, Manifest] = {}
    for folder in FOLDERS:
        src = f"{folder}/manifest.yaml"
        _refuse_outside_link(src, unresolved)
        if src in files:
            manifest = _parse_manifest(_decode(files[src], src), folder, src)
            names = [p[len(folder) + 1 :] for p in [*files, *unresolved] if p.startswith(folder + "/")]
            for tmpl in manifest.templates:
                if tmpl.file and tmpl.file != "*" and tmpl.file not in names:
                    raise BundleError(
                        f"{src}: names {tmpl.file!r}, but {folder}/{tmpl.file} is not in the bundle"
                    )
            if manifest.language != "codebuild" and not manifest.template_paths(names):
                raise BundleError(f"{src}: `file: \"*\"` matched no .tf file in {folder}/")
            for rel in manifest.template_paths(names):
                _refuse_outside_link(f"{folder}/{rel}", unresolved)
            manifests[folder] = manifest
        elif any(p.startswith(folder + "/") for p in files):
            raise BundleError(f"{folder}/ has no manifest.yaml")
    return manifests


def _classify(
    files: Mapping[str, bytes], schema: TemplateSchema, manifests: dict[str, Manifest]
) -> tuple[str, str, bool]:
    """(template_type, provisioning, has_pipeline) after checking folders against the schema."""
    if schema.environment_input_type:
        if set(manifests) - {"infrastructure"}:
            raise BundleError(
                "environment bundle: only infrastructure/ may hold a manifest "
                f"(found {', '.join(sorted(set(manifests) - {'infrastructure'}))}/)"
            )
        if "infrastructure" not in manifests:
            _check_customer_managed(schema)
            return "environment", "customer-managed", False
        return "environment", manifests["infrastructure"].language, False
    if "instance_infrastructure" not in manifests:
        raise BundleError("service bundle: instance_infrastructure/manifest.yaml is missing")
    has_pipeline = "pipeline_infrastructure" in manifests
    if has_pipeline != bool(schema.pipeline_input_type):
        raise BundleError(
            "service bundle: pipeline_infrastructure/ and schema pipeline_input_type go together "
            f"(folder {'present' if has_pipeline else 'absent'}, "
            f"pipeline_input_type {'set' if schema.pipeline_input_type else 'not set'})"
        )
    return "service", manifests["instance_infrastructure"].language, has_pipeline


def _check_customer_managed(schema: TemplateSchema) -> None:
    # UG ag-env-customer-managed: outputs schema, strings only, no defaults (PROTON.md §1.4).
    for name, prop in schema.properties("environment").items():
        if not isinstance(prop, Mapping) or prop.get("type") != "string" or "default" in prop:
            raise BundleError(
                f"{schema.source}: customer-managed environment schema input {name!r} must be a "
                "string with no default (an infrastructure/ folder makes it a standard template)"
            )


def _build(read: ReadBundle, name: str | None, archive_size: int | None, strict: bool) -> Bundle:
    files, unresolved = read.files, read.unresolved
    total = sum(len(b) for b in files.values())
    if max(total, archive_size or 0) > MAX_BUNDLE:  # documented, and our guard against huge inputs
        size = max(total, archive_size or 0)
        raise BundleError(f"bundle is larger than Proton's 5 MB limit ({size} bytes)")
    _refuse_outside_link("schema/schema.yaml", unresolved)
    if "schema/schema.yaml" not in files:
        found = ", ".join(sorted({p.split('/', 1)[0] for p in files})[:8]) or "no files"
        raise BundleError(
            f"bundle has no schema/schema.yaml (found: {found})",
            hint="a bundle holds schema/schema.yaml plus infrastructure/ (environment) or "
            "instance_infrastructure/ [+ pipeline_infrastructure/] (service)",
        )
    schema = TemplateSchema.parse(files["schema/schema.yaml"], source="schema/schema.yaml")
    _check_pre_ga(files, schema)
    manifests = _load_manifests(files, unresolved)
    template_type, provisioning, has_pipeline = _classify(files, schema, manifests)
    warnings = [
        f"{path} is a symbolic link that {why}: not followed (exodus reads nothing outside the bundle)"
        for path, why in sorted(unresolved.items())
    ]
    _check_limits(files, manifests, name, strict, warnings)
    envs, sources = _registration(files)
    return Bundle(
        template_type,
        files,
        schema,
        provisioning,
        has_pipeline,
        envs,
        sources,
        manifests,
        name,
        tuple(warnings),
    )


def _strip_wrapper(read: ReadBundle) -> ReadBundle:
    """`tar czf t.tar.gz my-template/` puts everything under one folder: look inside it."""
    paths = [*read.files, *read.unresolved]
    if "schema/schema.yaml" in paths or not paths:
        return read
    tops = {p.split("/", 1)[0] for p in paths}
    if len(tops) == 1 and all("/" in p for p in paths) and not tops & {*FOLDERS, "pipeline", "schema"}:
        cut = len(tops.pop()) + 1
        return _strip_wrapper(
            ReadBundle(
                {p[cut:]: b for p, b in read.files.items()}, {p[cut:]: w for p, w in read.unresolved.items()}
            )
        )
    return read


def load_bundle(source: Path | bytes, *, name: str | None = None, strict: bool = False) -> Bundle:
    """Load a bundle from a directory, a .tar.gz/.zip file, or archive bytes (as uploaded to S3).

    Archives are read in memory. Links are read as their target when it is inside the bundle; others
    are not followed and become `Bundle.warnings` (a BundleError when schema, manifest or IaC template).
    `strict` is for registering a new template version: Proton's documented per-file limits then refuse;
    for an existing bundle they only warn (an estate that exists is accepted, README "What exodus refuses").
    Raises BundleError (layout, limits, manifests) or SchemaError (schema/schema.yaml).
    """
    if isinstance(source, bytes | bytearray):
        size = len(source)
        read = read_archive(bytes(source), source="bundle", max_size=MAX_BUNDLE)
    else:
        path = Path(source)
        if path.is_dir():
            size, read = None, read_directory(path, max_size=MAX_BUNDLE)
        elif path.is_file():
            size = path.stat().st_size
            if size > MAX_BUNDLE:
                raise BundleError(f"{path}: {size} bytes is over Proton's 5 MB bundle limit")
            read = read_archive(path.read_bytes(), source=str(path), max_size=MAX_BUNDLE)
        else:
            raise BundleError(f"{path}: no such bundle directory or archive")
    return _build(_strip_wrapper(read), name, size, strict)


def load_template_sync_repo(path: Path) -> dict[tuple[str, int], Bundle]:
    """Every `<template name>/v<N>/` bundle under a template-sync repository checkout (PROTON.md §4.8)."""
    root = Path(path)
    if not root.is_dir():
        raise BundleError(f"{root}: not a directory")
    found: dict[tuple[str, int], Bundle] = {}
    for schema_file in sorted(root.rglob("v*/schema/schema.yaml")):
        version_dir = schema_file.parent.parent
        match = re.fullmatch(r"v([0-9]+)", version_dir.name)
        if not match or ".git" in version_dir.parts:
            continue
        key = (version_dir.parent.name, int(match.group(1)))
        if key in found:
            raise BundleError(f"{version_dir}: template {key[0]} v{key[1]} appears twice in the repository")
        try:
            found[key] = load_bundle(version_dir, name=key[0])
        except BadInput as err:
            raise type(err)(f"{version_dir.relative_to(root)}: {err.message}", hint=err.hint) from None
    return found


def load_component(template_file_text: str, manifest_text: str, *, name: str | None = None) -> Bundle:
    """A directly defined component: one IaC file's contents plus its manifest (PROTON.md §1.1)."""
    if len(template_file_text) > MAX_COMPONENT_FILE:
        raise BundleError(
            f"component template file is {len(template_file_text)} characters; "
            f"Proton accepts at most {MAX_COMPONENT_FILE}"
        )
    if len(manifest_text) > MAX_COMPONENT_MANIFEST:
        raise BundleError(
            f"component manifest is {len(manifest_text)} characters; "
            f"Proton accepts at most {MAX_COMPONENT_MANIFEST}"
        )
    manifest = _parse_manifest(manifest_text, "", "component manifest")
    files = [t.file for t in manifest.templates]
    if len(files) != 1 or not files[0] or files[0] == "*" or manifest.language == "codebuild":
        raise BundleError(
            "component manifest: must name exactly one CloudFormation or Terraform file "
            "(`file: cloudformation.yaml` or `file: component.tf`)"
        )
    if name is not None and len(name) > MAX_NAME:
        raise BundleError(f"component name is {len(name)} characters; Proton allows at most {MAX_NAME}")
    blobs = {files[0]: template_file_text.encode(), "manifest.yaml": manifest_text.encode()}
    return Bundle("component", blobs, None, manifest.language, False, manifests={"": manifest}, name=name)
