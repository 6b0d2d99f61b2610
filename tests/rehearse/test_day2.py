"""The three-way merge that moves an exported template to a template's next minor version: the new
version's changes land, the exporter's own changes (a secret read from a parameter) stay, and a path both
changed is refused by name."""

from __future__ import annotations

import pytest

from proton_exodus.rehearse.day2 import three_way

BASE = {
    "Resources": {
        "TG": {"Properties": {"HealthCheckPath": "/"}},
        "Task": {
            "Properties": {
                "Environment": [
                    {"Name": "SERVICE_NAME", "Value": "orders"},
                    {"Name": "DB_PASSWORD", "Value": "{{exodus:secret:0123456789abcdef}}"},
                ]
            }
        },
    }
}
NEW = {
    "Resources": {
        "TG": {"Properties": {"HealthCheckPath": "/health"}},
        "Task": {
            "Properties": {
                "Environment": [
                    {"Name": "SERVICE_NAME", "Value": "orders"},
                    {"Name": "LOG_LEVEL", "Value": "info"},
                    {"Name": "DB_PASSWORD", "Value": "{{exodus:secret:0123456789abcdef}}"},
                ]
            }
        },
    }
}
OURS = {
    "Parameters": {"ExodusSecretDbPassword": {"Type": "AWS::SSM::Parameter::Value<String>"}},
    "Resources": {
        "TG": {"Properties": {"HealthCheckPath": "/"}},
        "Task": {
            "Properties": {
                "Environment": [
                    {"Name": "SERVICE_NAME", "Value": "orders"},
                    {"Name": "DB_PASSWORD", "Value": {"Ref": "ExodusSecretDbPassword"}},
                ]
            }
        },
    },
}


def test_the_new_minor_lands_and_the_export_keeps_its_secret_parameter() -> None:
    merged = three_way(OURS, BASE, NEW)
    assert merged["Parameters"] == OURS["Parameters"]
    assert merged["Resources"]["TG"]["Properties"]["HealthCheckPath"] == "/health"
    assert merged["Resources"]["Task"]["Properties"]["Environment"] == [
        {"Name": "SERVICE_NAME", "Value": "orders"},
        {"Name": "LOG_LEVEL", "Value": "info"},
        {"Name": "DB_PASSWORD", "Value": {"Ref": "ExodusSecretDbPassword"}},
    ]


def test_a_value_both_changed_is_refused_by_path() -> None:
    ours = {"Resources": {"TG": {"Properties": {"HealthCheckPath": "/ping"}}}}
    with pytest.raises(ValueError, match="/Resources/TG/Properties/HealthCheckPath: changed by both"):
        three_way(
            ours,
            {"Resources": {"TG": BASE["Resources"]["TG"]}},
            {"Resources": {"TG": NEW["Resources"]["TG"]}},
        )
