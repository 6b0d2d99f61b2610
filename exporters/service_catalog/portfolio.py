"""The portfolio stack of one account and Region: a portfolio, one product per Proton template (and per
template's pipeline, and per directly defined component), one provisioning artifact per template version
(per distinct template text of the version's stacks: a stack is adopted only into an artifact whose
template matches its own), a launch constraint per product with the role its stacks already run with,
and the estate's tags as tag options on the portfolio."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exporters._pipelines.yamlout import dump_yaml

ARTIFACT_BUCKET = "ArtifactBucket"


@dataclass
class ArtifactSpec:
    name: str  # "1.1", or "1.1-2" when the version's stacks need several templates
    path: str  # the template's file in the export (and its key in the artifact bucket)
    description: str
    stacks: list[str] = field(default_factory=list)


@dataclass
class ProductSpec:
    logical_id: str
    name: str
    description: str
    artifacts: list[ArtifactSpec] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)  # role ARN -> stacks that run with it

    @property
    def launch_role(self) -> str:
        """The role most of the product's stacks run with (ties: the first by name); "" when none has one."""
        if not self.roles:
            return ""
        return sorted(self.roles.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def logical_id(prefix: str, name: str, taken: set[str]) -> str:
    """A CloudFormation logical id for `name` (alphanumeric, ≤ 255), unique among `taken`."""
    base = prefix + "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
    base = base[:200]
    out = base
    if out in taken:
        out = f"{base}{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    taken.add(out)
    return out


def template(
    account: str, region: str, products: Sequence[ProductSpec], tag_options: Mapping[str, Sequence[str]]
) -> str:
    """portfolio.yaml for one account and Region."""
    resources: dict[str, Any] = {
        "Portfolio": {
            "Type": "AWS::ServiceCatalog::Portfolio",
            "Properties": {
                "DisplayName": "Proton templates",
                "ProviderName": "Platform team (migrated from AWS Proton by exodus)",
                "Description": f"The Proton templates of account {account} in {region}, as products",
            },
        },
        "PrincipalAssociation": {
            "Type": "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
            "Condition": "HasPrincipal",
            "Properties": {
                "PortfolioId": {"Ref": "Portfolio"},
                "PrincipalARN": {"Ref": "PrincipalArn"},
                "PrincipalType": "IAM",
            },
        },
    }
    outputs: dict[str, Any] = {"PortfolioId": {"Value": {"Ref": "Portfolio"}}}
    for p in products:
        resources[p.logical_id] = {
            "Type": "AWS::ServiceCatalog::CloudFormationProduct",
            "Properties": {
                "Name": p.name,
                "Owner": "Platform team",
                "Description": p.description,
                "ProvisioningArtifactParameters": [
                    {
                        "Name": a.name,
                        "Description": a.description,
                        "Info": {
                            "LoadTemplateFromURL": {
                                "Fn::Sub": f"https://${{{ARTIFACT_BUCKET}}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{a.path}"
                            }
                        },
                    }
                    for a in p.artifacts
                ],
            },
        }
        association = f"{p.logical_id}Association"
        resources[association] = {
            "Type": "AWS::ServiceCatalog::PortfolioProductAssociation",
            "Properties": {"PortfolioId": {"Ref": "Portfolio"}, "ProductId": {"Ref": p.logical_id}},
        }
        if p.launch_role:
            resources[f"{p.logical_id}LaunchRole"] = {
                "Type": "AWS::ServiceCatalog::LaunchRoleConstraint",
                "DependsOn": association,
                "Properties": {
                    "PortfolioId": {"Ref": "Portfolio"},
                    "ProductId": {"Ref": p.logical_id},
                    "RoleArn": p.launch_role,
                    "Description": "The role the product's stacks already run with",
                },
            }
        outputs[f"{p.logical_id}Id"] = {"Value": {"Ref": p.logical_id}}
    taken: set[str] = set(resources)
    for key, values in sorted(tag_options.items()):
        for value in sorted(set(values)):
            option = logical_id("TagOption", f"{key}-{value}", taken)
            resources[option] = {
                "Type": "AWS::ServiceCatalog::TagOption",
                "Properties": {"Key": key, "Value": value},
            }
            resources[f"{option}Portfolio"] = {
                "Type": "AWS::ServiceCatalog::TagOptionAssociation",
                "Properties": {"ResourceId": {"Ref": "Portfolio"}, "TagOptionId": {"Ref": option}},
            }
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"exodus service-catalog: Proton templates of {account}/{region} as a portfolio",
        "Parameters": {
            ARTIFACT_BUCKET: {
                "Type": "String",
                "Description": "S3 bucket holding the export's artifacts/ folder (same Region)",
                "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            },
            "PrincipalArn": {
                "Type": "String",
                "Default": "",
                "Description": "IAM role or group given access to the portfolio (empty: none)",
            },
        },
        "Conditions": {"HasPrincipal": {"Fn::Not": [{"Fn::Equals": [{"Ref": "PrincipalArn"}, ""]}]}},
        "Resources": resources,
        "Outputs": outputs,
    }
    return dump_yaml(doc)
