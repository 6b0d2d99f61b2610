"""Read the CloudFormation stacks behind Proton resources while the Proton crawl is still running.

Reading stacks only after the last Proton call would add a phase whose time is spent mostly in
CloudFormation, not in this process. So a stack in the crawled account whose ARN the provisioned
resource names is read as soon as that resource is listed: the same StackRef `assemble.stack_refs`
derives later from the finished records (its account and Region come from the ARN, it needs no
role). Everything else (stacks named without an ARN, stacks in other accounts, which need the
environment's connection role) waits for `finish`, which reads what is left exactly as before.
Per account and Region, the bulk DescribeStacks listing still happens once the group reaches
BULK_MIN stacks, and reads in a group wait for it, so no call is made that the deferred order
would not make.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from proton_exodus.inventory.runner import FIRST, TaskRunner
from proton_exodus.inventory.stacks import BULK_MIN, StackReader, StackRef, parse_stack_identifier

GroupKey = tuple[str, str, str | None]
RESOURCE_KINDS = {
    "environments": "environment",
    "service_instances": "service_instance",
    "service_pipelines": "service_pipeline",
    "components": "component",
}


@dataclass
class _Group:
    """Stacks of one account/Region/role: waiting for the bulk listing, or ready to read."""

    pending: list[StackRef] = field(default_factory=list)
    listing: bool = False
    ready: bool = False


class StackFollower:
    """Reads stacks on `runner` as resources reveal them (`on_resources`), the rest in `finish`.

    Early stack tasks go ahead of the queued Proton tasks (else they would wait for all of them)
    but at most `in_flight` at a time while Proton tasks are waiting, so CloudFormation calls do
    not crowd Proton calls out of the pool; both services stay busy at once.
    """

    def __init__(
        self,
        reader: StackReader | None,
        runner: TaskRunner,
        account: str | None,
        region: str,
        in_flight: int = 4,
    ) -> None:
        self.reader = reader  # None: the crawled account is not known yet, so nothing is read early
        self.runner = runner
        self.account = account
        self.region = region
        self.in_flight = max(1, in_flight)
        self._lock = threading.Lock()
        self._waiting: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._running = 0
        self._seen: set[StackRef] = set()
        self._groups: dict[GroupKey, _Group] = {}
        self._results: dict[StackRef, tuple[dict[str, Any], str | None]] = {}

    # -- while the Proton crawl runs ------------------------------------------------------------
    def on_resources(self, kind: str, resource_arn: str | None, resources: list[dict[str, Any]]) -> None:
        """Called with the provisioned resources of one environment/instance/pipeline/component."""
        if self.reader is None or not self.account or not resource_arn:
            return
        refs = [ref for res in resources if (ref := self._early_ref(kind, resource_arn, res)) is not None]
        to_list: list[_Group] = []
        to_read: list[StackRef] = []
        with self._lock:
            for ref in refs:
                if ref in self._seen:
                    continue
                self._seen.add(ref)
                group = self._groups.setdefault((ref.account, ref.region, ref.role_arn), _Group())
                if group.ready:
                    to_read.append(ref)
                    continue
                group.pending.append(ref)
                if not group.listing and len(group.pending) >= BULK_MIN:
                    group.listing = True
                    to_list.append(group)
        for group in to_list:
            self._submit(self._list_then_read, group)
        for ref in to_read:
            self._submit(self._read, ref)

    def _submit(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            self._waiting.append((fn, args))
        self._pump()

    def _pump(self) -> None:
        """Start waiting stack tasks: up to `in_flight` at once, all of them once the pool has
        nothing else queued (the Proton crawl is winding down)."""
        with self._lock:
            start = []
            while self._waiting and (self._running < self.in_flight or not self.runner.queued()):
                start.append(self._waiting.popleft())
                self._running += 1
        for fn, args in start:
            self.runner.spawn(self._run, fn, args, priority=FIRST)

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        finally:
            with self._lock:
                self._running -= 1
            self._pump()

    def _early_ref(self, kind: str, resource_arn: str, res: dict[str, Any]) -> StackRef | None:
        """The StackRef of a stack in the crawled account named by ARN; None for anything else."""
        if res.get("provisioningEngine", "CLOUDFORMATION") != "CLOUDFORMATION":
            return None
        arn_account, arn_region, name = parse_stack_identifier(res.get("identifier") or res.get("name") or "")
        if arn_account != self.account:
            return None
        return StackRef(
            name, self.account, arn_region or self.region, None, resource_arn, RESOURCE_KINDS[kind]
        )

    def _list_then_read(self, group: _Group) -> None:
        assert self.reader is not None
        with self._lock:
            first = group.pending[0]
        self.reader.prefetch([first])
        with self._lock:
            group.ready = True
            refs, group.pending = group.pending, []
        for ref in refs:
            self._submit(self._read, ref)

    def _read(self, ref: StackRef) -> None:
        assert self.reader is not None
        result = self.reader.read(ref)
        with self._lock:
            self._results[ref] = result

    # -- after the Proton crawl -----------------------------------------------------------------
    def finish(
        self, reader: StackReader, refs: list[StackRef]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Every stack of `refs` (records sorted by ref, template texts by path); reads what is left.

        Call after `runner.wait()`, so every early read has landed. Early reads of refs that
        `refs` lacks (a resource deleted during the crawl) are dropped.
        """
        self.reader = reader
        unique = sorted(
            set(refs), key=lambda r: (r.account, r.region, r.role_arn or "", r.name, r.resource_arn)
        )
        left = [ref for ref in unique if ref not in self._results]
        groups: dict[GroupKey, list[StackRef]] = {}
        for ref in left:
            groups.setdefault((ref.account, ref.region, ref.role_arn), []).append(ref)
        for key, group in groups.items():
            listed = self._groups.get(key)
            if not (listed and listed.ready) and len(group) >= BULK_MIN:
                self.runner.spawn(reader.prefetch, group)
        self.runner.wait()
        for ref in left:
            self.runner.spawn(self._read, ref)
        self.runner.wait()
        stacks: list[dict[str, Any]] = []
        templates: dict[str, str] = {}
        for ref in unique:
            record, text = self._results[ref]
            stacks.append(record)
            if text is not None and record.get("templatePath"):
                templates[record["templatePath"]] = text
        return stacks, templates
