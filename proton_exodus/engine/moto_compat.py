"""A fix for moto's CloudFormation, applied by tests, benchmarks and `exodus local serve`.

moto (5.x) executes change sets without re-parsing the template, so stacks created or updated through
change sets report no `Outputs` (the same gap localstack and fakecloud fixed on their side). Proton
deploys through change sets and reads outputs back, so the local cloud needs the fix.
"""

from __future__ import annotations

from typing import Any

_PATCHED = False


def patch_moto_change_set_outputs() -> None:
    """Make moto rebuild a stack's parsed template and outputs after ExecuteChangeSet (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name
             and (stack_name is None or cs.stack_name == stack_name or cs.stack_id == stack_name)), None)
        original(self, change_set_name, stack_name)
        stack = self.stacks.get(change_set.stack_id) if change_set is not None else None
        if stack is not None:
            stack._parse_template()
            stack.description = stack.template_dict.get("Description")
            stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    _PATCHED = True
