"""The share of the corpus's CloudFormation template versions that translate exactly into one shared
parameterised template (every stack proven equal to its deployed template), with the reason for each
one that does not. `EXODUS_CORPUS_REPORT=<file>` also writes the table (TEMPLATES.md and the closing
note quote it)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from proton_exodus.errors import RenderError
from proton_exodus.model.units import build_units
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplateBuilder
from tests.exporters.cfn_helpers import corpus_environment_snapshot, corpus_service_snapshot
from tests.proton.render.corpus_cases import build_cases

# Measured on ../shared/corpus when translation landed (26 versions: 22 on one shared template, 4 on
# one template per value of a structural variable, none kept as rendered); lower is a regression.
FLOOR, ONE_TEMPLATE_FLOOR = 0.95, 0.80


def _versions() -> list[tuple[str, Path, Path]]:
    seen: dict[tuple[str, Path], Path] = {}
    for case in build_cases():
        folder = "infrastructure" if case.target == "environment" else "instance_infrastructure"
        if case.target == "pipeline" or not case.target.startswith(("environment", "instance:")):
            continue
        manifest = case.bundle / folder / "manifest.yaml"
        if manifest.is_file() and "cloudformation" in manifest.read_text():
            seen.setdefault((case.target.split(":")[0], case.bundle), case.spec)
    return [(kind, bundle, spec) for (kind, bundle), spec in sorted(seen.items(), key=lambda x: str(x[0][1]))]


def _measure(kind: str, bundle: Path, spec: Path) -> tuple[str, str]:
    """(verdict, reason) of one template version: exact, fallback (why) or not deployable."""
    try:
        if kind == "environment":
            snap = corpus_environment_snapshot(bundle, spec, ["alpha", "beta"])
        else:
            snap = corpus_service_snapshot(bundle, spec)
    except RenderError as err:
        return "skipped", f"Proton could not have deployed it: {str(err)[:80]}"
    units = build_units(snap)
    wanted = [u for u in units if u.kind in ("environment", "service_instance")]
    builder = StackTemplateBuilder(snap, units)
    built = builder.build(wanted)
    if built and all(st.path == PARAMETERISED for st in built):
        keyed = sorted({p for r in builder.reports.values() for p in r.structural if "." in p})
        if keyed:  # exact, but one template per value of these (each instance of the corpus is alone)
            return "per-value", "stacks grouped by " + ", ".join(f"`{p}`" for p in keyed)
        return "exact", f"{len(built)} stack(s) on one shared template"
    reasons = Counter(st.reason for st in built if st.path != PARAMETERISED)
    return "fallback", "; ".join(f"{n}x {r}" for r, n in sorted(reasons.items())) or "no stack"


def test_corpus_share_of_exact_translations() -> None:
    rows = [(kind, bundle, *_measure(kind, bundle, spec)) for kind, bundle, spec in _versions()]
    counted = [r for r in rows if r[2] != "skipped"]
    exact = sum(1 for r in counted if r[2] == "exact")
    grouped = sum(1 for r in counted if r[2] == "per-value")
    share = (exact + grouped) / len(counted)
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    lines = [
        f"CloudFormation template versions in the corpus: {len(counted)}; translated exactly: "
        f"{exact + grouped} ({share:.0%}): {exact} as one shared template for any instance, {grouped} as "
        f"one template per value of a structural variable; {len(counted) - exact - grouped} kept as "
        f"rendered; {len(rows) - len(counted)} skipped (Proton could not have deployed them)",
        "",
        "| template version | kind | verdict | why |",
        "|---|---|---|---|",
    ]
    for kind, bundle, verdict, why in rows:
        name = bundle.relative_to(corpus) if bundle.is_relative_to(corpus) else bundle
        lines.append(f"| `{name}` | {kind} | {verdict} | {why} |")
    report = "\n".join(lines) + "\n"
    if os.environ.get("EXODUS_CORPUS_REPORT"):
        Path(os.environ["EXODUS_CORPUS_REPORT"]).write_text(report)
    print(report)
    assert share >= FLOOR and exact / len(counted) >= ONE_TEMPLATE_FLOOR, report
