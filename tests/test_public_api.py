"""The public API: every name in `proton_exodus.__all__` resolves, and importing the package stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import proton_exodus


@pytest.mark.parametrize("name", proton_exodus.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(proton_exodus, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = proton_exodus.nope  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_heavy_module() -> None:
    code = (
        "import sys, proton_exodus; heavy = [m for m in ('boto3', 'moto', 'networkx', 'jinja2', 'cfnlint') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
