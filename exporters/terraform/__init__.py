"""The `terraform` exporter: adopt the Proton stacks in place with Terraform/OpenTofu import blocks."""

from __future__ import annotations

from exporters.terraform.exporter import TerraformExporter, exporter

__all__ = ["TerraformExporter", "exporter"]
