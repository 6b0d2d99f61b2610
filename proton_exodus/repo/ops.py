"""Proton's day-2 operations on an exported repository, offline: validate, outdated, set, upgrade,
new-instance. Each computes every file it changes first, checks the result against the schema, then
writes (atomically, per file): a refusal leaves the checkout as it was. No AWS call anywhere.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.cfn import text as cfn_text
from proton_exodus.errors import BadInput, NotImplementedYet
from proton_exodus.model.secrets import SECRET_REF, secret_name, ssm_parameter_name
from proton_exodus.output.atomic import write_text_atomic
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.parameterise import parameter_value
from proton_exodus.proton.render import (
    EnvironmentContext,
    ServiceContext,
    render_environment,
    render_service_instance,
)
from proton_exodus.proton.schema import json_schema_violations
from proton_exodus.repo import check, crossplane, shared
from proton_exodus.repo.check import CROSSPLANE_STACK, GIT_SYNC, INDEX, TEMPLATE_CONFIGURATION, RepoProblem
from proton_exodus.repo.index import version_key

# parameter file formats whose instances may sit on a shared template TEMPLATES.json lists
SHARED_FORMATS = (GIT_SYNC, TEMPLATE_CONFIGURATION, CROSSPLANE_STACK)

__all__ = ["Repo", "outdated", "set_inputs", "upgrade", "validate"]


@dataclass
class Repo:
    """A checkout of an export: its root and index, and the file edits an operation stages."""

    root: Path
    index: dict[str, Any]
    listing: dict[str, Any] | None = None  # TEMPLATES.json as the operation has edited it so far
    listing_read: bool = False
    notes: list[str] = field(default_factory=list)  # what a move chose, for the reviewer

    def templates_listing(self) -> dict[str, Any] | None:
        """TEMPLATES.json, read once per operation so several instances' moves add up."""
        if not self.listing_read:
            self.listing, self.listing_read = shared.listing(self.read), True
        return self.listing

    @classmethod
    def open(cls, root: Path) -> Repo:
        """The checkout at `root`; BadInput when it holds no readable index."""
        try:
            return cls(Path(root), check.load_index(Path(root)))
        except RepoProblem as err:
            raise BadInput(str(err), hint="run this in a checkout of an `exodus export`") from None

    def instance(self, name: str) -> dict[str, Any]:
        """The instance called `name` (`env`, `service/instance`, `service/pipeline`); BadInput otherwise."""
        for item in self.index["instances"]:
            if item["name"] == name:
                return item
        known = sorted(i["name"] for i in self.index["instances"])
        raise BadInput(f"{INDEX}: no instance named {name!r}", hint="instances: " + ", ".join(known[:12]))

    def version(self, instance: Mapping[str, Any], version: str | None = None) -> dict[str, Any]:
        versions = self.index["templates"].get(instance["template"], {}).get("versions", {})
        chosen = version or instance["version"]
        if chosen not in versions:
            raise BadInput(
                f"{INDEX}: template {instance['template']} has no version {chosen} "
                f"(versions: {', '.join(sorted(versions, key=version_key))})"
            )
        return versions[chosen]

    def schema(self, instance: Mapping[str, Any], version: str | None = None) -> dict[str, Any]:
        rel = self.version(instance, version).get("schemas", {}).get(instance["schema_kind"])
        if not rel:
            raise BadInput(
                f"{INDEX}: {instance['template']} {version or instance['version']} ships no schema"
            )
        return json.loads(self.read(rel))

    def read(self, rel: str) -> str:
        try:
            return check.read_text(self.root, rel)
        except RepoProblem as err:
            raise BadInput(str(err)) from None

    def inputs(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        """The instance's inputs as deployed: the index's, with parameter-carried ones from its file."""
        try:
            return check.instance_inputs(self.root, instance, self.schema(instance))
        except RepoProblem as err:
            raise BadInput(str(err)) from None

    def index_text(self) -> str:
        return json.dumps(self.index, indent=2, sort_keys=True) + "\n"


def validate(root: Path) -> list[str]:
    """`exodus repo validate`: one line per violation (`<file>: spec.<input>: <Proton's message>`)."""
    try:
        return check.validate_repo(Path(root))
    except RepoProblem as err:
        raise BadInput(str(err)) from None


def outdated(root: Path) -> list[dict[str, str]]:
    """Instances not on their template's recommended version (Proton's dashboard), sorted by name.
    A newer major is reported, but only a minor of the same major is `minor_available`."""
    repo = Repo.open(root)
    out = []
    for item in repo.index["instances"]:
        template = repo.index["templates"].get(item["template"], {})
        recommended = template.get("recommended")
        if not recommended or recommended == item["version"]:
            continue
        same_major = [v for v in template["versions"] if version_key(v)[0] == version_key(item["version"])[0]]
        newest_minor = max(same_major, key=version_key)
        out.append(
            {
                "instance": item["name"],
                "template": item["template"],
                "version": item["version"],
                "recommended": recommended,
                "minor_available": newest_minor if newest_minor != item["version"] else "",
            }
        )
    return sorted(out, key=lambda r: r["instance"])


def parse_assignments(pairs: Sequence[str]) -> dict[str, Any]:
    """`name=value` pairs, each value read as a YAML scalar as a Proton spec would (`3` is a number)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        if not eq or not name:
            raise BadInput(f"{pair!r}: expected INPUT=VALUE")
        try:
            out[name] = cfn_text.load_yaml(text) if text else ""
        except yaml.YAMLError:
            out[name] = text
    return out


def _refuse_violations(
    where: str, schema: Mapping[str, Any], values: Mapping[str, Any], path: str, sensitive: Sequence[str] = ()
) -> None:
    _, lines = json_schema_violations(schema, values, path=path)
    heads = tuple(f"{path}.{name}:" for name in sensitive)
    lines = tuple(line for line in lines if not line.startswith(heads))
    if lines:
        raise BadInput(f"{where}: " + "; ".join(lines))


_RESOLVER = yaml.resolver.Resolver()
_PLAIN = re.compile(r"[A-Za-z0-9_./@-][A-Za-z0-9_./@:+=,-]*")


def _scalar(text: str) -> str:
    """A parameter value as the export writes it in a deployment file: plain when YAML reads it back as
    that string, else JSON-quoted, so an edit changes one line and nothing else."""
    if (
        _PLAIN.fullmatch(text)
        and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _set_parameter(fmt: str, text: str, rel: str, changes: Mapping[str, str]) -> str:
    """`text` of a parameter file with `changes` (parameter -> value) made, every other line as it was."""
    if fmt == TEMPLATE_CONFIGURATION:
        doc = json.loads(text)
        doc.setdefault("Parameters", {}).update(changes)
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    block = "parameters:" if fmt == GIT_SYNC else "    parameters:"
    lines = text.split("\n")
    for parameter, value in sorted(changes.items()):
        scalar = f"{_scalar(parameter)}: {_scalar(value)}"
        try:
            start = lines.index(block)
        except ValueError:
            raise BadInput(f"{rel}: has no `{block.strip()}` block to change {parameter} in") from None
        indent = " " * (len(block) - len(block.lstrip()) + 2)
        pattern = re.compile(rf"^{indent}{re.escape(parameter)}:( |$)")
        end = start + 1
        while end < len(lines) and lines[end].startswith(indent):
            end += 1
        hits = [i for i in range(start + 1, end) if pattern.match(lines[i])]
        if hits:
            lines[hits[0]] = indent + scalar
        else:
            lines.insert(end, indent + scalar)
    return "\n".join(lines)


def _write(root: Path, files: Mapping[str, str]) -> list[str]:
    for rel, text in sorted(files.items()):
        write_text_atomic(root / rel, text)
    return sorted(files)


def set_inputs(root: Path, name: str, pairs: Sequence[str], notes: list[str] | None = None) -> list[str]:
    """`exodus repo set`: change inputs of one instance; the files changed. A parameter-carried input
    changes its parameter; a structural input (baked into the template) re-renders the instance."""
    repo = Repo.open(root)
    instance = repo.instance(name)
    changes = parse_assignments(pairs)
    schema = repo.schema(instance)
    props = check.input_properties(schema)
    for key in changes:
        if key not in props:
            raise BadInput(
                f"{INDEX}: {name}: {key!r} is not an input of {instance['template']} {instance['version']}",
                hint="inputs: " + ", ".join(sorted(props)),
            )
        if key in instance.get("sensitive", []):
            raise BadInput(
                f"{name}: input {key} is sensitive: its value lives in Parameter Store or Secrets Manager, "
                "change it there"
            )
    values = {**repo.inputs(instance), **changes}
    mapping = instance.get("parameters") or {}
    carried = all(k in mapping for k in changes) and instance.get("parameters_file")
    where = instance["parameters_file"] if carried else f"{INDEX}[{instance['name']}]"
    _refuse_violations(where, schema, values, check.spec_path(instance), instance.get("sensitive", []))
    mapping = instance.get("parameters") or {}
    structural = sorted(k for k in changes if k not in mapping)
    files: dict[str, str] = {}
    # on a shared template every input goes to the shared file proven for the new values, or a copy
    if _on_shared(repo, instance) or structural:
        old = json_schema_violations(schema, repo.inputs(instance), path="spec")[0]
        new = json_schema_violations(schema, values, path="spec")[0]
        files.update(_rerender(repo, instance, instance["version"], old, new))
    else:
        rel, fmt = instance["parameters_file"], instance["parameters_format"]
        params = {mapping[k]: parameter_value(v) for k, v in changes.items()}
        files[rel] = _set_parameter(fmt, repo.read(rel), rel, params)
    instance["inputs"] = {k: v for k, v in sorted(values.items()) if k not in instance.get("sensitive", [])}
    files[INDEX] = repo.index_text()
    if notes is not None:
        notes += repo.notes
    return _write(repo.root, files)


def _template_major(env: Mapping[str, Any]) -> str:
    """`name:major` of an environment's template, as versions list compatible environment templates."""
    return f"{env['template'].partition('/')[2]}:{env['version'].partition('.')[0]}"


def _environment(repo: Repo, instance: Mapping[str, Any]) -> dict[str, Any] | None:
    env = instance.get("environment")
    return next((i for i in repo.index["instances"] if i["kind"] == "environment" and i["name"] == env), None)


def _bundle(repo: Repo, instance: Mapping[str, Any], version: str) -> Any:
    rel = repo.version(instance, version).get("bundle")
    if not rel or not (repo.root / rel).is_dir():
        raise BadInput(f"{INDEX}: {instance['template']} {version} ships no bundle to render from")
    return load_bundle(repo.root / rel, name=f"{instance['template']}:{version}")


def render_instance(
    repo: Repo,
    instance: Mapping[str, Any],
    version: str,
    values: Mapping[str, Any],
    components: Mapping[str, Any] | None = None,
) -> str:
    """The instance's CloudFormation template rendered as Proton did, from the shipped bundle. Sensitive
    inputs render as Secrets Manager dynamic references, never as values."""
    stack = instance["stack"]["name"] or instance["name"]
    secrets = {k: SECRET_REF.format(secret_name(stack, k)) for k in instance.get("sensitive", [])}
    inputs = {**values, **secrets}
    bundle = _bundle(repo, instance, version)
    if instance["kind"] == "environment":
        rendered = render_environment(
            bundle, name=instance["name"], inputs=inputs, account_id=instance["stack"]["account"]
        )
    elif instance["kind"] == "service_instance":
        env = _environment(repo, instance)
        environment = EnvironmentContext(
            instance["environment"], instance["stack"]["account"], dict((env or {}).get("outputs") or {})
        )
        rendered = render_service_instance(
            bundle,
            service=ServiceContext(instance["service"]),
            instance_name=instance["name"].rpartition("/")[2],
            inputs=inputs,
            environment=environment,
            components=components or None,
        )
    else:
        raise NotImplementedYet(
            f"{instance['name']}: re-rendering a service pipeline is not supported: its build steps were "
            "rewritten at export; edit its template by hand"
        )
    if rendered.language != "cloudformation" or rendered.text is None:
        raise NotImplementedYet(f"{instance['name']}: only CloudFormation instances can be re-rendered")
    return rendered.text


def _merge(current: Any, old: Any, new: Any) -> Any:
    """`current` (the exported template, or part of it) with what changed from render `old` to render
    `new` made on it: parts the renders agree on stay as the export wrote them (secret parameters,
    component outputs), list items are matched as difflib matches lines."""
    if old == new:
        return current
    if isinstance(current, dict) and isinstance(old, dict) and isinstance(new, dict):
        out = dict(current)
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in new:
                out.pop(key, None)
            elif key in old and key in current and old[key] != new[key]:
                out[key] = _merge(current[key], old[key], new[key])
            elif key not in old or key not in current:
                out[key] = new[key]
        return out
    if (
        isinstance(current, list)
        and isinstance(old, list)
        and isinstance(new, list)
        and len(current) == len(old)
    ):
        keys = [json.dumps(item, sort_keys=True, default=str) for item in old]
        matcher = difflib.SequenceMatcher(
            None, keys, [json.dumps(i, sort_keys=True, default=str) for i in new]
        )
        merged: list[Any] = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                merged += current[i1:i2]
            elif op == "replace" and i2 - i1 == j2 - j1:
                merged += [
                    _merge(c, o, n) for c, o, n in zip(current[i1:i2], old[i1:i2], new[j1:j2], strict=True)
                ]
            else:
                merged += new[j1:j2]
        return merged
    return new


_BODY = re.compile(
    r"^(?P<indent> *)templateBody: [|>][-+0-9]*\n(?P<block>(?:(?: *\n)|(?:(?P=indent)  .*\n))*)", re.M
)


def _template_body(text: str, rel: str) -> str:
    """The template a Crossplane Stack manifest holds inline (`spec.forProvider.templateBody`)."""
    try:
        body = yaml.safe_load(text)["spec"]["forProvider"]["templateBody"]
    except (yaml.YAMLError, KeyError, TypeError):
        raise BadInput(f"{rel}: not a Crossplane Stack with spec.forProvider.templateBody") from None
    return str(body)


def _set_template_body(text: str, template: str, rel: str) -> str:
    """`text` with its templateBody block replaced by `template` (a literal block), every other line kept."""
    match = _BODY.search(text)
    if match is None:
        raise NotImplementedYet(f"{rel}: its templateBody is not a literal block; edit it by hand")
    pad = match.group("indent") + "  "
    chomp = "" if template.endswith("\n") else "-"
    lines = "".join(pad + line + "\n" if line else "\n" for line in template.rstrip("\n").split("\n"))
    out = (
        f"{text[: match.start()]}{match.group('indent')}templateBody: |{chomp}\n{lines}{text[match.end() :]}"
    )
    if _template_body(out, rel) != template:
        raise NotImplementedYet(f"{rel}: the new templateBody does not read back as written; edit it by hand")
    return out


def _set_template_path(text: str, template: str) -> str:
    return re.sub(r"^template-file-path: .*$", f"template-file-path: {template}", text, count=1, flags=re.M)


def _parameter_text(fmt: str, text: str, rel: str, values: Mapping[str, str]) -> str:
    """`text` of a parameter file with its whole parameter set replaced by `values` (sorted, as the export
    writes them); every other line kept."""
    if fmt == TEMPLATE_CONFIGURATION:
        doc = json.loads(text)
        doc["Parameters"] = dict(sorted(values.items()))
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == CROSSPLANE_STACK:
        return crossplane.set_parameters(text, rel, values, _scalar)
    lines = text.split("\n")
    try:
        start = lines.index("parameters:") if "parameters:" in lines else lines.index("parameters: {}")
    except ValueError:
        raise BadInput(f"{rel}: has no `parameters` block") from None
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    body = [f"  {_scalar(k)}: {_scalar(v)}" for k, v in sorted(values.items())]
    return "\n".join([*lines[:start], "parameters:" if body else "parameters: {}", *body, *lines[end:]])


def _pipeline_files(repo: Repo, stack: str, template: str) -> list[str]:
    """The pipeline definitions / workflows that deploy `stack` from `template` (codepipeline, GitHub
    Actions): they name the template file, so moving the stack to another file edits them."""
    out = []
    for folder in ("pipelines", ".github/workflows"):
        base = repo.root / folder
        for path in sorted(base.rglob("*.y*ml")) if base.is_dir() else []:
            text = path.read_text(encoding="utf-8")
            if stack in text and template in text:
                out.append(path.relative_to(repo.root).as_posix())
    return out


def _move_shared(
    repo: Repo, instance: dict[str, Any], version: str, values: Mapping[str, Any]
) -> dict[str, str] | None:
    """The files that put `instance` on the shared template of `version` that fits its new inputs
    (proven against a fresh Proton render), with its parameters; None when the export has no shared
    layout for it or no shared file fits (the caller then gives the instance its own rendered copy)."""
    fmt, rel = instance.get("parameters_format"), instance.get("parameters_file")
    doc = repo.templates_listing() if fmt in SHARED_FORMATS and rel else None
    current_row = shared.row(doc, instance) if doc else None
    if not doc or not current_row or not current_row.get("shared"):
        return None
    current = check.parameter_document(fmt, repo.read(rel), rel)
    current_meanings = current_row.get("parameters") or {}
    comps = shared.components(current, current_meanings)
    env = _environment(repo, instance) or {}
    rendered = render_instance(repo, instance, version, values, comps)
    for template, meanings in shared.variants(doc, instance, version).items():
        given = shared.fill(instance, meanings, current, current_meanings, values, env.get("outputs") or {})
        if given is None or not shared.proven(repo.read(template), given, rendered, instance, template):
            continue
        files = {rel: _parameter_text(fmt, repo.read(rel), rel, given)}
        old = instance["template_file"]
        if fmt == GIT_SYNC:
            files[rel] = _set_template_path(files[rel], template)
        elif fmt == CROSSPLANE_STACK:
            if template != old:  # the pointer is the component path in the directory's kustomization.yaml
                kust = crossplane.kustomization_of(rel)
                files[kust] = crossplane.set_component(
                    repo.read(kust), kust, posixpath.dirname(old), posixpath.dirname(template)
                )
        elif template != old:
            for pipeline in _pipeline_files(repo, instance["stack"]["name"], old):
                files[pipeline] = shared.repoint(
                    repo.read(pipeline), instance["stack"]["name"], old, template
                )
        if template != old:
            repo.notes.append(
                f"{instance['name']}: now on shared template {template} (proven for its inputs)"
            )
        current_row.update({"templateFile": template, "parameters": meanings, "version": version})
        files[shared.LISTING] = json.dumps(doc, indent=2, sort_keys=True) + "\n"
        instance["template_file"] = template
        instance["parameters"] = {
            path.rpartition(".")[2]: name
            for name, m in sorted(meanings.items())
            if m.get("role") in ("value", "list")
            and not m.get("sensitive")
            and (path := str(m.get("path"))).startswith(f"{_namespace(instance)}.inputs.")
            and path.rpartition(".")[2] in values
        }
        return files
    return None


def _on_shared(repo: Repo, instance: Mapping[str, Any]) -> bool:
    """Whether the instance's stack deploys a shared parameterised template (TEMPLATES.json says so)."""
    fmt = instance.get("parameters_format")
    doc = repo.templates_listing() if fmt in SHARED_FORMATS else None
    found = shared.row(doc, instance) if doc else None
    return bool(found and found.get("shared"))


def _own_copy(
    repo: Repo, instance: dict[str, Any], version: str, values: Mapping[str, Any]
) -> dict[str, str]:
    """No shared file of `version` fits the instance's inputs: it gets its own template, Proton's render
    (sensitive inputs as Secrets Manager dynamic references), beside its parameter file's siblings, and
    its parameter file keeps only the parameters that render declares. TEMPLATES.json says it is no
    longer shared."""
    fmt, rel = instance["parameters_format"], instance["parameters_file"]
    doc = repo.templates_listing() or {"stacks": []}
    listed = shared.row(doc, instance) or {}
    current = check.parameter_document(fmt, repo.read(rel), rel)
    comps = shared.components(current, listed.get("parameters") or {})
    text = render_instance(repo, instance, version, values, comps).rstrip("\n") + "\n"
    declared = (cfn_text.load_template(text, source=instance["name"]) or {}).get("Parameters") or {}
    stack, old = instance["stack"]["name"], instance["template_file"]
    if fmt == GIT_SYNC:
        template = f"{old.rpartition('/')[0]}/stacks/{stack}.yaml"
    elif fmt == CROSSPLANE_STACK:
        template = rel  # the Stack holds its own template again, its component dropped
    else:
        template = f"{rel.rpartition('.')[0]}.yaml"
    kept = {k: str(v) for k, v in current.items() if k in declared}
    files = {rel: _parameter_text(fmt, repo.read(rel), rel, kept), template: text}
    if fmt == CROSSPLANE_STACK:
        kust = crossplane.kustomization_of(rel)
        files = {
            rel: crossplane.inline_template(_parameter_text(fmt, repo.read(rel), rel, kept), rel, text),
            kust: crossplane.drop_component(repo.read(kust), kust, posixpath.dirname(old)),
        }
    elif fmt == GIT_SYNC:
        files[rel] = _set_template_path(files[rel], template)
    else:
        for pipeline in _pipeline_files(repo, stack, old):
            files[pipeline] = shared.repoint(repo.read(pipeline), stack, old, template)
    if listed:
        listed.update({"templateFile": template, "parameters": {}, "shared": False, "version": version})
        files[shared.LISTING] = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    instance["template_file"], instance["parameters"] = template, {}
    repo.notes.append(
        f"{instance['name']}: no shared template of {instance['template']} {version} fits its inputs: "
        f"its own rendered copy {template}"
    )
    return files


def _place_new(
    repo: Repo,
    record: dict[str, Any],
    sibling: Mapping[str, Any],
    version: str,
    values: Mapping[str, Any],
    rendered: str,
) -> dict[str, str] | None:
    """A new instance's parameter file on the shared file of `version` proven for its inputs (its
    TEMPLATES.json row added); None when none fits. Secret parameters name where its secrets are to be
    staged, in the scheme the shared template declares (Parameter Store `/exodus/<stack>/<input>` for an
    SSM parameter type, else the Secrets Manager secret name)."""
    doc = repo.templates_listing()
    sibling_row = shared.row(doc, sibling) if doc else None
    if not doc or not sibling_row:
        return None
    stack = record["stack"]["name"]
    env = _environment(repo, record) or {}
    for template, meanings in shared.variants(doc, record, version).items():
        # a secret parameter of an SSM type names the Parameter Store parameter the export stages
        ssm = "AWS::SSM::Parameter::Value<" in repo.read(template)

        def secret(input_name: str, ssm: bool = ssm) -> str:
            return ssm_parameter_name(stack, input_name) if ssm else secret_name(stack, input_name)

        given = shared.fill(record, meanings, {}, {}, values, env.get("outputs") or {}, secret)
        if given is None or not shared.proven(repo.read(template), given, rendered, record, template):
            continue
        fmt, rel = sibling["parameters_format"], record["parameters_file"]
        skeleton = (
            f"template-file-path: {template}\nparameters: {{}}\ntags: {{}}\n"
            if fmt == GIT_SYNC
            else json.dumps({"Parameters": {}, "Tags": {}}, indent=2) + "\n"
        )
        if fmt == CROSSPLANE_STACK:  # the new Stack new_instance modelled on its sibling's
            skeleton = record["stack_text"]
        record["template_file"] = template
        record["parameters"] = {
            path.rpartition(".")[2]: name
            for name, m in sorted(meanings.items())
            if m.get("role") in ("value", "list")
            and not m.get("sensitive")
            and (path := str(m.get("path"))).startswith(f"{_namespace(record)}.inputs.")
            and path.rpartition(".")[2] in values
        }
        doc["stacks"].append(
            {
                **{
                    k: v
                    for k, v in sibling_row.items()
                    if k not in ("stack", "name", "service", "environment")
                },
                "stack": stack,
                "account": record["stack"]["account"],
                "region": record["stack"]["region"],
                "name": record["name"].rpartition("/")[2],
                "service": record["service"],
                "environment": record["environment"],
                "version": version,
                "templateFile": template,
                "parameterFile": rel,
                "shared": True,
                "parameters": meanings,
            }
        )
        doc["stacks"].sort(key=lambda s: (str(s["account"]), str(s["region"]), str(s["stack"])))
        files = {
            rel: _parameter_text(fmt, skeleton, rel, given),
            shared.LISTING: json.dumps(doc, indent=2, sort_keys=True) + "\n",
        }
        if fmt == TEMPLATE_CONFIGURATION:
            files.update(_pipeline_entries(repo, record))
        if fmt == CROSSPLANE_STACK:
            files.update(_crossplane_entries(repo, record, sibling, template))
        return files
    return None


def _renamed(value: Any, renames: Sequence[tuple[str, str]]) -> Any:
    """`value` with the first sibling name found in it replaced by the new instance's."""
    if not isinstance(value, str):
        return value
    for old, new in renames:
        if old in value:
            return value.replace(old, new)
    return value


def _crossplane_entries(
    repo: Repo, record: Mapping[str, Any], sibling: Mapping[str, Any], template: str
) -> dict[str, str]:
    """A new Stack directory's kustomization.yaml (its Stack, its shared template's component) and the
    list-generator element that makes an Application of it: a copy of the sibling directory's element
    (in any file under apps/), its names, path and inputs the new instance's."""
    folder = posixpath.dirname(record["parameters_file"])
    files = {
        f"{folder}/{crossplane.KUSTOMIZATION}": crossplane.dump_kustomization(
            [record["parameters_file"]], [posixpath.dirname(template)], folder
        )
    }
    # the element to copy: one of an instance of the same service (its ApplicationSet), else the sibling's
    same = [
        i
        for i in repo.index["instances"]
        if i["kind"] == record["kind"]
        and i.get("service") == record.get("service")
        and i.get("parameters_format") == CROSSPLANE_STACK
        and i.get("parameters_file")
    ]
    model = sorted(same, key=lambda i: i["name"])[0] if same else sibling
    old_folder = posixpath.dirname(model["parameters_file"])
    old_short, short = model["name"].rpartition("/")[2], record["name"].rpartition("/")[2]
    renames = [
        (f"{model.get('service')}-{old_short}", f"{record.get('service')}-{short}"),
        (str(model.get("service")), str(record.get("service"))),
        (str(model.get("environment")), str(record.get("environment"))),
    ]
    renames = [(a, b) for a, b in renames if a != b and a != "None"]
    exact = {"instance": short, "environment": record.get("environment")}
    apps = repo.root / "apps"
    for path in sorted(apps.rglob("*.y*ml")) if apps.is_dir() else []:
        rel = path.relative_to(repo.root).as_posix()
        text = repo.read(rel)
        if old_folder not in text:
            continue
        values = {"path": folder}
        listed = crossplane.listed_element(text, old_folder) or {}
        for key, value in listed.items():
            if key == "inputs" and isinstance(value, dict):
                values[key] = {k: str(v) for k, v in sorted(record["inputs"].items())}
            elif key in exact and value in (old_short, model.get("environment")):
                values[key] = exact[key]
            elif key != "path":
                values[key] = _renamed(value, renames)
        added = crossplane.add_listed_element(text, rel, old_folder, values)
        if added is not None:
            files[rel] = added
            return files
    for path in sorted(apps.rglob("*.y*ml")) if apps.is_dir() else []:
        rel = path.relative_to(repo.root).as_posix()
        copied = crossplane.copy_application(
            repo.read(rel), rel, old_folder, folder, lambda text: _renamed(text, renames)
        )
        if copied is not None and not (repo.root / copied[0]).exists():
            files[copied[0]] = copied[1]  # an Application of its own, as the environment's sibling has
            return files
    repo.notes.append(
        f"{record['name']}: no file under apps/ lists {old_folder}: add its Application by hand"
    )
    return files


def _pipeline_entries(repo: Repo, record: Mapping[str, Any]) -> dict[str, str]:
    """The pipeline definitions / workflows with the new stack's deploy added: a copy of the deploy of a
    stack in the same environment (of the same template when there is one), as the export writes them."""
    same_env = [
        i
        for i in repo.index["instances"]
        if i.get("environment") == record["environment"]
        and i.get("parameters_format") == TEMPLATE_CONFIGURATION
        and i["kind"] == record["kind"]
    ]
    same_env.sort(key=lambda i: (i["template"] != record["template"], i["name"]))
    new = {
        "stack": record["stack"]["name"],
        "template": record["template_file"],
        "config": record["parameters_file"],
    }
    for sibling in same_env:
        old = {
            "stack": sibling["stack"]["name"],
            "template": sibling["template_file"],
            "config": sibling["parameters_file"],
        }
        files = {}
        for rel in _pipeline_files(repo, old["stack"], old["template"]):
            text = shared.add_deploy(repo.read(rel), old, new)
            if text is not None:
                files[rel] = text
        if files:
            return files
    repo.notes.append(
        f"{record['name']}: no pipeline deploys a stack of {record['environment']}: add its deploy by hand"
    )
    return {}


def _namespace(instance: Mapping[str, Any]) -> str:
    return "environment" if instance["kind"] == "environment" else "service_instance"


def _rerender(
    repo: Repo, instance: dict[str, Any], version: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> dict[str, str]:
    """The files that move `instance` from a render of `old` inputs (its version) to a render of `new`
    ones (at `version`). The change between the two renders is made on the exported template, so what
    the export added (secret parameters, attached components' outputs) stays; when the exported file is
    exactly Proton's render, the new render replaces it. A shared template is never edited: the
    instance gets its own copy beside it."""
    fmt, rel = instance.get("parameters_format"), instance.get("parameters_file")
    if not rel:
        raise NotImplementedYet(
            f"{instance['name']}: has no CloudFormation stack in this repository to re-render"
        )
    moved = _move_shared(repo, instance, version, new)
    if moved is not None:
        return moved
    if _on_shared(repo, instance):
        return _own_copy(repo, instance, version, new)
    template = instance["template_file"]
    before = render_instance(repo, instance, instance["version"], old)
    after = render_instance(repo, instance, version, new)
    current = _template_body(repo.read(rel), rel) if fmt == CROSSPLANE_STACK else repo.read(template)
    if current.rstrip("\n") == before.rstrip("\n"):  # the export ends every file with one newline
        text = after.rstrip("\n") + "\n"
    else:
        tree = cfn_text.load_template(current, source=template)
        text = cfn_text.dump_template(
            _merge(tree, cfn_text.load_template(before), cfn_text.load_template(after))
        )
    if fmt == CROSSPLANE_STACK:  # the template is the Stack's own templateBody, its last newline kept as was
        text = text if current.endswith("\n") else text.rstrip("\n")
        return {rel: _set_template_body(repo.read(rel), text, rel)}
    files: dict[str, str] = {}
    if sum(i.get("template_file") == template for i in repo.index["instances"]) > 1:
        if fmt != GIT_SYNC:
            raise NotImplementedYet(f"{instance['name']}: its template is shared and its pipeline names it")
        folder = template.rpartition("/")[0]
        template = f"{folder}/stacks/{instance['stack']['name']}.{template.rpartition('.')[2]}"
        files[rel] = _set_template_path(repo.read(rel), template)
        instance["template_file"] = template
    files[template] = text
    return files


def behind(root: Path, template: str, to: str) -> list[str]:
    """The instances of `template` on an older version of `to`'s major: what rolling `to` out moves."""
    repo = Repo.open(root)
    if template not in repo.index["templates"]:
        raise BadInput(f"{INDEX}: no template {template!r}")
    return sorted(
        i["name"]
        for i in repo.index["instances"]
        if i["template"] == template
        and version_key(i["version"])[0] == version_key(to)[0]
        and version_key(i["version"]) < version_key(to)
        and not i.get("customer_managed")
    )


def upgrade(
    root: Path, names: Sequence[str], to: str, *, major: bool = False, notes: list[str] | None = None
) -> list[str]:
    """`exodus repo upgrade`: move instances to version `to` of their template, re-rendered from the
    shipped bundle. Proton's rules: a newer minor of the same major whose schema is compatible; a new
    major only when asked (`major`), when the inputs satisfy its schema and, for a service instance,
    the version is compatible with the environment's template major."""
    repo = Repo.open(root)
    files: dict[str, str] = {}
    for name in names:
        instance = repo.instance(name)
        current = instance["version"]
        target = repo.version(instance, to)
        if version_key(to) <= version_key(current):
            raise BadInput(f"{name}: is on {current}; {to} is not newer (Proton does not downgrade)")
        if version_key(to)[0] != version_key(current)[0]:
            if not major:
                raise BadInput(
                    f"{name}: {current} -> {to} is a major version change: pass --major to make it"
                )
            env = _environment(repo, instance) if instance["kind"] == "service_instance" else None
            wanted = _template_major(env) if env else ""
            if env and wanted not in target.get("compatible_environment_templates", []):
                raise BadInput(
                    f"{name}: {instance['template']} {to} is not compatible with environment template "
                    f"{wanted} of {instance['environment']}"
                )
        elif to not in repo.version(instance).get("upgrades_to", []):
            raise BadInput(f"{name}: {to} is not a backward-compatible minor version of {current}")
        values = repo.inputs(instance)
        schema = repo.schema(instance, to)
        where = f"{INDEX}[{instance['name']}]"
        _refuse_violations(where, schema, values, check.spec_path(instance), instance.get("sensitive", []))
        old = json_schema_violations(repo.schema(instance), values, path="spec")[0]
        new = json_schema_violations(schema, values, path="spec")[0]
        files.update(_rerender(repo, instance, to, old, new))
        instance["version"] = to
    files[INDEX] = repo.index_text()
    if notes is not None:
        notes += repo.notes
    return _write(repo.root, files)


def _sibling(repo: Repo, template: str, kind: str, version: str) -> dict[str, Any]:
    """An instance of the same template and kind, to place the new one's files as the export placed its."""
    same = [i for i in repo.index["instances"] if i["template"] == template and i["kind"] == kind]
    same = [i for i in same if i.get("parameters_file")]
    if not same:
        raise BadInput(f"{INDEX}: no {kind} of {template} with a parameter file to model a new one on")
    return sorted(same, key=lambda i: (i["version"] != version, i["name"]))[0]


def new_instance(
    root: Path,
    name: str,
    *,
    template: str,
    version: str | None,
    environment: str | None,
    pairs: Sequence[str],
    stack_name: str | None = None,
) -> list[str]:
    """`exodus repo new-instance`: a new environment (`name`) or service instance (`service/instance`)
    from a template version (default: the recommended one), its inputs validated, rendered as Proton
    would, with a parameter file beside its siblings'. The files it writes are the pull request."""
    repo = Repo.open(root)
    if template not in repo.index["templates"]:
        raise BadInput(
            f"{INDEX}: no template {template!r}",
            hint="templates: " + ", ".join(sorted(repo.index["templates"])),
        )
    kind = "environment" if template.startswith("environment/") else "service_instance"
    if any(i["name"] == name for i in repo.index["instances"]):
        raise BadInput(f"{INDEX}: an instance named {name!r} exists already")
    service, _, short = name.rpartition("/")
    if kind == "service_instance" and (not service or not short):
        raise BadInput(f"{name!r}: a service instance is named SERVICE/INSTANCE")
    version = version or repo.index["templates"][template]["recommended"]
    sibling = _sibling(repo, template, kind, version)
    env = None
    if kind == "service_instance":
        env = next(
            (i for i in repo.index["instances"] if i["kind"] == "environment" and i["name"] == environment),
            None,
        )
        if env is None:
            raise BadInput(f"--environment {environment!r}: no such environment in {INDEX}")
        target = repo.version(sibling, version)
        wanted = _template_major(env)
        if wanted not in target.get("compatible_environment_templates", []):
            raise BadInput(
                f"{template} {version} is not compatible with environment template {wanted} of {environment}"
            )
    stack = stack_name or (f"{service}-{short}" if kind == "service_instance" else name)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,127}", stack):
        raise BadInput(
            f"stack name {stack!r}: CloudFormation needs a letter, then letters, digits or hyphens"
        )
    given = parse_assignments(pairs)
    # what any instance of the template keeps out of the repository stays out for the new one too
    secret = sorted({s for i in repo.index["instances"] if i["template"] == template for s in i["sensitive"]})
    if set(given) & set(secret):
        raise BadInput(
            f"{sorted(set(given) & set(secret))[0]} is sensitive: create Secrets Manager secret "
            f"{secret_name(stack, sorted(set(given) & set(secret))[0])} instead of passing its value"
        )
    record: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "schema_kind": sibling["schema_kind"],
        "template": template,
        "version": version,
        "environment": environment if kind == "service_instance" else name,
        "service": service or None,
        "inputs": {},
        "sensitive": secret,
        "parameters": {},
        "stack": {
            "name": stack,
            "account": (env or sibling)["stack"]["account"],
            "region": (env or sibling)["stack"]["region"],
        },
    }
    schema = repo.schema(record, version)
    props = check.input_properties(schema)
    unknown = sorted(set(given) - set(props))
    if unknown:
        raise BadInput(
            f"{unknown[0]!r} is not an input of {template} {version}",
            hint="inputs: " + ", ".join(sorted(props)),
        )
    _refuse_violations("spec", schema, given, check.spec_path(record), secret)
    filled, _ = json_schema_violations(schema, given, path="spec")
    record["inputs"] = {k: v for k, v in sorted(filled.items()) if k not in secret}
    text = render_instance(repo, record, version, filled).rstrip("\n") + "\n"
    fmt, rel = sibling["parameters_format"], sibling["parameters_file"]
    declared = sorted((cfn_text.load_template(text, source=name) or {}).get("Parameters") or {})
    files: dict[str, str] = {}
    if fmt == GIT_SYNC:
        folder = sibling["template_file"].rpartition("/")[0]
        folder = folder if folder.endswith("/stacks") else f"{folder}/stacks"
        record["template_file"] = f"{folder}/{stack}.yaml"
        record["parameters_file"] = (
            f"deployments/{record['stack']['account']}/{record['stack']['region']}/{stack}.yaml"
        )
        doc = {"template-file-path": record["template_file"], "parameters": {}, "tags": {}}
        files[record["parameters_file"]] = yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
    elif fmt == TEMPLATE_CONFIGURATION:
        folder = rel.rpartition("/")[0]
        if (
            kind == "service_instance"
            and sibling.get("environment")
            and sibling["environment"] != environment
        ):
            folder = re.sub(
                rf"(^|/){re.escape(sibling['environment'])}(/|$)", rf"\g<1>{environment}\g<2>", folder
            )
        record["template_file"] = f"{folder}/{stack}.yaml"
        record["parameters_file"] = f"{folder}/{stack}.json"
        files[record["parameters_file"]] = json.dumps({"Parameters": {}, "Tags": {}}, indent=2) + "\n"
    elif fmt == CROSSPLANE_STACK:
        # the sibling's directory with its service and instance names the new one's (the export's layout)
        parts = rel.split("/")[:-1]
        renamed = {sibling.get("service"): service or None, sibling["name"].rpartition("/")[2]: short}
        folder = "/".join(renamed.get(p) or p if p in renamed else p for p in parts)
        if folder == "/".join(parts):
            raise NotImplementedYet(
                f"{rel}: cannot tell where a new instance's directory goes; add it by hand"
            )
        record["parameters_file"] = f"{folder}/{rel.rsplit('/', 1)[1]}"
        record["template_file"] = record["parameters_file"]
        labels = {"exodus.io/environment": str(record["environment"])}
        if service:
            labels["exodus.io/service"] = service
        record["stack_text"] = crossplane.new_stack(
            repo.read(rel), rel, name=stack.lower(), stack=stack, labels=labels
        )
        if not _on_shared(repo, sibling):
            raise NotImplementedYet(
                f"{sibling['name']} is not on a shared template: write {record['parameters_file']} by hand"
            )
    else:
        raise NotImplementedYet(
            f"new-instance writes Git sync deployment files, template configurations and Crossplane Stacks, "
            f"not {fmt}"
        )
    placed = _place_new(repo, record, sibling, version, filled, text) if _on_shared(repo, sibling) else None
    record.pop("stack_text", None)
    if placed is not None:  # on the shared file proven for its inputs, as the export would have put it
        record["parameters_format"] = fmt
        files.update(placed)
        for rel_new in files:
            if (repo.root / rel_new).exists() and (
                rel_new == record["parameters_file"] or rel_new not in placed
            ):
                raise BadInput(f"{rel_new}: exists already; pick another --stack-name")
        repo.index["instances"] = sorted(
            [*repo.index["instances"], record], key=lambda i: (i["kind"], i["name"])
        )
        files[INDEX] = repo.index_text()
        return _write(repo.root, files)
    if declared:
        raise NotImplementedYet(
            f"{template} {version} declares CloudFormation parameters ({', '.join(declared)}): give them in "
            f"{record['parameters_file']} by hand"
        )
    record["parameters_format"] = fmt
    files[record["template_file"]] = text
    for rel_new in files:
        if (repo.root / rel_new).exists():
            raise BadInput(f"{rel_new}: exists already; pick another --stack-name")
    repo.index["instances"] = sorted([*repo.index["instances"], record], key=lambda i: (i["kind"], i["name"]))
    files[INDEX] = repo.index_text()
    return _write(repo.root, files)
