"""The `github-actions` exporter (not implemented yet)."""

from __future__ import annotations

from exporters import API_VERSION, ExportContext, ExportResult
from proton_exodus.errors import NotImplementedYet


class _Pending:
    name = "github-actions"
    summary = "(not implemented yet)"
    api_version = API_VERSION

    def export(self, ctx: ExportContext) -> ExportResult:
        raise NotImplementedYet("export target 'github-actions' is not implemented yet")


exporter = _Pending()
