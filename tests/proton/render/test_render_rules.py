"""Render semantics: namespaces, strict undefined names, Proton's filters, sandbox, result checks, targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proton_exodus.errors import BundleError, RenderError, SchemaError
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.render import (
    EnvironmentContext,
    InstanceContext,
    ResourceMetadata,
    ServiceContext,
    render_component,
    render_environment,
    render_pipeline,
    render_service_instance,
)
from proton_exodus.proton.render.cloudformation import check_cloudformation
from proton_exodus.proton.render.jinja_env import namespace, render_jinja
from tests.proton.render.helpers import ENV_SCHEMA, env_bundle, svc_bundle
from tests.support.bundles import CFN_MANIFEST, TF_MANIFEST, build_file_tree

ENV = EnvironmentContext("prod", "123456789012", {"Cluster": "c1", "Subnet": "subnet-1"})
SVC = ServiceContext(
    "web", "main", "org/repo", "arn:aws:codestar-connections:us-east-1:123456789012:connection/x"
)
QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"


def instance(tmp_path: Path, body: str, inputs: dict | None = None, components: dict | None = None):
    bundle = load_bundle(build_file_tree(tmp_path / "b", svc_bundle(instance=QUEUE + body)))
    return render_service_instance(
        bundle,
        service=SVC,
        instance_name="inst",
        inputs=inputs or {"image": "nginx"},
        environment=ENV,
        components=components,
    )


def fails(tmp_path: Path, body: str, match: str, **kw) -> RenderError:
    with pytest.raises(RenderError, match=match) as err:
        instance(tmp_path, body, **kw)
    return err.value


def test_instance_namespaces_and_defaults(tmp_path: Path) -> None:
    body = (
        "      QueueName: '{{ service.name }}-{{ service_instance.name }}-{{ environment.name }}'\n"
        "      Tags:\n        - {Key: a, Value: '{{ environment.account_id }}'}\n"
        "        - {Key: b, Value: '{{ service_instance.inputs.desired_count }}'}\n"
        "        - {Key: c, Value: '{{ service_instance.environment.outputs.Cluster }}'}\n"
        "        - {Key: d, Value: '{{ service.repository_id }}'}\n"
        "        - {Key: e, Value: '{{ service_instance.inputs.optional_thing is defined }}'}\n"
        "        - {Key: f, Value: '{{ service_instance.components.default.outputs | length }}'}\n"
    )
    props = check_cloudformation(instance(tmp_path, body).text, source="t")["Resources"]["Q"]["Properties"]
    assert props["QueueName"] == "web-inst-prod"
    assert [t["Value"] for t in props["Tags"]] == ["123456789012", "1", "c1", "org/repo", "False", "0"]


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        ("environment.outputs.Missing", "environment.outputs.Missing"),
        ("service_instance.inputs.nope.deeper", "service_instance.inputs.nope"),
        ("nothing_here", "nothing_here"),
        (
            "service_instance.components.default.outputs.test",
            "service_instance.components.default.outputs.test",
        ),
        ("service_instance.components.default.name", "service_instance.components.default.name"),
    ],
)
def test_undefined_names_fail_loudly(tmp_path: Path, expr: str, name: str) -> None:
    fails(
        tmp_path,
        f"      QueueName: '{{{{ {expr} }}}}'\n",
        rf"^instance_infrastructure/cloudformation.yaml line 5: '{name}' is undefined$",
    )


def test_default_filter_and_component_outputs(tmp_path: Path) -> None:
    body = (
        "      QueueName: '{{ service_instance.components.default.outputs.test | default(\"fallback\") }}'\n"
    )
    assert "'fallback'" in instance(tmp_path, body).text
    assert "'given'" in instance(tmp_path / "2", body, components={"test": "given"}).text


def test_multiline_filters_land_indented(tmp_path: Path) -> None:
    outputs = {
        "Bucket": "my-bucket",
        "PolicyArn": "arn:aws:iam::123456789012:policy/p",
        "Url": "http://x:80/a b",
    }
    body = (
        "      Tags:\n        - Key: base\n          Value: v\n"
        "        {{ service_instance.components.default.outputs\n"
        "            | proton_cfn_ecs_task_definition_formatted_env_vars | replace('Name:', 'Key:') }}\n"
    )
    text = instance(tmp_path, body, components=outputs).text
    assert check_cloudformation(text, source="t")["Resources"]["Q"]["Properties"]["Tags"][1:] == [
        {"Key": "Bucket", "Value": "my-bucket"},
        {"Key": "PolicyArn", "Value": "arn:aws:iam::123456789012:policy/p"},
        {"Key": "Url", "Value": "http://x:80/a b"},
    ]
    lam = render_jinja(
        "Variables:\n  {{ o | proton_cfn_lambda_function_formatted_env_vars }}\n",
        {"o": namespace("o", outputs)},
        source="t",
    )
    assert lam == (
        'Variables:\n  Bucket: my-bucket\n  PolicyArn: arn:aws:iam::123456789012:policy/p\n'
        '  Url: "http://x:80/a b"'
    )
    arns = render_jinja("P:\n  - base\n  {{ o | proton_cfn_iam_policy_arns }}", {"o": outputs}, source="t")
    assert arns == "P:\n  - base\n  - arn:aws:iam::123456789012:policy/p"


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            '"this::is::incorrect" | proton_cfn_sanitize',
            'Illegal character(s) detected in "this::is::incorrect". Must match regex ^[a-zA-Z0-9_-]*$ or '
            'be a valid ARN',
        ),
        (
            "{'A': 'a b'} | proton_cfn_ecs_task_definition_formatted_env_vars(False)",
            'Illegal character(s) detected in "a b". Must match regex ^[a-zA-Z0-9_-]*$',
        ),
        (
            "{'A': 'x/y'} | proton_cfn_lambda_function_formatted_env_vars(raw=False)",
            'Illegal character(s) detected in "x/y". Must match regex ^[a-zA-Z0-9_-]*$',
        ),
        (
            "'text' | proton_cfn_iam_policy_arns",
            "proton_cfn_iam_policy_arns expects a mapping of outputs, got str",
        ),
        ("missing | proton_cfn_ecs_task_definition_formatted_env_vars", "'missing' is undefined"),
    ],
)
def test_filter_failures(expr: str, message: str) -> None:
    with pytest.raises(RenderError) as err:
        render_jinja("a: 1\n{{ " + expr + " }}", {}, source="cf.yaml")
    assert err.value.message == f"cf.yaml line 2: {message}"


def test_sanitize_passes_safe_values_and_arns() -> None:
    out = render_jinja(
        "{{ 'This-is_valid_37' | proton_cfn_sanitize }} "
        "{{ 'arn:aws:some-service::123456789012:some-resource/resource-name' | proton_cfn_sanitize }}",
        {},
        source="t",
    )
    assert out == "This-is_valid_37 arn:aws:some-service::123456789012:some-resource/resource-name"


def test_truncate_with_four_arguments() -> None:
    ctx = {
        "service": namespace("service", {"name": "a-very-long-service-name"}),
        "service_instance": namespace("service_instance", {"name": "instance-one"}),
    }
    out = render_jinja(
        "{{(service.name~'--'~service_instance.name)|truncate(29, true, 'zzz', 0)}}", ctx, source="t"
    )
    assert out == "a-very-long-service-name--zzz"


@pytest.mark.parametrize(
    "expr",
    [
        "''.__class__.__mro__",
        "'x' * 1000000000",
        "2 ** 100000",
        "[1] * 10 ** 8",
        "cycler.__init__.__globals__",
        "x.__class__.__subclasses__()",
        "self.__init__.__globals__",
    ],
)
def test_sandbox_blocks_python_internals(expr: str) -> None:
    with pytest.raises(RenderError, match="sandbox|undefined"):
        render_jinja("{{ " + expr + " }}", {"x": {}}, source="t")


@pytest.mark.parametrize(
    ("template", "match"),
    [
        ("", r"the rendered template is empty"),
        ("   \n\n", r"the rendered template is empty"),
        ("Resources:\n  Q:\n   Type: x\n  - bad", r"not valid YAML \(rendered line 4, column 3\)"),
        ("- a\n- b\n", r"not a CloudFormation template \(top level is list, not a mapping\)"),
        ("Outputs: {}\n", r"has no Resources; CloudFormation needs at least one"),
        ('{"Resources": ', r"not valid JSON"),
        ("Resources:\n{% if x %}", r"line 2: Jinja syntax error"),
    ],
)
def test_bad_results_are_errors(tmp_path: Path, template: str, match: str) -> None:
    bundle = load_bundle(build_file_tree(tmp_path / "b", env_bundle(template=template)))
    with pytest.raises(RenderError, match=match):
        render_environment(bundle, name="e", inputs={})


def test_value_that_breaks_yaml_is_caught_after_a_good_render_of_the_same_template(tmp_path: Path) -> None:
    bundle = load_bundle(
        build_file_tree(
            tmp_path / "b",
            env_bundle(
                template=(
                    "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                    "      QueueName: {{ environment.inputs.vpc_cidr }}\n"
                )
            ),
        )
    )
    render_environment(bundle, name="e", inputs={"vpc_cidr": "10.0.0.0/16"})
    schema_ok = "10.0.0.0/16: [x"
    with pytest.raises(
        RenderError, match="not valid YAML"
    ):  # the schema's unanchored pattern lets it through
        render_environment(bundle, name="e", inputs={"vpc_cidr": schema_ok})


def test_json_template_is_accepted(tmp_path: Path) -> None:
    bundle = load_bundle(
        build_file_tree(
            tmp_path / "b",
            env_bundle(
                template=(
                    '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": '
                    '"{{environment.name}}"}}}}'
                )
            ),
        )
    )
    assert json.loads(render_environment(bundle, name="e", inputs={}).text)["Resources"]["Q"][
        "Properties"
    ] == {"QueueName": "e"}


def test_inputs_are_validated_by_the_render(tmp_path: Path) -> None:
    with pytest.raises(
        SchemaError, match=r"^instances\[2\].spec.desired_count: 99 is greater than the maximum of 50$"
    ):
        bundle = load_bundle(build_file_tree(tmp_path / "b", svc_bundle()))
        render_service_instance(
            bundle,
            service=SVC,
            instance_name="i",
            inputs={"image": "x", "desired_count": 99},
            environment=ENV,
            path="instances[2].spec",
        )


def test_pipeline_sees_instances(tmp_path: Path) -> None:
    bundle = load_bundle(build_file_tree(tmp_path / "b", svc_bundle()))
    insts = [InstanceContext("a", {"image": "x"}, {}, ENV), InstanceContext("b", {"image": "y"}, {}, ENV)]
    doc = check_cloudformation(
        render_pipeline(bundle, service=SVC, pipeline_inputs=None, instances=insts).text, source="p"
    )
    assert doc["Resources"]["Topic2"]["Properties"]["TopicName"] == "b-123456789012"


@pytest.mark.parametrize(
    ("files", "call", "match"),
    [
        (
            {"schema/schema.yaml": ENV_SCHEMA.replace("          default: 10.0.0.0/16\n", "")},
            "env",
            r"nothing to render: this customer-managed environment bundle holds only schema/schema.yaml",
        ),
        (
            {k: v for k, v in svc_bundle().items() if not k.startswith("pipeline_")}
            | {
                "schema/schema.yaml": svc_bundle()["schema/schema.yaml"].replace(
                    '  pipeline_input_type: "PipeInput"\n', ""
                )
            },
            "pipeline",
            r"nothing to render for the pipeline: the bundle has no pipeline_infrastructure/ folder",
        ),
        (env_bundle(), "instance", r"cannot render a service instance: this is a environment bundle"),
    ],
)
def test_nothing_to_render(tmp_path: Path, files: dict, call: str, match: str) -> None:
    bundle = load_bundle(build_file_tree(tmp_path / "b", files))
    with pytest.raises(BundleError, match=match):
        if call == "env":
            render_environment(bundle, name="e", inputs={})
        elif call == "pipeline":
            render_pipeline(bundle, service=SVC, pipeline_inputs={}, instances=[])
        else:
            render_service_instance(bundle, service=SVC, instance_name="i", inputs={}, environment=ENV)


def test_terraform_environment_files(tmp_path: Path) -> None:
    bundle = load_bundle(
        build_file_tree(
            tmp_path / "b",
            {
                "schema/schema.yaml": ENV_SCHEMA,
                "infrastructure/manifest.yaml": TF_MANIFEST,
                "infrastructure/main.tf": 'resource "x" "y" {}\n',
                "infrastructure/README.md": "not copied",
            },
        )
    )
    meta = ResourceMetadata("arn:aws:proton:us-east-1:123456789012:environment/e", deployment_id="d-1")
    files = render_environment(bundle, name="e", inputs={}, metadata=meta).files
    assert sorted(files) == [
        ".proton/deployment-metadata.json",
        "main.tf",
        "proton.auto.tfvars.json",
        "proton.environment.variables.tf",
    ]
    assert files["main.tf"].endswith('*/\n\nresource "x" "y" {}\n')
    assert json.loads(files["proton.auto.tfvars.json"]) == {
        "environment": {"name": "e", "inputs": {"vpc_cidr": "10.0.0.0/16"}},
        "//": meta.arn,
    }


def test_component_render_attached(tmp_path: Path) -> None:
    template = QUEUE + (
        "      QueueName: '{{ component.name }}-{{ service_instance.inputs.image }}-{{ environment.name }}'\n"
    )
    out = render_component(
        template,
        CFN_MANIFEST,
        name="comp",
        environment=ENV,
        service=SVC,
        instance="i",
        instance_inputs={"image": "nginx"},
    )
    assert "'comp-nginx-prod'" in out.text
    with pytest.raises(RenderError, match="'service_instance' is undefined"):
        render_component(template, CFN_MANIFEST, name="comp", environment=ENV)
