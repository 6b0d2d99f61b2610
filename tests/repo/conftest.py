"""The demo exports and git checkouts every test of the repo package works on."""

from tests.support.exports import checkout, demo_exports, demo_snapshot

__all__ = ["checkout", "demo_exports", "demo_snapshot"]
