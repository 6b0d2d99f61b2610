"""TEMPLATES.md, the export's account of the translation: per Proton template version, whether its stacks
share one parameterised template or keep their deployed one, and why. Every target that ships shared
templates writes it (the issue's proof per template lives beside the files it explains)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from proton_exodus.translate.stacks import PARAMETERISED, StackTemplate, TemplateReport


def templates_summary(
    reports: Iterable[TemplateReport],
    stacks: Sequence[StackTemplate],
    parameters_file: str = "deployment file",
) -> str:
    """TEMPLATES.md: per Proton template, the path taken, its parameters and why stacks kept their
    template. `parameters_file` says what holds one stack's values in this target."""
    counted = [st for st in stacks if st.unit.kind in ("environment", "service_instance")]
    on_shared = sum(1 for st in counted if st.path == PARAMETERISED)
    lines = [
        "# Templates: which path each Proton template took",
        "",
        "`parameterised`: each Proton template version is translated once into a CloudFormation template",
        "its stacks share (inputs, names and environment outputs as parameters, Jinja conditions as",
        "Conditions/Fn::If, loops over list inputs as CommaDelimitedList items), and every stack is proven:",
        f"the shared template resolved with its {parameters_file} equals its deployed template, resource by",
        "resource. `deployed`: the stack keeps its template exactly as deployed (the reasons are below).",
        f"`TEMPLATES.json` lists, per stack, its template file, {parameters_file} and what each parameter",
        "stands for.",
        "",
        f"Environment and service instance stacks on a shared parameterised template: {on_shared} of "
        f"{len(counted)}" + (f" ({on_shared / len(counted):.0%})." if counted else "."),
        "",
    ]
    reasons: dict[tuple, dict[str, int]] = {}
    for st in stacks:
        key = (st.unit.template_name or st.unit.name, st.unit.template_major or "-", st.unit.kind)
        bucket = reasons.setdefault(key, {})
        bucket[st.reason] = bucket.get(st.reason, 0) + 1
    for r in sorted(reports, key=lambda r: (r.kind, r.template, r.major)):
        path = "parameterised" if r.parameterised_stacks else "deployed"
        lines += [
            f"## {r.template} v{r.major} ({r.kind}): {path}",
            "",
            f"- source: `{r.source or 'no bundle'}`; stacks: {r.stacks}, parameterised: "
            f"{r.parameterised_stacks}",
        ]
        if r.parameters:
            roles = {"defined": " (is it set)", "list": " (list items)"}
            lines.append(
                "- parameters: "
                + ", ".join(
                    f"`{p.name}` = `{p.path}`" + roles.get(p.role, "") + (" (secret)" if p.sensitive else "")
                    for p in r.parameters
                )
            )
        if r.structural:
            lines.append("- structural (rendered per stack): " + ", ".join(f"`{s}`" for s in r.structural))
        for note in sorted(set(r.notes)):
            lines.append(f"- {note}")
        for reason, n in sorted(reasons.get((r.template, r.major, r.kind), {}).items()):
            lines.append(f"- {n} stack(s): {reason}")
        lines.append("")
    return "\n".join(lines)
