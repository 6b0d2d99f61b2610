"""proton_exodus: get off AWS Proton without recreating a single resource.

The public API is what `__all__` lists; everything else may change between releases.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from proton_exodus.errors import ExitCode, ExodusError
from proton_exodus.settings import Settings

try:
    __version__ = version("proton-exodus")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["ExitCode", "ExodusError", "Settings", "__version__"]
