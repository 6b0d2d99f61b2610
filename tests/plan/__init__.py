"""Tests of proton_exodus.plan."""

# The exporters this distribution ships (each with handover, runbook): what plan tests run over.
BUILTIN_EXPORTERS = ("cfn-git-sync", "codepipeline", "github-actions", "argocd", "terraform", "spacelift")
