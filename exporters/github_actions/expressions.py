"""GitHub Actions expressions (`${{ ... }}` and `if:` conditions), evaluated as the runner does for the
subset the exported workflows use: context paths (`inputs.x`, `github.event.pull_request.number`,
`steps.id.outputs.k`, `vars.X`, `env.X`), string/number/boolean/null literals, `!`, `==`, `!=`, `&&`,
`||`, parentheses, `toJSON(x)`, `fromJSON(x)` and the status functions `always()`, `success()`,
`failure()`, `cancelled()`
(https://docs.github.com/en/actions/reference/workflows-and-actions/expressions).
An expression outside that subset raises BadInput naming it, rather than being guessed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from proton_exodus.errors import BadInput

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!()])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*(?:\(\))?))"
)
_EMBED = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, expr.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise BadInput(f"expression {expr!r}: cannot read {text[pos:]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def truthy(value: Any) -> bool:
    """GitHub's truthiness: null, false, 0, '' and NaN are false."""
    return value not in (None, False, 0, "") and value == value


def _loose_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()  # string comparison ignores case
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or isinstance(a, (int, float))
        or isinstance(b, (int, float))
    ):
        return _number(a) == _number(b)
    return a == b


def _number(v: Any) -> float:
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _to_json(value: Any, expr: str) -> str:
    """toJSON: pretty-printed JSON, as the runner writes it (two-space indent)."""
    return json.dumps(value, indent=2)


def _from_json(value: Any, expr: str) -> Any:
    try:
        return json.loads(str(value))
    except ValueError:
        raise BadInput(f"expression {expr!r}: fromJSON of {str(value)[:40]!r} is not JSON") from None


_FUNCTIONS = {"toJSON": _to_json, "fromJSON": _from_json}


class _Parser:
    def __init__(self, expr: str, contexts: Mapping[str, Any], status: str) -> None:
        self.expr, self.toks, self.i, self.ctx, self.status = expr, _tokens(expr), 0, contexts, status

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise BadInput(f"expression {self.expr!r}: ends too early")
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise BadInput(f"expression {self.expr!r}: unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return value

    def or_(self) -> Any:
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            left = left if truthy(left) else right
        return left

    def and_(self) -> Any:
        left = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.cmp()
            left = right if truthy(left) else left
        return left

    def cmp(self) -> Any:
        left = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            left = _loose_equal(left, right) == (op == "==")
        return left

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.atom()

    def atom(self) -> Any:
        kind, text = self.take()
        if (kind, text) == ("op", "("):
            value = self.or_()
            if self.take() != ("op", ")"):
                raise BadInput(f"expression {self.expr!r}: missing )")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise BadInput(f"expression {self.expr!r}: unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if text in _FUNCTIONS and self.peek() == ("op", "("):
            self.take()
            arg = self.or_()
            if self.take() != ("op", ")"):
                raise BadInput(f"expression {self.expr!r}: missing ) after {text}(")
            return _FUNCTIONS[text](arg, self.expr)
        if text.endswith("()"):
            fn = text[:-2]
            if fn == "always":
                return True
            if fn == "success":
                return self.status == "success"
            if fn == "failure":
                return self.status == "failure"
            if fn == "cancelled":
                return False
            raise BadInput(f"expression {self.expr!r}: function {fn}() is not emulated")
        value: Any = self.ctx
        for part in text.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value


def evaluate(expr: str, contexts: Mapping[str, Any], status: str = "success") -> Any:
    """The value of one expression (without `${{ }}`)."""
    return _Parser(expr, contexts, status).parse()


def condition(text: Any, contexts: Mapping[str, Any], status: str = "success") -> bool:
    """An `if:` as the runner decides it: no `if` means `success()`; `${{ }}` around it is optional; a
    condition without a status function is implicitly `success() && (...)`."""
    if text is None or text == "":
        return status == "success"
    if isinstance(text, bool):
        return text and status == "success"
    raw = str(text).strip()
    match = _EMBED.fullmatch(raw)
    expr = match.group(1) if match else raw
    value = truthy(evaluate(expr, contexts, status))
    if not re.search(r"\b(always|success|failure|cancelled)\(\)", expr):
        value = value and status == "success"
    return value


def substitute(text: Any, contexts: Mapping[str, Any]) -> str:
    """A string with every `${{ expr }}` replaced by its value as the runner formats it."""

    def one(match: re.Match[str]) -> str:
        value = evaluate(match.group(1), contexts)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return _EMBED.sub(one, str(text))
