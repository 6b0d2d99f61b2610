"""Spec files, `${Proton::CURRENT_VAL}` and service-sync proton-ops files."""

from __future__ import annotations

import pytest

from proton_exodus.errors import BadInput
from proton_exodus.proton.spec import (
    CURRENT_VAL,
    EnvironmentSpec,
    ServiceSpec,
    parse_proton_ops,
    parse_spec,
    resolve_current_values,
)
from tests.proton.render.corpus_cases import CORPUS

SYNC = CORPUS / "aws-proton-test-github__aws-proton-cloudformation-sample-templates" / "service-sync"


def test_service_spec_with_partial_instances() -> None:
    spec = parse_spec(
        "proton: ServiceSpec\npipeline:\n  a: 1\ninstances:\n  - name: x\n    environment: e\n"
        "  - name: y\n    environment: e\n    spec: {n: 2}\n"
    )
    assert isinstance(spec, ServiceSpec) and spec.pipeline == {"a": 1}
    assert [(i.name, i.environment, i.spec) for i in spec.instances] == [("x", "e", {}), ("y", "e", {"n": 2})]
    assert spec.instance_index("y") == 1
    assert parse_spec("proton: ServiceSpec\ninstances: []\n").pipeline is None


def test_environment_spec() -> None:
    assert parse_spec("proton: EnvironmentSpec\nspec:\n  vpc: 1\n") == EnvironmentSpec({"vpc": 1})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "proton: ServiceSpec\ninstances:\n  - environment: e\n",
            "instances[0]: each instance needs a `name:` string",
        ),
        ("proton: ServiceSpec\ninstances:\n  - name: a\n  - name: a\n", "instance name 'a' appears twice"),
        (
            "proton: ServiceSpec\ninstances:\n  - name: a\n    spec: [1]\n",
            "instances[0].spec: must be a mapping",
        ),
        ("proton: EnvironmentSpec\nspec: 3\n", "spec: must be a mapping of input names to values, not int"),
        ("- a\n", "a spec must be a mapping starting with `proton: EnvironmentSpec`"),
        ("proton: ServiceSpec\n  bad: [\n", "s.yaml line 2: not valid YAML"),
        ("proton: ServiceSpec\n# " + "x" * 51_200, "Proton accepts at most 51200"),
    ],
)
def test_bad_specs(text: str, message: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_spec(text, source="s.yaml")
    assert message in err.value.message and err.value.message.startswith("s.yaml")


def test_current_val() -> None:
    new = {"a": CURRENT_VAL, "b": 2, "n": {"c": CURRENT_VAL}}
    assert resolve_current_values(new, {"a": 1, "b": 9, "n": {"c": 3}}, path="spec") == {
        "a": 1,
        "b": 2,
        "n": {"c": 3},
    }
    with pytest.raises(
        BadInput, match=r"spec.a: \$\{Proton::CURRENT_VAL\} used, but there is no current value"
    ):
        resolve_current_values({"a": CURRENT_VAL}, {}, path="spec")


def test_proton_ops_from_corpus() -> None:
    entries = parse_proton_ops((SYNC / "proton-ops.yaml").read_text())
    assert [(e.service, e.instance, e.branch, e.spec) for e in entries] == [
        ("service-crud", "alpha", "dev", "service-sync/dev/service-sync-dev.yaml"),
        ("service-crud", "beta", "dev", "service-sync/dev/service-sync-dev.yaml"),
    ]
    spec = parse_spec((SYNC / "dev" / "service-sync-dev.yaml").read_text())
    assert [i.name for i in spec.instances] == ["alpha", "beta"] and spec.pipeline is None
    with pytest.raises(BadInput, match="sync.services.svc.inst: needs `branch:` and `spec:` strings"):
        parse_proton_ops("sync:\n  services:\n    svc:\n      inst: {branch: main}\n")
