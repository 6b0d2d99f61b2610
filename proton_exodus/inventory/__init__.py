"""Inventory: crawl a whole Proton estate through the read API into an offline snapshot.

Public entry points: `crawl_estate(settings, out, ...) -> CrawlReport` (docs/snapshot-format.md) and,
after Proton's end of support, `crawl_stacks(settings, out, ...) -> StacksReport` (from the stacks).
"""

from __future__ import annotations

from proton_exodus.inventory.estate import CrawlReport, crawl_estate
from proton_exodus.inventory.from_stacks import StacksReport, crawl_stacks

__all__ = ["CrawlReport", "StacksReport", "crawl_estate", "crawl_stacks"]
