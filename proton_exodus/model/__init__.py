"""The offline snapshot of a Proton estate: kinds, records, stacks and bundles (docs/snapshot-format.md)."""

from proton_exodus.model.snapshot import KINDS, Snapshot, load_snapshot, write_snapshot

__all__ = ["KINDS", "Snapshot", "load_snapshot", "write_snapshot"]
