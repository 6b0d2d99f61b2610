"""The `backstage` exporter: Proton's self-service rebuilt in a Backstage developer portal (TARGETS.md):
the software catalog describes the estate (catalog.py), and a Software Template per Proton template
major version lets developers add or change instances through a form that checks inputs as the Proton
schema did (scaffolder.py, form.py). Pure: files and findings out, nothing deployed, no AWS calls.
The stacks stay where they are: this target hands none over (use it beside a deploying target)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from exporters import API_VERSION, ExportContext, ExportResult, Finding, Registry, sibling_key
from exporters.backstage import deployment
from exporters.backstage.catalog import CatalogBuilder, Owners, groups, owner_ref
from exporters.backstage.scaffolder import TemplateMajor, newest_first, template_files
from proton_exodus.cfn.text import load_yaml
from proton_exodus.errors import BadInput, SchemaError
from proton_exodus.graph.query import dependency_digraph
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit, build_units
from proton_exodus.proton.schema import TemplateSchema

OPTIONS = {
    "owners": "",  # YAML/JSON file: name (service, environment or template) -> owner; "*" for the rest
    "owner-tags": "owner,team",  # tag keys read for owners, in order (case-insensitive)
    "default-owner": "unassigned",
    "repository": "",  # the export repository, https://github.com/OWNER/NAME
    "lifecycle": "production",
    "secrets": "",  # accepted for the common --secrets flag; passed to the export below
    "export": "cfn-git-sync",  # the export the catalog points at, whose deployment files the templates write
    # ("none": the templates write `exodus repo` request files instead)
}
TARGETS = (
    "cfn-git-sync",
    "none",
)  # exports whose instance file (a Git sync deployment file) a skeleton writes
LOCATION = "catalog-info.yaml"
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: PyYAML's emitter dominated large estates


def dump_yaml(entity: Mapping[str, Any]) -> str:
    """An entity as block YAML, keys in the order built; a JSON round trip first, so no two nodes share an
    object (no anchors) and every value is plain data."""
    plain = json.loads(json.dumps(entity))
    return yaml.dump(
        plain, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096
    )


def check_options(options: Mapping[str, str]) -> dict[str, str]:
    """Defaults merged with `options`; BadInput naming an unknown or malformed option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise BadInput(
            f"backstage: unknown option {unknown[0]!r}", hint="options: " + ", ".join(sorted(OPTIONS))
        )
    merged = {**OPTIONS, **options}
    if merged["export"] not in TARGETS:
        raise BadInput(
            f"backstage: --opt export={merged['export']!r}: the templates write instance files for "
            + " or ".join(TARGETS[:-1])
            + " (or `none`: request files for `exodus repo`)"
        )
    repo = merged["repository"]
    if repo and (not repo.startswith("https://github.com/") or repo.rstrip("/").count("/") != 4):
        raise BadInput(f"backstage: --opt repository={repo!r}: expected https://github.com/OWNER/NAME")
    return merged


def read_owners(path: str) -> dict[str, str]:
    """The owners file: a mapping of names to owners (group names or entity references)."""
    if not path:
        return {}
    file = Path(path)
    try:
        doc = load_yaml(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise BadInput(f"backstage: --opt owners={path}: cannot read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise BadInput(
            f"backstage: --opt owners={path}: not YAML or JSON ({str(err).splitlines()[0]})"
        ) from None
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in doc.items()
    ):
        raise BadInput(f"backstage: --opt owners={path}: expected a mapping of names to owner names")
    return dict(doc)


def repo_picker_value(url: str) -> str:
    """`https://github.com/o/r` as the RepoUrlPicker value `github.com?owner=o&repo=r`."""
    if not url:
        return ""
    owner, name = url.rstrip("/").split("/")[-2:]
    return f"github.com?owner={owner}&repo={name}"


def template_majors(
    snapshot: Snapshot, units: Sequence[DeploymentUnit]
) -> tuple[list[TemplateMajor], list[Finding]]:
    """Every Proton template major version with a published minor and a readable schema."""
    findings: list[Finding] = []
    env_templates = {u.name: u.template_name for u in units if u.kind == "environment"}
    env_names = sorted({str(r.get("name")) for r in snapshot.kind("environments")} | set(env_templates))
    env_template_of = {
        str(r.get("name")): str(r.get("templateName") or "") for r in snapshot.kind("environments")
    }
    majors: list[TemplateMajor] = []
    for kind in ("environment", "service"):
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for v in snapshot.kind(f"{kind}_template_versions"):
            if str(v.get("status", "PUBLISHED")) != "PUBLISHED":
                continue
            grouped.setdefault((str(v.get("templateName")), str(v.get("majorVersion"))), []).append(v)
        for (name, major), versions in sorted(grouped.items()):
            minors = newest_first([str(v.get("minorVersion")) for v in versions])
            newest = next(v for v in versions if str(v.get("minorVersion")) == minors[0])
            try:
                schema = TemplateSchema.parse(
                    newest.get("schema") or "", source=f"{name} {major}.{minors[0]} schema"
                )
            except SchemaError as err:
                findings.append(
                    Finding(
                        "W-BACKSTAGE-SCHEMA",
                        f"template {name} {major}.{minors[0]}: no form ({err})",
                        str(newest.get("arn") or ""),
                    )
                )
                continue
            mine = [
                u
                for u in units
                if u.template_name == name and str(u.template_major) == major and u.template_kind == kind
            ]
            sensitive = frozenset(n for u in mine for n in u.sensitive_inputs)
            if kind == "environment":
                envs: tuple[str, ...] = ()
                instances = tuple(sorted({u.name for u in mine if u.kind == "environment"}))
            else:
                compatible = {
                    str(c.get("templateName"))
                    for v in versions
                    for c in v.get("compatibleEnvironmentTemplates") or ()
                }
                envs = tuple(
                    e for e in env_names if env_template_of.get(e, env_templates.get(e)) in compatible
                )
                instances = tuple(sorted({u.label for u in mine if u.kind == "service_instance"}))
            majors.append(TemplateMajor(kind, name, major, minors, schema, envs, instances, sensitive))
    return majors, findings


def secret_findings(majors: Sequence[TemplateMajor]) -> list[Finding]:
    """Inputs that hold secrets in the estate: a deployment file written by the skeleton names the secret
    (Parameter Store / Secrets Manager) and never holds the value, a request file would hold it in clear."""
    out = []
    for t in majors:
        if not t.sensitive:
            continue
        names = ", ".join(sorted(t.sensitive))
        if t.files:
            text = (
                f"template {t.name} v{t.major}: input(s) {names} hold secrets in the estate; the form "
                "never takes their value (a scaffolder task keeps its parameters): it asks only whether "
                "the instance has one, the deployment file names the secret and the pull request gives "
                "the `aws ssm put-parameter` command that stores it before the merge"
            )
        else:
            text = (
                f"template {t.name} v{t.major}: input(s) {names} hold secrets in the estate; the form never "
                "takes their value (it asks only whether the instance has one), the request file leaves them "
                "out and the pull request names the Secrets Manager secret to create for a new instance"
            )
        out.append(Finding("W-BACKSTAGE-SECRET-INPUT", text, t.name))
    return out


def target_files(
    ctx: ExportContext, units: Sequence[DeploymentUnit], opts: Mapping[str, str]
) -> dict[str, str]:
    """The files of the export the catalog points at (`--opt export`), made from the same snapshot, so the
    skeletons name its shared templates and deployment files exactly; taken from `ctx.siblings` when this
    run already made that export (and left there for the run's own export of that target)."""
    target, options = paired(opts)
    sub = ExportContext(ctx.snapshot, ctx.graph, options, ctx.only, units, ctx.plan, ctx.siblings)
    key = sibling_key(target, options, sub)
    if key not in ctx.siblings:
        ctx.siblings[key] = Registry.from_entry_points().load(target).export(sub)
    return dict(ctx.siblings[key].files)


def paired(opts: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The target whose export the catalog points at and its options (the common `secrets` only)."""
    return opts["export"], ({"secrets": opts["secrets"]} if opts["secrets"] else {})


def with_instance_files(
    ctx: ExportContext,
    units: Sequence[DeploymentUnit],
    majors: Sequence[TemplateMajor],
    opts: Mapping[str, str],
) -> list[TemplateMajor]:
    """`majors`, each with what its skeleton needs to write deployment files in the export (when it has
    instances on the export's shared templates)."""
    if opts["export"] == "none":
        return list(majors)
    files = target_files(ctx, units, opts)
    out = []
    for t in majors:  # units hold their inputs with the schema's defaults, as the form fills them
        info = deployment.collect(files, units, t.kind, t.name, t.major, lambda u: dict(u.inputs))
        out.append(dataclasses.replace(t, files=info))
    return out


def prerequisites(ctx: ExportContext, units: Iterable[DeploymentUnit]) -> dict[str, set[str]]:
    """Unit ARN -> the ARNs that must exist before it: the unit's own `depends_on` and its predecessors
    in the estate's dependency graph."""
    arns = {u.arn for u in units}
    graph = dependency_digraph(ctx.graph) if ctx.graph is not None else None
    out: dict[str, set[str]] = {}
    for u in units:
        found = set(u.depends_on)
        if graph is not None and u.arn in graph:
            found |= {p for p in graph.predecessors(u.arn) if p in arns}
        out[u.arn] = found
    return out


def location(paths: Iterable[str]) -> dict[str, Any]:
    """The Location entity Backstage registers from the repository's root, naming every entity file."""
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "proton-exodus-export", "description": "The Proton estate, exported by exodus"},
        "spec": {"type": "url", "targets": [f"./{p}" for p in sorted(paths)]},
    }


def readme(n_entities: int, templates: Sequence[TemplateMajor], opts: Mapping[str, str]) -> str:
    lines = [
        "# Backstage catalog and software templates (exodus export)",
        "",
        f"Register `{LOCATION}` in Backstage (Catalog > Register existing component, or",
        "`catalog.locations` in app-config.yaml with",
        "`rules: [{allow: [Component, Resource, System, Group, Template, Location]}]`).",
        "",
        f"- {n_entities} catalog entities under `catalog/`: a Component per Proton service, a Resource per",
        "  environment and per stack, a System per service and per environment, a Group per owner.",
        f"- {len(templates)} software template(s) under `templates/`, one per Proton template major version.",
        "  Each form checks the inputs as the Proton schema did and opens a pull request in the export",
        f"  repository ({opts['export']}) that adds or changes the instance's Git sync deployment file on",
        "  the version's shared template, exactly as `exodus repo new-instance` / `set` would write it; a",
        "  template without a shared template in that export writes a request file (`proton-specs/...`)",
        "  for `exodus repo` instead.",
        "- Secret inputs: the form never takes their value (a scaffolder task keeps its parameters in",
        "  Backstage's database); it asks whether the instance has one, and the pull request gives the",
        "  command that stores the value where the deployment file reads it, to run before the merge.",
        "",
        "Owners come from the owners file, then the tags "
        + ", ".join(f"`{k}`" for k in opts["owner-tags"].split(",") if k)
        + f", then `{opts['default-owner']}`.",
        "",
    ]
    return "\n".join(lines)


class BackstageExporter:
    name = "backstage"
    summary = "Backstage: software catalog of the estate and a software template per Proton template"
    api_version = API_VERSION
    # Backstage deploys no stack: the export its catalog points at does. `exodus rehearse` exports that
    # one beside it (`deploys_through`), deploys the waves with its deployer, and makes day 2 through the
    # portal's form and skeletons (`day2`; rehearse.py).

    def deploys_through(self, options: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """The export that deploys the stacks (the rehearsal's hook); BadInput with `--opt export=none`."""
        from exporters.backstage.rehearse import deploys_through

        found = deploys_through(options)
        if found is None:
            raise BadInput(
                "backstage --opt export=none: no export deploys the stacks the catalog describes, so there "
                "is nothing to rehearse",
                hint="rehearse with --opt export=cfn-git-sync (the default)",
            )
        return found

    def rehearse(self, ctx: Any) -> Any:
        from exporters.backstage.rehearse import rehearse

        return rehearse(ctx)

    def day2(
        self, ctx: Any, snapshot: Snapshot, deployed: Any, *, wave: int, bundles: Path | None = None
    ) -> Any:
        from exporters.backstage.rehearse import day2

        return day2(ctx, snapshot, deployed, wave=wave, bundles=bundles)

    def export(self, ctx: ExportContext) -> ExportResult:
        opts = check_options(ctx.options)
        owners = Owners(
            read_owners(opts["owners"]),
            tuple(k.strip() for k in opts["owner-tags"].split(",") if k.strip()),
            opts["default-owner"],
        )
        units = list(ctx.units) or build_units(ctx.snapshot)
        catalog = CatalogBuilder(
            ctx.snapshot, units, prerequisites(ctx, units), owners, opts["repository"], opts["lifecycle"]
        ).build()
        findings: list[Finding] = []
        if catalog.defaulted:
            findings.append(
                Finding(
                    "W-BACKSTAGE-OWNER",
                    f"{len(catalog.defaulted)} entit(ies) have no owner in the tags or the owners file and "
                    f"are owned by {opts['default-owner']}: "
                    + ", ".join(sorted(catalog.defaulted)[:10])
                    + (" ..." if len(catalog.defaulted) > 10 else ""),
                )
            )
        for kind in ("services", "environments"):
            arns: dict[str, set[str]] = {}
            for record in ctx.snapshot.kind(kind):
                arns.setdefault(str(record.get("name")), set()).add(str(record.get("arn")))
            for name, found in sorted(arns.items()):
                if len(found) > 1:
                    findings.append(
                        Finding(
                            "W-BACKSTAGE-NAME-CLASH",
                            f"{len(found)} {kind} are named {name} (in different accounts or Regions): the "
                            "catalog has one entity for that name; export them with --only, one at a time",
                            ", ".join(sorted(found)),
                        )
                    )
        files: dict[str, str] = {}
        for path, entity in catalog.entities.items():
            files[path] = dump_yaml(entity)
        majors, more = template_majors(ctx.snapshot, units)
        findings += more
        majors = with_instance_files(ctx, units, majors, opts)
        findings += secret_findings(majors)
        picker = repo_picker_value(opts["repository"])
        template_owners = {t.name: owner_ref(owners.of(t.name)[0]) for t in majors}
        for path, entity in groups(template_owners.values()).items():
            files.setdefault(path, dump_yaml(entity))
        for t in majors:
            entity, skeleton = template_files(t, template_owners[t.name], picker)
            base = f"templates/{t.entity}"
            files[f"{base}/template.yaml"] = dump_yaml(entity)
            for rel, text in skeleton.items():
                files[f"{base}/{rel}"] = text
        entity_files = [p for p in files if p.endswith("/template.yaml") or p.startswith("catalog/")]
        files[LOCATION] = dump_yaml(location(entity_files))
        files["README.md"] = readme(len(catalog.entities), majors, opts)
        return ExportResult(files=dict(sorted(files.items())), findings=tuple(findings))


def entities_of(files: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The entities of an export's files (path -> entity), for tests and tools reading an export."""
    return {
        p: json.loads(json.dumps(load_yaml(t)))
        for p, t in files.items()
        if p.endswith(".yaml") and "/skeleton/" not in p
    }


exporter = BackstageExporter()
