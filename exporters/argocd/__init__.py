"""The `argocd` exporter: Argo CD Applications/ApplicationSets and Crossplane Stacks adopting existing
stacks."""

from exporters.argocd.exporter import ArgoCdExporter, exporter

__all__ = ["ArgoCdExporter", "exporter"]
