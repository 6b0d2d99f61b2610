"""Fixes for moto's CloudFormation, applied by tests, benchmarks and `exodus local serve`.

moto (5.x) executes change sets without re-parsing the template, so stacks created or updated through
change sets report no `Outputs` (the same gap localstack and fakecloud fixed on their side). It also
lets a resource error escape as a Python exception and leaves the stack half-updated, where
CloudFormation rolls back and reports `*_ROLLBACK_COMPLETE` with the reason in the stack events.
Proton deploys through change sets and relies on both, so the local cloud needs the fixes.
moto's change sets also say only Add/Modify/Remove: a Modify never says whether the resource is
replaced, which `exodus verify --change-set` gates on. The patch fills `Replacement`, `Scope` and
`Details` as CloudFormation does for static changes, from the resource types' create-only
properties in the provider schemas cfn-lint ships. SAM templates are expanded at change-set creation
(engine/moto_transforms.py). The ids moto invents for stacks, change sets and
resources become functions of the resource (engine/cloud_ids.py), so a run is reproducible whatever
else drew from moto's generator before it.
"""

from __future__ import annotations

from typing import Any

from proton_exodus.cfn.effects import create_only_properties as _create_only
from proton_exodus.engine.cloud_ids import patch_moto_ids
from proton_exodus.engine.moto_cfn_gaps import patch_moto_cfn_gaps
from proton_exodus.engine.moto_changeset import patch_moto_change_set_resolution
from proton_exodus.engine.moto_codeconnections import patch_moto_codeconnections
from proton_exodus.engine.moto_servicecatalog import patch_moto_servicecatalog
from proton_exodus.engine.moto_transforms import patch_moto_transforms

_PATCHED = False


def patch_moto_change_set_outputs() -> None:
    """Patch moto's ExecuteChangeSet: outputs refreshed, failures rolled back like CloudFormation; and its
    ids derived from the resource (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.change_sets.get(change_set_name) or next(
            (
                cs
                for cs in self.change_sets.values()
                if cs.change_set_name == change_set_name
                and (stack_name is None or cs.stack_name == stack_name or cs.stack_id == stack_name)
            ),
            None,
        )
        stack = self.stacks.get(change_set.stack_id) if change_set is not None else None
        previous = stack.template if stack is not None else None
        try:
            original(self, change_set_name, stack_name)
            stack = self.stacks.get(change_set.stack_id) if change_set is not None else None
            if stack is not None:
                _refresh(stack)
                _ = stack.outputs  # moto resolves outputs lazily: a bad Ref would break DescribeStacks later
        except Exception as err:  # noqa: BLE001 - moto surfaces resource errors as Python exceptions
            if stack is None:
                raise
            _roll_back(stack, change_set, previous, f"{type(err).__name__}: {err}")

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    _patch_change_details()
    patch_moto_change_set_resolution()  # compare resolved parameters, as CloudFormation does
    patch_moto_ids()
    patch_moto_cfn_gaps()
    patch_moto_codeconnections()  # the runbooks' `aws codeconnections` and drift checks
    patch_moto_servicecatalog()  # the `service-catalog` target's portfolio and adoption
    patch_moto_transforms()  # last: its create_change_set fails a change set SAM refuses
    _PATCHED = True


def _patch_change_details() -> None:
    from moto.cloudformation.models import ChangeSet

    original = ChangeSet.diff

    def diff(self: Any) -> list[Any]:
        changes = original(self)
        before = getattr(self.stack.resource_map, "_resource_json_map", {}) or {}
        after = (self.template_dict or {}).get("Resources") or {}
        for change in changes:
            if change.action == "Modify":
                _describe_modify(
                    change,
                    before.get(change.logical_resource_id) or {},
                    after.get(change.logical_resource_id) or {},
                    self.stack,
                )
        return changes

    ChangeSet.diff = diff  # type: ignore[method-assign]


def _describe_modify(change: Any, before: dict[str, Any], after: dict[str, Any], stack: Any) -> None:
    """Replacement True when a changed property is create-only for the type (RequiresRecreation
    Always), else False; the property-level details CloudFormation lists for a direct change."""
    old, new = before.get("Properties") or {}, after.get("Properties") or {}
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    create_only = _create_only(change.resource_type)
    change.replacement = "True" if any(k in create_only for k in changed) else "False"
    change.scope = ["Properties"] if changed else []
    change.details = [
        {
            "Target": {
                "Attribute": "Properties",
                "Name": k,
                "RequiresRecreation": "Always" if k in create_only else "Never",
            },
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
        for k in changed
    ]
    resource = (
        stack.resource_map._parsed_resources.get(change.logical_resource_id)
        if hasattr(stack.resource_map, "_parsed_resources")
        else None
    )
    physical = getattr(resource, "physical_resource_id", None)
    if physical:
        change.physical_resource_id = physical


def _refresh(stack: Any) -> None:
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


def _roll_back(stack: Any, change_set: Any, previous: str | None, reason: str) -> None:
    change_set.execution_status = "EXECUTE_FAILED"
    if change_set.change_set_type == "CREATE":
        stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
        stack.status = "ROLLBACK_COMPLETE"
        stack.template = change_set.template  # GetTemplate still returns what was submitted
        from moto.cloudformation.parsing import OutputMap  # a rolled-back create keeps no outputs

        stack.output_map = OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)
        return
    stack._add_stack_event("UPDATE_FAILED", resource_status_reason=reason)
    stack.template = previous
    try:
        stack._parse_template()
        stack.resource_map.update(stack.template_dict, stack.parameters)
        stack.output_map = stack._create_output_map()
    except Exception:  # noqa: BLE001 - best effort, as a failed rollback would be
        stack.status = "UPDATE_ROLLBACK_FAILED"
        return
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
