"""The decision log as a transparency log: its formats and their checks.

The server writes with these (``server/decisionlog/`` stores the tree and
its checkpoints in the database); an auditor holding only the log's public
key checks a checkpoint, an inclusion or a consistency proof with the same
code, from the client alone.
"""
