"""`verdict-admin token new`: make a caller token and its hashed entry for the callers file."""

from __future__ import annotations

import argparse
from pathlib import Path

from server.admin import fail


def register(commands: argparse._SubParsersAction) -> None:
    token = commands.add_parser("token", help="create caller tokens for the server's callers file")
    sub = token.add_subparsers(dest="token_command", metavar="SUBCOMMAND")
    sub.required = True
    new = sub.add_parser(
        "new", help="create a token and add its hash to a callers file",
        description=(
            "Create a random caller token, print it once, and append its SHA-256 with the scopes to the callers\n"
            "file the server reads (--callers / VERDICT_CALLERS). Scopes: decide, apply, audit:read, audit:replay,\n"
            "accounts:read (`verdict accounts show`), bundle:read (OPA sidecars fetching bundles from the bundle\n"
            "service), admin."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("name", help="the caller's name, as it appears in the decision log")
    new.add_argument("--scopes", required=True, help="comma-separated, e.g. decide,apply")
    new.add_argument("--callers", type=Path, help="append the entry to this TOML file (default: print it)")
    new.set_defaults(handler=run_new)


def run_new(args: argparse.Namespace) -> int:
    from server.api.auth import SCOPES, caller_entry, load_callers, new_token

    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        return fail(f"unknown scope(s) {', '.join(unknown) or '(none given)'}; use some of {', '.join(SCOPES)}")
    token = new_token()
    entry = caller_entry(args.name, token, scopes)
    if args.callers:
        with open(args.callers, "a", encoding="utf-8") as out:
            out.write(entry)
        load_callers(args.callers)  # the file must still load
        print(f"added caller {args.name!r} to {args.callers}")
    else:
        print(entry)
    print(f"token (shown once, store it as a secret): {token}")
    return 0
