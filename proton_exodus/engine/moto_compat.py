"""Fixes for moto's CloudFormation, applied by tests, benchmarks and `exodus local serve`.

moto (5.x) executes change sets without re-parsing the template, so stacks created or updated through
change sets report no `Outputs` (the same gap localstack and fakecloud fixed on their side). It also
lets a resource error escape as a Python exception and leaves the stack half-updated, where
CloudFormation rolls back and reports `*_ROLLBACK_COMPLETE` with the reason in the stack events.
Proton deploys through change sets and relies on both, so the local cloud needs the fixes.
"""

from __future__ import annotations

from typing import Any

_PATCHED = False


def patch_moto_change_set_outputs() -> None:
    """Patch moto's ExecuteChangeSet: outputs refreshed, failures rolled back like CloudFormation (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name
             and (stack_name is None or cs.stack_name == stack_name or cs.stack_id == stack_name)), None)
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
    _PATCHED = True


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
