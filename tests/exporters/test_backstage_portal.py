"""The portal without Backstage (exporters/backstage/portal.py): the Python engine renders the Software
Templates' step inputs and deployment skeletons byte for byte as npm's nunjucks does (the scaffolder's
engine), the form refuses what the scaffolder's form refuses, naming the field and the rule, and a secret
input is never a value the form takes: the pull request names the secret and the command that stores it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from exporters import Registry
from exporters.backstage import portal
from exporters.backstage.catalog import entity_name
from exporters.backstage.form import PAGE_FIELD
from proton_exodus.cfn.text import load_yaml
from proton_exodus.errors import BadInput
from proton_exodus.export import run_export
from proton_exodus.model.snapshot import Snapshot, load_snapshot
from proton_exodus.model.units import DeploymentUnit, build_units
from tests.exporters import backstage_npm

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"


def _read(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, dict[str, str], dict[str, str]]:
    """The demo's backstage export and the cfn-git-sync export it points at, made in one run (shared
    siblings: the Git sync export is made once)."""
    snapshot = load_snapshot(DEMO)
    base = tmp_path_factory.mktemp("portal")
    siblings: dict[Any, Any] = {}
    reg = Registry.from_entry_points()
    run_export("backstage", snapshot, base / "backstage", registry=reg, siblings=siblings)
    run_export("cfn-git-sync", snapshot, base / "git-sync", registry=reg, siblings=siblings)
    return snapshot, _read(base / "backstage"), _read(base / "git-sync")


def _template(files: dict[str, str], unit: DeploymentUnit) -> tuple[dict[str, Any], dict[str, str]]:
    base = f"templates/{entity_name(f'{unit.template_name}-v{unit.template_major}')}"
    entity = load_yaml(files[f"{base}/template.yaml"])
    skeleton = {p.removeprefix(base + "/"): t for p, t in files.items() if p.startswith(f"{base}/skeleton/")}
    return entity, skeleton


def _form(unit: DeploymentUnit, version: str, operation: str = "set", **inputs: Any) -> dict[str, Any]:
    field = PAGE_FIELD["environment" if unit.kind == "environment" else "service"]
    given = {k: v for k, v in unit.inputs.items() if k not in unit.sensitive_inputs}
    given |= {k: unit.inputs.get(k) not in (None, "") for k in unit.sensitive_inputs}
    form = {"operation": operation, "version": version, "environment": unit.environment or unit.name}
    if unit.kind == "service_instance":
        form |= {"service": unit.service, "instance": unit.name}
    return form | {field: given | inputs, "repoUrl": "github.com?owner=acme&repo=proton-export"}


def _cases(snapshot: Snapshot, files: dict[str, str], git_sync: dict[str, str]) -> list[tuple[Any, ...]]:
    """(entity, skeleton, form) for every instance on a shared template (set with its own inputs), an
    input change, a new service instance with and without its secret, a new environment, and a value that
    is an integral float (JavaScript has one number type)."""
    units = {u.stack_name: u for u in build_units(snapshot)}
    rows = [r for r in json.loads(git_sync["TEMPLATES.json"])["stacks"] if r["shared"]]
    out = []
    for row in rows:
        unit = units[row["stack"]]
        entity, skeleton = _template(files, unit)
        out.append((entity, skeleton, _form(unit, row["version"])))
    svc = next(u for u in units.values() if (u.service, u.name) == ("users-api", "staging"))
    entity, skeleton = _template(files, svc)
    out.append((entity, skeleton, _form(svc, "1.1", desired_count=4)))
    out.append((entity, skeleton, _form(svc, "1.1", desired_count=4.0)))
    out.append((entity, skeleton, _form(svc, "1.1", "new-instance", db_password=True) | {"instance": "qa"}))
    out.append((entity, skeleton, _form(svc, "1.1", "new-instance", db_password=False) | {"instance": "qa"}))
    env = next(u for u in units.values() if u.kind == "environment" and u.name == "staging")
    entity, skeleton = _template(files, env)
    out.append((entity, skeleton, _form(env, "1.1", "new-instance") | {"environment": "qa"}))
    return out


def _node_scaffold(modules: Path, cases: list[tuple[Any, ...]]) -> list[tuple[str, str, str]]:
    """(path, text, pull-request description) of each case, rendered by npm's nunjucks as the scaffolder
    does (a step input that is one `${{ parameters.X }}` is the value itself)."""
    inputs, jobs = [], []
    for entity, _, form in cases:
        fetch = portal.step(entity, "fetch:template")["input"]["values"]
        pr = portal.step(entity, "publish:github:pull-request")["input"]["description"]
        rendered = {k: v for k, v in fetch.items() if isinstance(v, str) and "${{" in v}
        rendered = {k: v for k, v in rendered.items() if not portal._WHOLE.match(v)}
        jobs.append((fetch, list(rendered), form))
        inputs += [(rendered[k], {"parameters": form}) for k in rendered] + [(pr, {"parameters": form})]
    done = iter(backstage_npm.render(modules, inputs))
    skeletons, descriptions = [], []
    for (_entity, skeleton, form), (fetch, keys, _) in zip(cases, jobs, strict=True):
        values = {}
        for k, v in fetch.items():
            whole = portal._WHOLE.match(v) if isinstance(v, str) else None
            values[k] = form.get(whole[1]) if whole else v
        values |= {k: next(done) for k in keys}
        descriptions.append(next(done))
        ((name, text),) = skeleton.items()
        skeletons += [(name.removeprefix("skeleton/"), {"values": values}), (text, {"values": values})]
    flat = backstage_npm.render(modules, skeletons)
    return [(flat[2 * i], flat[2 * i + 1], descriptions[i]) for i in range(len(cases))]


@pytest.fixture(scope="module")
def nunjucks() -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the byte-for-byte comparison with nunjucks needs it")
    return backstage_npm.install(backstage_npm.NUNJUCKS)


def test_python_engine_renders_byte_for_byte_as_nunjucks(
    demo: tuple[Snapshot, dict[str, str], dict[str, str]], nunjucks: Path
) -> None:
    snapshot, files, git_sync = demo
    cases = _cases(snapshot, files, git_sync)
    assert len(cases) >= 35
    expected = _node_scaffold(nunjucks, cases)
    for (entity, skeleton, form), (path, text, description) in zip(cases, expected, strict=True):
        assert not isinstance(text, dict), text
        ours = portal.fetch_template(entity, skeleton, form, source="case")
        assert ours == {path: text}, (form, path)
        assert portal.pull_request(entity, form, source="case")["description"] == description


def test_the_python_engine_writes_what_the_export_wrote(
    demo: tuple[Snapshot, dict[str, str], dict[str, str]],
) -> None:
    """Without node: `set` with an instance's own inputs writes the export's deployment file exactly."""
    snapshot, files, git_sync = demo
    units = {u.stack_name: u for u in build_units(snapshot)}
    rows = [r for r in json.loads(git_sync["TEMPLATES.json"])["stacks"] if r["shared"]]
    for row in rows:
        unit = units[row["stack"]]
        entity, skeleton = _template(files, unit)
        form = _form(unit, row["version"])
        assert portal.form_errors(entity, form) == [], row["stack"]
        ((path, text),) = portal.fetch_template(entity, skeleton, form, source="t").items()
        assert path == row["parameterFile"]
        assert load_yaml(text) == load_yaml(git_sync[path]), row["stack"]


def test_the_form_refuses_an_out_of_range_value_naming_field_and_rule(
    demo: tuple[Snapshot, dict[str, str], dict[str, str]],
) -> None:
    snapshot, files, _ = demo
    svc = next(u for u in build_units(snapshot) if (u.service, u.name) == ("users-api", "staging"))
    entity, _ = _template(files, svc)
    assert portal.form_errors(entity, _form(svc, "1.1")) == []
    errors = portal.form_errors(entity, _form(svc, "1.1", desired_count=1000))
    assert len(errors) == 1 and errors[0].startswith("service_inputs.desired_count: 1000 is greater than")
    assert errors[0].endswith("(maximum)")
    bad = _form(svc, "1.1") | {"instance": "no spaces"}
    assert any(
        e.startswith("instance: ") and e.endswith("(pattern)") for e in portal.form_errors(entity, bad)
    )
    missing = {k: v for k, v in _form(svc, "1.1").items() if k != "repoUrl"}
    assert any(e.startswith("repoUrl: ") and "(required)" in e for e in portal.form_errors(entity, missing))
    with pytest.raises(BadInput, match=r"t.yaml: the form refuses the input: service_inputs.desired_count"):
        portal.submit(entity, _form(svc, "1.1", desired_count=1000), source="t.yaml")


def test_a_secret_is_never_a_value_of_the_form(
    demo: tuple[Snapshot, dict[str, str], dict[str, str]],
) -> None:
    """db_password is a yes/no field: a typed value is refused; the deployment file names the instance's
    Parameter Store parameter and the pull request gives the exact command that stores it there."""
    snapshot, files, _ = demo
    svc = next(u for u in build_units(snapshot) if (u.service, u.name) == ("users-api", "staging"))
    entity, skeleton = _template(files, svc)
    page = next(p for p in entity["spec"]["parameters"] if "service_inputs" in p["properties"])
    field = page["properties"]["service_inputs"]["properties"]["db_password"]
    assert field["type"] == "boolean" and "ui:widget" not in field
    assert '"ui:widget": "password"' not in json.dumps(entity), "no password widget left"
    typed = _form(svc, "1.1", "new-instance", db_password="typed-in-secret") | {"instance": "qa"}
    assert any(e.startswith("service_inputs.db_password: ") for e in portal.form_errors(entity, typed))
    form = _form(svc, "1.1", "new-instance", db_password=True) | {"instance": "qa"}
    assert portal.form_errors(entity, form) == []
    ((path, text),) = portal.fetch_template(entity, skeleton, form, source="t").items()
    name = load_yaml(text)["parameters"]["ExodusSecretDbPassword"]
    assert name == "/exodus/users-api-qa/db_password"
    body = portal.pull_request(entity, form, source="t")["description"]
    assert f"credentials for account {svc.account}" in body
    assert (
        f"aws ssm put-parameter --region {svc.region} --type String --overwrite --name '{name}' "
        '--value "$DB_PASSWORD"' in body
    )
    without = portal.pull_request(entity, _form(svc, "1.1", db_password=False), source="t")["description"]
    assert "put-parameter" not in without


def test_known_engine_differences_are_handled() -> None:
    """JavaScript numbers (1.0 is 1), JSON.stringify's `dump`, mapping keys before methods, undefined."""
    assert portal.render("${{ v ~ '' }}|${{ v | dump }}", {"v": 1.0}) == "1|1"
    assert portal.render("${{ o | dump }}", {"o": {"a": "é", "b": [1, 2]}}) == '{"a":"é","b":[1,2]}'
    assert portal.render("${{ values.items }}", {"values": {"items": "form field"}}) == "form field"
    assert portal.render("${{ (values.missing or 'none') }}", {"values": {}}) == "none"
    assert portal.render("${{ s is iterable }}/${{ o is iterable }}", {"s": "x", "o": {}}) == "true/false"
    assert portal.render("[${{ n }}]", {"n": None}) == "[]"
    with pytest.raises(BadInput, match="skeleton: cannot render"):
        portal.render("{% if %}", {}, source="skeleton")


def test_a_minor_version_move_is_what_exodus_repo_upgrade_writes(
    demo: tuple[Snapshot, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    """The form shown for 1.1 carries the defaults of the inputs 1.1 adds (as react-jsonschema-form fills
    them), so moving payments-api/staging from 1.0 writes the deployment file `exodus repo upgrade` writes."""
    from proton_exodus.repo import ops

    snapshot, files, git_sync = demo
    checkout = tmp_path / "checkout"
    for rel, text in git_sync.items():
        (checkout / rel).parent.mkdir(parents=True, exist_ok=True)
        (checkout / rel).write_text(text, encoding="utf-8")
    svc = next(u for u in build_units(snapshot) if (u.service, u.name) == ("payments-api", "staging"))
    assert "log_level" not in svc.inputs  # an input 1.1 adds
    entity, skeleton = _template(files, svc)
    form = portal.with_defaults(entity, _form(svc, "1.1"))
    assert form["service_inputs"]["log_level"] == "info" and portal.form_errors(entity, form) == []
    ((path, text),) = portal.fetch_template(entity, skeleton, form, source="t").items()
    assert path in ops.upgrade(checkout, [svc.label], "1.1", notes=[])
    assert load_yaml(text) == load_yaml((checkout / path).read_text(encoding="utf-8"))
    # without the defaults, the new inputs would be written empty: the very difference
    bare = load_yaml(portal.fetch_template(entity, skeleton, _form(svc, "1.1"), source="t")[path])
    assert bare["parameters"]["LogLevel"] == "" != load_yaml(text)["parameters"]["LogLevel"]
