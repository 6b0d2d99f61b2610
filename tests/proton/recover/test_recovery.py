"""Recovering template versions and inputs from deployed templates, over every CloudFormation bundle
in the shared corpus: render with generated inputs, forget them, recover them from the render."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from proton_exodus.errors import ExodusError
from proton_exodus.proton.bundle import Bundle, load_bundle
from proton_exodus.proton.recover import (
    Candidate,
    recover_environment,
    recover_pipeline,
    recover_service_instance,
)
from proton_exodus.proton.recover.versions import Known
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    ServiceContext,
    render_environment,
    render_pipeline,
    render_service_instance,
)
from proton_exodus.proton.render.jinja_env import compile_template
from tests.conftest import CORPUS
from tests.support.bundles import tar_gz


def _cfn_bundles() -> list[Path]:
    found = []
    for schema in sorted(CORPUS.rglob("schema/schema.yaml")):
        root = schema.parent.parent
        try:
            bundle = load_bundle(root)
        except ExodusError:
            continue
        if bundle.provisioning != "cloudformation":
            continue
        try:  # deliberately broken Jinja (the checker's invalid_* cases) belongs to the render tests
            for folder in bundle.manifests:
                for name, text in bundle.template_text(folder).items():
                    compile_template(text, f"{folder}/{name}")
        except ExodusError:
            continue
        found.append(root)
    return [b for b in found if _renders(load_bundle(b))]


def _renders(bundle: Bundle) -> bool:
    """Whether the bundle renders at all with generated inputs (the checker's invalid_* cases do not)."""
    try:
        if bundle.template_type == "environment":
            render_environment(bundle, name="e", inputs=_inputs(bundle, "environment", 0))
        else:
            outputs = _outputs_referenced(_instance_source(bundle), "environment")
            render_service_instance(
                bundle,
                service=ServiceContext("s"),
                instance_name="i",
                inputs=_inputs(bundle, "service", 0),
                environment=EnvironmentContext("e", "1", outputs),
                components={},
            )
    except ExodusError:
        return False
    return True


def _value(name: str, prop: dict[str, Any], salt: int) -> Any:
    """A schema-valid value that differs from the default, so recovery cannot pass by luck."""
    if "enum" in prop:
        options = [v for v in prop["enum"] if v != prop.get("default")] or prop["enum"]
        return options[salt % len(options)]
    kind = prop.get("type", "string")
    if kind == "boolean":
        return not prop.get("default", False)
    if kind == "number":
        low, high = prop.get("minimum", 1), prop.get("maximum", 1000)
        value = int(low) + 1 + salt % 7
        return min(value, int(high))
    if kind == "array":
        return prop.get("default", ["a", "b"])
    if "pattern" in prop or "default" in prop:
        return prop.get("default", "x")  # patterns (CIDRs...) are hard to fake; defaults are valid
    length = max(int(prop.get("minLength", 1)), 1)
    text = f"v{salt}{name.replace('_', '')}"[: prop.get("maxLength", 64)]
    return text.ljust(length, "x")


def _inputs(bundle: Bundle, kind: str, salt: int) -> dict[str, Any]:
    return {n: _value(n, dict(p), salt) for n, p in sorted(bundle.schema.properties(kind).items())}


def _outputs_referenced(text: str, namespace: str) -> dict[str, str]:
    return {m: f"{m}-value" for m in sorted(set(re.findall(namespace + r"\.outputs\.(\w+)", text)))}


def _instance_source(bundle: Bundle) -> str:
    return "".join(bundle.template_text("instance_infrastructure").values())


BUNDLES = _cfn_bundles()


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(CORPUS)) for p in paths]


@pytest.mark.parametrize(
    "root",
    [b for b in BUNDLES if load_bundle(b).template_type == "environment"],
    ids=_ids([b for b in BUNDLES if load_bundle(b).template_type == "environment"]),
)
def test_environment_inputs_recovered_exactly(root: Path) -> None:
    bundle = load_bundle(root)
    inputs = _inputs(bundle, "environment", 1)
    deployed = render_environment(bundle, name="prod", inputs=inputs, account_id="111111111111").text
    result = recover_environment(
        deployed, [Candidate("t", "1", "0", bundle)], Known(environment="prod", account_id="111111111111")
    )
    assert result.status == "exact", result
    expected = bundle.schema.apply_defaults_and_validate("environment", inputs, path="spec")
    assert {k: v for k, v in result.inputs.items()} == {
        k: v for k, v in expected.items() if k not in result.assumed
    }


SERVICES = [b for b in BUNDLES if load_bundle(b).template_type == "service"]


@pytest.mark.parametrize("root", SERVICES, ids=_ids(SERVICES))
def test_instance_and_pipeline_inputs_recovered(root: Path) -> None:
    bundle = load_bundle(root)
    env_outputs = _outputs_referenced(_instance_source(bundle), "environment")
    env = EnvironmentContext("beta", "222222222222", env_outputs)
    known = Known(
        environment="beta",
        account_id="222222222222",
        environment_outputs=env_outputs,
        service="orders",
        instance="beta-1",
        component_outputs={},
    )
    inputs = _inputs(bundle, "service", 2)
    deployed = render_service_instance(
        bundle,
        service=ServiceContext("orders"),
        instance_name="beta-1",
        inputs=inputs,
        environment=env,
        components={},
    ).text
    result = recover_service_instance(deployed, [Candidate("svc", "1", "0", bundle)], known)
    assert result.status in ("exact", "partial"), result
    expected = bundle.schema.apply_defaults_and_validate("service", inputs, path="spec")
    for name, value in result.inputs.items():
        if name not in result.assumed:
            assert value == expected[name], name
    if result.status == "partial":
        assert result.unknown_inputs, "partial must say which inputs are unknown"
        assert set(result.unknown_inputs) <= set(expected)
    if not bundle.has_pipeline:
        return
    service = ServiceContext(
        "orders", "main", "org/orders", "arn:aws:codestar-connections:us-east-1:1:connection/x"
    )
    pipeline_source = "".join(bundle.template_text("pipeline_infrastructure").values())
    names = set(re.findall(r"service_instances?(?:\[\d+\])?\.outputs\.(\w+)", pipeline_source))
    # Instance outputs as the instance stack would report them: CamelCase names echo snake_case inputs.
    snake = {n: re.sub(r"(?<!^)(?=[A-Z])", "_", n).lower() for n in names}
    outputs = {n: expected.get(snake[n], f"{n}-value") for n in sorted(names)}
    instances = [InstanceContext("beta-1", inputs, outputs, env)]
    pipeline_inputs = _inputs(bundle, "pipeline", 3)
    deployed_pipeline = render_pipeline(
        bundle, service=service, pipeline_inputs=pipeline_inputs, instances=instances
    ).text
    recovered = recover_pipeline(
        deployed_pipeline, [Candidate("svc", "1", "0", bundle)], Known(service="orders"), instances
    )
    assert recovered.status in ("exact", "partial"), recovered
    for key in ("service.repository_id", "service.branch_name"):
        if key in recovered.context:
            assert recovered.context[key] == getattr(service, key.split(".")[1])


def test_version_is_chosen_by_content() -> None:
    root = next(
        b for b in BUNDLES if "fargate-env" in str(b) and load_bundle(b).template_type == "environment"
    )
    v1 = load_bundle(root)
    files = dict(v1.files)
    (name,) = [
        p for p in files if p.startswith("infrastructure/") and p.endswith(".yaml") and "manifest" not in p
    ]
    files[name] = files[name].replace(b"Resources:", b"Metadata:\n  Revision: two\nResources:", 1)
    v2 = load_bundle(tar_gz(files))
    inputs = _inputs(v1, "environment", 4)
    deployed = render_environment(v1, name="dev", inputs=inputs).text
    candidates = [Candidate("fargate-env", "1", "0", v1), Candidate("fargate-env", "1", "1", v2)]
    result = recover_environment(deployed, candidates, Known(environment="dev"))
    assert (result.major, result.minor, result.status) == ("1", "0", "exact")


def _free_string(bundle: Bundle) -> str | None:
    for name, prop in sorted(bundle.schema.properties("environment").items()):
        if prop.get("type", "string") == "string" and not {"enum", "pattern"} & set(prop):
            return name
    return None


def test_spec_file_conflicting_with_the_stack_is_reported() -> None:
    envs = [load_bundle(b) for b in BUNDLES if load_bundle(b).template_type == "environment"]
    bundle, name = next((b, _free_string(b)) for b in envs if _free_string(b))
    inputs = _inputs(bundle, "environment", 5)
    deployed = render_environment(bundle, name="dev", inputs=inputs).text
    wrong = {**inputs, name: "not-what-is-deployed"}
    result = recover_environment(
        deployed, [Candidate("t", "1", "0", bundle)], Known(environment="dev", spec_inputs=wrong)
    )
    assert result.status == "exact"
    assert any(name in c for c in result.conflicts)
    assert result.inputs[name] == inputs[name]


def test_unrelated_template_is_unrecoverable() -> None:
    bundle = load_bundle(BUNDLES[0])
    result = recover_environment(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
        [Candidate("t", "1", "0", bundle)],
        Known(environment="dev"),
    )
    assert result.status == "unrecoverable"
    assert "no template version reproduces the stack" in result.reason


def test_array_input_that_drives_a_loop_is_recovered() -> None:
    """The demo environment makes one subnet per entry of an array input (a Jinja loop)."""
    from proton_exodus.demo import BUNDLES_DIR

    bundle = load_bundle(BUNDLES_DIR / "demo-vpc-ecs-env" / "v1")
    props = bundle.schema.properties("environment")
    loop_input = next(n for n, p in props.items() if p.get("type") == "array")
    inputs = {loop_input: ["10.9.0.0/24", "10.9.1.0/24", "10.9.2.0/24"]}
    deployed = render_environment(bundle, name="prod", inputs=inputs, account_id="111111111111").text
    result = recover_environment(
        deployed,
        [Candidate("demo-vpc-ecs-env", "1", "1", bundle)],
        Known(environment="prod", account_id="111111111111"),
    )
    assert result.status == "exact", result
    assert result.inputs[loop_input] == inputs[loop_input]


@pytest.mark.parametrize("root", SERVICES, ids=_ids(SERVICES))
def test_outputs_of_an_environment_without_a_stack_are_recovered(root: Path) -> None:
    """A customer-managed (or Terraform, or other-account) environment leaves no stack: the outputs
    an instance reads are solved from the instance's own stack, like its inputs."""
    bundle = load_bundle(root)
    env_outputs = _outputs_referenced(_instance_source(bundle), "environment")
    env = EnvironmentContext("onprem", "222222222222", env_outputs)
    inputs = _inputs(bundle, "service", 3)
    deployed = render_service_instance(
        bundle,
        service=ServiceContext("orders"),
        instance_name="i-1",
        inputs=inputs,
        environment=env,
        components={},
    ).text
    known = Known(
        environment="onprem",
        account_id="222222222222",
        environment_outputs=None,
        service="orders",
        instance="i-1",
        component_outputs={},
    )
    result = recover_service_instance(deployed, [Candidate("svc", "1", "0", bundle)], known)
    assert result.status in ("exact", "partial"), result
    recovered = {
        k.split(".", 2)[2]: v for k, v in result.context.items() if k.startswith("environment.outputs.")
    }
    assert recovered.items() <= env_outputs.items()
    if env_outputs and result.status == "exact":
        assert recovered, "outputs the template substitutes must be read back"


def test_value_used_as_is_and_through_a_filter_is_recovered() -> None:
    """demo-fargate-svc renders path_pattern as is (listener rule) and `| replace('*', '')` (URL)."""
    from proton_exodus.demo import BUNDLES_DIR

    bundle = load_bundle(BUNDLES_DIR / "demo-fargate-svc" / "v1")
    outputs = _outputs_referenced(_instance_source(bundle), "environment")
    inputs = {
        "path_pattern": "/orders/*",
        "listener_priority": 10,
        "task_size": "medium",
        "db_password": "not-a-real-password-123",
    }
    deployed = render_service_instance(
        bundle,
        service=ServiceContext("orders"),
        instance_name="dev",
        inputs=inputs,
        environment=EnvironmentContext("dev", "1", outputs),
        components={},
    ).text
    known = Known(
        environment="dev",
        account_id="1",
        environment_outputs=outputs,
        service="orders",
        instance="dev",
        component_outputs={},
    )
    result = recover_service_instance(deployed, [Candidate("demo-fargate-svc", "1", "1", bundle)], known)
    assert result.status == "exact", result
    assert {k: result.inputs[k] for k in inputs} == inputs
