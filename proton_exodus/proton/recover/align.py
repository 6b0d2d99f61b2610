"""Structural alignment of a sentinel render against a deployed template, and semantic equality.

A render where each unknown value is a unique sentinel string is parsed (cfn/text.py: short and long
intrinsic forms become one shape) and walked in parallel with the deployed template. Wherever the
render holds sentinels, the deployed value at the same place must match the sentinel pattern, and
the text the sentinels stand for is captured. Everything else must be equal.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from proton_exodus.cfn.text import parse_template as parse_cfn
from proton_exodus.proton.markers import MARKER_RE


def parse_template(text: str) -> Any:
    """Parse CloudFormation YAML or JSON with intrinsic tags in long form; ValueError if it is neither."""
    try:  # strict: CloudFormation's tags only; JSON is read as the YAML it also is
        return parse_cfn(text, strict=True, json_first=False)
    except yaml.YAMLError as err:
        raise ValueError(f"not a YAML/JSON template: {err}") from None
    except Exception:  # noqa: BLE001 - anything else: retry with cfn-flip's lenient reading of tags
        try:
            return parse_cfn(text, json_first=False)
        except Exception as err:  # noqa: BLE001
            raise ValueError(f"not a YAML/JSON template: {err}") from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def normalise_template(text: str) -> str:
    """Canonical JSON of a template: key order, quoting and intrinsic short forms no longer matter."""
    return json.dumps(_plain(parse_template(text)), sort_keys=True, separators=(",", ":"), default=str)


def same_template(a: str, b: str) -> bool:
    """Whether two template texts are the same CloudFormation template."""
    try:
        return normalise_template(a) == normalise_template(b)
    except ValueError:
        return a == b


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Aligner:
    """Captures sentinel bindings while walking a sentinel render against a deployed template.

    Strict (the default): a sentinel seen twice must stand for the same text everywhere. Lenient:
    later occurrences may capture other text (a filter such as `replace` transformed the value
    there); every distinct capture is kept in `alternatives` for the caller to try one by one.
    """

    def __init__(self, *, lenient: bool = False) -> None:
        self.bindings: dict[int, str] = {}
        self.lenient = lenient
        self.alternatives: dict[int, list[str]] = {}

    def _pattern(self, text: str) -> re.Pattern[str]:
        parts, pos, seen = [], 0, set()
        for match in MARKER_RE.finditer(text):
            parts.append(re.escape(text[pos : match.start()]))
            index = int(match.group(1))
            if index in self.bindings and not self.lenient:
                parts.append(re.escape(self.bindings[index]))
            elif index in seen:
                parts.append(f"(?P=s{index})")
            else:
                parts.append(f"(?P<s{index}>.*?)")
                seen.add(index)
            pos = match.end()
        parts.append(re.escape(text[pos:]))
        return re.compile("".join(parts), re.S)

    def _match_text(self, pattern_text: str, actual: Any) -> bool:
        if isinstance(actual, dict | list):
            return False
        match = self._pattern(pattern_text).fullmatch(_scalar_text(actual))
        if match is None:
            return False
        for name, value in match.groupdict().items():
            index = int(name[1:])
            self.bindings.setdefault(index, value)
            seen = self.alternatives.setdefault(index, [])
            if value not in seen:
                seen.append(value)
        return True

    def _match_dict(self, pattern: dict, actual: Any) -> bool:
        if not isinstance(actual, dict) or len(pattern) != len(actual):
            return False
        plain = {k: v for k, v in pattern.items() if not MARKER_RE.search(str(k))}
        for key, value in plain.items():
            if key not in actual or not self.align(value, actual[key]):
                return False
        remaining = [k for k in actual if k not in plain]
        for key in (k for k in pattern if k not in plain):
            hits = [k for k in remaining if self._pattern(str(key)).fullmatch(str(k))]
            if len(hits) != 1 or not self._match_text(str(key), hits[0]):
                return False
            remaining.remove(hits[0])
            if not self.align(pattern[key], actual[hits[0]]):
                return False
        return True

    def align(self, pattern: Any, actual: Any) -> bool:
        """True when `actual` is `pattern` with sentinels replaced consistently; bindings accumulate."""
        if isinstance(pattern, dict):
            return self._match_dict(pattern, actual)
        if isinstance(pattern, list):
            return (
                isinstance(actual, list)
                and len(pattern) == len(actual)
                and all(self.align(p, a) for p, a in zip(pattern, actual, strict=True))
            )
        if isinstance(pattern, str) and MARKER_RE.search(pattern):
            return self._match_text(pattern, actual)
        if isinstance(pattern, bool) or isinstance(actual, bool):
            return pattern is actual or (type(pattern) is type(actual) and pattern == actual)
        return pattern == actual


def align(pattern_text: str, deployed: Any) -> dict[int, str] | None:
    """Bindings of sentinel index -> captured text, or None when the render cannot be the deployed one."""
    try:
        pattern = parse_template(pattern_text)
    except ValueError:
        return None
    aligner = Aligner()
    return aligner.bindings if aligner.align(pattern, deployed) else None


def align_alternatives(pattern_text: str, deployed: Any) -> dict[int, list[str]] | None:
    """Every text each sentinel captured when occurrences may differ; None when even that fails."""
    try:
        pattern = parse_template(pattern_text)
    except ValueError:
        return None
    aligner = Aligner(lenient=True)
    return aligner.alternatives if aligner.align(pattern, deployed) else None
