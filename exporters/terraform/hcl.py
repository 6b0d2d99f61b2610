"""HCL text as `terraform fmt` writes it: two-space indents, the `=` of consecutive one-line attributes
aligned, quoted strings with HCL's escapes. Writing the canonical form directly keeps exports pure (no
`terraform` binary at export time) and `terraform fmt -check` clean; the tests run the real `fmt`.
The `spacelift` exporter writes its configuration with the same helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Expr:
    """An HCL expression written as is (a reference, a function call), not quoted."""

    text: str


Value = str | int | bool | Expr | Sequence["Value"] | Mapping[str, "Value"]


def quote(text: str) -> str:
    """A quoted HCL string literal: backslash escapes, and `${`/`%{` doubled so nothing interpolates."""
    out = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return out.replace("${", "$${").replace("%{", "%%{")


def identifier(text: str, taken: set[str] | None = None) -> str:
    """A Terraform block label / attribute name made from any text (unique within `taken`)."""
    base = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower() or "x"
    if not re.match(r"[A-Za-z_]", base):
        base = f"x_{base}"
    name, n = base, 2
    while taken is not None and name in taken:
        name, n = f"{base}_{n}", n + 1
    if taken is not None:
        taken.add(name)
    return name


def attr_key(key: str) -> str:
    """An attribute or object key as fmt writes it: bare when it is an identifier, else quoted."""
    return key if IDENT_RE.match(key) and key not in ("true", "false", "null") else f'"{quote(key)}"'


_key = attr_key


def _inline(value: Value) -> str | None:
    """The one-line form of a value, or None when it spans lines (non-empty maps)."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return f'"{quote(value)}"'
    if isinstance(value, Mapping):
        return "{}" if not value else None
    items = [_inline(v) for v in value]
    if any(i is None for i in items):
        return None
    return "[" + ", ".join(i for i in items if i is not None) + "]"


def attributes(items: Iterable[tuple[str, Value]], indent: int) -> list[str]:
    """Attribute lines at `indent`, `=` aligned over each run of one-line attributes as fmt does; a
    multi-line value (a non-empty map) ends the run and keeps a single space before its `=`."""
    pad = "  " * indent
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        out.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in run)
        run.clear()

    for key, value in items:
        one = _inline(value)
        if one is not None:
            run.append((_key(key), one))
            continue
        flush()
        assert isinstance(value, Mapping)
        out.append(f"{pad}{_key(key)} = {{")
        out.extend(attributes(value.items(), indent + 1))
        out.append(f"{pad}}}")
    flush()
    return out


@dataclass
class Block:
    """A block (`resource "type" "name" { ... }`): attributes first, then nested blocks, in the given
    order; `comment` lines go above it."""

    kind: str
    labels: tuple[str, ...] = ()
    attrs: list[tuple[str, Value]] | None = None
    blocks: list[Block] | None = None
    comment: tuple[str, ...] = ()

    def render(self, indent: int = 0) -> list[str]:
        pad = "  " * indent
        head = " ".join([self.kind, *(f'"{quote(label)}"' for label in self.labels)])
        lines = [f"{pad}# {c}".rstrip() for c in self.comment]
        body = attributes(self.attrs or [], indent + 1)
        nested = [b.render(indent + 1) for b in self.blocks or []]
        if not body and not nested:
            return [*lines, f"{head} {{}}" if not pad else f"{pad}{head} {{}}"]
        lines.append(f"{pad}{head} {{")
        lines.extend(body)
        for n, block in enumerate(nested):
            if body or n:
                lines.append("")
            lines.extend(block)
        lines.append(f"{pad}}}")
        return lines


def document(blocks: Sequence[Block], header: Sequence[str] = ()) -> str:
    """A .tf file: header comment lines, then the blocks separated by blank lines, LF, final newline."""
    parts = []
    if header:
        parts.append("\n".join(f"# {h}".rstrip() for h in header))
    parts.extend("\n".join(b.render()) for b in blocks)
    return "\n\n".join(parts) + "\n"
