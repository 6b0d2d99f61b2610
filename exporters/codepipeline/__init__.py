"""The `codepipeline` exporter (CodePipeline V2 pipelines defined in CloudFormation)."""

from __future__ import annotations

from exporters.codepipeline.exporter import CodePipelineExporter, exporter

__all__ = ["CodePipelineExporter", "exporter"]
