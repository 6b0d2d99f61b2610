"""The `backstage` exporter: a Backstage software catalog of the estate and software templates."""

from __future__ import annotations

from exporters.backstage.exporter import BackstageExporter, exporter

__all__ = ["BackstageExporter", "exporter"]
