"""Synthetic estates for tests and benchmarks. No production path imports this package."""
