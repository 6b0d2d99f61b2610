"""Kubernetes helpers shared by exporters: DNS-safe names and deterministic YAML documents."""

from proton_exodus.k8s.names import k8s_name, label_value
from proton_exodus.k8s.yaml_doc import dump_documents

__all__ = ["dump_documents", "k8s_name", "label_value"]
