"""The `cfn-git-sync` exporter: adopt the existing Proton stacks, in place, with CloudFormation Git sync."""

from __future__ import annotations

from exporters.cfn_git_sync.exporter import CfnGitSyncExporter, exporter

__all__ = ["CfnGitSyncExporter", "exporter"]
