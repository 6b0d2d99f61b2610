"""Symbolic and hard links in bundles (Git checkouts, tar, zip): followed inside the bundle only.

Outside links point at a file holding MARKER: it must never appear in what was read or rendered.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from proton_exodus.errors import BundleError
from proton_exodus.proton.bundle import load_bundle
from proton_exodus.proton.render import EnvironmentContext, ServiceContext, render_service_instance
from tests.proton.render.helpers import env_bundle, svc_bundle
from tests.support.bundles import build_file_tree, tar_members

MARKER = b"SECRET-OUTSIDE-THE-BUNDLE-7f3a"
CODEBUILD = (
    "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n"
    "        image: aws/codebuild/standard:6.0\n        provision: [make deploy]\n"
)


def _outside(tmp_path: Path) -> Path:
    (tmp_path / "shared").mkdir(exist_ok=True)
    secret = tmp_path / "shared" / "Makefile"
    secret.write_bytes(MARKER)
    return secret


def _no_marker(bundle) -> None:
    assert not any(MARKER in blob for blob in bundle.files.values())


def test_directory_link_inside_is_read_as_its_target(tmp_path: Path) -> None:
    root = build_file_tree(tmp_path / "b", {**env_bundle(), "shared/scripts/deploy.sh": "echo hi\n"})
    os.symlink("../shared/scripts/deploy.sh", root / "infrastructure" / "deploy.sh")
    os.symlink("../shared/scripts", root / "infrastructure" / "scripts")
    os.symlink("cloudformation.yaml", root / "infrastructure" / "copy.yaml")
    bundle = load_bundle(root)
    assert bundle.warnings == ()
    files = bundle.files
    assert files["infrastructure/deploy.sh"] == files["infrastructure/scripts/deploy.sh"] == b"echo hi\n"
    assert bundle.files["infrastructure/copy.yaml"] == bundle.files["infrastructure/cloudformation.yaml"]


def test_template_file_linked_inside_renders(tmp_path: Path) -> None:
    files = svc_bundle()
    real = files.pop("instance_infrastructure/cloudformation.yaml")
    root = build_file_tree(tmp_path / "b", {**files, "common/instance.yaml": real})
    os.symlink("../common/instance.yaml", root / "instance_infrastructure" / "cloudformation.yaml")
    rendered = render_service_instance(
        load_bundle(root),
        service=ServiceContext("svc"),
        instance_name="a",
        inputs={"image": "x"},
        environment=EnvironmentContext("e"),
    )
    assert "QueueName: 'svc-a'" in (rendered.text or "")


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("../../shared/Makefile", "outside the bundle"),
        ("ABSOLUTE", "an absolute path"),
        ("../nowhere/Makefile", "does not exist (it dangles)"),
    ],
)
def test_outside_link_is_warned_and_not_read(tmp_path: Path, target: str, why: str) -> None:
    secret = _outside(tmp_path)
    root = build_file_tree(
        tmp_path / "b",
        {"schema/schema.yaml": env_bundle()["schema/schema.yaml"], "infrastructure/manifest.yaml": CODEBUILD},
    )
    os.symlink(str(secret) if target == "ABSOLUTE" else target, root / "infrastructure" / "Makefile")
    bundle = load_bundle(root)
    assert bundle.provisioning == "codebuild" and "infrastructure/Makefile" not in bundle.files
    (warning,) = bundle.warnings
    assert warning.startswith("infrastructure/Makefile is a symbolic link that points to ") and why in warning
    assert "not followed" in warning
    _no_marker(bundle)


def test_directory_link_loops_are_reported(tmp_path: Path) -> None:
    root = build_file_tree(tmp_path / "b", env_bundle())
    os.symlink("..", root / "infrastructure" / "up")
    os.symlink("loop-b", root / "infrastructure" / "loop-a")
    os.symlink("loop-a", root / "infrastructure" / "loop-b")
    bundle = load_bundle(root)
    assert [w.split(" is a symbolic link")[0] for w in bundle.warnings] == [
        "infrastructure/loop-a",
        "infrastructure/loop-b",
        "infrastructure/up",
    ]
    assert "a folder that contains it (a loop)" in bundle.warnings[2]
    assert "loop of links" in bundle.warnings[0]


@pytest.mark.parametrize(
    "rel",
    [
        "instance_infrastructure/cloudformation.yaml",
        "schema/schema.yaml",
        "instance_infrastructure/manifest.yaml",
    ],
)
def test_a_file_proton_reads_linked_outside_is_a_clear_error(tmp_path: Path, rel: str) -> None:
    secret = _outside(tmp_path)
    root = build_file_tree(tmp_path / "b", {k: v for k, v in svc_bundle().items() if k != rel})
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(secret, (root / rel).parent), root / rel)
    with pytest.raises(
        BundleError,
        match=rf"^{rel} is a symbolic link that points to .*outside the bundle; "
        "exodus reads nothing outside the bundle",
    ):
        load_bundle(root)


def _sym(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def _tar(*links: tuple[tarfile.TarInfo, None]) -> bytes:
    files = {**env_bundle(), "shared/run.sh": "echo run\n"}
    return tar_members([*((tarfile.TarInfo(n), v.encode()) for n, v in files.items()), *links])


def test_tar_links_resolve_within_the_archive_only() -> None:
    bundle = load_bundle(
        _tar(
            _sym("infrastructure/run.sh", "../shared/run.sh"),
            _sym("infrastructure/hard.sh", "shared/run.sh", tarfile.LNKTYPE),
            _sym("infrastructure/lib", "../shared"),
            _sym("infrastructure/passwd", "/etc/passwd"),
            _sym("infrastructure/escape", "../../outside"),
            _sym("infrastructure/hard-escape", "../etc/passwd", tarfile.LNKTYPE),
            _sym("infrastructure/gone", "missing.sh"),
            _sym("infrastructure/a", "b"),
            _sym("infrastructure/b", "a"),
            _sym("infrastructure/root", ".."),
        )
    )
    for path in ("infrastructure/run.sh", "infrastructure/hard.sh", "infrastructure/lib/run.sh"):
        assert bundle.files[path] == b"echo run\n"
    reasons = {
        w.split(" is a symbolic link that ")[0]: w.split(" is a symbolic link that ")[1]
        for w in bundle.warnings
    }
    assert reasons["infrastructure/passwd"].startswith("points to /etc/passwd, an absolute path")
    assert "outside the bundle" in reasons["infrastructure/escape"]
    assert "outside the bundle" in reasons["infrastructure/hard-escape"]
    assert "dangles" in reasons["infrastructure/gone"]
    assert "loop of links" in reasons["infrastructure/a"] and "loop of links" in reasons["infrastructure/b"]
    assert "a loop" in reasons["infrastructure/root"]
    assert not {"infrastructure/passwd", "infrastructure/escape", "infrastructure/gone"} & set(bundle.files)


def test_tar_template_linked_outside_is_an_error() -> None:
    files = {k: v for k, v in env_bundle().items() if k != "infrastructure/cloudformation.yaml"}
    data = tar_members(
        [
            *((tarfile.TarInfo(n), v.encode()) for n, v in files.items()),
            _sym("infrastructure/cloudformation.yaml", "/etc/passwd"),
        ]
    )
    with pytest.raises(
        BundleError,
        match=r"^infrastructure/cloudformation.yaml is a symbolic link that "
        r"points to /etc/passwd, an absolute path",
    ):
        load_bundle(data)


def test_zip_symlinks_via_external_attr() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, text in env_bundle().items():
            archive.writestr(name, text)
        for name, target in (
            ("infrastructure/copy.yaml", "cloudformation.yaml"),
            ("infrastructure/passwd", "/etc/passwd"),
        ):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    bundle = load_bundle(buf.getvalue())
    original = env_bundle()["infrastructure/cloudformation.yaml"].encode()
    assert bundle.files["infrastructure/copy.yaml"] == original
    assert "infrastructure/passwd" not in bundle.files
    assert bundle.warnings[0].startswith(
        "infrastructure/passwd is a symbolic link that points to /etc/passwd,"
    )
