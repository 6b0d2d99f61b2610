"""Inventory: crawl a whole Proton estate through the read API into an offline snapshot.

Public entry point: `crawl_estate(settings, out, ...) -> CrawlReport` (docs/snapshot-format.md).
"""

from __future__ import annotations

from proton_exodus.inventory.estate import CrawlReport, crawl_estate

__all__ = ["CrawlReport", "crawl_estate"]
