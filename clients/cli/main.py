"""`verdict`: call the policy server, manage accounts, test Rego, audit decisions."""

from __future__ import annotations

import argparse
import sys

from clients.cli import accounts, audit, bundle, decide, dsa, rego, token


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verdict",
        description=(
            "verdict — a rule-as-code policy server for content moderation.\n"
            "Ask it what the policies say about a case, load the accounts it knows,\n"
            "and test the Rego policies it decides with."
        ),
        epilog="Run `verdict COMMAND --help` for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    decide.register(commands)
    accounts.register(commands)
    rego.register(commands)
    bundle.register(commands)
    audit.register(commands)
    dsa.register(commands)
    token.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
