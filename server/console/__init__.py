"""The web console: auditors find, understand, prove and replay decisions; policy
engineers try cases against any revision. Served by the server process on its own
port, over the server's own services (never a copy of their logic)."""
