"""The `spacelift` exporter: Spacelift stacks as code taking the Proton stacks over in place."""

from __future__ import annotations

from exporters.spacelift.exporter import SpaceliftExporter, exporter

__all__ = ["SpaceliftExporter", "exporter"]
