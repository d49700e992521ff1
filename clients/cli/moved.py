"""Admin commands, which `verdict` names but does not run.

Commands that work on the server's database, keys and policy files directly
(importing accounts, caller tokens, reading the log from the database,
the log's signing key, the Rego and bundle tools, submitting to the DSA
Transparency Database) are `verdict-admin`, installed with the server.
`verdict` knows their names so that asking it for one says which command
to run instead of "invalid choice".
"""

from __future__ import annotations

import argparse

from shared.terminal import fail

INSTALLED_WITH = "installed with the server, e.g. by `make setup`"


def moved(sub: argparse._SubParsersAction, name: str, what: str) -> None:
    """A subcommand ``name`` that is an admin command now, with the same arguments under `verdict-admin`."""
    parser = sub.add_parser(name, help=f"admin: {what} (verdict-admin)", add_help=False,
                            description=f"An admin command: run it with `verdict-admin` ({INSTALLED_WITH}).")
    parser.set_defaults(moved=True)


def add_admin_only_db(parser: argparse.ArgumentParser) -> None:
    """``--db`` on a command that asks the server: reading the database directly is the same command in `verdict-admin`."""
    parser.add_argument("--db", help="(admin) read this database directly: that is the same command in `verdict-admin`")


def register(commands: argparse._SubParsersAction) -> None:
    """The admin groups that have nothing left in `verdict`."""
    for name, what in (("rego", "test and inspect the Rego policies"), ("bundle", "build, sign and verify OPA bundles"),
                       ("token", "create caller tokens for the callers file")):
        moved(commands, name, what)


def refusal(args: argparse.Namespace, argv: list[str]) -> int | None:
    """The exit code, after saying what to run, when ``argv`` asks `verdict` for an admin command; None otherwise."""
    if getattr(args, "moved", False):
        why = "this is an admin command: it works on the server's database, keys or files directly"
    elif getattr(args, "db", None):
        why = "reading the database directly is an admin command"
    else:
        return None
    return fail(f"{why}; run `verdict-admin {' '.join(argv)}` ({INSTALLED_WITH})")
