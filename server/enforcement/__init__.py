"""Enforcement: writing account history (violations, locks, limits, suspensions, group links and designations)."""
