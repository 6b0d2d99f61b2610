"""Proton template bundles: load them from a directory, a .tar.gz or a .zip (in memory), and check Proton's rules.

Layouts and limits follow shared/reference/PROTON.md §1 (bundle layouts, manifests, packaging limits)
and §4.8 (template-sync `<name>/v<N>/` layouts, `.template-registration.yaml`, legacy `.compatible-envs`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proton_exodus.errors import BundleError
from proton_exodus.schema import TemplateSchema

__all__ = [
    "Bundle",
    "Manifest",
    "ManifestTemplate",
    "load_bundle",
    "load_component",
    "load_template_sync_repo",
]


@dataclass(frozen=True)
class ManifestTemplate:
    """One entry of a manifest's `infrastructure.templates` list."""

    rendering_engine: str  # jinja | hcl | codebuild
    template_language: str | None  # cloudformation | terraform | None (codebuild)
    file: str | None  # "cloudformation.yaml", "*", a .tf name; None for codebuild
    settings: Mapping[str, Any] = field(default_factory=dict)  # codebuild settings (image, provision, ...)


@dataclass(frozen=True)
class Manifest:
    """A parsed `manifest.yaml` of one bundle folder (or of a directly defined component)."""

    folder: str  # infrastructure | instance_infrastructure | pipeline_infrastructure | "" (component)
    templates: tuple[ManifestTemplate, ...]
    text: str

    @property
    def language(self) -> str:
        """'cloudformation', 'terraform' or 'codebuild'."""
        raise NotImplementedError


@dataclass(frozen=True)
class Bundle:
    """A loaded, rule-checked template bundle. `files` maps POSIX relative paths to bytes."""

    template_type: str  # environment | service | component
    files: Mapping[str, bytes]
    schema: TemplateSchema | None
    provisioning: str  # cloudformation | terraform | codebuild | customer-managed
    has_pipeline: bool
    compatible_environments: tuple[tuple[str, int], ...] = ()
    supported_component_sources: tuple[str, ...] = ()
    manifests: Mapping[str, Manifest] = field(default_factory=dict)  # folder -> manifest
    name: str | None = None

    def digest(self) -> str:
        """sha256 over the sorted (path, content) pairs: equal bundles have equal digests."""
        sha = hashlib.sha256()
        for path in sorted(self.files):
            sha.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        return sha.hexdigest()

    def folder_files(self, folder: str) -> dict[str, bytes]:
        """The files under `folder/` (relative to it), e.g. the .tf files of `instance_infrastructure`."""
        prefix = folder.rstrip("/") + "/" if folder else ""
        return {p[len(prefix):]: b for p, b in self.files.items() if p.startswith(prefix)}


def load_bundle(source: Path | bytes, *, name: str | None = None) -> Bundle:
    """Load a bundle from a directory, a .tar.gz/.zip file, or archive bytes (as uploaded to S3).

    Archives are read in memory; members that are links, absolute or escape the root are refused.
    Raises BundleError (layout, limits, manifests) or SchemaError (schema/schema.yaml).
    """
    raise NotImplementedError


def load_template_sync_repo(path: Path) -> dict[tuple[str, int], Bundle]:
    """Find every `<template name>/v<N>/` bundle under a template-sync repository checkout."""
    raise NotImplementedError


def load_component(template_file_text: str, manifest_text: str, *, name: str | None = None) -> Bundle:
    """A directly defined component: one IaC file's contents plus its manifest (PROTON.md §1.1)."""
    raise NotImplementedError
