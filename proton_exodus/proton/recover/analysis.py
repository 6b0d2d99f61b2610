"""Which names a Proton Jinja template uses structurally (tests, loops, transforming filters) and
which it only substitutes into the output. Substituted values can be read back from a deployed
template; structural ones must be enumerated or taken at their default."""

from __future__ import annotations

import functools

from jinja2 import nodes

from proton_exodus.proton.render.jinja_env import ENV

# Filters that keep a substituted value recognisable in the output (sentinels pass through them).
TRANSPARENT_FILTERS = frozenset({"safe", "tojson", "string", "trim", "proton_cfn_sanitize", "default", "d", "e",
                                 "escape"})


def _dotted(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _dotted(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


class _Collector:
    def __init__(self) -> None:
        self.uses: dict[str, bool] = {}  # dotted name -> used structurally somewhere

    def mark(self, name: str, structural: bool) -> None:
        self.uses[name] = self.uses.get(name, False) or structural

    def visit(self, node: nodes.Node, structural: bool) -> None:
        dotted = _dotted(node) if isinstance(node, nodes.Getattr | nodes.Getitem) else None
        if dotted is not None:
            self.mark(dotted, structural)
            return
        if isinstance(node, nodes.If):
            self.visit(node.test, True)
            for child in [*node.body, *node.elif_, *node.else_]:
                self.visit(child, structural)
            return
        if isinstance(node, nodes.For):
            self.visit(node.iter, True)
            for child in [*node.body, *node.else_]:
                self.visit(child, structural)
            if node.test is not None:
                self.visit(node.test, True)
            return
        if isinstance(node, nodes.CondExpr):
            self.visit(node.test, True)
            self.visit(node.expr1, structural)
            if node.expr2 is not None:
                self.visit(node.expr2, structural)
            return
        if isinstance(node, nodes.Filter):
            transparent = node.name in TRANSPARENT_FILTERS
            if node.node is not None:
                self.visit(node.node, structural or not transparent)
            for child in [*node.args, *(kw.value for kw in node.kwargs)]:
                self.visit(child, True)
            return
        if isinstance(node, nodes.Output | nodes.Concat | nodes.Template | nodes.Pair | nodes.Dict | nodes.List):
            for child in node.iter_child_nodes():
                self.visit(child, structural)
            return
        # Anything else (comparisons, tests, arithmetic, calls, subscripts by expression, `set`) decides
        # structure or transforms the value beyond recognition.
        for child in node.iter_child_nodes():
            self.visit(child, True)


@functools.lru_cache(maxsize=256)
def name_uses(source: str) -> dict[str, bool]:
    """Dotted names used in `source` -> True when any use is structural (not plain substitution)."""
    collector = _Collector()
    collector.visit(ENV.parse(source), False)
    return dict(collector.uses)


def structural_names(source: str, prefix: str) -> set[str]:
    """Names under `prefix` (e.g. `service_instance.inputs.`) that the template uses structurally."""
    return {name[len(prefix):] for name, structural in name_uses(source).items()
            if structural and name.startswith(prefix)}
