"""Client side of verdict: the Python client library and the `verdict` command."""
