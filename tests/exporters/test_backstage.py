"""backstage on the demo estate: every entity passes Backstage's own validators, every service and
environment has an entity, every Proton template a software template whose form has a field per input
and refuses what the Proton schema refuses (the same specs through both)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jsonschema import Draft7Validator

from exporters import Registry
from exporters.backstage import exporter as backstage
from exporters.backstage import portal
from exporters.backstage.catalog import entity_name
from exporters.backstage.exporter import entities_of
from exporters.backstage.form import PAGE_FIELD, SECRET_HELP
from proton_exodus.cfn.text import load_yaml
from proton_exodus.errors import BadInput, SchemaError
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import Snapshot, load_snapshot
from proton_exodus.model.units import build_units
from proton_exodus.proton.schema import TemplateSchema
from tests.exporters import backstage_npm

REG = Registry({"backstage": lambda: backstage})
DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"


def _export(snapshot: Snapshot, out: Path, **options: str) -> dict[str, str]:
    run_export("backstage", snapshot, out, registry=REG, options=options)
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, dict[str, str]]:
    snapshot = load_snapshot(DEMO)
    out = tmp_path_factory.mktemp("backstage") / "export"
    return snapshot, _export(snapshot, out, repository="https://github.com/acme/proton-export")


def test_every_entity_passes_backstages_validators(demo: tuple[Snapshot, dict[str, str]]) -> None:
    _, files = demo
    entities = entities_of(files)
    assert len(entities) > 40
    modules = backstage_npm.install()
    assert backstage_npm.validate(modules, entities) == {}
    # the validators do refuse a broken entity (the check above can fail)
    broken = copy.deepcopy(next(e for p, e in entities.items() if p.startswith("catalog/services/")))
    del broken["spec"]["lifecycle"]
    template = copy.deepcopy(next(e for p, e in entities.items() if p.endswith("/template.yaml")))
    template["spec"]["steps"][0]["action"] = 7
    assert set(backstage_npm.validate(modules, {"a": broken, "b": template})) == {"a", "b"}


def test_every_service_environment_and_stack_has_an_entity(demo: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, files = demo
    entities = entities_of(files)
    by_kind: dict[str, set[str]] = {}
    for entity in entities.values():
        by_kind.setdefault(entity["kind"], set()).add(entity["metadata"]["name"])
    assert {entity_name(s["name"]) for s in snapshot.kind("services")} <= by_kind["Component"]
    assert {entity_name(e["name"]) for e in snapshot.kind("environments")} <= by_kind["Resource"]
    stacks = {
        e["metadata"]["annotations"]["proton-exodus/stack-name"]
        for e in entities.values()
        if e["kind"] == "Resource" and e["spec"]["type"] == "cloudformation-stack"
    }
    assert stacks == {u.stack_name for u in build_units(snapshot) if u.stack_name}
    location = load_yaml(files["catalog-info.yaml"])
    assert sorted(t.removeprefix("./") for t in location["spec"]["targets"]) == sorted(
        p for p in entities if p != "catalog-info.yaml"
    )
    # every reference names an entity of the export (no dangling owner, system or dependency)
    names = {f"{e['kind'].lower()}:default/{e['metadata']['name']}" for e in entities.values()}
    for entity in entities.values():
        spec = entity["spec"]
        refs = [spec.get("owner"), *(spec.get("dependsOn") or [])]
        refs += [f"system:default/{spec['system']}"] if spec.get("system") else []
        assert {r for r in refs if r} <= names, entity["metadata"]["name"]


def test_depends_on_follows_the_dependency_graph(demo: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, files = demo
    entities = entities_of(files)
    by_arn = {
        e["metadata"]["annotations"]["proton-exodus/proton-arn"]: e
        for e in entities.values()
        if e["kind"] == "Resource" and e["spec"]["type"] == "cloudformation-stack"
    }
    checked = 0
    for unit in build_units(snapshot):
        if unit.kind == "service_instance" and unit.stack_name:
            env_units = [
                u for u in build_units(snapshot) if u.kind == "environment" and u.name == unit.environment
            ]
            if env_units and env_units[0].stack_name:
                env_ref = f"resource:default/{by_arn[env_units[0].arn]['metadata']['name']}"
                assert env_ref in by_arn[unit.arn]["spec"].get("dependsOn", []), unit.label
                checked += 1
    assert checked >= 10


def _templates(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {e["metadata"]["name"]: e for p, e in entities_of(files).items() if p.endswith("/template.yaml")}


def _field(template: dict[str, Any], kind: str) -> dict[str, Any]:
    for page in template["spec"]["parameters"]:
        if PAGE_FIELD[kind] in page["properties"]:
            return page["properties"][PAGE_FIELD[kind]]
    raise AssertionError(f"no {kind} page")


def _newest(snapshot: Snapshot) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in ("environment", "service"):
        for v in snapshot.kind(f"{kind}_template_versions"):
            key = (v["templateName"], str(v["majorVersion"]))
            if key not in out or int(v["minorVersion"]) > int(out[key]["minorVersion"]):
                out[key] = v
    return out


def test_a_software_template_per_proton_template_with_a_field_per_input(
    demo: tuple[Snapshot, dict[str, str]],
) -> None:
    snapshot, files = demo
    templates = _templates(files)
    newest = _newest(snapshot)
    assert set(templates) == {entity_name(f"{n}-v{m}") for n, m in newest}
    for (name, major), version in newest.items():
        schema = TemplateSchema.parse(version["schema"])
        template = templates[entity_name(f"{name}-v{major}")]
        assert template["spec"]["steps"][-1]["action"] == "publish:github:pull-request"
        assert [p["title"] for p in template["spec"]["parameters"]][0] == "Instance"
        for kind in schema.input_types():
            form = _field(template, kind)
            Draft7Validator.check_schema(form)
            assert set(form["properties"]) == set(schema.properties(kind)), (name, kind)
            for prop, spec in schema.properties(kind).items():
                if prop in _secrets(form):  # a secret is a yes/no field: the form never takes its value
                    assert form["properties"][prop]["type"] == "boolean", (name, prop)
                    continue
                for key in ("enum", "default", "pattern", "minimum", "maximum", "minLength", "maxLength"):
                    if key in spec:
                        assert form["properties"][prop][key] == spec[key], (name, prop, key)


def _secrets(form: dict[str, Any]) -> set[str]:
    """The inputs the form asks only "has one" about (secrets: form.secret_flag)."""
    return {p for p, v in form["properties"].items() if v.get("description") == SECRET_HELP}


def _violations(prop: dict[str, Any]) -> list[Any]:
    """Values the property's constraints refuse."""
    out: list[Any] = []
    kind = prop.get("type")
    out.append({"string": 12, "number": "twelve", "integer": 1.5, "boolean": "yes", "array": "x"}.get(kind))
    if "enum" in prop:
        out.append("not-one-of-them" if kind == "string" else 987654)
    if "pattern" in prop:
        out.append("!! not matching !!")
    if "minimum" in prop:
        out.append(prop["minimum"] - 1)
    if "maximum" in prop:
        out.append(prop["maximum"] + 1)
    if "minLength" in prop and prop["minLength"] > 0:
        out.append("")
    if "maxLength" in prop:
        out.append("x" * (prop["maxLength"] + 1))
    if kind == "array" and "minItems" in prop:
        out.append([])
    return [v for v in out if v is not None]


def _proton_accepts(schema: TemplateSchema, kind: str, spec: dict[str, Any]) -> bool:
    try:
        schema.apply_defaults_and_validate(kind, spec, path="spec")
    except SchemaError:
        return False
    return True


def test_the_form_refuses_what_the_proton_schema_refuses(demo: tuple[Snapshot, dict[str, str]]) -> None:
    """The estate's own specs and, from each, one spec per constraint of each input broken: the form's
    JSON Schema and Proton's schema check give the same verdict on every one."""
    snapshot, files = demo
    templates = _templates(files)
    units = build_units(snapshot)
    verdicts = {True: 0, False: 0}
    cases: list[tuple[dict[str, Any], dict[str, Any], bool]] = []
    for (name, major), version in _newest(snapshot).items():
        schema = TemplateSchema.parse(version["schema"])
        template = templates[entity_name(f"{name}-v{major}")]
        for kind in schema.input_types():
            form = Draft7Validator(_field(template, kind))
            type_name = schema.input_types()[kind]
            required = set(schema.types[type_name].get("required") or [])
            unit_kinds = ("service_pipeline",) if kind == "pipeline" else ("environment", "service_instance")
            specs = [dict(u.inputs) for u in units if u.template_name == name and u.kind in unit_kinds]
            valid = [s for s in specs if _proton_accepts(schema, kind, s)]
            base = valid[0] if valid else {}
            secrets = _secrets(_field(template, kind))
            for prop_name, prop in schema.properties(kind).items():
                if prop_name not in secrets:  # its value never reaches the form (a yes/no field)
                    specs += [{**base, prop_name: bad} for bad in _violations(prop)]
                if prop_name in required and "default" not in prop:
                    specs.append({k: v for k, v in base.items() if k != prop_name})
            for spec in specs:
                proton = _proton_accepts(schema, kind, spec)
                filled = {k: (True if k in secrets else v) for k, v in spec.items()}
                assert proton == (not list(form.iter_errors(filled))), (name, kind, spec)
                verdicts[proton] += 1
                cases.append((_field(template, kind), filled, proton))
    assert verdicts[False] > 40 and verdicts[True] > 10, verdicts
    # the same specs through the validator the scaffolder's forms run (Ajv 8, from Backstage's own packages)
    ajv = backstage_npm.form_verdicts(backstage_npm.install(), [(f, s) for f, s, _ in cases])
    assert [(s, v) for (_, s, proton), v in zip(cases, ajv, strict=True) if v is not proton] == []


def test_without_an_export_the_skeleton_writes_the_request_the_form_filled(tmp_path: Path) -> None:
    files = _export(load_snapshot(DEMO), tmp_path / "export", export="none")
    path = next(p for p in files if "demo-fargate-svc-v1/skeleton/" in p)
    assert path.endswith("proton-specs/services/${{ values.service }}/${{ values.instance }}.yaml")
    env = jinja2.Environment(variable_start_string="${{", variable_end_string="}}", autoescape=False)
    env.filters["dump"] = json.dumps  # nunjucks' dump is JSON.stringify

    class _Object(dict):  # nunjucks' `for key, value in object` iterates the pairs
        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(self.items())

    values = {
        "operation": "new-instance",
        "template": "demo-fargate-svc",
        "version": "1.1",
        "service": "orders-api",
        "instance": "qa",
        "environment": "staging",
        "service_inputs": _Object({"port": 8081, "image": "x:1", "db_password": True}),
        "pipeline_inputs": {},
    }
    text = env.from_string(files[path]).render(values=values)
    doc = load_yaml(text)
    # the secret's field says only "has one": it is no input of the request nor of its command
    assert doc["spec"] == {"port": 8081, "image": "x:1"} and doc["instance"] == "qa"
    assert doc["template"] == "service/demo-fargate-svc" and doc["version"] == "1.1"
    command = text.splitlines()[1].removeprefix("#   ")
    assert command == (
        "exodus repo new-instance orders-api/qa 'port=8081' 'image=\"x:1\"' "
        "--template service/demo-fargate-svc --version 1.1 --environment staging"
    )
    values["operation"] = "set"
    assert env.from_string(files[path]).render(values=values).splitlines()[1] == (
        "#   exodus repo set orders-api/qa 'port=8081' 'image=\"x:1\"'"
    )
    # the pull request names the Secrets Manager secret `exodus repo` asks for, with the command
    entity = load_yaml(files[path.split("/skeleton/")[0] + "/template.yaml"])
    form = {"service": "orders-api", "instance": "qa", "service_inputs": {"db_password": True}}
    body = portal.pull_request(entity, form, source="t")["description"]
    assert (
        "aws secretsmanager create-secret --name 'exodus/orders-api-qa/db_password' "
        '--secret-string "$DB_PASSWORD"'
    ) in body
    form["service_inputs"]["db_password"] = False
    assert "create-secret" not in portal.pull_request(entity, form, source="t")["description"]


def test_owners_from_tags_then_the_owners_file(tmp_path: Path) -> None:
    snapshot = load_snapshot(DEMO)
    for kind, records in snapshot.records.items():  # only the tag this test sets (the demo has its own)
        snapshot.records[kind] = [{**r, "tags": {}} if "tags" in r else r for r in records]
    snapshot.records["services"] = [
        {**s, "tags": {"Team": "payments"}} if s["name"] == "payments-api" else s
        for s in snapshot.kind("services")
    ]
    files = _export(snapshot, tmp_path / "a")
    component = load_yaml(files["catalog/services/payments-api.yaml"])
    assert component["spec"]["owner"] == "group:default/payments"
    assert "catalog/groups/payments.yaml" in files
    assert load_yaml(files["catalog/services/orders-api.yaml"])["spec"]["owner"] == "group:default/unassigned"
    owners = tmp_path / "owners.yaml"
    owners.write_text("payments-api: group:default/billing\n'*': platform\n")
    files = _export(snapshot, tmp_path / "b", owners=str(owners))
    assert load_yaml(files["catalog/services/payments-api.yaml"])["spec"]["owner"] == "group:default/billing"
    assert load_yaml(files["catalog/services/orders-api.yaml"])["spec"]["owner"] == "group:default/platform"


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    snapshot = load_snapshot(DEMO)
    owners = tmp_path / "owners.yaml"
    owners.write_text("- a list\n")
    with pytest.raises(BadInput, match=r"--opt owners=.*expected a mapping"):
        _export(snapshot, tmp_path / "a", owners=str(owners))
    with pytest.raises(BadInput, match="cannot read"):
        _export(snapshot, tmp_path / "b", owners=str(tmp_path / "missing.yaml"))
    with pytest.raises(BadInput, match="unknown option 'colour'"):
        _export(snapshot, tmp_path / "c", colour="red")
    with pytest.raises(BadInput, match="repository"):
        _export(snapshot, tmp_path / "d", repository="acme/x")
    with pytest.raises(BadInput, match=r"--opt export='terraform'"):
        _export(snapshot, tmp_path / "e", export="terraform")
    assert not (tmp_path / "a").exists() and not (tmp_path / "d").exists()


def test_same_snapshot_same_bytes(demo: tuple[Snapshot, dict[str, str]], tmp_path: Path) -> None:
    snapshot, files = demo
    again = _export(snapshot, tmp_path / "again", repository="https://github.com/acme/proton-export")
    assert again == files


def test_form_schema_from_openapi_constructs() -> None:
    """Named types are inlined, draft-4 exclusive bounds become draft-07 numbers, nullable is kept, and an
    input with a default is not required (the form fills it in, as Proton's check did)."""
    from exporters.backstage.form import input_schema

    schema = TemplateSchema.parse(
        """
schema:
  format: {openapi: "3.0.0"}
  service_input_type: In
  types:
    Size: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 10}
    In:
      type: object
      required: [size, name, tier]
      properties:
        size: {$ref: "#/types/Size"}
        name: {type: string, nullable: true}
        tier: {type: string, enum: [a, b], default: a}
"""
    )
    body = input_schema(schema, "service")
    Draft7Validator.check_schema(body)
    assert body["properties"]["size"] == {"type": "number", "exclusiveMinimum": 0, "maximum": 10}
    assert body["required"] == ["size", "name"] and body["properties"]["name"]["type"] == ["string", "null"]
    form = Draft7Validator(body)
    for spec in (
        {"size": 0, "name": "x"},
        {"size": 5},
        {"size": 5, "name": None, "tier": "c"},
        {"size": 5, "name": None},
    ):
        assert (not list(form.iter_errors(spec))) == _proton_accepts(schema, "service", spec), spec


def test_a_template_owned_by_its_own_team_gets_that_group(tmp_path: Path) -> None:
    owners = tmp_path / "owners.yaml"
    owners.write_text("demo-lambda-svc: serverless-team\n")
    files = _export(load_snapshot(DEMO), tmp_path / "out", owners=str(owners))
    template = load_yaml(files["templates/demo-lambda-svc-v1/template.yaml"])
    assert template["spec"]["owner"] == "group:default/serverless-team"
    assert load_yaml(files["catalog/groups/serverless-team.yaml"])["kind"] == "Group"
    assert "./catalog/groups/serverless-team.yaml" in load_yaml(files["catalog-info.yaml"])["spec"]["targets"]


def test_a_synthetic_estate_with_faults_passes_the_validators(tmp_path: Path) -> None:
    """Components, a cross-account environment, a missing bundle, failed deployments, secrets: every entity
    still passes Backstage's validators and owners come from the estate's `team` tags."""
    from proton_exodus.testing.synthetic import SyntheticSize, build_synthetic_snapshot

    size = SyntheticSize(3, 4, 2, components=2, account_connections=1, repositories=True, faults=True)
    files = _export(build_synthetic_snapshot(size), tmp_path / "out")
    entities = entities_of(files)
    assert backstage_npm.validate(backstage_npm.install(), entities) == {}
    owners = {e["spec"]["owner"] for e in entities.values() if e["kind"] == "Component"}
    assert owners and all(o.startswith("group:default/team-") for o in owners)


def test_demo_with_its_secrets_keeps_them_out(tmp_path: Path) -> None:
    """The demo estate WITH its planted secrets: no clear secret and no placeholder in any file (the
    catalog holds no input value; a form default is a schema default, never an instance's input)."""
    from tests.verify.demo_estate import demo_snapshot

    snapshot = demo_snapshot()
    files = _export(snapshot, tmp_path / "export")
    secrets = [str(v) for v in snapshot.secrets.values() if len(str(v)) >= 6]
    assert secrets
    for path, text in files.items():
        assert "{{exodus:secret:" not in text and not any(s in text for s in secrets), path


def test_instances_behind_their_recommended_version_are_tagged(demo: tuple[Snapshot, dict[str, str]]) -> None:
    """Proton's version dashboard survives: a stack on an older minor than its major's newest is tagged
    `outdated` (and so is its service's Component), with the recommended version annotated."""
    snapshot, files = demo
    newest: dict[tuple[str, str], int] = {}
    for kind in ("environment", "service"):
        for v in snapshot.kind(f"{kind}_template_versions"):
            key = (v["templateName"], str(v["majorVersion"]))
            newest[key] = max(newest.get(key, -1), int(v["minorVersion"]))
    expected = {
        u.stack_name
        for u in build_units(snapshot)
        if u.stack_name
        and u.template_name
        and int(u.template_minor or 0) < newest[(u.template_name, str(u.template_major))]
    }
    stacks = {
        e["metadata"]["annotations"]["proton-exodus/stack-name"]: e
        for e in entities_of(files).values()
        if e["kind"] == "Resource" and e["spec"]["type"] == "cloudformation-stack"
    }
    assert expected and {n for n, e in stacks.items() if "outdated" in e["metadata"]["tags"]} == expected
    services = {u.service for u in build_units(snapshot) if u.stack_name in expected and u.service}
    components = {e["metadata"]["name"] for e in entities_of(files).values() if e["kind"] == "Component"}
    tagged = {
        e["metadata"]["name"]
        for e in entities_of(files).values()
        if e["kind"] == "Component" and "outdated" in e["metadata"]["tags"]
    }
    assert tagged == {entity_name(s) for s in services} and tagged <= components


def test_two_services_of_one_name_are_a_finding(tmp_path: Path) -> None:
    snapshot = load_snapshot(DEMO)
    twin = {**snapshot.kind("services")[0], "account": "333333333333"}
    twin["arn"] = twin["arn"].replace("111111111111", "333333333333")
    snapshot.records["services"] = [*snapshot.kind("services"), twin]
    report = run_export("backstage", snapshot, tmp_path / "out", registry=REG)
    assert [f.resource for f in report.findings if f.code == "W-BACKSTAGE-NAME-CLASH"] == [
        ", ".join(sorted({twin["arn"], snapshot.kind("services")[0]["arn"]}))
    ]


# --- the skeleton writes the instance's Git sync deployment file itself (shared templates) ---------------

_WHOLE = re.compile(r"^\$\{\{ parameters\.(\w+) \}\}$")


def _scaffold(
    modules: Path, files: dict[str, str], entity: str, parameters: dict[str, Any]
) -> tuple[str, str]:
    """(path, text) of the file the software template's fetch:template step writes for the form's
    `parameters`, as the scaffolder does it: a step input that is one `${{ parameters.X }}` is the value
    itself, any other string is rendered by nunjucks; then the skeleton's file name and text are rendered
    with those values."""
    base = f"templates/{entity}"
    step = load_yaml(files[f"{base}/template.yaml"])["spec"]["steps"][0]
    assert step["action"] == "fetch:template"
    raw = step["input"]["values"]
    values = {k: v for k, v in raw.items() if not isinstance(v, str)}
    rendered = [k for k, v in raw.items() if isinstance(v, str) and not _WHOLE.match(v)]
    values.update(
        {
            k: parameters.get(_WHOLE.match(v)[1])
            for k, v in raw.items()
            if isinstance(v, str) and _WHOLE.match(v)
        }
    )
    out = backstage_npm.render(modules, [(raw[k], {"parameters": parameters}) for k in rendered])
    values.update(zip(rendered, out, strict=True))
    skeletons = [p for p in files if p.startswith(f"{base}/skeleton/")]
    assert len(skeletons) == 1
    name = skeletons[0].removeprefix(f"{base}/skeleton/")
    path, text = backstage_npm.render(
        modules, [(name, {"values": values}), (files[skeletons[0]], {"values": values})]
    )
    assert not isinstance(text, dict), text
    return path, text


@pytest.fixture(scope="module")
def nunjucks() -> Path:
    return backstage_npm.install(backstage_npm.NUNJUCKS)


@pytest.fixture(scope="module")
def git_sync_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cfn-git-sync export of the demo (the export the catalog points at by default), on disk."""
    out = tmp_path_factory.mktemp("git-sync") / "export"
    run_export("cfn-git-sync", load_snapshot(DEMO), out, registry=Registry.from_entry_points())
    return out


@pytest.fixture(scope="module")
def git_sync(git_sync_dir: Path) -> dict[str, str]:
    out = git_sync_dir
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()
    }


def _form(unit: Any, version: str, operation: str = "set", **inputs: Any) -> dict[str, Any]:
    """The form's values for `unit` (sensitive inputs are never typed in again), changed by `inputs`."""
    field = PAGE_FIELD["environment" if unit.kind == "environment" else "service"]
    given = {k: v for k, v in unit.inputs.items() if k not in unit.sensitive_inputs}
    form = {"operation": operation, "version": version, "environment": unit.environment or unit.name}
    if unit.kind == "service_instance":
        form |= {"service": unit.service, "instance": unit.name}
    return form | {field: given | inputs, "repoUrl": "github.com?owner=acme&repo=proton-export"}


def test_the_skeleton_writes_each_instance_s_deployment_file_as_the_export_did(
    demo: tuple[Snapshot, dict[str, str]], git_sync: dict[str, str], nunjucks: Path
) -> None:
    """`set` with the instance's own inputs rewrites its deployment file to exactly what the export wrote
    (same path, same YAML document), for every instance on a shared template: variant, parameters,
    environment outputs, component outputs and secret references included."""
    snapshot, files = demo
    units = {u.stack_name: u for u in build_units(snapshot)}
    rows = [r for r in json.loads(git_sync["TEMPLATES.json"])["stacks"] if r["shared"]]
    assert len(rows) >= 30
    for row in rows:
        unit = units[row["stack"]]
        entity = entity_name(f"{unit.template_name}-v{unit.template_major}")
        path, text = _scaffold(nunjucks, files, entity, _form(unit, row["version"]))
        assert path == row["parameterFile"], row["stack"]
        assert load_yaml(text) == load_yaml(git_sync[row["parameterFile"]]), row["stack"]


def test_an_input_change_is_one_parameter_and_a_new_instance_a_file_beside_its_siblings(
    demo: tuple[Snapshot, dict[str, str]], git_sync: dict[str, str], nunjucks: Path
) -> None:
    snapshot, files = demo
    unit = next(u for u in build_units(snapshot) if u.service == "users-api" and u.name == "staging")
    row = next(r for r in json.loads(git_sync["TEMPLATES.json"])["stacks"] if r["stack"] == unit.stack_name)
    entity = entity_name("demo-fargate-svc-v1")
    before = load_yaml(git_sync[row["parameterFile"]])
    path, text = _scaffold(nunjucks, files, entity, _form(unit, row["version"], desired_count=4))
    after = load_yaml(text)
    assert path == row["parameterFile"]
    assert after["parameters"].pop("DesiredCount") == "4" != before["parameters"].pop("DesiredCount")
    assert after == before
    # a new instance: the twin's file with its own names, its stack's secret name, no component, no tags
    form = _form(unit, row["version"], "new-instance", db_password=True) | {"instance": "qa"}
    path, text = _scaffold(nunjucks, files, entity, form)
    assert path == f"deployments/{unit.account}/{unit.region}/users-api-qa.yaml"
    new, twin = load_yaml(text), load_yaml(git_sync[row["parameterFile"]])
    assert new["tags"] == {} and new["template-file-path"] == twin["template-file-path"]
    secret = twin["parameters"]["ExodusSecretDbPassword"].replace(unit.stack_name, "users-api-qa")
    twin["parameters"] |= {"ServiceInstanceName": "qa", "ExodusSecretDbPassword": secret}
    twin["parameters"] |= {
        k: ("false" if k.endswith("Defined") else "") for k in twin["parameters"] if k.startswith("Component")
    }
    assert new["parameters"] == twin["parameters"]


def test_one_shared_template_takes_every_new_instance_with_or_without_its_secret(
    demo: tuple[Snapshot, dict[str, str]], git_sync: dict[str, str], nunjucks: Path
) -> None:
    """demo-fargate-svc 1.1 is one shared template whether the optional database password is set or not
    (its `DbPasswordDefined` condition), and demo-vpc-ecs-env 1.1 one for 2 or 3 subnets (conditions on the
    list's length). A new instance with the secret names its own Parameter Store name; one without names
    the public parameter the template expects then; a list longer than the schema allows is refused by the
    form before any file is written."""
    from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER

    snapshot, files = demo
    units = build_units(snapshot)
    svc = next(u for u in units if u.service == "users-api" and u.name == "staging")
    with_password = _form(svc, "1.1", "new-instance", db_password=True) | {"instance": "qa"}
    without = _form(svc, "1.1", "new-instance") | {"instance": "qa"}
    without["service_inputs"].pop("db_password", None)
    written = [
        load_yaml(_scaffold(nunjucks, files, entity_name("demo-fargate-svc-v1"), f)[1])
        for f in (with_password, without)
    ]
    assert {d["template-file-path"] for d in written} == {
        "templates/service/demo-fargate-svc/v1/instance-1.1.yaml"
    }
    assert [
        (d["parameters"]["ExodusSecretDbPassword"], d["parameters"]["DbPasswordDefined"]) for d in written
    ] == [
        ("/exodus/users-api-qa/db_password", "true"),
        (PUBLIC_SSM_PARAMETER, "false"),
    ]
    rows = [
        r
        for r in json.loads(git_sync["TEMPLATES.json"])["stacks"]
        if r["kind"] == "environment" and r["shared"]
    ]
    by_stack = {u.stack_name: u for u in units}
    first = min((r for r in rows if r["version"] == "1.1"), key=lambda r: r["name"])  # where new-instance
    for row in (r for r in rows if r["version"] == "1.1"):  # puts a new environment: its first sibling's
        env = by_stack[row["stack"]]
        form = _form(env, "1.1", "new-instance") | {"environment": "qa"}
        path, text = _scaffold(nunjucks, files, entity_name("demo-vpc-ecs-env-v1"), form)
        assert path == f"deployments/{first['account']}/{first['region']}/qa.yaml"
        assert load_yaml(text)["template-file-path"] == row["templateFile"]
    form["environment_inputs"]["subnet_cidrs"] = [f"10.9.{i}.0/24" for i in range(7)]
    entity = load_yaml(files[f"templates/{entity_name('demo-vpc-ecs-env-v1')}/template.yaml"])
    assert any("subnet_cidrs" in e and "3" in e for e in portal.form_errors(entity, form)), (
        portal.form_errors(entity, form)
    )


def test_an_input_change_is_what_exodus_repo_set_writes(
    demo: tuple[Snapshot, dict[str, str]], git_sync_dir: Path, nunjucks: Path, tmp_path: Path
) -> None:
    """The pull request's file for a changed input equals the one `exodus repo set` writes in a checkout of
    the real export (the same YAML document at the same path)."""
    from proton_exodus.repo import ops

    snapshot, files = demo
    checkout = tmp_path / "checkout"
    shutil.copytree(git_sync_dir, checkout)
    for unit, change in (
        (("users-api", "staging"), {"desired_count": 4}),
        (("image-resizer", "dev"), {"memory_size": 1024}),
    ):
        found = next(u for u in build_units(snapshot) if (u.service, u.name) == unit)
        row = next(
            r
            for r in json.loads((checkout / "TEMPLATES.json").read_text())["stacks"]
            if r["stack"] == found.stack_name
        )
        written = ops.set_inputs(checkout, found.label, [f"{k}={v}" for k, v in change.items()])
        assert row["parameterFile"] in written
        entity = entity_name(f"{found.template_name}-v{found.template_major}")
        path, text = _scaffold(nunjucks, files, entity, _form(found, row["version"], **change))
        assert path == row["parameterFile"]
        assert load_yaml(text) == load_yaml((checkout / path).read_text(encoding="utf-8"))
