"""Solve a template's unknown values (inputs and context) against a deployed template.

Finite unknowns (booleans, enums) that may drive conditionals are enumerated; free unknowns
(strings, numbers) are rendered as sentinels and read back from the deployed template by alignment.
Free unknowns used structurally (`is defined`, comparisons) are retried at their default or absent.
Nothing is guessed silently: values the deployed template does not determine are reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from proton_exodus.errors import ExodusError
from proton_exodus.proton.markers import marker, marker_index
from proton_exodus.proton.recover.align import (
    align,
    align_alternatives,
    parse_template,
    same_template,
)


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ARRAY_BASE = 5000  # sentinel numbers of array items, clear of the per-slot ones
MAX_ITEMS = 8  # longest array tried for a loop-driving input

MISSING = _Marker("MISSING")  # no value supplied
ABSENT = _Marker("ABSENT")  # the input is left out of the spec (undefined in Jinja)
UNOBSERVED = _Marker("UNOBSERVED")  # the deployed template does not show this value


@dataclass(frozen=True)
class Slot:
    """One unknown: a spec input (`inputs.<name>`) or a context value (`service.repository_id`)."""

    key: str
    type: str = "string"
    domain: tuple[Any, ...] = ()
    default: Any = MISSING
    known: Any = MISSING  # e.g. from a spec file: preferred, but checked against the stack
    required: bool = False

    @property
    def optional_without_default(self) -> bool:
        return not self.required and self.default is MISSING


@dataclass(frozen=True)
class RecoveryResult:
    """What recovery found for one stack; `status` is exact, partial or unrecoverable."""

    status: str
    template_name: str | None = None
    major: str | None = None
    minor: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    unknown_inputs: Mapping[str, list[Any]] = field(default_factory=dict)
    assumed: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    version_candidates: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    reason: str = ""

    def as_record(self) -> dict[str, Any]:
        """The `recovery` member written on snapshot records (docs/snapshot-format.md)."""
        return {
            "status": self.status,
            "templateVersion": f"{self.major}.{self.minor}" if self.major else None,
            "versionCandidates": list(self.version_candidates),
            "unknownInputs": {k: [_show(v) for v in vs] for k, vs in sorted(self.unknown_inputs.items())},
            "assumedInputs": {k: _show(v) for k, v in sorted(self.assumed.items())},
            "conflicts": list(self.conflicts),
            "reason": self.reason,
        }


def _show(value: Any) -> Any:
    return "<absent>" if value is ABSENT else value


@dataclass
class SlotSolution:
    """Solved values, unknowns with their candidates, and unobservable values assumed at default/absent."""

    values: dict[str, Any]
    unknown: dict[str, list[Any]]
    assumed: dict[str, Any]


Render = Callable[[Mapping[str, Any], bool], str]


def coerce(text: str, type_: str) -> Any:
    """A captured text as a value of the schema type; ValueError when it cannot be one."""
    if type_ == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ValueError(text)
    if type_ == "integer" or (type_ == "number" and re.fullmatch(r"-?\d+", text)):
        return int(text)
    if type_ == "number":
        return float(text)
    if type_ in ("array", "object"):
        value = yaml.safe_load(text)
        if not isinstance(value, list if type_ == "array" else dict):
            raise ValueError(text)
        return value
    return text


def _combinations(finite: Sequence[Slot], limit: int) -> list[dict[str, Any]]:
    domains = [list(s.domain) for s in finite]
    total = 1
    for d in domains:
        total *= max(len(d), 1)
    if total <= limit:
        return [
            dict(zip([s.key for s in finite], combo, strict=True)) for combo in itertools.product(*domains)
        ]
    # Too many to try all: vary one finite unknown at a time, the others at default (or first value).
    base = {s.key: s.default if s.default is not MISSING else s.domain[0] for s in finite}
    combos = [dict(base)]
    for s in finite:
        combos += [{**base, s.key: v} for v in s.domain if v != base[s.key]]
    return combos


def _free_modes(free: Sequence[Slot]) -> list[dict[str, Any]]:
    """How free unknowns are filled on each try: all sentinels, then structural fall-backs."""
    sentinels = {s.key: marker(i) for i, s in enumerate(free)}
    fallback = {
        s.key: (s.default if s.default is not MISSING else ABSENT)
        for s in free
        if s.default is not MISSING or s.optional_without_default
    }
    modes = [sentinels]
    if fallback:
        modes.append({**sentinels, **fallback})
        modes += [{**sentinels, key: value} for key, value in sorted(fallback.items())]
    # Arrays that drive loops: try 1..MAX_ITEMS items, each its own sentinel, read back one by one.
    for i, slot in enumerate(free):
        if slot.type == "array":
            modes += [
                {**sentinels, slot.key: [marker(ARRAY_BASE + i * MAX_ITEMS + k) for k in range(n)]}
                for n in range(1, MAX_ITEMS + 1)
            ]
    return modes


MAX_TRANSFORMED_TRIES = 16  # value combinations tried when filters transformed some occurrences


def _attempt(
    render: Render, deployed: Any, values: dict[str, Any], free: Sequence[Slot]
) -> dict[str, Any] | None:
    try:
        text = render(values, False)
    except ExodusError:
        return None
    bindings = align(text, deployed)
    if bindings is None:
        return _attempt_transformed(render, deployed, text, values, free)
    return _read_back(bindings, values, free)


def _attempt_transformed(
    render: Render, deployed: Any, text: str, values: dict[str, Any], free: Sequence[Slot]
) -> dict[str, Any] | None:
    """When a value reaches the output both as is and through a filter (`replace`, `lower`, ...),
    its occurrences capture different texts: fix such values to each capture in turn and align
    again, so the filter is applied to a real value. The strict alignment decides."""
    alternatives = align_alternatives(text, deployed)
    if alternatives is None:
        return None
    options: list[list[tuple[str, Any]]] = []
    for index, texts in sorted(alternatives.items()):
        if len(texts) < 2:
            continue
        if index >= len(free) or values.get(free[index].key) != marker(index):
            return None  # an array item or a value this try does not vary
        slot = free[index]
        coerced = []
        for captured in texts:
            try:
                coerced.append((slot.key, coerce(captured, slot.type)))
            except ValueError:
                continue
        if not coerced:
            return None
        options.append(coerced)
    if not options:
        return None
    for combo in itertools.islice(itertools.product(*options), MAX_TRANSFORMED_TRIES):
        fixed = {**values, **dict(combo)}
        try:
            bindings = align(render(fixed, False), deployed)
        except ExodusError:
            continue
        if bindings is not None:
            return _read_back(bindings, fixed, free)
    return None


def _read_back(
    bindings: dict[int, str], values: dict[str, Any], free: Sequence[Slot]
) -> dict[str, Any] | None:
    solved = dict(values)
    for index, slot in enumerate(free):
        items = values.get(slot.key)
        numbers = [marker_index(v) for v in items] if isinstance(items, list) and items else [None]
        if None not in numbers:
            if not all(n in bindings for n in numbers):
                return None  # some items never reached the output: this length is not the deployed one
            solved[slot.key] = [bindings[n] for n in numbers]
            continue
        if values.get(slot.key) != marker(index):
            continue
        if index not in bindings:
            solved[slot.key] = UNOBSERVED
            continue
        try:
            value = coerce(bindings[index], slot.type)
        except ValueError:
            return None
        if slot.domain and value not in [v for v in slot.domain if v is not ABSENT]:
            return None
        solved[slot.key] = value
    return solved


def _merge(slots: Sequence[Slot], solutions: list[dict[str, Any]]) -> SlotSolution:
    values, unknown, assumed = {}, {}, {}
    for slot in slots:
        seen = [s[slot.key] for s in solutions if slot.key in s]
        concrete = [v for v in seen if v is not UNOBSERVED]
        distinct = []
        for v in concrete:
            if v not in distinct:
                distinct.append(v)
        if len(distinct) == 1 and len(concrete) == len(seen):
            values[slot.key] = distinct[0]
        elif not concrete:
            if slot.default is not MISSING:
                assumed[slot.key] = slot.default
            elif slot.optional_without_default:
                assumed[slot.key] = ABSENT
            else:
                unknown[slot.key] = []
        else:
            unknown[slot.key] = sorted(distinct, key=repr)
    return SlotSolution(values, unknown, assumed)


def solve_slots(
    render: Render,
    deployed_text: str,
    slots: Sequence[Slot],
    *,
    limit: int = 256,
    structural: set[str] | None = None,
) -> SlotSolution | None:
    """Solve `slots` so that `render(values, validate)` gives the deployed template; None if impossible.

    `render` receives every slot key mapped to a value, a sentinel string or ABSENT; with
    `validate=True` it must apply Proton's schema validation (used for the final check only).
    `structural` names the slot keys the template uses in tests/loops (see proton/analysis.py): only
    those finite unknowns are enumerated, the rest are read back like free ones. When that finds
    nothing, every finite unknown is enumerated.
    """
    deployed = parse_template(deployed_text)
    if structural is not None:
        found = _solve(render, deployed, slots, limit, structural)
        if found is not None:
            return found
    return _solve(render, deployed, slots, limit, None)


def _solve(
    render: Render, deployed: Any, slots: Sequence[Slot], limit: int, structural: set[str] | None
) -> SlotSolution | None:
    fixed = {s.key: s.known for s in slots if s.known is not MISSING}
    enumerated = [
        s for s in slots if s.known is MISSING and s.domain and (structural is None or s.key in structural)
    ]
    finite = enumerated
    free = [s for s in slots if s.known is MISSING and s not in enumerated]
    solutions = []
    for combo in _combinations(finite, limit):
        for mode in _free_modes(free):
            solved = _attempt(render, deployed, {**fixed, **combo, **mode}, free)
            if solved is not None:
                solutions.append(solved)
                break
    if not solutions:
        return None
    return _merge(slots, solutions)


def final_values(solution: SlotSolution) -> dict[str, Any]:
    """Values to re-render with: solved ones, assumed ones, and for unknowns their first candidate."""
    values = {**solution.values, **solution.assumed}
    for key, candidates in solution.unknown.items():
        values[key] = candidates[0] if candidates else ABSENT
    return values


def verify(render: Render, deployed_text: str, values: Mapping[str, Any]) -> tuple[bool, str]:
    """Re-render with schema validation and compare semantically; (ok, reason when not)."""
    try:
        text = render(values, True)
    except ExodusError as err:
        return False, f"re-render failed: {err}"
    if not same_template(text, deployed_text):
        return False, "re-render differs from the deployed template"
    return True, ""
