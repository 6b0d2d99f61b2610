"""The embedded demo estate as data: estate.yaml, its bundles,
and small lookups the seeder and tests share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from proton_exodus.errors import BadInput
from proton_exodus.proton.archive import pack_archive

DEMO_DIR = Path(__file__).resolve().parent
ESTATE_FILE = DEMO_DIR / "estate.yaml"
BUNDLES_DIR = DEMO_DIR / "bundles"
SECRET_PREFIX = "exodus-demo-secret-"

__all__ = [
    "BUNDLES_DIR",
    "DEMO_DIR",
    "ESTATE_FILE",
    "SECRET_PREFIX",
    "bundle_tarball",
    "iter_instances",
    "load_estate",
    "planted_secrets",
    "version_source_dir",
]


def load_estate(path: Path = ESTATE_FILE) -> dict[str, Any]:
    """Parse estate.yaml (a plain mapping; see the file's header for its lifecycle)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise BadInput(f"{path}: cannot read the demo estate: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != "exodus-demo-estate":
        raise BadInput(f"{path}: not an exodus demo estate (format: exodus-demo-estate)")
    return doc


def version_source_dir(version: Mapping[str, Any], root: Path = DEMO_DIR) -> Path:
    """The directory the seeder registers a template version from (its bundle, or its seed-only source)."""
    rel = version.get("bundle")
    if rel is not None:
        return root / "bundles" / rel
    return root / version["seedSource"]


def bundle_tarball(directory: Path) -> bytes:
    """A .tar.gz of a bundle directory, wrapped in its folder name as `tar -czf x.tar.gz v1/` does."""
    paths = sorted(p for p in directory.rglob("*") if p.is_file())
    return pack_archive(
        {f"{directory.name}/{p.relative_to(directory).as_posix()}": p.read_bytes() for p in paths}
    )


def iter_instances(estate: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], bool]]:
    """(service, instance spec entry, is_later) for every instance, in estate order.

    Instance entries are the parsed `instances:` items of the service spec (and of each
    `laterInstances` spec), so callers see exactly what the seeder sends.
    """
    for service in estate["services"]:
        for inst in yaml.safe_load(service["spec"])["instances"]:
            yield service, inst, False
        for later in service.get("laterInstances", []):
            for inst in yaml.safe_load(later["spec"])["instances"]:
                yield service, inst, True


def _walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


def planted_secrets(estate: Mapping[str, Any] | None = None) -> list[str]:
    """Every planted fake secret value in the demo specs (sorted): what must never leak."""
    estate = estate if estate is not None else load_estate()
    specs = [env["spec"] for env in estate["environments"]]
    for service in estate["services"]:
        specs.append(service["spec"])
        specs += [later["spec"] for later in service.get("laterInstances", [])]
    found = {s for text in specs for s in _walk_strings(yaml.safe_load(text)) if s.startswith(SECRET_PREFIX)}
    return sorted(found)
