"""requirements.lock pins the tested set: every requirement pyproject.toml states (dependencies, the
`test` extra, the build backend) at a version its specifier allows, and nothing pyproject no longer asks
for."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")
EXTRAS = ("test",)  # the extras `make lock` resolves
PROJECT = "proton-exodus"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(?:\\|;|$)")
_VIA = re.compile(r"^\s+#\s+(?:via\s+)?(\S.*?)\s*$")


def lock_pins(text: str) -> dict[str, tuple[Version, set[str]]]:
    """name -> (pinned version, names in its `# via` comment) from pip-compile output; a pin's own
    project is `proton-exodus` whichever pyproject table asked for it."""
    pins: dict[str, tuple[Version, set[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        if match := _PIN.match(line):
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), set())
        elif current and line.strip().startswith("#") and line.strip() != "# via":
            via = _VIA.match(line)
            if via and not via.group(1).startswith("-r"):
                pins[current][1].add(canonicalize_name(via.group(1).split(" (")[0]))
        elif not line.startswith((" ", "\t")):
            current = None
    return pins


def stated_requirements(pyproject_text: str) -> list[Requirement]:
    """Everything pyproject.toml asks for that applies here: dependencies, EXTRAS, build-system.requires."""
    data = tomllib.loads(pyproject_text)
    lines = [*data["project"].get("dependencies", []), *data["build-system"].get("requires", [])]
    for extra in EXTRAS:
        lines += data["project"].get("optional-dependencies", {}).get(extra, [])
    reqs = [Requirement(line) for line in lines]
    return [r for r in reqs if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in EXTRAS)]


def lock_problems(pyproject_text: str, lock_text: str) -> list[str]:
    """Why the lock does not match pyproject.toml; empty when it does."""
    pins = lock_pins(lock_text)
    stated = {canonicalize_name(r.name): r for r in stated_requirements(pyproject_text)}
    problems = []
    for name, req in sorted(stated.items()):
        if name not in pins:
            problems.append(f"{req} is not pinned in the lock")
        elif not req.specifier.contains(pins[name][0], prereleases=True):
            problems.append(f"{req} does not allow the locked {name}=={pins[name][0]}")
    for name, (version, via) in sorted(pins.items()):
        if PROJECT in via and name not in stated:
            problems.append(f"{name}=={version} is pinned for {PROJECT}, which no longer asks for it")
        elif not via or not via & (set(pins) | {PROJECT}):
            problems.append(f"{name}=={version} is pinned for {sorted(via)}, none of which is locked")
    return problems


def test_lock_matches_pyproject() -> None:
    assert lock_problems(PYPROJECT, LOCK) == [], "run `make lock` and commit requirements.lock"


def test_lock_pins_every_package_with_hashes() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n#\n", 1)[1])
    pinned = [b for b in blocks if _PIN.match(b)]
    assert len(pinned) == len(lock_pins(LOCK)) > 20
    assert [b.split(" ")[0] for b in pinned if "--hash=sha256:" not in b] == []
    assert "setuptools" in lock_pins(LOCK), "the build backend must be locked for --no-build-isolation"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('"moto[server]>=5.2.5"', '"moto[server]>=99"', "moto[server]>=99 does not allow the locked moto=="),
        ('"pytest>=8.0",', '"pytest<8",', "pytest<8 does not allow the locked pytest=="),
        ('"setuptools>=77"', '"setuptools>=77", "wheel>=0.40"', "wheel>=0.40 is not pinned in the lock"),
        ('"rich>=13.0",', '"rich>=13.0", "tomli-w>=1.0",', "tomli-w>=1.0 is not pinned in the lock"),
        ('"rich>=13.0",', "", "rich=="),  # dropped from pyproject, still pinned for it
        ('"yamllint>=1.35",', "", "yamllint=="),
    ],
)
def test_lock_problems_found_in_a_doctored_pyproject(old: str, new: str, problem: str) -> None:
    assert old in PYPROJECT
    problems = lock_problems(PYPROJECT.replace(old, new), LOCK)
    assert any(p.startswith(problem) or problem in p for p in problems), problems


def test_lock_problems_found_for_an_orphaned_pin() -> None:
    orphan = "orphan==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via gone-package\n"
    unsafe = "\n# The following packages"
    problems = lock_problems(PYPROJECT, LOCK.replace(unsafe, "\n" + orphan + unsafe))
    assert problems == ["orphan==1.0 is pinned for ['gone-package'], none of which is locked"]


def test_lock_pins_reads_multi_line_via() -> None:
    text = (
        "#\n# header\n#\nflask==3.1.0 \\\n    --hash=sha256:ab\n    # via\n    #   flask-cors\n    #   moto\n"
    )
    assert lock_pins(text) == {"flask": (Version("3.1.0"), {"flask-cors", "moto"})}
