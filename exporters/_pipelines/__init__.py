"""Shared logic of the pipeline exporters (`codepipeline`, `github-actions`): stack deployment
artefacts, dependency order, production-like detection, the retired-Proton-API rewrite of service
pipelines, and Terraform / CodeBuild estates."""

from __future__ import annotations

from exporters._pipelines.estate import (
    ADOPTABLE_STATUSES,
    Estate,
    StackArtefact,
    build_estate,
    dependency_order,
    levels,
    load_units,
    slug,
    stack_group,
    templates_index,
    watched_paths,
)
from exporters._pipelines.production import is_production_like
from exporters._pipelines.retired_api import CommandContext, mentions_proton_api, rewrite_command
from exporters._pipelines.service_pipeline import BuildStep, build_steps, convert_pipeline_template
from exporters._pipelines.yamlout import dump_yaml

__all__ = [
    "ADOPTABLE_STATUSES",
    "BuildStep",
    "CommandContext",
    "Estate",
    "StackArtefact",
    "build_estate",
    "build_steps",
    "convert_pipeline_template",
    "dependency_order",
    "dump_yaml",
    "is_production_like",
    "levels",
    "load_units",
    "mentions_proton_api",
    "rewrite_command",
    "slug",
    "stack_group",
    "templates_index",
    "watched_paths",
]
