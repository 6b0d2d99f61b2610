"""Kubernetes helpers shared by exporters: DNS-safe names and deterministic YAML documents."""

from exporters.argocd.k8s.names import k8s_name, label_value
from exporters.argocd.k8s.yaml_doc import dump_documents

__all__ = ["dump_documents", "k8s_name", "label_value"]
