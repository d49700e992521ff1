"""Audit: verify the log, explain a decision, replay decisions on any revision."""
