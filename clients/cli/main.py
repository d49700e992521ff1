"""`verdict`: ask the policy server for decisions, audit them, fetch DSA statements.

Everything here goes through the server's API (with its authentication and
audit trail) or checks what the server handed out offline (inclusion
proofs); it needs only the client's packages. Commands that work on the
server's database and files directly are `verdict-admin` (server/admin/).
"""

from __future__ import annotations

import argparse
import sys

from clients.cli import accounts, audit, decide, dsa, moved
from shared.terminal import run_handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verdict",
        description=(
            "verdict — a rule-as-code policy server for content moderation.\n"
            "Ask it what the policies say about a case, look up the accounts it knows,\n"
            "audit the decisions it logged and check their proofs."
        ),
        epilog=("Run `verdict COMMAND --help` for the options of a command. Commands marked admin are\n"
                "`verdict-admin`, installed with the server: they work on its database and files directly."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    decide.register(commands)
    accounts.register(commands)
    audit.register(commands)
    dsa.register(commands)
    moved.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)  # an admin command's own arguments are not known here
    if extra and not getattr(args, "moved", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    refused = moved.refusal(args, argv)
    return refused if refused is not None else run_handler(args)


if __name__ == "__main__":
    sys.exit(main())
