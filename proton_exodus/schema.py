"""Proton's `schema/schema.yaml`: the OpenAPI 3.0 subset, mapped to JSON Schema and checked with jsonschema.

See shared/reference/PROTON.md §1.4. Defaults are applied before validation, as AWS's template checker does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from proton_exodus.errors import SchemaError

__all__ = ["TemplateSchema", "check_minor_compatible"]

KINDS = ("environment", "service", "pipeline")


@dataclass(frozen=True)
class TemplateSchema:
    """A parsed schema file: which type feeds which kind, and the named types."""

    source: str
    types: Mapping[str, Any]
    environment_input_type: str | None = None
    service_input_type: str | None = None
    pipeline_input_type: str | None = None

    @classmethod
    def parse(cls, text: str | bytes, *, source: str = "schema.yaml") -> TemplateSchema:
        """Parse and check a schema file; raises SchemaError naming `source` and the bad field."""
        raise NotImplementedError

    def input_types(self) -> dict[str, str]:
        """kind ('environment'|'service'|'pipeline') -> the name of its input type."""
        raise NotImplementedError

    def apply_defaults_and_validate(self, kind: str, values: Mapping[str, Any] | None, *,
                                    path: str) -> dict[str, Any]:
        """Schema defaults merged under `values`, validated; SchemaError lists every violation with its path.

        `path` prefixes each violation, e.g. `instances[1].spec` gives
        `instances[1].spec.desired_count: 60 is greater than the maximum of 50`.
        """
        raise NotImplementedError

    def sensitive_inputs(self, kind: str) -> list[str]:
        """Inputs whose names suggest secrets (never written to logs or reports)."""
        raise NotImplementedError


def check_minor_compatible(old: TemplateSchema, new: TemplateSchema) -> list[str]:
    """Why `new` cannot be a minor version after `old` (empty list: compatible). PROTON.md §1.4, §4.1."""
    raise NotImplementedError
