"""proton_exodus: get off AWS Proton without recreating a single resource.

The public API is what `__all__` lists; everything else may change between releases. Each step of a
migration is one call, and data flows one way (docs/architecture.md):

    from pathlib import Path
    import proton_exodus as ex

    snapshot = ex.load_snapshot(Path("snap"))          # written by ex.crawl_estate / ex.crawl_stacks
    graph = ex.build_graph(snapshot)
    audit = ex.audit_snapshot(snapshot, graph)
    plan, graph = ex.plan_snapshot(snapshot)
    ex.run_export("cfn-git-sync", snapshot, Path("repo"))
    report = ex.verify_export(snapshot, Path("repo"))

Names are imported on first use, so `import proton_exodus` (and `exodus --help`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from proton_exodus.errors import ExitCode, ExodusError
from proton_exodus.settings import Settings

try:
    __version__ = version("proton-exodus")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

# Public name -> the module that defines it.
_LAZY = {
    "crawl_estate": "proton_exodus.inventory",
    "crawl_stacks": "proton_exodus.inventory",
    "Snapshot": "proton_exodus.model.snapshot",
    "load_snapshot": "proton_exodus.model.snapshot",
    "write_snapshot": "proton_exodus.model.snapshot",
    "DeploymentUnit": "proton_exodus.model.units",
    "build_units": "proton_exodus.model.units",
    "build_graph": "proton_exodus.graph",
    "audit_snapshot": "proton_exodus.audit",
    "plan_snapshot": "proton_exodus.plan",
    "write_plan": "proton_exodus.plan",
    "run_export": "proton_exodus.export",
    "list_targets": "proton_exodus.export",
    "verify_export": "proton_exodus.verify",
    "build_report": "proton_exodus.report",
    "load_bundle": "proton_exodus.proton.bundle",
    "render_environment": "proton_exodus.proton.render",
    "render_service_instance": "proton_exodus.proton.render",
    "render_pipeline": "proton_exodus.proton.render",
    "LocalProtonServer": "proton_exodus.engine.server",
    "run_demo": "proton_exodus.demo.run",
}

__all__ = ["ExitCode", "ExodusError", "Settings", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    """Import a public name from its home on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'proton_exodus' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
