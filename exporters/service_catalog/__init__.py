"""The `service-catalog` exporter: an AWS Service Catalog portfolio of the Proton templates, and every
existing stack adopted in place as a provisioned product."""

from __future__ import annotations

from exporters.service_catalog.exporter import ServiceCatalogExporter, exporter

__all__ = ["ServiceCatalogExporter", "exporter"]
