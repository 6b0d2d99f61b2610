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
