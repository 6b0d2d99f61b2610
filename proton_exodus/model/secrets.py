"""Secrets: the one home of what looks secret and of what exodus does with a clear secret value.

Patterns (one set): an input name that looks secret (password, secret, token, key...), a value that
looks like a credential (AWS keys, GitHub/Slack tokens, private keys, JWTs, URLs with a password), a
value that names a secret rather than holds one (ARNs, dynamic references), and the one placeholder
`{{exodus:secret:<16 hex>}}` the snapshot keeps in place of a clear value (secrets.json, mode 0600,
holds the values; `--redact` drops them). One threshold, MIN_SCRUB_LENGTH, for swapping a value
found inside other text. The operations: redact_spec (spec text -> placeholders, layout kept),
scrub_text/restore_text (deployed templates <-> placeholders), reference_secrets (clear values ->
Secrets Manager dynamic references named `exodus/<stack>/<input>`, for exports) and Redactor
(masks values in text shown to people, for the report).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from proton_exodus.cfn.text import load_yaml

if TYPE_CHECKING:
    from proton_exodus.model.snapshot import Snapshot
    from proton_exodus.model.units import DeploymentUnit

PLACEHOLDER = "{{{{exodus:secret:{}}}}}"
PLACEHOLDER_RE = re.compile(r"\{\{exodus:secret:([0-9a-f]{16})\}\}")  # ids: sha256 hex prefix (_secret_id)
SECRET_NAME_RE = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|"
    r"secret[_-]?key|credential|auth|(^|[_-])key$|signing[_-]?key|client[_-]?secret|webhook)",
    re.IGNORECASE,
)
_CREDENTIAL_VALUE_PATTERNS = (
    r"\b(AKIA|ASIA)[0-9A-Z]{16}\b",  # AWS access key id
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",  # GitHub token
    r"\bgithub_pat_[A-Za-z0-9_]{40,}\b",
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}",  # Slack token
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.",  # JWT
    r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@",  # URL with user:password
)
CREDENTIAL_VALUE_RE = re.compile("|".join(f"(?:{p})" for p in _CREDENTIAL_VALUE_PATTERNS))  # any of them
# Values that name a secret rather than hold one: references stay readable.
REFERENCE_RE = re.compile(r"^(arn:|\{\{resolve:|\$\{|alias/|ssm:|secretsmanager:)")
# A shorter value found inside other text is left alone: swapping it would rewrite innocent text.
MIN_SCRUB_LENGTH = 6
SECRET_REF = "{{{{resolve:secretsmanager:{}}}}}"  # dynamic reference to a Secrets Manager secret
MASK = "••••••"  # what people see in place of a secret value


def secret_name(stack: str, input_name: str) -> str:
    """The Secrets Manager secret exodus asks the platform team to create for a sensitive input."""
    return f"exodus/{stack}/{input_name}"


def placeholder_id(value: Any) -> str | None:
    """The secret id when `value` is exactly one exodus placeholder, else None."""
    match = PLACEHOLDER_RE.fullmatch(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def looks_secret(name: str, value: Any) -> bool:
    """Whether the input `name` = `value` must not be stored in the clear."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return False
    text = str(value)
    if not text or PLACEHOLDER_RE.fullmatch(text):
        return False
    if CREDENTIAL_VALUE_RE.search(text):
        return True
    if REFERENCE_RE.match(text):
        return False
    return bool(SECRET_NAME_RE.search(name))


def sensitive_inputs(inputs: Mapping[str, Any]) -> frozenset[str]:
    """Names of the inputs whose value is a secret: an exodus placeholder, or clear but secret-looking."""
    return frozenset(k for k, v in inputs.items() if placeholder_id(v) is not None or looks_secret(str(k), v))


def _walk(node: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict | list):
                found += _walk(value, (*path, str(key)))
            elif looks_secret(str(key), value):
                found.append(((*path, str(key)), value))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _walk(item, (*path, str(index)))
    return found


def _get(node: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _set(node: Any, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _scalar_pattern(key: str) -> re.Pattern[str]:
    return re.compile(
        r"(?P<lead>(^|[\s{,])(?P<q>['\"]?)" + re.escape(key) + r"(?P=q)\s*:[ \t]*)"
        r"(?P<val>\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'|[^\s#,}\]\n][^#,}\]\n]*?)"
        r"(?P<tail>[ \t]*(?:#[^\n]*)?$|[ \t]*[,}\]])",
        re.MULTILINE,
    )


def _swap_text(text: str, key: str, value: Any, placeholder: str) -> str:
    """Replace the scalar of `key` whose parsed value equals `value` with the quoted placeholder."""

    def repl(match: re.Match[str]) -> str:
        try:
            parsed = load_yaml(match.group("val"))
        except yaml.YAMLError:
            return match.group(0)
        if parsed != value and str(parsed) != str(value):
            return match.group(0)
        return f'{match.group("lead")}"{placeholder}"{match.group("tail")}'

    return _scalar_pattern(key).sub(repl, text)


def redact_spec(text: str, scope: str) -> tuple[str, dict[str, Any]]:
    """Replace sensitive values in spec `text`; return the new text and {secret_id: clear value}.

    `scope` (the record's identity and field) makes ids stable across runs without hashing the
    values themselves, which would let anyone holding the snapshot test guesses.
    """
    if "{{exodus:secret:" in text:  # already holds placeholders: work it out as is, no stand-ins
        return _redact(text, lambda path: _secret_id(scope, path))
    new_text, found = _redaction_plan(text)
    secrets: dict[str, Any] = {}
    for index, (path, value) in enumerate(found):
        secret_id = _secret_id(scope, path)
        secrets[secret_id] = value
        new_text = new_text.replace(
            PLACEHOLDER.format(_STAND_IN.format(index)), PLACEHOLDER.format(secret_id)
        )
    return new_text, secrets


_STAND_IN = "{:016x}"  # an id as long as a real one, so the text is laid out the same


@functools.lru_cache(maxsize=2048)
def _redaction_plan(text: str) -> tuple[str, tuple[tuple[tuple[str, ...], Any], ...]]:
    """`text` redacted with stand-in ids (the index of each secret), and the secrets' (path, value).

    The same spec text recurs many times in a crawl (a resource's spec, then in the initial and
    target state of each of its deployments); parsing and swapping once per distinct text, then
    putting each record's ids in, gives the same text and ids at a fraction of the cost.
    """
    found: list[tuple[tuple[str, ...], Any]] = []

    def stand_in(path: tuple[str, ...]) -> str:
        found.append((path, None))
        return _STAND_IN.format(len(found) - 1)

    new_text, secrets = _redact(text, stand_in)
    return new_text, tuple((path, secrets[_STAND_IN.format(i)]) for i, (path, _) in enumerate(found))


def _secret_id(scope: str, path: tuple[str, ...]) -> str:
    return hashlib.sha256(f"{scope}#{'/'.join(path)}".encode()).hexdigest()[:16]


def _redact(text: str, id_for: Callable[[tuple[str, ...]], str]) -> tuple[str, dict[str, Any]]:
    try:
        data = load_yaml(text)
    except yaml.YAMLError:
        return text, {}
    found = _walk(data, ())
    if not found:
        return text, {}
    secrets: dict[str, Any] = {}
    new_text = text
    for path, value in found:
        secret_id = id_for(path)
        placeholder = PLACEHOLDER.format(secret_id)
        secrets[secret_id] = value
        new_text = _swap_text(new_text, path[-1], value, placeholder)
        _set(data, path, placeholder)
    if not _placeholders_in_place(new_text, found, data):
        new_text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
    return new_text, secrets


def _placeholders_in_place(text: str, found: list[tuple[tuple[str, ...], Any]], expected: Any) -> bool:
    try:
        reparsed = load_yaml(text)
    except yaml.YAMLError:
        return False
    return reparsed == expected and all(PLACEHOLDER_RE.fullmatch(str(_get(reparsed, p))) for p, _ in found)


def restore_data(node: Any, secrets: dict[str, Any]) -> Any:
    """A copy of parsed spec data with placeholders replaced by their clear values (unknown ids stay)."""
    if isinstance(node, dict):
        return {k: restore_data(v, secrets) for k, v in node.items()}
    if isinstance(node, list):
        return [restore_data(v, secrets) for v in node]
    if isinstance(node, str):
        match = PLACEHOLDER_RE.fullmatch(node)
        if match and match.group(1) in secrets:
            return secrets[match.group(1)]
    return node


def scrub_text(text: str, secrets: dict[str, Any]) -> str:
    """`text` (e.g. a deployed template) with every clear secret value swapped for its placeholder.

    Templates that render a sensitive input hold it in clear; the snapshot keeps them scrubbed so
    the clear value lives only in secrets.json. Longest values first, so one that contains another
    is not cut in two; restore_text reverses it exactly.
    """
    items = [(sid, str(v)) for sid, v in secrets.items() if len(str(v)) >= MIN_SCRUB_LENGTH]
    for secret_id, value in sorted(items, key=lambda kv: (-len(kv[1]), kv[0])):
        if value in text:
            text = text.replace(value, PLACEHOLDER.format(secret_id))
    return text


def restore_text(text: str, secrets: dict[str, Any]) -> str:
    """`text` with the placeholders of known secrets back to their clear values (unknown ids stay)."""
    if not secrets or "{{exodus:secret:" not in text:
        return text
    return PLACEHOLDER_RE.sub(
        lambda m: str(secrets[m.group(1)]) if m.group(1) in secrets else m.group(0), text
    )


# ---------------------------------------------------------------- references (exports)


def _input_names(inputs: Mapping[str, Any], secrets: Mapping[str, Any], clear: str) -> list[str]:
    """Inputs holding this clear value: as is (units) or as any placeholder that stands for it
    (snapshot records: one value may have several ids, one per place a spec held it)."""

    def holds(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        secret_id = placeholder_id(value)
        return value == clear or (secret_id is not None and secrets.get(secret_id) == clear)

    return sorted(name for name, value in inputs.items() if holds(value))


def reference_secrets(
    text: str, secrets: Mapping[str, Any], *, stack: str, inputs: Mapping[str, Any] | None = None
) -> tuple[str, list[str]]:
    """`text` with every clear value of `secrets` ({id: value}) replaced by a Secrets Manager dynamic
    reference; also the secret names used. Exports must never publish a clear value.

    Longer values are replaced first so a secret that contains another is not cut in two.
    """
    names: list[str] = []
    items = [
        (sid, value)
        for sid, value in secrets.items()
        if isinstance(value, str) and len(value) >= MIN_SCRUB_LENGTH
    ]
    for secret_id, value in sorted(items, key=lambda item: (-len(item[1]), item[0])):
        if value not in text:
            continue
        matched = _input_names(inputs or {}, secrets, value)
        name = secret_name(stack, matched[0] if matched else f"secret-{secret_id[:12]}")
        text = text.replace(value, SECRET_REF.format(name))
        names.append(name)
    return text, sorted(set(names))


def reference_in_tree(node: Any, clear: str, ref: str) -> Any:
    """A copy of a parsed template with `clear` replaced by `ref`: a scalar equal to it whatever its
    length, and inside a longer string only from MIN_SCRUB_LENGTH characters."""
    if isinstance(node, dict):
        return {k: reference_in_tree(v, clear, ref) for k, v in node.items()}
    if isinstance(node, list):
        return [reference_in_tree(v, clear, ref) for v in node]
    if isinstance(node, str | int | float) and str(node) == clear:
        return ref
    return node.replace(clear, ref) if isinstance(node, str) and len(clear) >= MIN_SCRUB_LENGTH else node


def clear_value(snapshot: Snapshot, value: Any) -> Any:
    """The clear value behind an inventory secret placeholder (None when redacted or not a placeholder)."""
    secret_id = placeholder_id(value)
    if secret_id is not None:
        return snapshot.secrets.get(secret_id)
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def secret_lookup(snapshot: Snapshot, unit: DeploymentUnit) -> Callable[[str], str | None]:
    """Secret name exodus chose -> the clear value it stands for; in a redacted snapshot, the
    placeholder standing for it (deployed templates hold the same placeholder); None when unknown."""

    def find(name: str) -> str | None:
        prefix = secret_name(unit.stack_name or "", "")
        if not name.startswith(prefix):
            return None
        held = unit.inputs.get(name[len(prefix) :])
        value = clear_value(snapshot, held)
        if value is None and placeholder_id(held) is not None:
            return held
        return None if value is None else str(value)

    return find


# ---------------------------------------------------------------- masking (report)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


class Redactor:
    """Masks known secret values (from the snapshot's secrets.json) and credential-looking text in
    anything shown to people."""

    def __init__(self, secrets: Mapping[str, Any]) -> None:
        known = sorted(
            {s for s in _strings(dict(secrets)) if len(s) >= MIN_SCRUB_LENGTH}, key=lambda s: (-len(s), s)
        )
        self._known = re.compile("|".join(re.escape(s) for s in known)) if known else None

    def __call__(self, text: Any) -> str:
        out = "" if text is None else str(text)
        if self._known is not None:
            out = self._known.sub(MASK, out)
        return CREDENTIAL_VALUE_RE.sub(MASK, out)


# ---------------------------------------------------------------- secrets as parameters (exports)
#
# How an export keeps a secret rendered into a deployed template out of Git. The default,
# `ssm-parameter`, is the only one that also keeps the first deploy a no-op: a template parameter of
# type AWS::SSM::Parameter::Value<String> is resolved by CloudFormation when it computes a change set
# (systems-manager-parameter-types.html), so a literal replaced by such a parameter whose staged value
# equals the literal changes no resource. SSM parameter types read String (and StringList) parameters
# only, never SecureString: the value is staged in Parameter Store as a String, out of Git but readable
# by anyone who can read SSM in the account. A dynamic reference is never resolved when a change set is
# computed, so a new reference text is a change of the property (a replacement when it is create-only):
# `dynamic-reference` is a planned change.

SECRET_MODES = ("ssm-parameter", "dynamic-reference")
DEFAULT_SECRET_MODE = "ssm-parameter"
SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<String>"
SSM_TYPES_DOC = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html"
)


def secret_mode(options: Mapping[str, str]) -> str:
    """The `secrets` export option (default ssm-parameter); ValueError naming the choices otherwise."""
    mode = str(options.get("secrets") or DEFAULT_SECRET_MODE)
    if mode not in SECRET_MODES:
        raise ValueError(f"secrets={mode!r}: expected one of {', '.join(SECRET_MODES)}")
    return mode


def ssm_parameter_name(stack: str, input_name: str) -> str:
    """The Parameter Store name that stages a secret input's value for its stack."""
    return f"/exodus/{stack}/{input_name}"


@dataclass(frozen=True)
class TemplateSecret:
    """A secret found in a deployed template: the text that stands in it (clear value or snapshot
    placeholder), its secrets.json id and the input it came from."""

    text: str
    secret_id: str
    input_name: str


@dataclass(frozen=True)
class SecretParameter:
    """A template parameter exodus added for a secret: its name, the Parameter Store name given as
    its value, and the secrets.json id whose value must be staged there."""

    parameter: str
    ssm_name: str
    secret_id: str
    input_name: str


def find_template_secrets(
    text: str, secrets: Mapping[str, Any], inputs: Mapping[str, Any]
) -> list[TemplateSecret]:
    """Secrets a deployed template holds: clear values of `secrets` (from MIN_SCRUB_LENGTH characters)
    and exodus placeholders (a redacted snapshot's templates hold those). Longest first, one per text."""
    found: dict[str, TemplateSecret] = {}
    for secret_id in sorted(set(PLACEHOLDER_RE.findall(text))):
        holder = PLACEHOLDER.format(secret_id)
        names = _input_names(inputs, secrets, str(secrets[secret_id])) if secret_id in secrets else []
        names = names or sorted(k for k, v in inputs.items() if v == holder)
        found[holder] = TemplateSecret(holder, secret_id, names[0] if names else f"secret-{secret_id}")
    items = [(sid, v) for sid, v in secrets.items() if isinstance(v, str) and len(v) >= MIN_SCRUB_LENGTH]
    for secret_id, value in sorted(items, key=lambda item: (-len(item[1]), item[0])):
        if value in text and value not in found:
            names = _input_names(inputs, secrets, value)
            found[value] = TemplateSecret(value, secret_id, names[0] if names else f"secret-{secret_id}")
    return sorted(found.values(), key=lambda s: (-len(s.text), s.text))


def _parameter_id(input_name: str, taken: set[str]) -> str:
    words = re.split(r"[^0-9A-Za-z]+", input_name)
    base = "ExodusSecret" + "".join(w[:1].upper() + w[1:] for w in words if w)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def parameterise_template_secrets(
    tree: dict[str, Any], found: Iterable[TemplateSecret], *, stack: str, mode: str = DEFAULT_SECRET_MODE
) -> tuple[dict[str, Any], list[SecretParameter]]:
    """`tree` (a loaded template) with each found secret replaced: by a parameter of type
    SSM_PARAMETER_TYPE (`ssm-parameter`) or by a Secrets Manager dynamic reference; also the parameters
    added (their deployment-file value is `ssm_name`)."""
    taken = {str(k) for section in tree.values() if isinstance(section, dict) for k in section}
    params: list[SecretParameter] = []
    for secret in found:
        if mode == "dynamic-reference":
            ref = SECRET_REF.format(secret_name(stack, secret.input_name))
            new = reference_in_tree(tree, secret.text, ref)
            if new == tree:
                continue
            tree = new
            params.append(
                SecretParameter(
                    "", secret_name(stack, secret.input_name), secret.secret_id, secret.input_name
                )
            )
            continue
        name = _parameter_id(secret.input_name, taken)
        new = _ref_in_tree(tree, secret.text, name)
        if new == tree:
            continue
        tree = new
        params.append(
            SecretParameter(
                name, ssm_parameter_name(stack, secret.input_name), secret.secret_id, secret.input_name
            )
        )
    if mode == "ssm-parameter" and params:
        decls = {
            p.parameter: {
                "Type": SSM_PARAMETER_TYPE,
                "NoEcho": "true",
                "Description": f"Parameter Store String holding input {p.input_name} (staged by exodus)",
            }
            for p in params
        }
        out: dict[str, Any] = {
            k: tree[k]
            for k in ("AWSTemplateFormatVersion", "Description", "Transform", "Metadata")
            if k in tree
        }
        out["Parameters"] = {**(tree.get("Parameters") or {}), **decls}
        out.update({k: v for k, v in tree.items() if k not in out})
        tree = out
    return tree, params


def _ref_in_tree(node: Any, clear: str, param: str) -> Any:
    """A copy of a parsed template with `clear` replaced by the parameter: `{"Ref": param}` for a scalar
    equal to it, `${param}` inside an `Fn::Sub` string, an `Fn::Sub` for a longer plain string."""
    if isinstance(node, dict):
        if len(node) == 1 and "Fn::Sub" in node:
            arg = node["Fn::Sub"]
            if isinstance(arg, str):
                return {"Fn::Sub": arg.replace(clear, "${" + param + "}")}
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
                text = arg[0].replace(clear, "${" + param + "}")
                return {"Fn::Sub": [text, _ref_in_tree(arg[1], clear, param)]}
        return {k: _ref_in_tree(v, clear, param) for k, v in node.items()}
    if isinstance(node, list):
        return [_ref_in_tree(v, clear, param) for v in node]
    if isinstance(node, str | int | float) and not isinstance(node, bool) and str(node) == clear:
        return {"Ref": param}
    if isinstance(node, str) and clear in node and len(clear) >= MIN_SCRUB_LENGTH:
        parts = [p.replace("${", "${!") for p in node.split(clear)]
        return {"Fn::Sub": ("${" + param + "}").join(parts)}
    return node


def ssm_lookup(
    snapshot: Snapshot, unit: DeploymentUnit, given: Mapping[str, str] | None = None
) -> Callable[[str], str | None]:
    """Parameter Store name -> the value CloudFormation will read there: `given` (values the user
    staged) first, else the input's clear value from the snapshot (its placeholder when redacted)."""

    def find(name: str) -> str | None:
        if given and name in given:
            return str(given[name])
        prefix = ssm_parameter_name(unit.stack_name or "", "")
        if not name.startswith(prefix):
            return None
        input_name = name[len(prefix) :]
        secret_id = input_name.removeprefix("secret-")
        if input_name.startswith("secret-") and PLACEHOLDER_RE.fullmatch(PLACEHOLDER.format(secret_id)):
            value = snapshot.secrets.get(secret_id)
            return PLACEHOLDER.format(secret_id) if value is None else str(value)
        return secret_lookup(snapshot, unit)(secret_name(unit.stack_name or "", input_name))

    return find
