"""cfn.normalise: two templates compare by meaning (forms, key order, scalar types), not spelling."""

from __future__ import annotations

from proton_exodus.cfn.normalise import load_normalised


def test_normalisation_ignores_form_order_and_scalar_types() -> None:
    short = (
        "Resources:\n  A:\n    Type: T\n"
        "    Properties: {X: !GetAtt B.Arn, N: 80, F: true, S: !Sub 'a-${!x}'}\n"
    )
    long = (
        '{"Resources": {"A": {"Properties": {"S": "a-${x}", "F": "true", "N": "80", '
        '"X": {"Fn::GetAtt": "B.Arn"}}, "Type": "T"}}}'
    )
    assert load_normalised(short) == load_normalised(long)
    assert load_normalised(short) != load_normalised(short.replace("80", "81"))
