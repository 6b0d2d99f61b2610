"""Which Proton variables a template's Jinja only substitutes, and which ones shape the template.

A variable (`environment.inputs.vpc_cidr`, `service.name`, ...) is *substitution-only* when every
use is a bare `{{ path }}` outside loops: its value lands in the text and nothing else depends on
it, so it can become a CloudFormation parameter. Any other use (a condition, a loop, a filter, a
comparison, string concatenation, a use inside a `for` body) makes it *structural*.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import nodes

from proton_exodus.proton.render.jinja_env import ENV


@dataclass(frozen=True)
class TemplateAnalysis:
    """The result of `analyse_template`: dotted variable paths, sorted."""

    substitutions: tuple[str, ...]  # used only as bare `{{ path }}`
    structural: tuple[str, ...]  # used in any other way (or under a structural prefix)
    has_loops: bool
    has_conditionals: bool

    @property
    def fully_substitution(self) -> bool:
        """True when no variable shapes the template (the 'plain substitution only' case)."""
        return not self.structural


def _path(node: nodes.Node) -> str | None:
    """`a.b.c` / `a['b']` chains rooted at a name -> dotted path; anything else -> None."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts))
        else:
            return None


class _Walker:
    def __init__(self) -> None:
        self.subs: set[str] = set()
        self.structural: set[str] = set()
        self.loops = self.conds = False
        self.locals: list[set[str]] = []

    def is_local(self, path: str) -> bool:
        root = path.split(".", 1)[0]
        return root == "loop" or any(root in names for names in self.locals)

    def structural_refs(self, node: nodes.Node) -> None:
        """Every maximal variable path under `node` is structural."""
        path = _path(node)
        if path is not None:
            self.structural.add(path)
            return
        for child in node.iter_child_nodes():
            self.structural_refs(child)

    def walk(self, node: nodes.Node, in_loop: bool) -> None:
        if isinstance(node, nodes.For):
            self.loops = True
            for part in (node.iter, node.target, *( [node.test] if node.test else [])):
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
                path = _path(child)
                if path is not None and not self.is_local(path):
                    self.subs.add(path)
                else:
                    self.structural_refs(child)
        elif isinstance(node, nodes.Expr | nodes.Assign | nodes.With | nodes.Macro | nodes.CallBlock
                        | nodes.FilterBlock | nodes.Include | nodes.Import | nodes.FromImport):
            self.conds = self.conds or not isinstance(node, nodes.Expr)
            self.structural_refs(node)
        else:
            for child in node.iter_child_nodes():
                self.walk(child, in_loop)


def analyse_template(text: str) -> TemplateAnalysis:
    """Classify the variables of a Jinja template (raises jinja2.TemplateSyntaxError on bad syntax)."""
    walker = _Walker()
    walker.walk(ENV.parse(text), False)
    structural = set(walker.structural)

    def under(path: str, others: set[str]) -> bool:
        return any(path == o or path.startswith(o + ".") or o.startswith(path + ".") for o in others)

    subs = {p for p in walker.subs if not under(p, structural)}
    structural |= walker.subs - subs
    return TemplateAnalysis(tuple(sorted(subs)), tuple(sorted(structural)), walker.loops, walker.conds)
