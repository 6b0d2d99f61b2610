"""`AWS::CodePipeline::Pipeline` as a real pipeline of moto's CodePipeline, so a stack's pipeline can be
started (`aws codepipeline start-pipeline-execution`, the runbooks' cut-over) and described; moto (5.x)
has the CodePipeline API but no CloudFormation type for it, which moto_cfn_gaps stubbed (no pipeline
behind the physical id).

After the resource reference
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-codepipeline-pipeline.html):
`Ref` is the pipeline name (`Name`, else generated from the stack and logical id); the properties map to
CreatePipeline's structure (its checks apply: a role CodePipeline may assume, at least two stages);
`Fn::GetAtt Version`. An update replaces the pipeline's structure in place (UpdatePipeline); a delete
deletes it."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

__all__ = ["ADDED", "RESOURCES"]

ADDED = (
    "CloudFormation type AWS::CodePipeline::Pipeline backed by moto's CodePipeline (CreatePipeline's "
    "checks; `Ref` the name; `Version`); updates replace the structure, deletes delete the pipeline.",
)
_KEEP = {"configuration"}  # action configuration keys are the provider's own, kept as written


def _camel(value: Any, parent: str = "") -> Any:
    """CloudFormation's PascalCase properties as CodePipeline's API structure (camelCase)."""
    if isinstance(value, dict):
        if parent in _KEEP:
            return dict(value)
        out = {}
        for k, v in value.items():
            key = k[:1].lower() + k[1:]
            out[key] = _camel(v, key)
        return out
    if isinstance(value, list):
        return [_camel(v, parent) for v in value]
    return value


def _structure(props: dict[str, Any], name: str) -> dict[str, Any]:
    api = _camel({k: v for k, v in props.items() if k not in ("Name", "Tags", "RestartExecutionOnUpdate")})
    api["name"] = name
    api.setdefault("version", 1)
    return api


def _backend(account: str, region: str) -> Any:
    from moto.codepipeline.models import codepipeline_backends

    return codepipeline_backends[account][region]


class PipelineResource(CloudFormationModel):  # type: ignore[misc]
    def __init__(self, name: str, version: int) -> None:
        self.name, self.version = name, version

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CodePipeline::Pipeline"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Version"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name != "Version":
            raise UnformattedGetAttTemplateException()
        return str(self.version)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        name = props.get("Name") or resource_name  # moto generated it as CloudFormation does
        tags = [{"key": t["Key"], "value": t["Value"]} for t in props.get("Tags") or []]
        _backend(account_id, region_name).create_pipeline(_structure(props, name), tags or None)
        return cls(name, 1)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        backend = _backend(account_id, region_name)
        pipeline = backend.get_pipeline(original_resource.name)
        version = int(pipeline.pipeline.get("version", 1)) + 1
        pipeline.pipeline.update({**_structure(props, original_resource.name), "version": version})
        original_resource.version = version
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        _backend(account_id, region_name).pipelines.pop(resource_name, None)


RESOURCES = {"AWS::CodePipeline::Pipeline": PipelineResource}
