"""moto's change sets compared the way CloudFormation compares them: after resolving parameters.

moto (5.x) diffs a change set's resources against the stack's as raw template JSON, and without the
parameters (`ResourceMap.build_change_set_actions`): a resource that now reads a value through
`{"Ref": "Param"}` where the stack holds the same value as a literal is reported as a `Modify`, and a
parameter-only change (same template, new value) reports no change at all. CloudFormation resolves
parameters (SSM parameter types included) before it compares; it does not resolve dynamic references
(`{{resolve:...}}` stays text, so a changed reference text is a change). This patch recomputes the
resource-level actions on both sides resolved that way, keeping moto_compat's Replacement and details.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

from proton_exodus.cfn.resolve import fold

_PATCHED = False
_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def resolve_parameter_refs(node: Any, values: Mapping[str, Any]) -> Any:
    """`node` with `{"Ref": P}` (and `${P}` inside `Fn::Sub`) replaced by P's value, for every P in
    `values`; anything else (pseudo parameters, resources, dynamic references) is left as written."""
    if isinstance(node, list):
        return [resolve_parameter_refs(v, values) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, arg),) = node.items()
        if key == "Ref" and isinstance(arg, str) and arg in values:
            return values[arg]
        if key == "Fn::Sub":
            return _sub(arg, values)
    return {k: resolve_parameter_refs(v, values) for k, v in node.items()}


def _sub(arg: Any, values: Mapping[str, Any]) -> Any:
    """An `Fn::Sub` with its parameter variables filled in: a plain string when nothing is left to
    substitute, else the `Fn::Sub` with the parameters it could fill."""
    if isinstance(arg, str):
        text, local = arg, {}
    elif isinstance(arg, list) and len(arg) in (1, 2) and isinstance(arg[0], str):
        text, local = arg[0], resolve_parameter_refs(arg[1] if len(arg) == 2 else {}, values)
    else:
        return {"Fn::Sub": resolve_parameter_refs(arg, values)}

    def fill(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if m.group(1) in local or not isinstance(value, (str, int, float)):
            return m.group(0)
        return str(value)

    text = _SUB_VAR.sub(fill, text)
    if not local and "${" not in text:
        return text
    return {"Fn::Sub": text if isinstance(arg, str) else [text, local]}


def parameter_values(
    template: Mapping[str, Any], given: Mapping[str, Any], ssm: Any = None
) -> dict[str, Any]:
    """The template's parameters as CloudFormation resolves them: given value else default; lists split;
    SSM parameter types read through `ssm(name, type)` when given."""
    values: dict[str, Any] = {}
    for name, slot in (template.get("Parameters") or {}).items():
        slot = slot if isinstance(slot, Mapping) else {}
        value = given.get(name, slot.get("Default"))
        if value is None:
            continue
        kind = str(slot.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value<") and ssm is not None:
            with contextlib.suppress(Exception):  # unresolvable: compare the name, as written
                value = ssm(value, kind)
        elif isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            value = value.split(",")
        values[name] = value
    return values


def scalars_as_text(node: Any) -> Any:
    """CloudFormation's view of scalars: `5`, `"5"` and a Number parameter of 5 are the same value, as
    are `true` and `"true"`."""
    if isinstance(node, dict):
        return {k: scalars_as_text(v) for k, v in node.items()}
    if isinstance(node, list):
        return [scalars_as_text(v) for v in node]
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (int, float)):
        return str(node)
    return node


def resolved_resources(
    template: Mapping[str, Any], given: Mapping[str, Any], ssm: Any = None
) -> dict[str, Any]:
    """The template's resources with its parameters resolved, scalars compared as text, and the
    functions that then read only literals evaluated as CloudFormation does (conditions, `Fn::If`,
    `Fn::Select`, `Fn::Join`, ...: cfn.resolve.fold), so a shared parameterised template that
    reproduces a stack's values is no change."""
    values = parameter_values(template, given, ssm)
    tree = {
        key: scalars_as_text(resolve_parameter_refs(template[key], values))
        for key in ("Conditions", "Mappings", "Resources")
        if isinstance(template.get(key), dict)
    }
    return dict(fold(tree).get("Resources") or {})


def patch_moto_change_set_resolution() -> None:
    """Wrap moto's (already detailed) ChangeSet.diff so resource actions compare resolved resources."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation.models import Change, ChangeSet

    from proton_exodus.engine.moto_compat import _describe_modify

    original = ChangeSet.diff

    def diff(self: Any) -> list[Any]:
        changes = original(self)
        stack = self.stack
        resource_map = getattr(stack, "resource_map", None)
        old_template = getattr(stack, "template_dict", None) or {}
        if self.change_set_type != "UPDATE" or resource_map is None or not old_template:
            return changes
        ssm = getattr(resource_map, "parse_ssm_parameter", None)
        old_values = dict(getattr(resource_map, "input_parameters", None) or stack.parameters or {})
        before = resolved_resources(old_template, old_values, ssm)
        after = resolved_resources(self.template_dict or {}, self.parameters or {}, ssm)
        # Add/Remove as CloudFormation computes them: by the resources each side's Conditions keep (moto
        # compares the templates' keys, so a resource a false Condition leaves out looked added)
        kept = [c for c in changes if c.action not in ("Modify", "Add", "Remove")]
        for name in sorted(set(after) - set(before)):
            kept.append(Change("Add", name, (after[name] or {}).get("Type", "")))
        for name in sorted(set(before) - set(after)):
            kept.append(Change("Remove", name, (before[name] or {}).get("Type", "")))
        for name in sorted(set(before) & set(after)):
            if before[name] == after[name]:
                continue
            change = next(
                (c for c in changes if c.action == "Modify" and c.logical_resource_id == name), None
            )
            if change is None:
                change = Change("Modify", name, (after[name] or {}).get("Type", ""))
            _describe_modify(change, before[name] or {}, after[name] or {}, stack)
            kept.append(change)
        return kept

    ChangeSet.diff = diff  # type: ignore[method-assign]
    _patch_update_diff()
    _patch_stack_tags_and_parameters()
    _patch_missing_ssm_parameters()
    _patch_list_parameter_values()
    _patch_empty_change_set()
    _PATCHED = True


def _patch_empty_change_set() -> None:
    """CreateChangeSet with nothing to change is a FAILED change set in CloudFormation ("The submitted
    information didn't contain changes"), which `aws cloudformation deploy --no-fail-on-empty-changeset`
    accepts; moto refused it with UpdateStack's "No updates are to be performed." error."""
    from moto.cloudformation.responses import CloudFormationResponse

    validate = CloudFormationResponse._validate_different_update

    def validate_different_update(self: Any, *args: Any, **kwargs: Any) -> None:
        if self._get_action() != "CreateChangeSet":
            validate(self, *args, **kwargs)

    CloudFormationResponse._validate_different_update = validate_different_update  # type: ignore[method-assign]


def _patch_list_parameter_values() -> None:
    """DescribeStacks shows a CommaDelimitedList (or List<...>) parameter's value as given, `a,b`, as
    CloudFormation does; moto splits it for the template and then prints the Python list (`['a', 'b']`),
    so a deployer comparing parameters read back (the terraform provider's Read) saw a change."""
    from moto.cloudformation.models import Stack

    listed = Stack.parameter_list

    def parameter_list(self: Any) -> list[dict[str, Any]]:
        return [
            {**p, "ParameterValue": ",".join(map(str, p["ParameterValue"]))}
            if isinstance(p.get("ParameterValue"), list)
            else p
            for p in listed.fget(self)  # type: ignore[attr-defined]
        ]

    Stack.parameter_list = property(parameter_list)  # type: ignore[method-assign,assignment]


def missing_ssm_parameters(template: str, given: Mapping[str, str], exists: Any) -> list[str]:
    """The Parameter Store names an `AWS::SSM::Parameter::Value<...>` parameter of `template` reads (its
    given value, else its default) for which `exists(name)` is false, sorted."""
    from proton_exodus.cfn.text import parse_template

    try:
        doc = parse_template(template, json_first=True, dates=False)
    except Exception:  # noqa: BLE001 - moto reports unreadable templates itself
        return []
    missing = set()
    for name, slot in ((doc or {}).get("Parameters") or {}).items() if isinstance(doc, dict) else ():
        slot = slot if isinstance(slot, Mapping) else {}
        value = given.get(name, slot.get("Default"))
        if (
            str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::Value<")
            and value
            and not exists(value)
        ):
            missing.add(str(value))
    return sorted(missing)


def _patch_missing_ssm_parameters() -> None:
    """CreateChangeSet refuses a template whose SSM parameter type names a Parameter Store parameter that
    does not exist (CloudFormation: `Parameters: [name] cannot be found.`); moto accepted it and the
    stack failed at execution with an AttributeError."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend
    from moto.ssm import ssm_backends

    create = CloudFormationBackend.create_change_set

    def create_change_set(
        self: Any,
        stack_name: str,
        change_set_name: str,
        template: str,
        parameters: dict[str, str],
        *args: Any,
        **kwargs: Any,
    ) -> tuple[str, str]:
        ssm = ssm_backends[self.account_id][self.region_name]
        missing = missing_ssm_parameters(
            template, parameters or {}, lambda n: ssm.get_parameter(n) is not None
        )
        if missing:
            raise ValidationError(message=f"Parameters: [{', '.join(missing)}] cannot be found.")
        return create(self, stack_name, change_set_name, template, parameters, *args, **kwargs)

    CloudFormationBackend.create_change_set = create_change_set  # type: ignore[method-assign]


def _patch_stack_tags_and_parameters() -> None:
    """A change set that changes only the stack's tags is a change (CloudFormation propagates them to
    the resources), not "didn't contain changes"; executing a change set gives the stack its tags and
    parameters (moto keeps the old ones, so the next change set would compare against stale values)."""
    from moto.cloudformation.models import CloudFormationBackend

    create, execute = CloudFormationBackend.create_change_set, CloudFormationBackend.execute_change_set

    def create_change_set(self: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
        change_set_id, stack_id = create(self, *args, **kwargs)
        change_set, stack = self.change_sets.get(change_set_id), self.stacks.get(stack_id)
        if (
            change_set is not None
            and stack is not None
            and change_set.status == "FAILED"
            and change_set.tags
            and dict(change_set.tags) != dict(stack.tags or {})
        ):
            change_set.status, change_set.execution_status, change_set.status_reason = (
                "CREATE_COMPLETE",
                "AVAILABLE",
                None,
            )
        return change_set_id, stack_id

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        execute(self, change_set_name, stack_name)
        change_set = self.change_sets.get(change_set_name) or next(
            (
                cs
                for cs in self.change_sets.values()
                if cs.change_set_name == change_set_name
                and (stack_name is None or stack_name in (cs.stack_name, cs.stack_id))
            ),
            None,
        )
        stack = self.stacks.get(change_set.stack_id) if change_set is not None else None
        if stack is not None and stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            if change_set.tags:  # no Tags given: the stack keeps its own
                stack.tags = dict(change_set.tags)
            stack.parameters = dict(change_set.parameters or {})

    CloudFormationBackend.create_change_set = create_change_set  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    _patch_delete_missing_change_set()


def _patch_delete_missing_change_set() -> None:
    """DeleteChangeSet of a change set that does not exist is CloudFormation's `ChangeSetNotFound` (400);
    moto fails with an internal error (500), which the `aws` CLI retries with back-off, so a workflow's
    `aws cloudformation delete-change-set ... || true` took seconds instead of one call."""
    from moto.cloudformation.exceptions import CloudFormationError
    from moto.cloudformation.models import CloudFormationBackend

    class ChangeSetNotFound(CloudFormationError):
        code = "ChangeSetNotFound"

        def __init__(self, name: str) -> None:
            super().__init__(f"ChangeSet [{name}] does not exist")

    delete = CloudFormationBackend.delete_change_set

    def delete_change_set(self: Any, change_set_name: str, *args: Any, **kwargs: Any) -> None:
        if change_set_name not in self.change_sets and not any(
            cs.change_set_name == change_set_name for cs in self.change_sets.values()
        ):
            raise ChangeSetNotFound(change_set_name)
        delete(self, change_set_name, *args, **kwargs)

    CloudFormationBackend.delete_change_set = delete_change_set  # type: ignore[method-assign]
    _patch_removed_parameters()


def _patch_removed_parameters() -> None:
    """An update whose template no longer declares a parameter the stack had (a rollback to a template
    without the staged-secret parameter) drops it, as CloudFormation does; moto keeps the old value and
    fails the update with a KeyError on the missing parameter slot."""
    from moto.cloudformation.parsing import ResourceMap

    load = ResourceMap.load_parameters

    def load_parameters(self: Any) -> None:
        slots = self._template.get("Parameters") or {}
        for key in [k for k in self.resolved_parameters if k not in slots]:
            del self.resolved_parameters[key]
            self._parsed_resources.pop(key, None)
        self.input_parameters = {k: v for k, v in (self.input_parameters or {}).items() if k in slots}
        load(self)

    ResourceMap.load_parameters = load_parameters  # type: ignore[method-assign]


def _patch_update_diff() -> None:
    """Executing an update touches only the resources that differ once resolved: moto would otherwise
    re-create a resource whose literal became an equal parameter (a new VPC id under a stack that other
    stacks' templates name), where CloudFormation leaves it alone."""
    from moto.cloudformation.parsing import ResourceMap

    original = ResourceMap.build_resource_diff

    def build_resource_diff(
        self: Any, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        result = original(self, other_template, parameters)
        old_template = getattr(self, "_template", None) or {}
        old_values = dict(getattr(self, "input_parameters", None) or {})
        ssm = getattr(self, "parse_ssm_parameter", None)
        before = resolved_resources(old_template, old_values, ssm)
        after = resolved_resources(other_template, parameters or old_values, ssm)
        new = other_template.get("Resources") or {}
        result["Modify"] = [n for n in new if n in before and n in after and before[n] != after[n]]
        # a resource a Condition now keeps is created, one it now leaves out is deleted
        result["Add"] = [n for n in new if n in after and n not in before]
        result["Remove"] = [n for n in (self._resource_json_map or {}) if n in before and n not in after]
        return result

    ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]
