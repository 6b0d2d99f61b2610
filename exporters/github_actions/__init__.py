"""The `github-actions` exporter (workflows with OIDC, change-set previews and per-environment gates)."""

from __future__ import annotations

from exporters.github_actions.exporter import GitHubActionsExporter, exporter

__all__ = ["GitHubActionsExporter", "exporter"]
