"""cfn.text: the one loader (short-form tags into long form, strict or cfn-flip's reading), plain YAML
through the same libyaml fallback, and the one dumper (short form back, bytes as cfn-flip writes them)."""

from __future__ import annotations

import pytest
import yaml
from cfn_flip import dump_yaml
from cfn_tools import load_yaml as cfn_flip_load_yaml

from proton_exodus.cfn.text import dump_template, load_template, load_yaml, parse_template
from proton_exodus.errors import BadInput

TAGGED = """\
Conditions:
  Prod: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition Prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: Prod
    Properties:
      BucketName: !Sub '${AWS::StackName}-${Env}'
      Arn: !GetAtt Queue.Arn
      Nested: !GetAtt Stack.Outputs.Name
      Listed: !GetAtt [Queue, QueueName]
      Size: !If [Prod, !FindInMap [Sizes, !Ref Env, Big], !Ref AWS::NoValue]
      Zone: !Select [0, !GetAZs '']
      Tags: [{Key: k, Value: !Join ['-', [!Ref Env, !Base64 x]]}]
      Map: !Sub ['${A}', {A: !ImportValue shared}]
"""


def test_short_forms_become_long_forms_including_nested_tags() -> None:
    props = parse_template(TAGGED)["Resources"]["Bucket"]["Properties"]
    assert props["BucketName"] == {"Fn::Sub": "${AWS::StackName}-${Env}"}
    assert props["Arn"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert props["Nested"] == {"Fn::GetAtt": ["Stack", "Outputs.Name"]}  # split at the first dot only
    assert props["Listed"] == {"Fn::GetAtt": ["Queue", "QueueName"]}
    assert props["Size"] == {
        "Fn::If": ["Prod", {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Big"]}, {"Ref": "AWS::NoValue"}]
    }
    assert props["Zone"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    joined = {"Fn::Join": ["-", [{"Ref": "Env"}, {"Fn::Base64": "x"}]]}
    assert props["Tags"] == [{"Key": "k", "Value": joined}]
    assert props["Map"] == {"Fn::Sub": ["${A}", {"A": {"Fn::ImportValue": "shared"}}]}
    assert parse_template(TAGGED)["Conditions"]["NotProd"] == {"Fn::Not": [{"Condition": "Prod"}]}


@pytest.mark.parametrize("strict", [False, True])
def test_same_data_as_cfn_flip_on_cloudformation_tags(strict: bool) -> None:
    assert parse_template(TAGGED, strict=strict) == cfn_flip_load_yaml(TAGGED)


def test_getatt_list_items_are_read_as_written_unless_strict() -> None:
    text = "A: !GetAtt [Res, !Ref Attr]\n"
    assert parse_template(text) == cfn_flip_load_yaml(text) == {"A": {"Fn::GetAtt": ["Res", "Attr"]}}
    assert parse_template(text, strict=True) == {"A": {"Fn::GetAtt": ["Res", {"Ref": "Attr"}]}}


def test_unknown_tags_are_read_unless_strict() -> None:
    assert parse_template("A: !Custom x\n") == {"A": {"Fn::Custom": "x"}}
    with pytest.raises(yaml.YAMLError, match="!Custom"):
        parse_template("A: !Custom x\n", strict=True)


def test_json_first_reads_json_with_the_json_module() -> None:
    assert parse_template('{"A": 1e5}') == {"A": 100000.0}
    assert parse_template('{"A": 1e5}', json_first=False) == {"A": "1e5"}  # YAML 1.1 has no such float
    with pytest.raises(ValueError):
        parse_template('{"A": ')


def test_load_template_names_the_source_on_bad_text() -> None:
    with pytest.raises(BadInput, match="^stack-a: not a readable CloudFormation template"):
        load_template("A: [", source="stack-a")


def test_load_yaml_is_safe_load() -> None:
    text = "a: 1\nb: [yes, '2', null]\nc: {d: 2024-01-01}\n"
    assert load_yaml(text) == yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        load_yaml("!Ref x\n")


def test_dumper_writes_short_forms_in_order_and_reads_back() -> None:
    tree = parse_template(TAGGED)
    text = dump_template(tree)
    assert "BucketName: !Sub '${AWS::StackName}-${Env}'" in text and "Arn: !GetAtt 'Queue.Arn'" in text
    assert text.index("Conditions:") < text.index("Resources:")
    assert parse_template(text) == tree
    assert dump_template(parse_template(text)) == text


def test_dumper_keeps_cfn_flips_plain_dicts_when_asked() -> None:
    loaded, _ = __import__("cfn_flip").load("Resources:\n  A: !Ref B\n")
    loaded["Resources"]["C"] = {"Fn::Sub": "x-${B}", "0": 1}
    loaded["Resources"]["D"] = {"Fn::Sub": "y"}
    assert dump_template(loaded, shorten_all=False) == dump_yaml(loaded)
    assert "D:\n    Fn::Sub: y" in dump_template(loaded, shorten_all=False)
    assert "D: !Sub 'y'" in dump_template(loaded)
