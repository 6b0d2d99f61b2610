"""The audit report: per-resource verdicts (automatic, manual, blocked) with reasons, counts, an effort
estimate, and its JSON and Markdown forms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from proton_exodus.audit.checks import AuditFinding
from proton_exodus.audit.rules import AUTOMATIC_EFFORT_HOURS, RULES
from proton_exodus.output.atomic import dump_json

HOURS_PER_DAY = 6.0  # focused hands-on hours in a person-day


@dataclass(frozen=True)
class ResourceVerdict:
    """Whether one resource moves automatically, needs hands (manual) or must be fixed first (blocked)."""

    id: str
    kind: str
    label: str
    account: str
    region: str
    verdict: str  # automatic | manual | blocked
    codes: tuple[str, ...]
    why: tuple[str, ...]
    effort_hours: float


@dataclass
class AuditReport:
    """Everything `exodus audit` reports; `to_dict()` is the JSON form, `to_markdown()` the readable one."""

    snapshot: dict[str, Any]
    resources: list[ResourceVerdict]
    findings: list[AuditFinding]
    unreachable_accounts: list[str] = field(default_factory=list)

    def blocking(self) -> dict[str, list[str]]:
        """Resource key -> the E codes that block its wave."""
        return {
            r.id: [c for c in r.codes if c.startswith("E")] for r in self.resources if r.verdict == "blocked"
        }

    def fails(self, fail_on: str) -> bool:
        """Whether findings reach the `--fail-on` level (none, error, warning)."""
        levels = {"error": {"error"}, "warning": {"error", "warning"}}.get(fail_on, set())
        return any(f.severity in levels for f in self.findings)

    def counts(self) -> dict[str, Any]:
        verdicts = Counter(r.verdict for r in self.resources)
        by_kind: dict[str, dict[str, int]] = {}
        for r in self.resources:
            by_kind.setdefault(r.kind, {"automatic": 0, "manual": 0, "blocked": 0})[r.verdict] += 1
        return {
            "resources": len(self.resources),
            **{v: verdicts.get(v, 0) for v in ("automatic", "manual", "blocked")},
            "findings": {
                s: sum(1 for f in self.findings if f.severity == s) for s in ("error", "warning", "info")
            },
            "byCode": dict(sorted(Counter(f.code for f in self.findings).items())),
            "byKind": dict(sorted(by_kind.items())),
        }

    def effort(self) -> dict[str, float]:
        hours = round(
            sum(r.effort_hours for r in self.resources)
            + sum(RULES[f.code].effort_hours for f in self.findings if f.kind not in _RESOURCE_KINDS),
            2,
        )
        return {"hours": hours, "personDays": round(hours / HOURS_PER_DAY, 1)}

    def to_dict(self) -> dict[str, Any]:
        used = sorted({f.code for f in self.findings})
        return {
            "snapshot": self.snapshot,
            "counts": self.counts(),
            "effort": self.effort(),
            "unreachableAccounts": self.unreachable_accounts,
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "resource": f.resource,
                    "kind": f.kind,
                    "label": f.label,
                    "account": f.account,
                    "region": f.region,
                    "message": f.message,
                }
                for f in self.findings
            ],
            "resources": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "label": r.label,
                    "account": r.account,
                    "region": r.region,
                    "verdict": r.verdict,
                    "codes": list(r.codes),
                    "why": list(r.why),
                    "effortHours": r.effort_hours,
                }
                for r in self.resources
            ],
            "rules": {
                c: {
                    "severity": RULES[c].severity,
                    "title": RULES[c].title,
                    "description": RULES[c].description,
                    "remedy": RULES[c].remedy,
                    "source": RULES[c].source,
                }
                for c in used
            },
        }

    def to_json(self) -> str:
        return dump_json(self.to_dict())

    def to_markdown(self) -> str:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        data = self.to_dict()
        data["all_rules"] = {c: RULES[c] for c in sorted(RULES)}
        return env.get_template("audit.md.j2").render(**data)


_AUTOMATIC_WHY = {
    "environment_account_connection": (
        "connected: the Git sync role and repository link are set up in its account"
    ),
    "": "stack in a Git sync status, bundle known: hand over as it is",
}
_RESOURCE_KINDS = {
    "environment",
    "service_instance",
    "service_pipeline",
    "component",
    "environment_account_connection",
}


def build_verdicts(
    resources: list[tuple[str, dict[str, Any]]], findings: list[AuditFinding]
) -> list[ResourceVerdict]:
    """One verdict per resource from its findings: any E blocks it, any W makes it manual."""
    per: dict[str, list[AuditFinding]] = {}
    for f in findings:
        per.setdefault(f.resource, []).append(f)
    verdicts = []
    for node, attrs in resources:
        own = [f for f in per.get(node, []) if not f.code.startswith("I")]
        codes = tuple(sorted({f.code for f in own}))
        verdict = "blocked" if any(c.startswith("E") for c in codes) else "manual" if codes else "automatic"
        why = tuple(f"{f.code} {f.message}" for f in own) or (
            _AUTOMATIC_WHY.get(attrs["kind"], _AUTOMATIC_WHY[""]),
        )
        effort = AUTOMATIC_EFFORT_HOURS + sum(RULES[c].effort_hours for c in codes)
        verdicts.append(
            ResourceVerdict(
                node,
                attrs["kind"],
                attrs.get("label", node),
                attrs.get("account", ""),
                attrs.get("region", ""),
                verdict,
                codes,
                why,
                round(effort, 2),
            )
        )
    return verdicts
