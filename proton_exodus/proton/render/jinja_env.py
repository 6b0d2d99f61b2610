"""The sandboxed, strict Jinja environment Proton renders CloudFormation with, and a compile cache.

Undefined names fail loudly (Proton behaves like StrictUndefined, PROTON.md §2.2) with the full dotted
name in the message; `is defined` and the `default` filter still work. Hostile templates stay inside
Jinja's sandbox. Compiled templates are cached by source text, so re-rendering is cheap.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from proton_exodus.errors import RenderError
from proton_exodus.proton.render.filters import FILTERS, ML_END, ML_START, FilterFailure

__all__ = ["NS", "compile_template", "namespace", "render_jinja", "render_jinja_shaped"]

# Every `{{ }}` output is wrapped in these markers (Environment.finalize), so that after rendering we know
# which text came from values. When every value is a YAML-inert scalar, the rendered template has the
# same YAML structure as any other render with the same static text (its "shape"), so a shape that has
# already parsed as CloudFormation need not be parsed again: this keeps renders above 1,000/s.
VAL_START, VAL_END = "\ue002", "\ue003"
_VALUE = re.compile("\ue002(.*?)\ue003", re.S)
_INERT = re.compile(r"^[A-Za-z0-9_./@=+]([A-Za-z0-9_./:@=+ -]*[A-Za-z0-9_./@=+-])?$")
_FILTER_LINE = re.compile(r'^(?:- |  )?(?:[A-Za-z0-9_]+: )?(?:"(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_./@+=,:-]*)$')


class NS(dict):
    """A namespace dict that knows its dotted path, for error messages like `'environment.outputs.X' is
    undefined`."""

    __slots__ = ("path",)

    def __init__(self, path: str, items: Mapping[str, Any]) -> None:
        super().__init__(items)
        self.path = path


def namespace(path: str, value: Any) -> Any:
    """Wrap mappings (recursively, also inside lists) as NS so undefined lookups name their full path."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return NS(path, {k: namespace(f"{path}.{k}", v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return [namespace(f"{path}[{i}]", v) for i, v in enumerate(value)]
    return value


class ProtonUndefined(StrictUndefined):
    """StrictUndefined whose message names the full path of what was looked up."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, NS):
            return (
                f"'{obj.path}.{name}' is undefined"
                if isinstance(name, str)
                else f"'{obj.path}[{name!r}]' is undefined"
            )
        return super()._undefined_message


class ProtonEnvironment(SandboxedEnvironment):
    """Sandbox where `x.name` on a namespace dict means the key `name` first (an input called `items`
    must not resolve to dict.items)."""

    # A hostile template must not exhaust memory or CPU with `'x' * 10**9` or `9 ** 9 ** 9`.
    intercepted_binops = frozenset({"*", "**"})
    MAX_SIZE = 1_000_000

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*":
            seq, times = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(times, int)
                and len(seq) * times > self.MAX_SIZE
            ):
                raise SecurityError(f"repetition would build a value of {len(seq) * times} items")
        return super().call_binop(context, operator, left, right)


def _mark(value: Any) -> Any:
    return f"{VAL_START}{value}{VAL_END}"


ENV = ProtonEnvironment(undefined=ProtonUndefined, autoescape=False, finalize=_mark)
ENV.filters.update(FILTERS)


@functools.lru_cache(maxsize=512)
def compile_template(text: str, source: str) -> Template:
    """Compile once per (text, source); raises RenderError on syntax errors, naming the line."""
    try:
        return ENV.from_string(text)
    except TemplateSyntaxError as err:
        raise RenderError(f"{source} line {err.lineno}: Jinja syntax error: {err.message}") from None


def _template_line(err: BaseException) -> int | None:
    tb, line = err.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def reindent(text: str) -> str:
    """Indent the lines of multi-line filter output to the column where the output starts."""
    parts: list[str] = []
    pos = 0
    while (start := text.find(ML_START, pos)) != -1:
        end = text.find(ML_END, start)
        if end == -1:
            break
        parts.append(text[pos:start])
        done = "".join(parts)
        column = len(done) - (done.rfind("\n") + 1)
        parts.append(text[start + 1 : end].replace("\n", "\n" + " " * column))
        pos = end + 1
    parts.append(text[pos:])
    return "".join(parts).replace(ML_START, "").replace(ML_END, "")


def _token(value: str) -> str | None:
    """The shape token of one output value, or None when it could change the YAML structure."""
    if value.startswith(ML_START) and value.endswith(ML_END):
        lines = value[1:-1].split("\n")
        if all(_FILTER_LINE.match(line) for line in lines):
            return "\0L" if lines[0].startswith("- ") else "\0M"
        return None
    if not value:
        return "\0E"
    if _INERT.match(value) and ": " not in value and not value.startswith("..."):
        return "\0V"
    return None


def _shape(marked: str) -> str | None:
    """sha256 of the render with every value replaced by its token; None if any value is not inert."""
    unsafe = False

    def sub(match: re.Match[str]) -> str:
        nonlocal unsafe
        token = _token(match.group(1))
        unsafe = unsafe or token is None
        return token or ""

    skeleton = _VALUE.sub(sub, marked)
    return None if unsafe else hashlib.sha256(skeleton.encode()).hexdigest()


def render_jinja(text: str, context: Mapping[str, Any], *, source: str) -> str:
    """Render `text` with `context`; RenderError names `source`, the line and what went wrong."""
    return render_jinja_shaped(text, context, source=source)[0]


def render_jinja_shaped(text: str, context: Mapping[str, Any], *, source: str) -> tuple[str, str | None]:
    """(rendered text, structural shape or None): see VAL_START for what the shape is for."""
    template = compile_template(text, source)
    try:
        out = template.render(context)
    except FilterFailure as err:
        raise RenderError(f"{source}{_at(err)}: {err.message}") from None
    except SecurityError as err:
        raise RenderError(f"{source}{_at(err)}: blocked by the template sandbox: {err}") from None
    except TemplateError as err:
        raise RenderError(f"{source}{_at(err)}: {err.message or type(err).__name__}") from None
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, AttributeError) as err:
        raise RenderError(f"{source}{_at(err)}: {type(err).__name__}: {err}") from None
    shape = _shape(out)
    out = out.replace(VAL_START, "").replace(VAL_END, "")
    return (reindent(out) if ML_START in out else out), shape


def _at(err: BaseException) -> str:
    line = _template_line(err)
    return f" line {line}" if line else ""
