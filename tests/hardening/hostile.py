"""Generators of hostile inputs for the hardening corpus: bundles, specs, schemas, snapshots and CLI
arguments.

Every case is built in code (no binary blobs in the repository). A case is a name, a function that
writes its inputs under a tmp directory and returns the CLI arguments, and the command it drives.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.proton.render.helpers import ENV_SCHEMA, SVC_SCHEMA, env_bundle, svc_bundle
from tests.support.bundles import as_bytes, tar_members, zip_bytes
from tests.support.bundles import build_file_tree as write_bundle_dir

Builder = Callable[[Path, Path], list[str]]  # (tmp dir, output path) -> argv


@dataclass(frozen=True)
class Case:
    """One hostile input: `build(tmp, out)` writes the inputs and returns the argv to run."""

    name: str
    build: Builder
    out_is_file: bool = False  # the output path is a file the command must not write


# ---- archive members -------------------------------------------------------------------------------------


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def _good_members() -> dict[str, bytes]:
    return {k: as_bytes(v) for k, v in env_bundle().items()}


def tar_with(extra: tarfile.TarInfo, payload: bytes | None, gz: bool = True) -> bytes:
    """A good environment bundle plus one hostile member (a payload replaces a same-named good file's)."""
    good = _good_members()
    if payload is not None:
        good[extra.name] = payload
    return tar_members([(_file(n), good[n]) for n in _good_members()] + [(extra, payload)], gz=gz)


def zip_with(name: str, payload: bytes, *, symlink: bool = False) -> bytes:
    if symlink:
        return zip_bytes(_good_members(), symlinks={name: payload.decode()}, deflated=True)
    return zip_bytes({**_good_members(), name: payload}, deflated=True)


TRAVERSALS = [
    "../evil.yaml",
    "../../etc/passwd",
    "infrastructure/../../escape.yaml",
    "a/b/../../../c.yaml",
    "./../x",
    "schema/../../../../../tmp/pwn",
    "..\\windows.yaml",
    "infrastructure/..\\..\\w.yaml",
]
ABSOLUTES = [
    "/etc/passwd",
    "/tmp/exodus-abs.yaml",
    "C:/windows/system32/x",
    "c:\\boot.ini",
    "\\\\server\\share\\x",
    "/infrastructure/cloudformation.yaml",
]
LINK_TARGETS = ["/etc/passwd", "../outside", "../../../../etc/shadow", "schema/schema.yaml", "/"]


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def _special(name: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    return info


def archive_blobs() -> dict[str, tuple[str, bytes]]:
    """name -> (suffix, archive bytes) for every hostile archive."""
    blobs: dict[str, tuple[str, bytes]] = {}
    for i, name in enumerate(TRAVERSALS + ABSOLUTES):
        blobs[f"tgz-path-{i}"] = (".tar.gz", tar_with(_file(name), b"x: 1\n"))
        blobs[f"tar-path-{i}"] = (".tar", tar_with(_file(name), b"x: 1\n", gz=False))
        blobs[f"zip-path-{i}"] = (".zip", zip_with(name, b"x: 1\n"))
    for i, target in enumerate(LINK_TARGETS):
        blobs[f"tgz-symlink-{i}"] = (
            ".tar.gz",
            tar_with(_link("infrastructure/link.yaml", target, tarfile.SYMTYPE), None),
        )
        blobs[f"tgz-hardlink-{i}"] = (
            ".tar.gz",
            tar_with(_link("infrastructure/hard.yaml", target, tarfile.LNKTYPE), None),
        )
        blobs[f"zip-symlink-{i}"] = (
            ".zip",
            zip_with("infrastructure/link.yaml", target.encode(), symlink=True),
        )
    for label, kind in [("fifo", tarfile.FIFOTYPE), ("chr", tarfile.CHRTYPE), ("blk", tarfile.BLKTYPE)]:
        blobs[f"tgz-{label}"] = (".tar.gz", tar_with(_special(f"infrastructure/{label}", kind), None))
    huge = b"# " + b"A" * (6 * 1024 * 1024) + b"\n"
    blobs["tgz-huge-file"] = (".tar.gz", tar_with(_file("infrastructure/big.yaml"), huge))
    blobs["zip-huge-file"] = (".zip", zip_with("infrastructure/big.yaml", huge))
    # Terraform takes every file of the folder as a template: 3,000 of them is over Proton's limit of 10.
    many = {
        **_good_members(),
        "infrastructure/manifest.yaml": b"infrastructure:\n  templates:\n    - file: '*'\n"
        b"      rendering_engine: hcl\n      template_language: terraform\n",
        **{f"infrastructure/f{i:05}.tf": b"# x\n" for i in range(3000)},
    }
    del many["infrastructure/cloudformation.yaml"]
    blobs["tgz-too-many-files"] = (".tar.gz", tar_members([(_file(n), data) for n, data in many.items()]))
    blobs["tgz-duplicate-member"] = (
        ".tar.gz",
        tar_with(_file("infrastructure/cloudformation.yaml"), b"X: 2\n"),
    )
    blobs["garbage-tgz"] = (".tar.gz", b"\x1f\x8b\x08\x00garbage" * 10)
    blobs["garbage-zip"] = (".zip", b"PK\x03\x04" + b"\x00" * 40)
    blobs["empty-archive"] = (".tar.gz", b"")
    blobs["truncated-tgz"] = (".tar.gz", tar_with(_file("x"), b"1")[:60])
    return blobs


# ---- YAML / text payloads --------------------------------------------------------------------------------


def yaml_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * width)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def deep_flow(depth: int) -> str:
    return "[" * depth + "]" * depth + "\n"


def deep_block(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


BAD_UTF8 = [
    b"\xff\xfe\x00bad",
    b"proton: EnvironmentSpec\nspec:\n  x: \xc3\x28\n",
    b"\xed\xa0\x80surrogate: 1\n",
    b"key: \xf8\x88\x80\x80\x80\n",
]


def yaml_payloads() -> dict[str, str | bytes]:
    """Hostile texts for any YAML file (spec, schema, manifest)."""
    pays: dict[str, str | bytes] = {
        "bomb-9x9": yaml_bomb(),
        "bomb-12x12": yaml_bomb(12, 12),
        "deep-flow-2000": deep_flow(2000),
        "deep-flow-50000": deep_flow(50_000),
        "deep-block-3000": deep_block(3000),
        "deep-map-flow": "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "dup-keys": "a: 1\na: 2\n",
        "python-tag": "!!python/object/apply:os.system ['echo pwned']\n",
        "binary-tag": "x: !!binary AAAA\n",
        "unterminated": "a: [1, 2\n",
        "tab-indent": "a:\n\t- 1\n",
        "scalar": "just a string\n",
        "list-top": "- 1\n- 2\n",
        "null": "~\n",
        "empty": "",
        "int-top": "42\n",
        "nul-bytes": "a: \x00\x00\n",
        "huge-line": "a: " + "x" * 300_000 + "\n",
        "many-docs": "---\na: 1\n---\nb: 2\n",
        "merge-bomb": "base: &b {x: 1}\n" + "".join(f"m{i}: {{<<: *b}}\n" for i in range(100)) + "<<: 5\n",
    }
    for i, raw in enumerate(BAD_UTF8):
        pays[f"bad-utf8-{i}"] = raw
    return pays


JINJA_ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ config.items() }}",
    "{{ request.application.__globals__ }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ environment.__class__ }}",
    "{{ environment.inputs.__class__.__init__.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ dict.__subclasses__() }}",
    "{{ ''|attr('__class__') }}",
    "{{ (''|attr('__class__')).__mro__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ 'a' * 100000000 }}",
    "{{ 9 ** (9 ** 9) }}",
    "{{ range(10**9)|list }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% extends '../../etc/passwd' %}",
    "{{ undefined_name }}",
    "{{ 1/0 }}",
    "{% for %}",
    "{{ environment.inputs.vpc_cidr.__class__ }}",
    "{{ ''.format.__globals__ }}",
    "{{ x.__getattribute__('__class__') }}",
    "{{ '%s' % 'x' * 10**8 }}",
    "{{ ''.join(['a'] * 10**8) }}",
]


# ---- snapshots ---------------------------------------------------------------------------------------------

SNAPSHOT_MUTATIONS: dict[str, Callable[[Path], None]] = {}


def _mutation(name: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(fn: Callable[[Path], None]) -> Callable[[Path], None]:
        SNAPSHOT_MUTATIONS[name] = fn
        return fn

    return register


def _set_meta(root: Path, **changes: object) -> None:
    meta = json.loads((root / "snapshot.json").read_text())
    meta.update(changes)
    (root / "snapshot.json").write_text(json.dumps(meta))


for _v in [0, 2, 99, "1", None, -1, [1], {"v": 1}, True]:
    _mutation(f"formatVersion-{json.dumps(_v)}")(lambda root, v=_v: _set_meta(root, formatVersion=v))
_mutation("format-other")(lambda root: _set_meta(root, format="terraform-state"))
_mutation("formatVersion-missing")(
    lambda root: (root / "snapshot.json").write_text(
        json.dumps(
            {
                k: v
                for k, v in json.loads((root / "snapshot.json").read_text()).items()
                if k != "formatVersion"
            }
        )
    )
)
_mutation("manifest-missing")(lambda root: (root / "snapshot.json").unlink())
_mutation("manifest-is-dir")(
    lambda root: ((root / "snapshot.json").unlink(), (root / "snapshot.json").mkdir())
)
_mutation("root-is-file")(lambda root: (shutil.rmtree(root), root.write_text("{}")))
_mutation("root-missing")(lambda root: shutil.rmtree(root))
FILE_BODIES: dict[str, bytes] = {
    "malformed": b'[{"name": ',
    "trailing-comma": b'[{"a": 1},]',
    "object": b'{"name": "x"}',
    "ints": b"[1, 2, 3]",
    "strings": b'["a"]',
    "nested-lists": b"[[{}]]",
    "nulls": b"[null]",
    "bad-utf8": b'[{"name": "\xff\xfe"}]',
    "empty": b"",
    "nan": b"NaN",
    "deep": b"[" * 100_000 + b"]" * 100_000,
}
for _file_name in [
    "snapshot.json",
    "environments.json",
    "service_instances.json",
    "stacks/index.json",
    "secrets.json",
]:
    for _label, _body in FILE_BODIES.items():
        if _file_name == "snapshot.json" and _label in {"nested-lists", "nulls", "strings"}:
            continue
        if _file_name == "secrets.json" and _label not in {"malformed", "bad-utf8", "empty", "deep", "ints"}:
            continue
        _mutation(f"{_file_name}-{_label}")(
            lambda root, f=_file_name, b=_body: (
                (root / f).parent.mkdir(parents=True, exist_ok=True) or (root / f).write_bytes(b)
            )
        )


def snapshot_commands(snap: Path, tmp: Path, out: Path) -> dict[str, list[str]]:
    """Each snapshot-reading command, writing (when it writes) to `out`."""
    export_dir = tmp / "export-in"
    export_dir.mkdir(exist_ok=True)
    return {
        "export": ["export", "--snapshot", str(snap), "--target", "cfn-git-sync", "--out", str(out)],
        "verify": ["verify", "--snapshot", str(snap), "--export", str(export_dir)],
        "audit": ["audit", "--snapshot", str(snap), "--out", str(out)],
        "plan": ["plan", "--snapshot", str(snap), "--out", str(out)],
        "graph": ["graph", "--snapshot", str(snap), "--out", str(out)],
    }


__all__ = [
    "ABSOLUTES",
    "ENV_SCHEMA",
    "JINJA_ESCAPES",
    "SNAPSHOT_MUTATIONS",
    "SVC_SCHEMA",
    "Case",
    "archive_blobs",
    "env_bundle",
    "snapshot_commands",
    "svc_bundle",
    "write_bundle_dir",
    "yaml_payloads",
]
