"""The capabilities CloudFormation requires to create or update a stack from a template (CreateStack /
UpdateStack `Capabilities`): IAM resources, IAM resources with custom names, and macros. Crossplane's
Stack passes `forProvider.capabilities` to UpdateStack, so an adopted stack whose template holds any
of these fails its first update with `InsufficientCapabilities` unless they are set."""

from __future__ import annotations

from typing import Any

from proton_exodus.cfn.text import load_template
from proton_exodus.errors import ExodusError

IAM, NAMED_IAM, AUTO_EXPAND = "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"
# Properties that give an IAM resource a custom (physical) name: CAPABILITY_NAMED_IAM then.
IAM_NAMES = ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")


def _has_transform(node: Any) -> bool:
    if isinstance(node, dict):
        return "Fn::Transform" in node or any(_has_transform(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_transform(v) for v in node)
    return False


def required_capabilities(template: str) -> tuple[str, ...]:
    """The capabilities `template` needs, sorted; all three when the template cannot be read (a stack
    that cannot be analysed is better over-acknowledged than failing its update)."""
    try:
        tree = load_template(template)
    except ExodusError:
        return (AUTO_EXPAND, IAM, NAMED_IAM)
    if not isinstance(tree, dict):
        return ()
    found: set[str] = set()
    for res in (tree.get("Resources") or {}).values():
        if not isinstance(res, dict):
            continue
        if str(res.get("Type", "")).startswith("AWS::IAM::"):
            found.add(IAM)
            props = res.get("Properties") or {}
            if isinstance(props, dict) and any(props.get(name) for name in IAM_NAMES):
                found.add(NAMED_IAM)
    if tree.get("Transform") or _has_transform(tree):
        found.add(AUTO_EXPAND)
    return tuple(sorted(found))
