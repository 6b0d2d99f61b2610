"""CloudFormation semantics moto (5.x) lacks or gets wrong, patched so real Proton templates deploy locally.

Each patch follows CloudFormation's documented behaviour and is general enough to propose to moto
(docs/engine-coverage.md lists them, and what the local cloud still lacks). Names and ids drawn here
come from moto's generator, so inside a resource they are functions of the stack and logical id
(engine/cloud_ids.py).
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import string
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlparse

from moto.core.common_models import CloudFormationModel  # moto_compat, its only importer, needs moto anyway

__all__ = ["LACKS", "PATCHES", "coerce_properties", "patch_moto_cfn_gaps"]

_PATCHED = False

# What each patch does, for docs/engine-coverage.md (engine/coverage.py reads this).
PATCHES = (
    "YAML templates: a `!GetAtt [Resource, Attribute]` sequence (moto kept the raw YAML nodes), nested "
    "short forms inside sequences and mappings, `!GetAtt Resource.Nested.Attribute` split at the first "
    "dot only; and no YAML timestamps (`Version: 2012-10-17` stays a string, as in CloudFormation; moto "
    "made it a date and failed to serialise it).",
    "`Fn::GetAZs` resolves its argument (`{\"Ref\": \"AWS::Region\"}` gave zones named "
    "`{'Ref': 'AWS::Region'}a`); `\"\"` means the stack's Region (moto used us-east-1); the zones are "
    "the Region's zones in the local EC2, alphabetical, so subnets can be created in them.",
    "`Fn::Cidr [ipBlock, count, cidrBits]` (moto had none): the first `count` blocks of ipBlock with "
    "`cidrBits` host bits (prefix 32 - cidrBits, or 128 - cidrBits for IPv6), each argument resolved first.",
    "Generated physical names (`stackName-logicalId-RANDOM`): an `AWS::SSM::Parameter` without `Name` gets "
    "`CFN-logicalId-RANDOM` (moto passed no name and failed; SSM refuses names starting with `aws`, as "
    "Proton's `AWSProton-...` stack names do, and CloudFormation's generated parameter names take this "
    "form [observed, not documented]); an `AWS::ECR::Repository` without `RepositoryName` gets a "
    "lowercase one with single separators, as ECR's name pattern requires (moto's kept capitals and the `--` "
    "of Proton's stack names, and was refused).",
    "Top-level integer, number and boolean properties given as strings (`DesiredCount: '2'`) are converted "
    "to the type in the resource's provider schema, as CloudFormation does (moto passed the string on).",
    "`AWS::EC2::SecurityGroup` ingress rules without `FromPort`/`ToPort` (optional, e.g. with `IpProtocol: "
    "'-1'`) mean every port (-1); moto's KeyError surfaced as `Fn::GetAtt references undefined resource`.",
    "`AWS::Route53::HostedZone` answers `Fn::GetAtt` `Id` and `NameServers` (the zone's delegation set).",
    "`Transform: AWS::Serverless-2016-10-31` (SAM) is expanded at change-set creation by AWS's own "
    "translator (aws-sam-translator), offline (AWS managed policy names from its bundled map, the stack's "
    "Region): the change set, the stack's resources and `GetTemplate --template-stage Processed` see the "
    "expansion, `Original` the submitted text; a template SAM refuses fails its change set with "
    "`Transform AWS::Serverless-2016-10-31 failed with: ...` (moto ran no transform: an "
    "`AWS::Serverless::Function` was a stub with no Lambda function behind it).",
    "Updating an `AWS::Lambda::Function` whose `Code.ZipFile` is inline source zips it as a create does "
    "(moto's update read the source as base64 and failed with `Incorrect padding`).",
    "Resource types moto does not emulate (CodeBuild, Service Discovery, CloudFront, "
    "API Gateway v2, S3 bucket policies...) become stub resources: `Ref` gives a generated physical id, "
    "`Fn::GetAtt` an ARN for `Arn` attributes and a derived value for the type's other read-only "
    "attributes (an unknown attribute is refused as CloudFormation does). Only types AWS has (a provider "
    "schema in cfn-lint) are stubbed; moto still skips an unknown type. `AWS::CloudFront::Distribution` "
    "answers `Id` (E + 13 capitals) and `DomainName` (`d` + 13 characters + `.cloudfront.net`). moto "
    "skipped these resources, so a `Fn::GetAtt` on one failed the stack.",
    "A `TemplateURL` in path style on the local endpoint (`http://127.0.0.1:PORT/bucket/key`, what "
    "`aws cloudformation deploy --s3-bucket` builds from `AWS_ENDPOINT_URL`) is read from that bucket "
    "and key (moto took the host's first label, `http://127`, for the bucket and failed with NoSuchBucket).",
)

# What the local cloud still cannot do, for docs/engine-coverage.md; tests/engine/test_corpus_deploy.py
# names the corpus cases each one stops (strict xfails).
LACKS = (
    "Only the SAM transform is expanded (engine/moto_transforms.py): `AWS::Include`, "
    "`AWS::LanguageExtensions` and macros are left as written, so their resources are not created.",
    "Stub resources (types moto does not emulate) create nothing: `Ref`/`Fn::GetAtt` answer, but no API "
    "lists or describes them, property values are not validated, and the ARNs follow a generic "
    "`arn:aws:<service>:<region>:<account>:<type>/<name>` pattern that may differ from the real one.",
    "Property values are converted to their schema type only at the top level of a resource's properties.",
    "A resource type AWS does not have is skipped (moto's behaviour) where CloudFormation refuses the "
    "template (`Unrecognized resource types`); a reference to it fails the stack, which then rolls back.",
    "Updates of an `AWS::SSM::Parameter` without `Name` regenerate its name (CloudFormation keeps it).",
    "Not gaps of the local cloud, but corpus cases that fail as they would on AWS: the "
    "`loadbalanced-fargate-svc` and `loadbalanced-public-svc` instances name their target group "
    "`<service>--zzz` (ELBv2 refuses `--`), and the template checker's `valid_svc_template` needs "
    "environment outputs (`Cluster`) that no corpus environment provides.",
    "Terraform and CodeBuild bundles are not provisioned in the local cloud: the local Proton writes each "
    "deployment's working folder and waits for NotifyResourceDeploymentStatusChange "
    "(tests/engine/test_corpus_deploy.py plays that run for every such case of the corpus).",
)


def patch_moto_cfn_gaps() -> None:
    """Apply every patch above to moto's CloudFormation (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    _patch_yaml_short_forms()
    _patch_intrinsics()
    _patch_property_types()
    _patch_generated_names()
    _patch_security_group_rules()
    _patch_lambda_inline_code_updates()
    _patch_hosted_zone_attributes()
    _patch_unemulated_types()
    _patch_template_url()
    _PATCHED = True


# ---- YAML short forms ----
class _TemplateYaml:
    """moto's `yaml` as its CloudFormation modules see it: templates load with `cfn.text.parse_template`
    (short forms, dates kept as strings), and
    moto's global registration of its own tag constructor on PyYAML's loaders is skipped."""

    def __getattr__(self, name: str) -> Any:
        import yaml

        return getattr(yaml, name)

    @staticmethod
    def add_multi_constructor(*args: Any, **kwargs: Any) -> None:
        return None

    @staticmethod
    def load(stream: Any, Loader: Any = None) -> Any:  # noqa: N803 - PyYAML's signature
        from proton_exodus.cfn.text import parse_template

        text = (
            stream
            if isinstance(stream, str)
            else stream.decode()
            if isinstance(stream, bytes)
            else stream.read()
        )
        return parse_template(text, json_first=False, dates=False)


def _patch_yaml_short_forms() -> None:
    from moto.cloudformation import models, responses

    for module in (models, responses):
        module.yaml = _TemplateYaml()  # type: ignore[attr-defined]


# ---- intrinsic functions ----
def _patch_intrinsics() -> None:
    from moto.cloudformation import parsing

    original = parsing.clean_json

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, dict) and len(resource_json) == 1:
            if "Fn::GetAZs" in resource_json:
                region = original(resource_json["Fn::GetAZs"], resources_map) or resources_map["AWS::Region"]
                return get_azs(resources_map["AWS::AccountId"], str(region))
            if "Fn::Cidr" in resource_json:
                args = original(resource_json["Fn::Cidr"], resources_map)
                return cidr(*args) if isinstance(args, list) and len(args) == 3 else _bad_cidr(args)
        return original(resource_json, resources_map)

    parsing.clean_json = clean_json  # moto's clean_json recurses through this module global


def get_azs(account_id: str, region: str) -> list[str]:
    """The Availability Zones of `region` in the local EC2, alphabetical (`Fn::GetAZs`)."""
    from moto.ec2.models import ec2_backends

    return sorted(zone.name for zone in ec2_backends[account_id][region].describe_availability_zones())


def cidr(ip_block: Any, count: Any, cidr_bits: Any) -> list[str]:
    """`Fn::Cidr`: the first `count` (1-256) CIDR blocks of `ip_block` with `cidr_bits` host bits."""
    from moto.cloudformation.exceptions import ValidationError

    try:
        network = ipaddress.ip_network(str(ip_block), strict=False)
        count, bits = int(count), int(cidr_bits)
        prefix = network.max_prefixlen - bits
        if not 1 <= count <= 256 or not network.prefixlen <= prefix <= network.max_prefixlen:
            raise ValueError
        blocks = [str(n) for n in itertools.islice(network.subnets(new_prefix=prefix), count)]
    except ValueError:
        blocks = []
    if len(blocks) != count:
        raise ValidationError(
            message=f"Template error: Fn::Cidr cannot make {count} blocks of {cidr_bits} "
            f"host bits from {ip_block}"
        )
    return blocks


def _bad_cidr(args: Any) -> list[str]:
    from moto.cloudformation.exceptions import ValidationError

    raise ValidationError(message=f"Template error: Fn::Cidr takes [ipBlock, count, cidrBits], got {args!r}")


# ---- property types ----
def _patch_property_types() -> None:
    from moto.cloudformation import parsing

    original = parsing.parse_resource

    def parse_resource(resource_json: dict[str, Any], resources_map: Any) -> Any:
        parsed = original(resource_json, resources_map)
        if parsed:
            coerce_properties(parsed[2], parsed[1].get("Properties") or {})
        return parsed

    parsing.parse_resource = parse_resource


def coerce_properties(resource_type: str, properties: dict[str, Any]) -> None:
    """Top-level integer, number and boolean properties given as strings (`DesiredCount: '2'`) become
    values of their schema type, as CloudFormation converts them; moto passed the string on."""
    types = _property_types(resource_type)
    for key, value in list(properties.items()):
        wanted = types.get(key)
        if not isinstance(value, str) or wanted is None:
            continue
        try:
            if wanted == "integer":
                properties[key] = int(value)
            elif wanted == "number":
                properties[key] = float(value) if "." in value else int(value)
            elif wanted == "boolean" and value.lower() in ("true", "false"):
                properties[key] = value.lower() == "true"
        except ValueError:
            continue  # the resource reports the bad value itself


_TYPES: dict[str, dict[str, str]] = {}


def _property_types(resource_type: str) -> dict[str, str]:
    if resource_type not in _TYPES:
        schema = _schema(resource_type) or {}
        _TYPES[resource_type] = {
            name: body["type"]
            for name, body in (schema.get("properties") or {}).items()
            if isinstance(body, dict) and body.get("type") in ("integer", "number", "boolean")
        }
    return _TYPES[resource_type]


def _schema(resource_type: str) -> dict[str, Any] | None:
    """cfn-lint's provider schema of a resource type (us-east-1), or None when it has none."""
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

        return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except Exception:  # noqa: BLE001 - a type cfn-lint does not know
        return None


# ---- generated names ----
_LOWERCASE_NAMES = {"AWS::ECR::Repository"}  # ECR's name pattern: lowercase, single separators


def _patch_generated_names() -> None:
    from moto.cloudformation import parsing
    from moto.ssm.models import Parameter

    original = parsing.generate_resource_name

    def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
        name = original(resource_type, stack_name, logical_id)
        if resource_type in _LOWERCASE_NAMES:  # Proton's stack names hold `--`, which ECR's pattern refuses
            return re.sub(r"[._-]{2,}", "-", name.lower())
        return name

    parsing.generate_resource_name = generate_resource_name

    def name_parameter(resource_name: str, cloudformation_json: Any, kwargs: dict[str, Any]) -> None:
        properties = cloudformation_json.setdefault("Properties", {})
        if not properties.get("Name"):  # moto's put_parameter was given None
            logical_id = kwargs.get("LogicalId") or "Parameter"
            properties["Name"] = f"CFN-{logical_id}-{resource_name.rsplit('-', 1)[-1]}"

    _before_create(Parameter, name_parameter)


def _patch_security_group_rules() -> None:
    from moto.ec2.models.security_groups import SecurityGroup

    def default_ports(resource_name: str, cloudformation_json: Any, kwargs: dict[str, Any]) -> None:
        for rule in (cloudformation_json.get("Properties") or {}).get("SecurityGroupIngress") or []:
            rule.setdefault("FromPort", -1)  # optional in CloudFormation; -1 is every port (IpProtocol -1)
            rule.setdefault("ToPort", -1)

    _before_create(SecurityGroup, default_ports)


def _before_create(model: Any, adjust: Callable[[str, Any, dict[str, Any]], None]) -> None:
    """Let `adjust(resource_name, cloudformation_json, kwargs)` fix a resource's template before moto's own
    `create_from_cloudformation_json` of `model` runs."""
    create = model.create_from_cloudformation_json.__func__

    def patched(
        cls: Any,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        adjust(resource_name, cloudformation_json, kwargs)
        return create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    model.create_from_cloudformation_json = classmethod(patched)


def _patch_lambda_inline_code_updates() -> None:
    """An update of an `AWS::Lambda::Function` whose `Code.ZipFile` is inline source (as CloudFormation
    takes it) zips it as moto's create does; moto's update read the source as base64 and failed."""
    import base64

    from moto.awslambda.models import LambdaFunction

    update = LambdaFunction.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def update_function(
        cls: Any,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        properties = dict(cloudformation_json.get("Properties") or {})
        code = properties.get("Code")
        if isinstance(code, dict) and isinstance(code.get("ZipFile"), str):
            zipped = cls._create_zipfile_from_plaintext_code(code["ZipFile"])
            properties["Code"] = {**code, "ZipFile": base64.b64encode(zipped)}
        json_ = {**cloudformation_json, "Properties": properties}
        return update(cls, original_resource, new_resource_name, json_, account_id, region_name)

    LambdaFunction.update_from_cloudformation_json = classmethod(update_function)  # type: ignore[assignment]


# ---- attributes ----
def _patch_hosted_zone_attributes() -> None:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.route53.models import FakeZone

    def has_cfn_attr(cls: Any, attr: str) -> bool:
        return attr in ("Id", "NameServers")

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "Id":
            return self.resource_id
        if attribute_name == "NameServers":
            return list(self.delegation_set.name_servers) if self.delegation_set else []
        raise UnformattedGetAttTemplateException()

    FakeZone.has_cfn_attr = classmethod(has_cfn_attr)  # type: ignore[assignment]
    FakeZone.get_cfn_attribute = get_cfn_attribute  # type: ignore[attr-defined]


def template_url_parts(url: str) -> tuple[str, str] | None:
    """(bucket, key) of a path-style URL on an endpoint that is not AWS's (an IP address or a host with a
    port: the local cloud's), else None (moto reads AWS-style and `localhost` URLs itself)."""
    parts = urlparse(url)
    host = parts.hostname or ""
    try:
        local = parts.port is not None or bool(ipaddress.ip_address(host))
    except ValueError:
        local = False
    path = unquote(parts.path).lstrip("/")
    if not local or host.endswith("amazonaws.com") or "/" not in path:
        return None
    bucket, key = path.split("/", 1)
    return bucket, key


def _patch_template_url() -> None:
    from moto.cloudformation import models, responses, utils

    original = utils.get_stack_from_s3_url

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        found = template_url_parts(template_url)
        if found is None:
            return str(original(template_url, account_id=account_id, partition=partition))
        from moto.s3.models import s3_backends

        return str(s3_backends[account_id][partition].get_object(*found).value.decode("utf-8"))

    utils.get_stack_from_s3_url = get_stack_from_s3_url
    models.get_stack_from_s3_url = get_stack_from_s3_url  # type: ignore[attr-defined]
    responses.get_stack_from_s3_url = get_stack_from_s3_url  # type: ignore[attr-defined]


def _patch_unemulated_types() -> None:
    from moto.cloudformation import parsing

    original = parsing.resource_class_from_type

    def resource_class_from_type(resource_type: str) -> Any:
        found = original(resource_type)
        if found is None and resource_type not in parsing.NULL_MODELS and _schema(resource_type) is not None:
            return UnemulatedResource  # a type AWS has (an unknown one stays moto's: skipped, as before)
        return found

    parsing.resource_class_from_type = resource_class_from_type


def _random(chars: str, size: int) -> str:
    from moto.moto_api._internal import mock_random

    return "".join(mock_random.choice(chars) for _ in range(size))


class UnemulatedResource(CloudFormationModel):
    """A resource of a type moto does not emulate: ids and attributes only, nothing behind them."""

    def __init__(self, name: str, resource_type: str, account_id: str, region: str) -> None:
        self.resource_type, self.account_id, self.region = resource_type, account_id, region
        self.attributes: dict[str, Any] = {}
        if resource_type == "AWS::CloudFront::Distribution":
            name = "E" + _random(string.ascii_uppercase + string.digits, 13)
            self.attributes["DomainName"] = (
                f"d{_random(string.ascii_lowercase + string.digits, 13)}.cloudfront.net"
            )
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "Exodus::Local::UnemulatedResource"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        known = _read_only_attributes(self.resource_type)
        if known is not None and attribute_name not in known:
            raise UnformattedGetAttTemplateException()
        if attribute_name.endswith("Arn") or attribute_name == "Arn":
            service, kind = self.resource_type.split("::")[1:3]
            return (
                f"arn:aws:{service.lower()}:{self.region}:{self.account_id}:"
                f"{kind[0].lower() + kind[1:]}/{self.name}"
            )
        if attribute_name in ("Id", "Name") or attribute_name.endswith("Id"):
            return self.name
        return f"{self.name}-{attribute_name.replace('.', '-').lower()}"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        return cls(
            resource_name,
            kwargs.get("ResourceType") or cloudformation_json.get("Type", ""),
            account_id,
            region_name,
        )

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        return None


_READ_ONLY: dict[str, frozenset[str] | None] = {}


def _read_only_attributes(resource_type: str) -> frozenset[str] | None:
    """The type's read-only properties (its GetAtt attributes) from cfn-lint's provider schemas; None
    when the type is unknown there (then any attribute is accepted)."""
    if resource_type not in _READ_ONLY:
        schema = _schema(resource_type)
        paths = (schema or {}).get("readOnlyProperties") or []
        _READ_ONLY[resource_type] = (
            None
            if schema is None
            else frozenset(p.removeprefix("/properties/").replace("/", ".") for p in paths)
        )
    return _READ_ONLY[resource_type]
