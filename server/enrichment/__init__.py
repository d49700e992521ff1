"""Enrichment: what the server knows of accounts and groups, added to every case."""
