"""The relational store behind accounts, the decision log and the policy archive.

SQLite (embedded default) or PostgreSQL (``VERDICT_DB=postgresql://...``),
one schema, one code path.
"""
