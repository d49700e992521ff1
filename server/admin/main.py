"""The `verdict-admin` command line: the admin commands, each from its own module."""

from __future__ import annotations

import argparse
import sys

from server.admin import PROGRAM, accounts, bundle, database, dsa, log, rego, token
from shared.terminal import run_handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description=(
            "verdict-admin — the admin commands of verdict, installed with the server.\n"
            "They work on its database, keys and files directly: create the database, load accounts, make\n"
            "caller tokens, check the decision log without the server, create its signing key, test and\n"
            "bundle the Rego policies, submit DSA statements. Calling the server is `verdict`."
        ),
        epilog=f"Run `{PROGRAM} COMMAND --help` for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for module in (database, accounts, token, log, rego, bundle, dsa):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run_handler(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
