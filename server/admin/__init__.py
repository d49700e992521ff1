"""`verdict-admin`: the commands that work on the server's database, keys and files directly.

Installed with the server, never with the client alone (``verdict``, which
goes through the API): creating and upgrading the database (``migrate``),
importing accounts, caller tokens, checking the log in the database without
the server, the log's signing key, the Rego and bundle tools, and
submitting DSA statements to the Transparency Database. None of them creates
a database as a side effect: only ``migrate`` (and the server) do.
"""

from __future__ import annotations

from shared import terminal

PROGRAM = "verdict-admin"


def fail(message: str, code: int = 2) -> int:
    """Print an error the user can act on (as verdict-admin) and return the exit code."""
    return terminal.fail(message, code, PROGRAM)
