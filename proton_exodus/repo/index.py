"""The repository index every export ships: template versions (JSON Schemas, bundles, recommended and
compatible versions) and instances (inputs, the file holding their parameters, input -> parameter).

One function, `repo_files`, writes it for every built-in target: it reads the exporter's own files,
so it knows a target only by the parameter file formats in `repo/check.py`. Format: docs/repo-index.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

import yaml

from proton_exodus.cfn import text as cfn_text
from proton_exodus.errors import SchemaError
from proton_exodus.model.secrets import scrub_text
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.analysis import name_uses
from proton_exodus.proton.parameterise import parameter_name, parameter_value
from proton_exodus.proton.schema import TemplateSchema, check_minor_compatible
from proton_exodus.repo import crossplane
from proton_exodus.repo.check import CROSSPLANE_STACK, GIT_SYNC, INDEX, TEMPLATE_CONFIGURATION
from proton_exodus.repo.script import SCRIPT, validation_script

# unit kind -> (schema input kind, the render namespace its inputs live in)
KINDS = {
    "environment": ("environment", "environment"),
    "service_instance": ("service", "service_instance"),
    "service_pipeline": ("pipeline", "pipeline"),
}
DRAFT4 = "http://json-schema.org/draft-04/schema#"
TEMPLATE_KINDS = {"environment": "environment", "service_instance": "service", "service_pipeline": "service"}


def version_key(version: str) -> tuple[int, int]:
    """`1.10` -> (1, 10): versions sort as numbers, not text."""
    major, _, minor = version.partition(".")
    return (int(major) if major.isdigit() else 0, int(minor) if minor.isdigit() else 0)


def template_dir(template_key: str, version: str) -> str:
    """Where a template version's schema and bundle live in the repository."""
    return f".exodus-repo/templates/{template_key}/{version}"


def _versions(snapshot: Snapshot) -> dict[str, dict[str, dict[str, Any]]]:
    """template key (`service/name`) -> version (`1.0`) -> its snapshot record."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, tkind in (
        ("environment_template_versions", "environment"),
        ("service_template_versions", "service"),
    ):
        for record in snapshot.kind(kind):
            key = f"{tkind}/{record.get('templateName')}"
            out.setdefault(key, {})[f"{record.get('majorVersion')}.{record.get('minorVersion')}"] = record
    return out


def _recommended(template: Mapping[str, Any] | None, versions: Mapping[str, Mapping[str, Any]]) -> str:
    """The template's recommended version: Proton's field when recorded, else its highest published one."""
    named = (template or {}).get("recommendedVersion")
    if isinstance(named, str) and named in versions:
        return named
    published = [v for v, r in versions.items() if r.get("status", "PUBLISHED") == "PUBLISHED"] or list(
        versions
    )
    return max(published, key=version_key)


def _schema(record: Mapping[str, Any], key: str, version: str) -> TemplateSchema | None:
    text = record.get("schema")
    if not text:
        return None
    try:
        return TemplateSchema.parse(text, source=f"{key}/{version}/schema/schema.yaml")
    except SchemaError:
        return None


def _bundle(snapshot: Snapshot, record: Mapping[str, Any], base: str) -> dict[str, str]:
    """A version's bundle files under `base`, clear secrets swapped for placeholders; binary files skipped."""
    out = {}
    for rel, data in sorted((snapshot.bundle_files(record.get("bundle")) or {}).items()):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        # Export files are LF with a final newline; Jinja drops one trailing newline, so renders are the same.
        text = text.replace("\r\n", "\n")
        out[f"{base}/bundle/{rel}"] = scrub_text(
            text if text.endswith("\n") else text + "\n", snapshot.secrets
        )
    return out


def _templates(snapshot: Snapshot, keys: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The index's `templates` section and the schema and bundle files of every version of `keys`."""
    records = {
        f"{tkind}/{t.get('name')}": t
        for kind, tkind in (("environment_templates", "environment"), ("service_templates", "service"))
        for t in snapshot.kind(kind)
    }
    files: dict[str, str] = {}
    section: dict[str, Any] = {}
    for key, versions in sorted(_versions(snapshot).items()):
        if key not in keys or not versions:
            continue
        schemas = {v: _schema(r, key, v) for v, r in versions.items()}
        entry: dict[str, Any] = {"recommended": _recommended(records.get(key), versions), "versions": {}}
        for version in sorted(versions, key=version_key):
            record, parsed = versions[version], schemas[version]
            base = template_dir(key, version)
            shipped: dict[str, str] = {}
            for kind in parsed.input_types() if parsed else {}:
                shipped[kind] = f"{base}/{kind}.schema.json"
                document = {"$schema": DRAFT4, **parsed.json_schema(kind)}
                files[shipped[kind]] = json.dumps(document, indent=2, sort_keys=True) + "\n"
            bundle = _bundle(snapshot, record, base)
            files.update(bundle)
            later = [
                v
                for v in sorted(versions, key=version_key)
                if version_key(v)[0] == version_key(version)[0] and version_key(v) > version_key(version)
            ]
            entry["versions"][version] = {
                "status": record.get("status", "PUBLISHED"),
                "schemas": shipped,
                "bundle": f"{base}/bundle" if bundle else None,
                # sorted: a set to Proton; the order it was registered in is not on any stack
                "compatible_environment_templates": sorted(
                    f"{c.get('templateName')}:{c.get('majorVersion')}"
                    for c in record.get("compatibleEnvironmentTemplates") or []
                ),
                # the minors of this major an instance may move to (Proton's compatibility rules)
                "upgrades_to": [
                    v
                    for v in later
                    if parsed and schemas[v] and not check_minor_compatible(parsed, schemas[v])  # type: ignore[arg-type]
                ],
            }
        section[key] = entry
    return section, files


def _load(text: str, rel: str) -> Any:
    try:
        return json.loads(text) if rel.endswith(".json") else cfn_text.load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError):
        return None


_PROVIDER_NAME = re.compile(r"^  forProvider:\n    name: (.+)$", re.M)
_BLOCK = re.compile(r"^(?P<indent> *)parameters:(?P<inline>.*)\n(?P<body>(?:(?P=indent)  .*\n)*)", re.M)


def _parameters_block(text: str, indent: str, rel: str) -> dict[str, Any] | None:
    """The `parameters:` mapping at `indent` in a YAML file, read without loading the rest (a Crossplane
    Stack holds its whole template): {} when there is no such block, None when it is not a mapping."""
    for match in _BLOCK.finditer(text):
        if match.group("indent") != indent:
            continue
        body = "".join(line[len(indent) :] for line in match.group("body").splitlines(keepends=True))
        doc = _load("parameters:" + match.group("inline") + "\n" + body, rel)
        params = doc.get("parameters") if isinstance(doc, dict) else None
        return params or {} if isinstance(params or {}, dict) else None
    return {}


def parameter_files(
    files: Mapping[str, str], stacks: set[str]
) -> dict[str, tuple[str, str, str, dict[str, Any]]]:
    """stack name -> (parameter file, format, template file, parameters) for every parameter file among an
    export's `files` that deploys one of `stacks`, recognised by its format, not by the target."""
    out: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
    # a stack on a shared parameterised template: TEMPLATES.json names the template its file deploys
    shared = {}
    if "TEMPLATES.json" in files:
        listed = _load(files["TEMPLATES.json"], "TEMPLATES.json")
        stacks_listed = listed.get("stacks") if isinstance(listed, dict) else None
        shared = {s["parameterFile"]: s["templateFile"] for s in stacks_listed or [] if isinstance(s, dict)}
    for rel, text in sorted(files.items()):
        stem = PurePosixPath(rel).stem
        if stem in stacks and rel.endswith((".yaml", ".yml")) and text.startswith("template-file-path:"):
            head, _, _ = text.partition("\ntags:")  # a Git sync deployment file: what precedes its tags
            doc = _load(head + "\n", rel)
            if isinstance(doc, dict) and "template-file-path" in doc:
                params = doc.get("parameters") or {}
                out[stem] = (rel, GIT_SYNC, str(doc["template-file-path"]).removeprefix("./"), params)
        elif stem in stacks and rel.endswith(".json") and '"Parameters"' in text:
            doc = _load(text, rel)
            base = rel[: -len(".json")]
            template = shared.get(rel) or next(
                (base + ext for ext in (".yaml", ".template", ".yml") if base + ext in files), ""
            )
            if isinstance(doc, dict) and isinstance(doc.get("Parameters"), dict) and template:
                out[stem] = (rel, TEMPLATE_CONFIGURATION, template, doc["Parameters"])
        elif rel.endswith(".yaml") and "\nkind: Stack\n" in text and (name := _PROVIDER_NAME.search(text)):
            stack = name.group(1).strip().strip("'\"")
            params = _parameters_block(text, "    ", rel)
            if stack in stacks and params is not None:
                out[stack] = (rel, CROSSPLANE_STACK, _crossplane_template(files, rel, text), params)
    return out


def _crossplane_template(files: Mapping[str, str], rel: str, text: str) -> str:
    """A Crossplane Stack's template: itself when it holds its templateBody, else the shared template of
    the Kustomize component its directory's kustomization.yaml names (repo/crossplane.py)."""
    return crossplane.template_file(lambda r: files[r], rel, text) or rel


def shared_meanings(files: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """parameter file -> {parameter: {path, role, sensitive}} for every stack TEMPLATES.json lists on a
    shared parameterised template: what each parameter of its file stands for."""
    listed = _load(files["TEMPLATES.json"], "TEMPLATES.json") if "TEMPLATES.json" in files else None
    rows = listed.get("stacks") if isinstance(listed, dict) else None
    return {
        str(s["parameterFile"]): dict(s.get("parameters") or {})
        for s in rows or []
        if isinstance(s, dict) and s.get("shared") and s.get("parameterFile")
    }


def _written(value: Any) -> str:
    return ",".join(parameter_value(v) for v in value) if isinstance(value, list) else parameter_value(value)


def input_parameters(
    unit: DeploymentUnit, written: Mapping[str, Any], meanings: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """input -> the CloudFormation parameter that carries it, present in the parameter file with the
    input's value. On a shared template TEMPLATES.json says which parameter stands for which input
    (`value`, or `list` items joined by commas); otherwise the name exodus gives that input's parameter."""
    namespace = KINDS[unit.kind][1]
    by_path = {
        str(m.get("path")): name
        for name, m in sorted((meanings or {}).items())
        if isinstance(m, Mapping) and m.get("role") in ("value", "list") and not m.get("sensitive")
    }
    out = {}
    for name, value in sorted(unit.inputs.items()):
        if name in unit.sensitive_inputs:
            continue
        path = f"{namespace}.inputs.{name}"
        candidate = by_path.get(path) or parameter_name(path, set())
        if candidate in written and str(written[candidate]) == _written(value):
            out[name] = candidate
    return out


def _bundle_reads(files: Mapping[str, bytes]) -> set[str] | None:
    """Input names a bundle's Jinja CloudFormation templates read (any dotted name ending `.inputs.<x>`);
    None when it cannot be told: no template at all (a customer-managed environment's schema-only bundle,
    whose inputs are its outputs), a file in another language or engine, a template that does not parse,
    or a whole `inputs` object used at once."""
    names: set[str] = set()
    seen = False
    for rel, data in sorted(files.items()):
        if not rel.endswith("manifest.yaml") or rel.startswith("schema/"):
            continue
        try:
            manifest = cfn_text.load_yaml(data.decode("utf-8"))
            entries = [t for section in manifest.values() for t in section.get("templates") or []]
        except (yaml.YAMLError, UnicodeDecodeError, AttributeError, TypeError):
            return None
        folder = rel.rsplit("/", 1)[0]
        seen = seen or bool(entries)
        for entry in entries:
            if not isinstance(entry, Mapping) or (
                entry.get("rendering_engine"),
                entry.get("template_language"),
            ) != (
                "jinja",
                "cloudformation",
            ):
                return None
            try:
                uses = name_uses(files[f"{folder}/{entry['file']}"].decode("utf-8"))
            except Exception:  # noqa: BLE001 - any failure to read it means: every input may be read
                return None
            for name in uses:
                head, _, tail = name.partition(".inputs")
                if not tail and name.endswith(".inputs"):
                    return None
                if tail.startswith("."):
                    names.add(tail[1:].split(".", 1)[0])
    return names if seen else None


def read_inputs(snapshot: Snapshot) -> dict[str, set[str] | None]:
    """template key -> the inputs some version's templates read; None when a version's bundle is missing
    or cannot be told. An input no template reads changes nothing deployed, and a snapshot rebuilt from
    the stacks cannot know its value: the index leaves it out so both snapshots give the same index."""
    out: dict[str, set[str] | None] = {}
    for key, versions in _versions(snapshot).items():
        reads: set[str] | None = set()
        for record in versions.values():
            files = snapshot.bundle_files(record.get("bundle"))
            found = _bundle_reads(files) if files else None
            if found is None:
                reads = None
                break
            reads |= found
        out[key] = reads
    return out


def customer_managed(snapshot: Snapshot) -> set[str]:
    """Names of the snapshot's customer-managed environments (Proton only recorded their outputs)."""
    out = set()
    for record in snapshot.kind("environments"):
        provisioning = record.get("provisioning")
        engine = provisioning.get("engine") if isinstance(provisioning, Mapping) else provisioning
        if str(engine or "").lower().replace("_", "-") == "customer-managed":
            out.add(str(record.get("name")))
    return out


def _instance(
    unit: DeploymentUnit,
    located: tuple[str, str, str, dict[str, Any]] | None,
    customer: bool,
    meanings: Mapping[str, Mapping[str, Any]],
    reads: set[str] | None = None,
) -> dict[str, Any]:
    rel, fmt, template, written = located or (None, None, None, {})
    key = f"{TEMPLATE_KINDS[unit.kind]}/{unit.template_name}"
    kept = {k: v for k, v in unit.inputs.items() if reads is None or k in reads}
    record: dict[str, Any] = {
        "name": unit.label,
        "kind": unit.kind,
        "schema_kind": KINDS[unit.kind][0],
        "template": key,
        "version": f"{unit.template_major}.{unit.template_minor}",
        "environment": unit.environment,
        "service": unit.service,
        "inputs": {k: v for k, v in sorted(kept.items()) if k not in unit.sensitive_inputs},
        "sensitive": sorted(unit.sensitive_inputs & kept.keys()),
        "parameters_file": rel,
        "parameters_format": fmt,
        "template_file": template,
        "parameters": input_parameters(unit, written, meanings.get(rel or "")) if located else {},
        "stack": {"name": unit.stack_name, "account": unit.account, "region": unit.region},
    }
    if customer:
        record["customer_managed"] = True  # nothing in the repository deploys it: not validated
    if unit.kind == "environment":
        record["outputs"] = dict(sorted(unit.outputs.items()))  # what a new instance in it renders with
    return record


def repo_files(
    snapshot: Snapshot, units: Iterable[DeploymentUnit], files: Mapping[str, str], target: str
) -> dict[str, str]:
    """The index, JSON Schemas, bundles and validation script to add to an export's `files`."""
    chosen: Sequence[DeploymentUnit] = [
        u for u in units if u.kind in KINDS and u.template_name and u.template_major is not None
    ]
    located = parameter_files(files, {u.stack_name for u in chosen if u.stack_name})
    customer = customer_managed(snapshot)
    meanings = shared_meanings(files)
    reads = read_inputs(snapshot)
    instances = [
        _instance(
            u,
            located.get(u.stack_name or ""),
            u.kind == "environment" and u.name in customer,
            meanings,
            reads.get(f"{TEMPLATE_KINDS[u.kind]}/{u.template_name}"),
        )
        for u in chosen
    ]
    templates, out = _templates(snapshot, {i["template"] for i in instances})
    index = {
        "format": 1,
        "target": target,
        "templates": templates,
        "instances": sorted(instances, key=lambda i: (i["kind"], i["name"])),
    }
    out[INDEX] = scrub_text(json.dumps(index, indent=2, sort_keys=True) + "\n", snapshot.secrets)
    out[SCRIPT] = validation_script()
    return dict(sorted(out.items()))
