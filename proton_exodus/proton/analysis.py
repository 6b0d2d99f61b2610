"""Which Proton variables a template's Jinja only substitutes into its text, and which ones shape it.

One parse, two questions, two rules on purpose:

- `analyse_template` (translate/): may a variable become a CloudFormation parameter? Only when every use
  is a bare `{{ path }}`: any filter, test, loop, comparison or concatenation changes or depends on the
  value, so a parameter could not carry it. Everything else is *structural*.
- `name_uses` / `structural_names` (recover/): can a value be read back from a deployed template? A
  value that passes through a filter that keeps it recognisable (`TRANSPARENT_FILTERS`) still can;
  tests, loops and transforming filters make it structural (it must be enumerated or assumed).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from jinja2 import nodes

from proton_exodus.proton.render.jinja_env import ENV

# Filters that keep a substituted value recognisable in the output (markers pass through them).
TRANSPARENT_FILTERS = frozenset(
    {"safe", "tojson", "string", "trim", "proton_cfn_sanitize", "default", "d", "e", "escape"}
)


def dotted_path(node: nodes.Node) -> str | None:
    """`a.b.c` / `a['b']` chains rooted at a name -> dotted path; anything else -> None."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        else:
            return None


@dataclass(frozen=True)
class TemplateAnalysis:
    """The result of `analyse_template`: dotted variable paths, sorted."""

    substitutions: tuple[str, ...]  # used only as bare `{{ path }}`
    structural: tuple[str, ...]  # used in any other way (or under a structural prefix)
    has_loops: bool
    has_conditionals: bool
    bare: tuple[str, ...] = ()  # every path output bare somewhere (`{{ path }}`), structural or not
    tested: tuple[str, ...] = ()  # paths under a Jinja `is defined` / `is undefined` test

    @property
    def fully_substitution(self) -> bool:
        """True when no variable shapes the template (the 'plain substitution only' case)."""
        return not self.structural


class _Walker:
    """The parameterisation rule: bare outputs outside loop variables are substitutions."""

    def __init__(self) -> None:
        self.subs: set[str] = set()
        self.bare: set[str] = set()
        self.structural: set[str] = set()
        self.loops = self.conds = False
        self.locals: list[set[str]] = []

    def is_local(self, path: str) -> bool:
        root = path.split(".", 1)[0]
        return root == "loop" or any(root in names for names in self.locals)

    def structural_refs(self, node: nodes.Node) -> None:
        """Every maximal variable path under `node` is structural."""
        path = dotted_path(node)
        if path is not None:
            self.structural.add(path)
            return
        for child in node.iter_child_nodes():
            self.structural_refs(child)

    def walk(self, node: nodes.Node, in_loop: bool) -> None:
        if isinstance(node, nodes.For):
            self.loops = True
            for part in (node.iter, node.target, *([node.test] if node.test else [])):
                self.structural_refs(part)
            self.locals.append({n.name for n in node.target.find_all(nodes.Name)})
            for child in node.body:
                self.walk(child, True)
            self.locals.pop()
            for child in node.else_:
                self.walk(child, in_loop)
        elif isinstance(node, nodes.If):
            self.conds = True
            self.structural_refs(node.test)
            for child in node.body + node.elif_ + node.else_:
                self.walk(child, in_loop)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    continue
                path = dotted_path(child)
                if path is not None and not self.is_local(path):
                    self.subs.add(path)
                    self.bare.add(path)
                else:
                    self.structural_refs(child)
        elif isinstance(
            node,
            nodes.Expr
            | nodes.Assign
            | nodes.With
            | nodes.Macro
            | nodes.CallBlock
            | nodes.FilterBlock
            | nodes.Include
            | nodes.Import
            | nodes.FromImport,
        ):
            self.conds = self.conds or not isinstance(node, nodes.Expr)
            self.structural_refs(node)
        else:
            for child in node.iter_child_nodes():
                self.walk(child, in_loop)


def analyse_template(text: str) -> TemplateAnalysis:
    """Classify the variables of a Jinja template (raises jinja2.TemplateSyntaxError on bad syntax)."""
    walker = _Walker()
    tree = ENV.parse(text)
    walker.walk(tree, False)
    structural = set(walker.structural)
    tested = {
        path
        for test in tree.find_all(nodes.Test)
        if test.name in ("defined", "undefined") and (path := dotted_path(test.node)) is not None
    }

    def under(path: str, others: set[str]) -> bool:
        return any(path == o or path.startswith(o + ".") or o.startswith(path + ".") for o in others)

    subs = {p for p in walker.subs if not under(p, structural)}
    structural |= walker.subs - subs
    return TemplateAnalysis(
        tuple(sorted(subs)),
        tuple(sorted(structural)),
        walker.loops,
        walker.conds,
        tuple(sorted(walker.bare)),
        tuple(sorted(tested)),
    )


class _Collector:
    """The read-back rule: outputs, also through transparent filters, are substitutions."""

    def __init__(self) -> None:
        self.uses: dict[str, bool] = {}  # dotted name -> used structurally somewhere

    def mark(self, name: str, structural: bool) -> None:
        self.uses[name] = self.uses.get(name, False) or structural

    def visit(self, node: nodes.Node, structural: bool) -> None:
        dotted = dotted_path(node) if isinstance(node, nodes.Getattr | nodes.Getitem) else None
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
        if isinstance(
            node, nodes.Output | nodes.Concat | nodes.Template | nodes.Pair | nodes.Dict | nodes.List
        ):
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
    return {
        name[len(prefix) :]
        for name, structural in name_uses(source).items()
        if structural and name.startswith(prefix)
    }
