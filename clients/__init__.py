"""Client side of verdict: the Python client library and the `verdict` command.

Installable without the server (``verdict-client``, packaging/client): it
imports nothing of ``server`` (an import-linter contract), only ``shared``
and the generated ``verdict.v1`` code.
"""
