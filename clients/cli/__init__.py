"""The `verdict` command line."""
