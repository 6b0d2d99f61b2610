"""Planned changes: what the first deploy of an export changes on purpose (a choice the user made, such
as `--secrets dynamic-reference`), written as PLANNED_CHANGES.md/.json next to the export; verify and
rehearse fail on any change that is not in that list."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import fold, resolve_parameters
from proton_exodus.model.secrets import SSM_TYPES_DOC, SecretParameter
from proton_exodus.model.units import DeploymentUnit
from proton_exodus.verify.diff import diff_templates

__all__ = ["PlannedStack", "planned_change_files", "planned_changes"]

SECRET_CHOICES = {
    "ssm-parameter": "each secret is staged as a Parameter Store String and read through a template "
    "parameter of type AWS::SSM::Parameter::Value<String>: the first deploy changes nothing",
    "dynamic-reference": "each secret is read through a Secrets Manager dynamic reference: CloudFormation "
    "compares the reference text, not its value, so every property holding one changes",
}


@dataclass(frozen=True)
class PlannedStack:
    """One stack as an export deploys it: its unit, template text and deployment parameters."""

    unit: DeploymentUnit
    template: str
    parameters: Mapping[str, str]


def _services_of(deployed: Mapping[str, Any], task: str) -> list[str]:
    return sorted(
        name
        for name, res in (deployed.get("Resources") or {}).items()
        if isinstance(res, dict)
        and res.get("Type") == "AWS::ECS::Service"
        and (res.get("Properties") or {}).get("TaskDefinition") == {"Ref": task}
    )


def _describe(rtype: str, name: str, effect: str, deployed: Mapping[str, Any]) -> str:
    if rtype == "AWS::ECS::TaskDefinition" and effect == "Replacement":
        services = _services_of(deployed, name)
        return "new task definition revision and a rolling deployment of service " + (
            ", ".join(services) if services else "(none in this stack)"
        )
    if rtype == "AWS::Lambda::Function":
        return "function configuration update (new Environment); the next invocations read the secret"
    return f"{effect.lower()} of {rtype or 'the resource'}"


def _description_change(st: PlannedStack, seen: dict[str, Any] | None = None) -> dict[str, str] | None:
    """A shared template (translate/) cannot carry each stack's own Description (CloudFormation allows
    no function there): the stack's description text changes, no resource does. `seen` holds the
    Description of each exported text already read (thousands of stacks share one template)."""
    from proton_exodus.cfn.text import load_template

    if st.template == st.unit.deployed_template:
        return None
    seen = {} if seen is None else seen
    try:
        if st.template not in seen:
            exported = load_template(st.template)
            mapping = isinstance(exported, dict)
            seen[st.template] = (mapping, exported.get("Description") if mapping else None)
        deployed = load_template(st.unit.deployed_template or "")
    except Exception:  # noqa: BLE001 - unreadable text is reported by the comparison itself
        return None
    is_mapping, description = seen[st.template]
    if not is_mapping or not isinstance(deployed, dict) or description == deployed.get("Description"):
        return None
    return {
        "stack": st.unit.stack_name or "",
        "account": st.unit.account,
        "region": st.unit.region,
        "section": "Description",
        "resource": "",
        "type": "",
        "property": "",
        "effect": "NoResourceChange",
        "description": "template description generalised: the stack shares one parameterised template",
        "choice": "shared parameterised template",
    }


def planned_changes(stacks: Iterable[PlannedStack], *, choice: str) -> list[dict[str, str]]:
    """The resource changes the first deploy of `stacks` makes because of `choice`: the properties that
    now hold a dynamic reference where the deployed stack holds a literal (CloudFormation does not
    resolve a dynamic reference when it computes a change set). Sorted by stack, resource, property."""
    out: dict[tuple[str, str, str], dict[str, str]] = {}
    seen: dict[str, Any] = {}
    for st in stacks:
        if st.unit.deployed_template is None:
            continue
        described = _description_change(st, seen)
        if described is not None:
            out[(st.unit.stack_name or "", "", "Description")] = described
        if "{{resolve:" not in st.template:
            continue
        name = st.unit.stack_name or ""
        deployed = fold(load_normalised(st.unit.deployed_template, source=name))
        exported = load_normalised(st.template, source=name)
        keep = frozenset((deployed.get("Parameters") or {}).keys())
        resolved = resolve_parameters(exported, dict(st.parameters), keep=keep)
        for diff in diff_templates(name, deployed, resolved, region=st.unit.region):
            if diff.section != "Resources" or "{{resolve:" not in diff.exported:
                continue
            prop = diff.path.split("[", 1)[0].split(".")
            prop_path = ".".join(prop[:2]) if prop[0] == "Properties" else prop[0]
            key = (name, diff.name, prop_path)
            effect = diff.effect
            if key in out and out[key]["effect"] == "Replacement":
                continue
            out[key] = {
                "stack": name,
                "account": st.unit.account,
                "region": st.unit.region,
                "resource": diff.name,
                "type": diff.resource_type,
                "property": prop_path,
                "effect": effect,
                "description": _describe(diff.resource_type, diff.name, effect, deployed),
                "choice": f"--secrets {choice}",
            }
    return [out[k] for k in sorted(out)]


def stage_commands(staged: Iterable[tuple[str, str, SecretParameter]]) -> list[str]:
    """Shell lines staging each Parameter Store String from the snapshot's secrets.json (read by path:
    the value is never written in a file), grouped by account and Region."""
    lines = ['SNAPSHOT=path/to/snapshot   # the inventory snapshot that holds secrets.json (mode 0600)']
    place = None
    for account, region, p in sorted(set(staged), key=lambda s: (s[0], s[1], s[2].ssm_name)):
        if (account, region) != place:
            place = (account, region)
            lines += ["", f"# account {account}, Region {region}: use credentials for this account"]
        lines.append(
            f"aws ssm put-parameter --region {region} --type String --overwrite "
            f"--name '{p.ssm_name}' "
            f"--value \"$(jq -r '.[\"{p.secret_id}\"]' \"$SNAPSHOT/secrets.json\")\""
        )
    return lines


def planned_change_files(
    changes: list[dict[str, str]], *, choice: str, staged: Iterable[tuple[str, str, SecretParameter]] = ()
) -> dict[str, str]:
    """PLANNED_CHANGES.json and PLANNED_CHANGES.md for an export (written even when empty: they say so);
    `staged` (account, Region, parameter) are the Parameter Store values to stage before the first deploy."""
    staged = list(staged)
    doc = {
        "secrets": choice,
        "why": SECRET_CHOICES.get(choice, ""),
        "changes": changes,
        "stage": [
            {"account": a, "region": r, "name": p.ssm_name, "secretId": p.secret_id, "input": p.input_name}
            for a, r, p in sorted(set(staged), key=lambda s: (s[0], s[1], s[2].ssm_name))
        ],
    }
    lines = [
        "# Planned changes of the first deploy",
        "",
        f"Secrets: `--secrets {choice}`: {SECRET_CHOICES.get(choice, '')}.",
        "",
    ]
    described = [c for c in changes if c.get("section") == "Description"]
    changes = [c for c in changes if c.get("section") != "Description"]
    if described:
        lines += [
            f"{len(described)} stack(s) share a parameterised template whose Description is general: "
            "their description text changes, no resource does (NoResourceChange): "
            + ", ".join(c["stack"] for c in described)
            + ".",
            "",
        ]
    if not changes:
        lines += [
            "The first deploy of every stack in this export changes no resource: same template after "
            "parameter resolution, same parameters, same stack tags. `exodus verify` fails on any "
            "change.",
            "",
        ]
    else:
        counts: dict[str, int] = {}
        for change in changes:
            counts[change["effect"]] = counts.get(change["effect"], 0) + 1
        lines += [
            f"The first deploy makes {len(changes)} resource change(s) you chose ("
            + ", ".join(f"{n} {e}" for e, n in sorted(counts.items()))
            + "). `exodus verify` reports "
            "them as planned and fails on any other change. To make none, export again with "
            "`--secrets ssm-parameter` (the default).",
            "",
            "| Stack | Resource | Type | Property | Effect | What happens |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {c['stack']} | {c['resource']} | {c['type']} | {c['property']} | {c['effect']} | "
            f"{c['description']} |"
            for c in changes
        ]
        lines.append("")
    if staged:
        lines += [
            "## Stage the secrets before the first deploy",
            "",
            "SSM parameter types read `String` parameters only, not `SecureString` "
            f"({SSM_TYPES_DOC}): each value is staged as a `String`, out of Git but readable by anyone "
            "allowed to read Parameter Store in the account. The staged value must equal the deployed "
            "one: then CloudFormation resolves the parameter to the same literal and changes nothing.",
            "",
            "```sh",
            *stage_commands(staged),
            "```",
            "",
        ]
    return {
        "PLANNED_CHANGES.json": json.dumps(doc, indent=2, sort_keys=True) + "\n",
        "PLANNED_CHANGES.md": "\n".join(lines),
    }
