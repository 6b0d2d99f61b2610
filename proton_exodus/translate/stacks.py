"""Shared parameterised templates: each Proton template version translated once into a CloudFormation
template its stacks share, every stack proven on it.

Variables the Jinja substitutes become parameters (inputs with their schema rules, names, environment
outputs); Jinja conditions on boolean/enum inputs and `is defined` become Conditions/`Fn::If` (renders
merged, translate/merge.py), and so are an optional secret's presence and the length of a looped list
whose schema bounds it; loops are unrolled with items read from a CommaDelimitedList (one template per
length when the schema does not bound it); anything else structural groups the stacks by its value.
Every stack is checked here: the shared template resolved with the stack's values must equal its
deployed template resource by resource (`cfn.resolve`: as CloudFormation compares), or the stack keeps
its deployed template, with the reason in TEMPLATES.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError

from proton_exodus.cfn.normalise import load_normalised, normalise
from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER, fold, resolve_parameters
from proton_exodus.cfn.text import dump_template, load_template, load_yaml
from proton_exodus.errors import ExodusError
from proton_exodus.model.secrets import (
    DEFAULT_SECRET_MODE,
    SSM_PARAMETER_TYPE,
    SecretParameter,
    find_template_secrets,
    parameterise_template_secrets,
    placeholder_id,
    secret_lookup,
    secret_name,
    ssm_lookup,
    ssm_parameter_name,
)
from proton_exodus.model.snapshot import Snapshot
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.proton.analysis import TemplateAnalysis, analyse_template
from proton_exodus.proton.markers import marker
from proton_exodus.proton.parameterise import (
    TemplateParameter,
    lookup,
    parameter_name,
    parameter_value,
    substitute,
)
from proton_exodus.proton.render.jinja_env import namespace, render_jinja
from proton_exodus.translate.context import ContextBuilder
from proton_exodus.translate.merge import Choice, Conditions, NotMergeable, merge_renders
from proton_exodus.translate.rewrite import DERIVED, Derived, derive_filters, expand_aliases

PARAMETERISED, DEPLOYED = "parameterised", "deployed"
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class StackTemplate:
    """The template text and deployment-file parameters exodus writes for one stack."""

    unit: DeploymentUnit
    text: str
    key: str  # content hash of `text`; equal keys share one file
    parameters: dict[str, str]
    path: str  # PARAMETERISED or DEPLOYED
    reason: str
    secrets: dict[str, str] = field(default_factory=dict)  # secret name -> input name, to create by hand
    secret_parameters: tuple[SecretParameter, ...] = ()  # what to stage in Parameter Store (ssm-parameter)
    # Parameterised stacks: each parameter of the shared template and the Proton variable it stands for
    # (exodus repo reads it to validate and edit an instance's inputs).
    mapping: tuple[TemplateParameter, ...] = ()


@dataclass
class TemplateReport:
    """Which path one Proton template (name, major version, kind) took, for the export's summary."""

    template: str
    major: str
    kind: str
    source: str | None
    substitution: list[str] = field(default_factory=list)
    structural: list[str] = field(default_factory=list)
    parameters: list[TemplateParameter] = field(default_factory=list)
    stacks: int = 0
    parameterised_stacks: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)


def _merge_parameters(
    known: Sequence[TemplateParameter], new: Sequence[TemplateParameter]
) -> list[TemplateParameter]:
    """The report's parameters: every parameter any variant of the template uses, by name."""
    out = {p.name: p for p in known}
    out.update({p.name: p for p in new if p.name not in out})
    return sorted(out.values(), key=lambda p: p.name)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _schema_rules(prop: Mapping[str, Any]) -> dict[str, Any]:
    """A Proton schema property's type and limits as CloudFormation parameter properties (CloudFormation
    then refuses a value Proton would have refused)."""
    out: dict[str, Any] = {}
    if prop.get("type") in ("integer", "number"):
        out["Type"] = "Number"
        for key, rule in (("minimum", "MinValue"), ("maximum", "MaxValue")):
            if isinstance(prop.get(key), int | float) and not isinstance(prop.get(key), bool):
                out[rule] = prop[key]
    elif prop.get("type") == "string":
        if isinstance(prop.get("pattern"), str):
            out["AllowedPattern"] = prop["pattern"]
        for key, rule in (("minLength", "MinLength"), ("maxLength", "MaxLength")):
            if isinstance(prop.get(key), int) and not isinstance(prop.get(key), bool):
                out[rule] = prop[key]
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        out["AllowedValues"] = [parameter_value(v) for v in prop["enum"]]
    elif prop.get("type") == "boolean":
        out["AllowedValues"] = ["true", "false"]
    if "default" in prop and isinstance(prop["default"], _SCALARS):
        out["Default"] = parameter_value(prop["default"])
    return out


def _declaration(p: TemplateParameter, mode: str, prop: Mapping[str, Any] | None) -> dict[str, Any]:
    if p.sensitive:
        secret = (
            {"Type": SSM_PARAMETER_TYPE, "NoEcho": "true"} if mode == "ssm-parameter" else {"Type": "String"}
        )
        where = "Parameter Store String" if mode == "ssm-parameter" else "Secrets Manager secret"
        return {**secret, "Description": f"{where} holding Proton input {p.path}"}
    if p.role == "list":
        return {"Type": "CommaDelimitedList", "Description": f"Proton {p.path} (its items, comma-separated)"}
    if p.role == "defined":
        return {
            "Type": "String",
            "AllowedValues": ["true", "false"],
            "Description": f"whether Proton {p.path} is set",
        }
    return {"Type": "String", "Description": f"Proton {p.path}", **_schema_rules(prop or {})}


def _with_parameters(
    tree: dict[str, Any],
    params: Sequence[TemplateParameter],
    mode: str = DEFAULT_SECRET_MODE,
    schema: Mapping[str, Mapping[str, Any]] | None = None,
    optional: frozenset[str] = frozenset(),
    conditions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    decls = {p.name: _declaration(p, mode, (schema or {}).get(p.path)) for p in params}
    for p in params:
        if p.path in optional and p.role == "value" and not p.sensitive:
            # "" when the variable is not set: no schema rule can hold for it
            decls[p.name] = {"Type": "String", "Description": decls[p.name]["Description"], "Default": ""}
        elif p.path in optional and p.role == "value" and mode == "ssm-parameter":
            # an optional secret: a Parameter Store-typed parameter must name an existing parameter even
            # when the secret is not set; a public one every region has, read by no resource then
            decls[p.name]["Default"] = PUBLIC_SSM_PARAMETER
            decls[p.name]["Description"] += " (not set: an AWS public parameter no resource reads)"
    out: dict[str, Any] = {}
    for key in ("AWSTemplateFormatVersion", "Description", "Transform", "Metadata"):
        if key in tree:
            out[key] = tree[key]
    out["Parameters"] = {**(tree.get("Parameters") or {}), **decls}
    if "Mappings" in tree:
        out["Mappings"] = tree["Mappings"]
    if conditions or "Conditions" in tree:
        out["Conditions"] = {**(tree.get("Conditions") or {}), **(conditions or {})}
    out.update({k: v for k, v in tree.items() if k not in out})
    return out


@dataclass(frozen=True)
class _Slot:
    """One marker of a render: a variable's value, an item of a list variable, or a derived value."""

    path: str
    kind: str = "value"  # value | item | derived
    item: int = 0


@dataclass
class _Shape:
    """What one template version's translation knows before it looks at a group of stacks."""

    text: str
    source: str
    analysis: TemplateAnalysis
    derived: dict[str, Derived]
    domains: dict[str, tuple[str, ...]]  # bool/enum inputs (parameter spelling of each value)
    tested: tuple[str, ...]  # paths under `is defined`: a "defined" choice each
    sensitive_tested: tuple[str, ...]  # secrets under `is defined` not in `tested`: grouped by presence
    lists: tuple[str, ...]  # list inputs a loop iterates: a CommaDelimitedList, stacks grouped by length
    keyed: tuple[str, ...]  # every other structural variable: stacks grouped by its value
    schema: dict[str, dict[str, Any]] = field(default_factory=dict)  # input path -> schema property
    group: tuple[DeploymentUnit, ...] = ()  # the stacks of the template version
    # lists whose schema bounds their length (minItems..maxItems): one template, Conditions on the length
    lengths: dict[str, tuple[str, ...]] = field(default_factory=dict)


_MAX_RENDERS = 256
_ROOTS = ("environment.", "service.", "service_instance.", "pipeline.")


def _is_item_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, _SCALARS) and "," not in parameter_value(v) for v in value)
    )


def _assign(ctx: dict[str, Any], path: str, value: Any) -> None:
    node = ctx
    parts = path.split(".")
    for part in parts[:-1]:
        node[part] = dict(node[part]) if isinstance(node.get(part), Mapping) else {}
        node = node[part]
    node[parts[-1]] = value


def _remove(ctx: dict[str, Any], path: str) -> None:
    node: Any = ctx
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), Mapping):
            return
        node[part] = dict(node[part])
        node = node[part]
    node.pop(parts[-1], None)


_MAX_LENGTHS = 8  # lengths a list may take in one template (each one more render of every combination)


def _length_domain(prop: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The lengths a list input may take when its schema bounds them (Proton refused others, and the
    export's schema check still does): one template holds them all. Empty when unbounded."""
    low, high = (prop or {}).get("minItems"), (prop or {}).get("maxItems")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return ()
    low = max(int(low), 1)  # type: ignore[arg-type]
    if int(high) < low or int(high) - low + 1 > _MAX_LENGTHS:  # type: ignore[arg-type]
        return ()
    return tuple(str(n) for n in range(low, int(high) + 1))  # type: ignore[arg-type]


def _length_tests(parameter: str, lengths: Sequence[str]) -> dict[str, Any]:
    """Length -> a condition true when the CommaDelimitedList `parameter` has exactly that many items:
    item n-1 is set and item n is not, read from the list joined with one trailing comma (so item n
    exists for a list of n). Items are never empty (a comma-free, non-empty value each, or the proof
    fails), so an empty item is the end of the list."""

    def item(i: int) -> dict[str, Any]:
        padded = {"Fn::Join": ["", [{"Fn::Join": [",", {"Ref": parameter}]}, ","]]}
        return {"Fn::Select": [str(i), {"Fn::Split": [",", padded]}]}

    return {
        n: {
            "Fn::And": [
                {"Fn::Not": [{"Fn::Equals": [item(int(n) - 1), ""]}]},
                {"Fn::Equals": [item(int(n)), ""]},
            ]
        }
        for n in lengths
    }


def _for_each_reason(tree: Any, slots: Sequence[_Slot]) -> str:
    """Why a loop stays unrolled rather than `Fn::ForEach` (docs/templates.md has the evidence)."""
    items = [marker(i) for i, s in enumerate(slots) if s.kind == "item"]
    names = [str(k) for section in ("Resources", "Outputs") for k in (tree.get(section) or {})]
    if any(m in name for m in items for name in names):
        return (
            " (Fn::ForEach not built yet: its logical ids come from the items, which `&{}` reduces to"
            " their letters and digits)"
        )
    return (
        " (not Fn::ForEach: the deployed logical ids are not built from the items, as Fn::ForEach's are;"
        " a changed logical id is a new resource)"
    )


class StackTemplateBuilder:
    """Builds StackTemplates for the units of one snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        units: list[DeploymentUnit],
        *,
        parameterise: bool = True,
        secrets: str = DEFAULT_SECRET_MODE,
    ) -> None:
        self.snapshot = snapshot
        self.contexts = ContextBuilder(snapshot, units)
        self.parameterise = parameterise
        self.mode = secrets
        self.reports: dict[tuple[str, str, str], TemplateReport] = {}

    def secret_lookup(self, unit: DeploymentUnit) -> Callable[[str], str | None]:
        return secret_lookup(self.snapshot, unit)

    def build(self, units: Sequence[DeploymentUnit]) -> list[StackTemplate]:
        """A StackTemplate for every unit that has a deployed template, in the order given."""
        stacked = [u for u in units if u.stack_name and u.deployed_template is not None]
        by_source: dict[tuple, list[DeploymentUnit]] = {}
        for unit in stacked:
            source = self.contexts.template_source(unit)
            by_source.setdefault(
                (
                    unit.template_name,
                    unit.template_major,
                    unit.template_minor,
                    unit.kind,
                    source[0] if source else None,
                ),
                [],
            ).append(unit)
        built: dict[str, StackTemplate] = {}
        for key, group in by_source.items():
            for st in self._for_source(key, group):
                built[st.unit.arn] = st
        return [built[u.arn] for u in stacked]

    def report(self, unit: DeploymentUnit, source: str | None) -> TemplateReport:
        key = (unit.template_name or unit.name, unit.template_major or "-", unit.kind)
        if key not in self.reports:
            self.reports[key] = TemplateReport(key[0], key[1], key[2], source)
        return self.reports[key]

    def _for_source(self, key: tuple, group: list[DeploymentUnit]) -> list[StackTemplate]:
        first = group[0]
        source = self.contexts.template_source(first) if key[-1] else None
        report = self.report(first, source[0] if source else None)
        report.stacks += len(group)
        if source is None:
            report.notes.append("no Jinja CloudFormation bundle to analyse (kept as deployed)")
            return [self.deployed(u, "no bundle render available") for u in group]
        version = f"{first.template_name} {first.template_major}.{first.template_minor}"
        if self.contexts.context(first) is None:
            report.structural = sorted(set(report.structural) | set(analyse_template(source[1]).structural))
            return [
                self.deployed(u, "its Jinja is rendered per stack (service instances loop)") for u in group
            ]
        if not self.parameterise:
            return [self.deployed(u, "parameterisation switched off") for u in group]
        try:
            shape = self._shape(group, source, report, version)
        except TemplateSyntaxError as err:
            return [self.deployed(u, f"Jinja syntax error: {err.message}") for u in group]
        forced: set[str] = set()
        for _ in range(8):
            out, illegal = self._variants(group, shape, forced, report, version)
            if not illegal:
                report.parameterised_stacks += sum(1 for st in out if st.path == PARAMETERISED)
                report.structural = sorted(set(report.structural) | set(shape.keyed) | forced)
                return out
            forced |= illegal
        return [self.deployed(u, "variables land in literal-only places") for u in group]

    def _shape(
        self, group: list[DeploymentUnit], source: tuple[str, str], report: TemplateReport, version: str
    ) -> _Shape:
        unit = group[0]
        text, aliases = expand_aliases(source[1])
        text, derived = derive_filters(text)
        analysis = analyse_template(text)
        for alias in aliases:
            report.notes.append(f"{version}: alias `{alias}` expanded")
        for d in derived.values():
            report.notes.append(
                f"{version}: `{d.path} | replace('{d.old}', '{d.new}')` as Fn::Join/Fn::Split (exact)"
            )
        schema = self._schema(unit)
        domains = self._domains(schema)
        ctx = self.contexts.context(unit) or {}
        structural = [p for p in analysis.structural if p.startswith(_ROOTS)]
        sensitive = {p for p in analysis.tested if any(self._is_sensitive(u, p) for u in group)}
        # An optional secret staged in Parameter Store is one more `is defined` choice (unset, its
        # parameter names PUBLIC_SSM_PARAMETER); as a Secrets Manager name, stacks are grouped by presence.
        grouped = sensitive if self.mode != "ssm-parameter" else set()
        tested = tuple(p for p in analysis.tested if p.startswith(_ROOTS) and p not in grouped)
        lists = tuple(
            p for p in structural if p not in domains and p not in tested and _is_item_list(lookup(ctx, p)[1])
        )
        keyed = tuple(
            p
            for p in structural
            if p not in domains
            and p not in tested
            and p not in lists
            and p not in sensitive
            and not any(p.startswith(t + ".") for t in (*tested, *sensitive))
        )
        return _Shape(
            text,
            source[0],
            analysis,
            derived,
            {p: v for p, v in domains.items() if p in analysis.structural},
            tested,
            tuple(sorted(grouped)),
            lists,
            keyed,
            schema,
            tuple(group),
            {p: _length_domain(schema.get(p)) for p in lists if _length_domain(schema.get(p))},
        )

    def _schema(self, unit: DeploymentUnit) -> dict[str, dict[str, Any]]:
        """Input path -> its property in the unit's template version schema (read leniently)."""
        record = self.contexts.versions.get((unit.template_name, unit.template_major, unit.template_minor))
        kind = "environment" if unit.kind == "environment" else "service"
        prefix = "environment.inputs." if unit.kind == "environment" else "service_instance.inputs."
        try:
            doc = load_yaml((record or {}).get("schema") or "")
        except Exception:  # noqa: BLE001 - a schema exodus cannot read gives no domains
            return {}
        root = doc.get("schema") if isinstance(doc, dict) else None
        types = root.get("types") if isinstance(root, dict) else None
        type_def = types.get(root.get(f"{kind}_input_type")) if isinstance(types, dict) else None
        props = type_def.get("properties") if isinstance(type_def, dict) else None
        return {prefix + k: v for k, v in (props or {}).items() if isinstance(v, dict)}

    def _domains(self, schema: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
        """Boolean and enum inputs (values as parameters spell them): rendered once per value."""
        out: dict[str, tuple[str, ...]] = {}
        for path, prop in schema.items():
            if prop.get("type") == "boolean":
                out[path] = ("true", "false")
            elif isinstance(prop.get("enum"), list) and prop["enum"]:
                out[path] = tuple(dict.fromkeys(parameter_value(v) for v in prop["enum"]))
        return out

    def _variant_key(self, unit: DeploymentUnit, shape: _Shape, forced: set[str]) -> str:
        ctx = self.contexts.context(unit) or {}
        key: list[Any] = []
        for p in sorted(set(shape.keyed) | forced):
            key.append([p, lookup(ctx, p)])
        for p in shape.lists:
            if p not in forced and p not in shape.lengths:
                found, value = lookup(ctx, p)
                key.append([p, "len", len(value) if found and _is_item_list(value) else repr(value)])
        for p in shape.sensitive_tested:
            key.append([p, "set", lookup(ctx, p)[0]])
        return json.dumps(key, default=str, sort_keys=True)

    def _variants(
        self,
        group: list[DeploymentUnit],
        shape: _Shape,
        forced: set[str],
        report: TemplateReport,
        version: str,
    ) -> tuple[list[StackTemplate], set[str]]:
        variants: dict[str, list[DeploymentUnit]] = {}
        for unit in group:
            variants.setdefault(self._variant_key(unit, shape, forced), []).append(unit)
        if len(variants) > 1:
            report.notes.append(
                f"{version}: {len(variants)} shared templates (stacks grouped by "
                + ", ".join(
                    f"`{p}`"
                    for p in [
                        *sorted(set(shape.keyed) | forced),
                        *(p for p in shape.lists if p not in shape.lengths),
                        *shape.sensitive_tested,
                    ]
                )
                + ")"
            )
        out: list[StackTemplate] = []
        for members in variants.values():
            built = self._shared(members, shape, forced, report, version)
            if isinstance(built, set):
                return [], built
            out.extend(built)
        return out, set()

    def _slots(self, ctx: Mapping[str, Any], shape: _Shape, forced: set[str]) -> list[_Slot]:
        slots: list[_Slot] = []
        values = set()
        for p in shape.analysis.bare:
            if p in shape.derived:
                values.add(shape.derived[p].path)
            elif p.startswith(_ROOTS) and not {p} & (
                set(shape.domains) | forced | set(shape.lists) | set(shape.keyed)
            ):
                found, value = lookup(ctx, p)
                if (found and isinstance(value, _SCALARS)) or (not found and p in shape.tested):
                    values.add(p)
        for p in sorted(values):
            slots.append(_Slot(p))
        for p in shape.lists:
            if p not in forced:
                count = int(shape.lengths[p][-1]) if p in shape.lengths else len(lookup(ctx, p)[1])
                slots.extend(_Slot(p, "item", i) for i in range(count))
        for p in sorted(shape.derived):
            slots.append(_Slot(p, "derived"))
        return slots

    def _render(
        self,
        ctx0: Mapping[str, Any],
        shape: _Shape,
        slots: list[_Slot],
        choices: list[tuple[str, Choice, str]],
        assigned: Mapping[str, str],
    ) -> Any:
        ctx: dict[str, Any] = {**ctx0, DERIVED: {}}
        lists: dict[str, list[str]] = {}
        for i, slot in enumerate(slots):
            if slot.kind == "item":
                lists.setdefault(slot.path, []).append(marker(i))
            else:
                _assign(ctx, slot.path, marker(i))
        for path, choice, role in choices:
            if role == "length":
                lists[path] = lists[path][: int(assigned[choice.parameter])]
        for path, items in lists.items():
            _assign(ctx, path, items)
        for path, choice, role in choices:
            value = assigned[choice.parameter]
            if role == "length":
                continue
            if role == "defined":
                if value == "false":
                    _remove(ctx, path)
            elif shape.domains[path] == ("true", "false"):
                _assign(ctx, path, value == "true")
            else:
                found, raw = lookup(ctx0, path)
                _assign(ctx, path, raw if found and parameter_value(raw) == value else value)
        rendered = render_jinja(shape.text, {k: namespace(k, v) for k, v in ctx.items()}, source=shape.source)
        return load_template(rendered, source=shape.source)

    def _shared(
        self,
        members: list[DeploymentUnit],
        shape: _Shape,
        forced: set[str],
        report: TemplateReport,
        version: str,
    ) -> list[StackTemplate] | set[str]:
        first = members[0]
        ctx = self.contexts.context(first) or {}
        slots = self._slots(ctx, shape, forced)
        try:
            taken_tree = self._render(ctx, shape, slots, [], {})
        except (ExodusError, KeyError, TypeError) as err:
            return [self.deployed(u, f"render failed: {err}") for u in members]
        taken = {str(k) for section in taken_tree.values() if isinstance(section, dict) for k in section}
        names: dict[str, str] = {}
        params: list[TemplateParameter] = []
        for slot in slots:
            if slot.kind == "derived" or slot.path in names:
                continue
            sensitive = any(self._is_sensitive(u, slot.path) for u in shape.group)
            # a secret's parameter holds where the value is staged, never the value: a name no spec input
            # normalises to (a service pipeline sets the parameters named like its spec inputs)
            named = slot.path.replace(".inputs.", ".inputs.exodus_secret_") if sensitive else slot.path
            names[slot.path] = parameter_name(named, taken)
            role = "list" if slot.kind == "item" else "value"
            params.append(TemplateParameter(names[slot.path], slot.path, sensitive, role))
        choices: list[tuple[str, Choice, str]] = []
        for path in sorted(shape.domains):
            if path in forced:
                continue
            name = parameter_name(path, taken)
            choices.append((path, Choice(name, shape.domains[path]), "value"))
            params.append(TemplateParameter(name, path))
        for path in shape.tested:
            if path in forced:
                continue
            name = parameter_name(path + ".defined", taken)
            choices.append((path, Choice(name, ("true", "false")), "defined"))
            params.append(TemplateParameter(name, path, role="defined"))
        for path in shape.lists:
            if path in shape.lengths and path not in forced and path in names:
                name = parameter_name(path + ".length", taken | set(names.values()))
                tests = _length_tests(names[path], shape.lengths[path])
                choices.append((path, Choice(name, shape.lengths[path], tests), "length"))
        renders = 1
        for _, choice, _ in choices:
            renders *= len(choice.values)
        if renders > _MAX_RENDERS:
            return [self.deployed(u, f"{renders} combinations of conditions to render") for u in members]
        conditions = Conditions()
        try:
            merged = merge_renders(
                [c for _, c, _ in choices],
                lambda assigned: self._render(ctx, shape, slots, choices, assigned),
                conditions,
            )
        except NotMergeable as err:
            return [self.deployed(u, f"conditions cannot express it: {err}") for u in members]
        except (ExodusError, KeyError, TypeError) as err:
            return [self.deployed(u, f"render failed: {err}") for u in members]
        refs: dict[int, Any] = {}
        labels: dict[int, str] = {}
        for i, slot in enumerate(slots):
            labels[i] = slot.path if slot.kind != "item" else f"{slot.path}[{slot.item}]"
            if slot.kind == "value":
                refs[i] = names[slot.path]
            elif slot.kind == "item":
                refs[i] = {"Fn::Select": [str(slot.item), {"Ref": names[slot.path]}]}
            else:
                d = shape.derived[slot.path]
                refs[i] = d.intrinsic({"Ref": names[d.path]})
                labels[i] = d.path
        new_tree, bad = substitute(merged, refs, labels)
        if bad:
            return {
                slots[i].path if slots[i].kind != "derived" else shape.derived[slots[i].path].path
                for i in bad
            }
        params = [p for p in params if not (p.role == "value" and p.path in shape.derived)]
        new_tree = _with_parameters(
            new_tree,
            params,
            self.mode,
            schema=shape.schema,
            optional=frozenset(shape.tested),
            conditions=conditions.body,
        )
        text = dump_template(new_tree)
        normal = normalise(load_template(text))
        report.parameters = _merge_parameters(report.parameters, params)
        for p in params:
            if p.sensitive and p.role == "value" and p.path in shape.tested:
                report.notes.append(
                    f"{version}: optional secret `{p.path}` in one template: `{p.name}` names its Parameter "
                    f"Store parameter when set, AWS's public `{PUBLIC_SSM_PARAMETER}` (read by no resource) "
                    "when not"
                )
        if conditions.body:
            report.notes.append(
                f"{version}: Jinja conditions on "
                + ", ".join(f"`{p}`" for p, _, _ in choices)
                + f" as CloudFormation Conditions ({len(conditions.body)})"
            )
        bounded = sorted({p for p, c, role in choices if role == "length"})
        for p in bounded:
            report.notes.append(
                f"{version}: loop over `{p}` in one template for every length its schema allows"
                f" ({', '.join(shape.lengths[p])} items): the items past the shortest under CloudFormation"
                " Conditions on the list's length" + _for_each_reason(taken_tree, slots)
            )
        if any(s.kind == "item" and s.path not in bounded for s in slots):
            report.notes.append(
                f"{version}: loops over "
                + ", ".join(
                    sorted({f"`{s.path}`" for s in slots if s.kind == "item" and s.path not in bounded})
                )
                + " unrolled per list length, items read with Fn::Select from a CommaDelimitedList"
                + _for_each_reason(taken_tree, slots)
            )
        return [
            self._check(unit, text, normal, params, frozenset(shape.tested))
            or self.deployed(unit, "the parameterised template does not reproduce the deployed one")
            for unit in members
        ]

    def _is_sensitive(self, unit: DeploymentUnit, path: str) -> bool:
        head, _, name = path.partition(".inputs.")
        return bool(name) and head in ("environment", "service_instance") and name in unit.sensitive_inputs

    def _check(
        self,
        unit: DeploymentUnit,
        text: str,
        normal: dict[str, Any],
        params: list[TemplateParameter],
        optional: frozenset[str] = frozenset(),
    ) -> StackTemplate | None:
        """The StackTemplate of `unit` on the shared template, or None when the template resolved with
        the unit's values is not the deployed one (the proof, per stack)."""
        ctx = self.contexts.context(unit) or {}
        values, secrets, staged = {}, {}, []
        for p in params:
            found, value = lookup(ctx, p.path)
            if p.role == "defined":
                values[p.name] = "true" if found else "false"
                continue
            if not found and p.role == "value" and not p.sensitive and p.path in optional:
                values[p.name] = ""
                continue
            if not found and p.role == "value" and p.sensitive and p.path in optional:
                if self.mode != "ssm-parameter":
                    return None
                values[p.name] = PUBLIC_SSM_PARAMETER  # the secret is not set: nothing to stage
                continue
            if not found:
                return None
            if p.role == "list":
                if not _is_item_list(value):
                    return None
                values[p.name] = ",".join(parameter_value(v) for v in value)
            elif p.sensitive and self.mode == "ssm-parameter":
                input_name = p.path.rsplit(".", 1)[-1]
                secret_id = self._secret_id(unit, input_name)
                if secret_id is None:
                    return None
                values[p.name] = ssm_parameter_name(unit.stack_name or "", input_name)
                staged.append(SecretParameter(p.name, values[p.name], secret_id, input_name))
            elif p.sensitive:
                values[p.name] = secret_name(unit.stack_name or "", p.path.rsplit(".", 1)[-1])
                secrets[values[p.name]] = p.path.rsplit(".", 1)[-1]
            else:
                values[p.name] = parameter_value(value)
        values.update({k: v for k, v in unit.parameters.items() if k in (normal.get("Parameters") or {})})
        deployed = fold(load_normalised(unit.deployed_template or "", source=unit.stack_name or ""))
        keep = frozenset((deployed.get("Parameters") or {}).keys())
        # Compared as CloudFormation compares: SSM parameters resolved, dynamic references as text,
        # conditions and parameter-only functions evaluated; the Description is stack text, no resource
        # (a shared template cannot carry each stack's own: a planned NoResourceChange).
        resolved = resolve_parameters(normal, values, keep=keep, ssm=ssm_lookup(self.snapshot, unit))
        resolved.pop("Description", None)
        deployed.pop("Description", None)
        if resolved != deployed:
            return None
        return StackTemplate(
            unit,
            text,
            text_key(text),
            values,
            PARAMETERISED,
            "shared parameterised template, proven equal to the deployed one",
            secrets,
            tuple(staged),
            tuple(params),
        )

    def _secret_id(self, unit: DeploymentUnit, input_name: str) -> str | None:
        """The secrets.json id holding a sensitive input's value (None when the snapshot has none)."""
        held = unit.inputs.get(input_name)
        if placeholder_id(held) is not None:
            return placeholder_id(held)
        return next((sid for sid, v in sorted(self.snapshot.secrets.items()) if str(v) == str(held)), None)

    def deployed(self, unit: DeploymentUnit, reason: str) -> StackTemplate:
        """The stack's template exactly as deployed, its secrets out of it (swap_secrets)."""
        text, staged = swap_secrets(unit.deployed_template or "", self.snapshot, unit, self.mode)
        text = text if text.endswith("\n") else text + "\n"
        parameters = {**unit.parameters, **{p.parameter: p.ssm_name for p in staged if p.parameter}}
        secrets = {p.ssm_name: p.input_name for p in staged if not p.parameter}
        return StackTemplate(
            unit,
            text,
            text_key(text),
            parameters,
            DEPLOYED,
            reason,
            secrets,
            tuple(p for p in staged if p.parameter),
        )


def swap_secrets(
    text: str, snapshot: Snapshot, unit: DeploymentUnit, mode: str = DEFAULT_SECRET_MODE
) -> tuple[str, list[SecretParameter]]:
    """A deployed template with every secret it holds (clear value or snapshot placeholder) out of it:
    `ssm-parameter` (default) adds a parameter of type AWS::SSM::Parameter::Value<String> per secret,
    whose deployment value is the Parameter Store name to stage (the first deploy changes nothing);
    `dynamic-reference` writes `{{resolve:secretsmanager:exodus/<stack>/<input>}}` (a planned change).
    Text without secrets is returned unchanged. Every built-in target uses this one function."""
    found = find_template_secrets(text, snapshot.secrets, unit.inputs)
    if not found:
        return text, []
    tree, staged = parameterise_template_secrets(
        load_template(text), found, stack=unit.stack_name or unit.name, mode=mode
    )
    return dump_template(tree), staged
