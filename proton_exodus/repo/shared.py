"""Moving an instance between the shared parameterised templates an export ships (TEMPLATES.json), for
`exodus repo set` (a structural input: one variant per value) and `upgrade` (the target version's).

A shared file fits an instance when it resolved with the instance's parameters equals a fresh Proton
render of the instance with its new inputs, compared as CloudFormation compares (`cfn/resolve.py`): the
same proof the export gives every stack. The shared files are the export's own translation
(`translate/stacks.py`); nothing here translates a template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER, fold, resolve_parameters
from proton_exodus.errors import ExodusError
from proton_exodus.model.secrets import SECRET_REF, secret_name
from proton_exodus.proton.parameterise import parameter_value

LISTING = "TEMPLATES.json"
_NAMESPACES = {"environment": "environment", "service_instance": "service_instance"}


def listing(read: Callable[[str], str]) -> dict[str, Any] | None:
    """TEMPLATES.json of the checkout, or None when the export ships none (argocd, per-stack layouts)."""
    try:
        doc = json.loads(read(LISTING))
    except (ExodusError, OSError, json.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("stacks"), list) else None


def row(doc: Mapping[str, Any], instance: Mapping[str, Any]) -> dict[str, Any] | None:
    """The TEMPLATES.json row of the instance's stack."""
    stack = instance["stack"]
    return next(
        (
            s
            for s in doc["stacks"]
            if s.get("stack") == stack["name"]
            and s.get("account") == stack["account"]
            and s.get("region") == stack["region"]
        ),
        None,
    )


def variants(doc: Mapping[str, Any], instance: Mapping[str, Any], version: str) -> dict[str, dict[str, Any]]:
    """template file -> parameter meanings, for every shared file of the instance's template at `version`."""
    name = instance["template"].partition("/")[2]
    out: dict[str, dict[str, Any]] = {}
    for s in doc["stacks"]:
        same = s.get("template") == name and s.get("version") == version and s.get("kind") == instance["kind"]
        if s.get("shared") and same:
            out.setdefault(str(s["templateFile"]), dict(s.get("parameters") or {}))
    return dict(sorted(out.items()))


def components(current: Mapping[str, str], meanings: Mapping[str, Any]) -> dict[str, Any]:
    """The attached default component's outputs, read back from the instance's parameter file."""
    out: dict[str, Any] = {}
    prefix = "service_instance.components.default.outputs."
    for name, meaning in meanings.items():
        path = str(meaning.get("path", ""))
        if meaning.get("role") == "value" and path.startswith(prefix) and name in current:
            defined = [n for n, m in meanings.items() if m.get("path") == path and m.get("role") == "defined"]
            if all(str(current.get(d, "true")) == "true" for d in defined):
                out[path[len(prefix) :]] = current[name]
    return out


def fill(
    instance: Mapping[str, Any],
    meanings: Mapping[str, Any],
    current: Mapping[str, Any],
    current_meanings: Mapping[str, Any],
    inputs: Mapping[str, Any],
    env_outputs: Mapping[str, Any],
    secret: Callable[[str], str] | None = None,
) -> dict[str, str] | None:
    """The parameter values of the instance on a shared file with `meanings`: inputs from `inputs`,
    secrets and everything else as its current parameter file holds them (by Proton path), names and
    environment outputs from the index. None when a parameter has no value to give."""
    namespace = _NAMESPACES.get(instance["kind"], "")
    by_path = {(str(m.get("path")), m.get("role")): n for n, m in current_meanings.items()}
    short = instance["name"].rpartition("/")[2]
    known = {
        "environment.name": instance.get("environment"),
        "service.name": instance.get("service"),
        "service_instance.name": short if instance["kind"] == "service_instance" else None,
    }
    guarded = {(str(m.get("path")), m.get("role")) for m in meanings.values()}
    out: dict[str, str] = {}
    for name, meaning in sorted(meanings.items()):
        path, role = str(meaning.get("path")), meaning.get("role")
        held = by_path.get((path, role))
        input_name = (
            path[len(namespace) + len(".inputs.") :] if path.startswith(f"{namespace}.inputs.") else None
        )
        unset_secret = (
            meaning.get("sensitive")
            and input_name is not None
            and input_name not in instance.get("sensitive", [])
            and (path, "defined") in guarded
        )
        if unset_secret:
            out[name] = PUBLIC_SSM_PARAMETER  # an optional secret this instance does not set
        elif meaning.get("sensitive") and (held is None or held not in current):
            if secret is None or input_name is None:
                return None
            out[name] = secret(input_name)  # a new instance: where its secret is to be staged
        elif meaning.get("sensitive") or (input_name is None and held is not None and held in current):
            out[name] = str(current[held])  # type: ignore[index]
        elif input_name is not None and role == "defined":
            given = input_name in inputs or input_name in instance.get("sensitive", [])
            out[name] = "true" if given else "false"
        elif input_name is not None:
            if input_name not in inputs:
                if role == "value":
                    continue  # the template's Default, as an omitted optional input renders
                return None
            value = inputs[input_name]
            out[name] = (
                ",".join(map(parameter_value, value)) if isinstance(value, list) else parameter_value(value)
            )
        elif path in known and known[path] is not None:
            out[name] = str(known[path])
        elif path.startswith("environment.outputs.") and path[20:] in env_outputs:
            value = env_outputs[path[20:]]
            out[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        elif role == "defined":
            out[name] = "false"
        elif path.startswith("service_instance.components."):
            out[name] = ""  # no component attached: the export's value for an absent optional output
        else:
            return None
    return out


def proven(
    template_text: str, values: Mapping[str, str], rendered: str, instance: Mapping[str, Any], source: str
) -> bool:
    """The shared template resolved with `values` equals Proton's render, resource by resource.
    Secret parameters resolve to the dynamic reference the render carries for the same input."""
    stack = instance["stack"]["name"] or instance["name"]
    refs = {
        f"/exodus/{stack}/{name}": SECRET_REF.format(secret_name(stack, name))
        for name in instance.get("sensitive", [])
    }
    try:
        shared = load_normalised(template_text, source=source)
        fresh = fold(load_normalised(rendered, source=f"render of {instance['name']}"))
    except ExodusError:
        return False
    resolved = resolve_parameters(shared, values, ssm=refs.get)
    resolved.pop("Description", None)
    fresh.pop("Description", None)
    return resolved == fresh


def repoint(text: str, stack: str, old: str, new: str) -> str:
    """A pipeline definition or workflow with the deploy of `stack` reading `new` instead of `old` (the
    path on the line that names the template within the few lines after the stack name), and `new`
    watched wherever `old` is listed as a trigger path."""
    lines = text.split("\n")
    watched = new in text
    for i, line in enumerate(lines):
        if re.search(rf"(^|[\s:]){re.escape(stack)}\s*$", line):
            for j in range(i + 1, min(i + 6, len(lines))):
                if old in lines[j] and ("Template" in lines[j] or "template" in lines[j]):
                    lines[j] = lines[j].replace(old, new)
                    break
    if not watched:
        out = []
        for line in lines:
            out.append(line)
            if line.strip() in (f"- {old}", f"- '{old}'", f'- "{old}"'):
                out.append(line.replace(old, new))
        lines = out
    return "\n".join(lines)


_JOB = re.compile(r"^  [A-Za-z0-9_-]+:$")  # a GitHub Actions job
_ACTION = re.compile(r"^(\s*)- Name: ")  # a CodePipeline action


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blocks(lines: list[str], stack: str) -> list[tuple[int, int]]:
    """(start, end) of every job / action whose stack-name / StackName is `stack`."""
    out: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        if line.strip() not in (f"stack-name: {stack}", f"StackName: {stack}"):
            continue
        start = next((j for j in range(i, -1, -1) if _JOB.match(lines[j]) or _ACTION.match(lines[j])), None)
        if start is None or (out and out[-1][0] == start):
            continue
        depth = _indent(lines[start])
        end = start + 1
        while end < len(lines) and (
            not lines[end].strip()
            or _indent(lines[end]) > depth
            or (
                _indent(lines[end]) == depth
                and not lines[end].lstrip().startswith("- ")
                and not _JOB.match(lines[end])
            )
        ):
            end += 1
        out.append((start, end))
    return out


def add_deploy(text: str, sibling: Mapping[str, str], new: Mapping[str, str]) -> str | None:
    """A pipeline definition / workflow with the jobs or actions that deploy the sibling's stack copied
    for the new one (stack, template file, parameter file; the next free sequence number), right after
    the sibling's, and the new stack wherever the sibling's stack ARN is granted. None when the file does
    not deploy the sibling's stack. `sibling` / `new`: stack, template, config."""
    lines = text.split("\n")
    blocks = _blocks(lines, sibling["stack"])
    if not blocks:
        return None
    numbers = [
        int(m.group(1)) for line in lines if (m := re.match(r"^\s*(?:- Name: |[a-z]+-)(\d{2,3})-", line))
    ]
    width = len(re.match(r"^\s*(?:- Name: |[a-z]+-)(\d{2,3})-", lines[blocks[0][0]]).group(1))  # type: ignore[union-attr]
    number = f"{max(numbers) + 1:0{width}d}"
    copies: list[str] = []
    for start, end in blocks:
        head = re.sub(r"^(\s*(?:- Name: |[a-z]+-))\d{2,3}-", rf"\g<1>{number}-", lines[start])
        body = "\n".join([head, *lines[start + 1 : end]])
        for key in ("template", "config", "stack"):
            body = body.replace(sibling[key], new[key])
        copies.append(body)
    at = blocks[-1][1]
    while at > 0 and not lines[at - 1].strip():
        at -= 1
    out = [*lines[:at], *"\n".join(copies).split("\n"), *lines[at:]]
    granted = f"stack/{sibling['stack']}/"
    final: list[str] = []
    for line in out:
        final.append(line)
        if granted in line:
            final.append(line.replace(granted, f"stack/{new['stack']}/"))
    return "\n".join(final)
