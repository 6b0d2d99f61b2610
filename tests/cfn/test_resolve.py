"""cfn.resolve: an exported template resolved with its parameters, as CloudFormation would."""

from __future__ import annotations

from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import resolve_parameters


def test_resolution_substitutes_refs_and_subs_and_drops_added_parameters() -> None:
    exported = load_normalised(
        "Parameters: {Name: {Type: String}, Kept: {Type: String}}\nResources:\n"
        "  A: {Type: T, Properties: {N: !Ref Name, S: !Sub '${Name}-${AWS::Region}-${!y}',"
        " K: !Ref Kept, P: !Sub 'x-${Name}'}}\n"
    )
    resolved = resolve_parameters(exported, {"Name": "web"}, keep=frozenset({"Kept"}))
    assert resolved["Resources"]["A"]["Properties"] == {
        "N": "web",
        "S": {"Fn::Sub": "web-${AWS::Region}-${!y}"},
        "K": {"Ref": "Kept"},
        "P": "x-web",
    }
    assert resolved["Parameters"] == {"Kept": {"Type": "String"}}


def test_parameter_only_functions_are_evaluated_as_cloudformation_does() -> None:
    exported = load_normalised(
        "Parameters: {Flag: {Type: String}, Cidrs: {Type: CommaDelimitedList}, Env: {Type: String}}\n"
        "Conditions:\n  IsOn: !Equals [!Ref Flag, 'true']\n  NotOn: !Not [!Condition IsOn]\n"
        "Mappings: {M: {dev: {Size: '5'}}}\n"
        "Resources:\n"
        "  A:\n    Type: T\n    Properties:\n"
        "      X: !If [IsOn, 'yes', !Ref 'AWS::NoValue']\n"
        "      L: [a, !If [NotOn, b, !Ref 'AWS::NoValue'], c]\n"
        "      C: !Select [1, !Ref Cidrs]\n"
        "      J: !Join ['', !Split ['*', '/p/*']]\n"
        "      S: !Sub ['${A}-x', {A: !Select [0, !Ref Cidrs]}]\n"
        "      F: !FindInMap [M, !Ref Env, Size]\n"
        "  B: {Type: T, Condition: NotOn}\n"
        "Outputs: {O: {Condition: IsOn, Value: v}}\n"
    )
    on = resolve_parameters(exported, {"Flag": "true", "Cidrs": "10.0.0.0/24,10.0.1.0/24", "Env": "dev"})
    assert on["Resources"] == {
        "A": {
            "Type": "T",
            "Properties": {
                "X": "yes",
                "L": ["a", "c"],
                "C": "10.0.1.0/24",
                "J": "/p/",
                "S": "10.0.0.0/24-x",
                "F": "5",
            },
        }
    }
    assert on["Outputs"] == {"O": {"Value": "v"}}
    assert "Conditions" not in on and "Mappings" not in on
    off = resolve_parameters(exported, {"Flag": "false", "Cidrs": "a,b", "Env": "dev"})
    assert set(off["Resources"]) == {"A", "B"} and "Outputs" not in off
    assert "X" not in off["Resources"]["A"]["Properties"] and off["Resources"]["A"]["Properties"]["L"] == [
        "a",
        "b",
        "c",
    ]


def test_functions_of_a_kept_parameter_stay_as_written() -> None:
    exported = load_normalised(
        "Parameters: {Flag: {Type: String}}\nConditions: {IsOn: !Equals [!Ref Flag, 'true']}\n"
        "Resources: {A: {Type: T, Properties: {X: !If [IsOn, a, b]}}}\n"
    )
    resolved = resolve_parameters(exported, {}, keep=frozenset({"Flag"}))
    assert resolved["Resources"]["A"]["Properties"]["X"] == {"Fn::If": ["IsOn", "a", "b"]}
    assert "IsOn" in resolved["Conditions"]


def test_the_public_parameter_resolves_only_where_no_resource_reads_it() -> None:
    """An unset optional secret names AWS's public parameter: guarded off it leaves no trace; read by a
    resource it is a stand-in no deployed template holds, so a comparison fails."""
    from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER, PUBLIC_SSM_STAND_IN

    exported = load_normalised(
        "Parameters:\n"
        "  Secret: {Type: 'AWS::SSM::Parameter::Value<String>', Default: " + PUBLIC_SSM_PARAMETER + "}\n"
        "  SecretDefined: {Type: String, AllowedValues: ['true', 'false']}\n"
        "Conditions: {IsSecretDefined: !Equals [!Ref SecretDefined, 'true']}\n"
        "Resources:\n  A: {Type: T, Properties:\n"
        "    {E: [a, !If [IsSecretDefined, !Ref Secret, !Ref 'AWS::NoValue']]}}\n"
    )
    unset = resolve_parameters(exported, {"SecretDefined": "false"}, ssm=lambda name: None)
    assert unset == {"Resources": {"A": {"Type": "T", "Properties": {"E": ["a"]}}}}
    read = resolve_parameters(exported, {"SecretDefined": "true"}, ssm=lambda name: None)
    assert read["Resources"]["A"]["Properties"]["E"] == ["a", PUBLIC_SSM_STAND_IN]
    staged = resolve_parameters(
        exported, {"SecretDefined": "true", "Secret": "/exodus/s/db"}, ssm={"/exodus/s/db": "pw"}.get
    )
    assert staged["Resources"]["A"]["Properties"]["E"] == ["a", "pw"]
    unknown = resolve_parameters(
        exported, {"SecretDefined": "true", "Secret": "/elsewhere"}, ssm=lambda n: None
    )
    assert "Secret" in unknown["Parameters"]  # any other unknown name stays unresolved
