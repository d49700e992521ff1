"""`verdict accounts show`: what the server's account store knows of an account.

A read through the API (AccountService.GetAccount, scope accounts:read),
recorded in the decision log like every audit read. Loading accounts works
on the database directly: `verdict-admin accounts import`.
"""

from __future__ import annotations

import argparse

from clients.cli.decide import add_connection_args, connect
from clients.cli.moved import moved
from shared.terminal import fail, print_json


def register(commands: argparse._SubParsersAction) -> None:
    accounts = commands.add_parser(
        "accounts", help="look up accounts in the server's account store",
        description="The accounts the server enriches every case with, read through its API (scope accounts:read).",
    )
    sub = accounts.add_subparsers(dest="accounts_command", metavar="SUBCOMMAND")
    sub.required = True

    show = sub.add_parser(
        "show", help="print what the store knows of an account (as the policies see it)",
        description=("Print the account as the policies see it (verdict.v1.Account as JSON, every field, numbers as\n"
                     "numbers), its history version and where its attributes came from. The read is recorded in the\n"
                     "decision log."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("account_id")
    add_connection_args(show)
    show.set_defaults(handler=run_show)
    moved(sub, "import", "create or update accounts from a JSON-lines file")


def run_show(args: argparse.Namespace) -> int:
    from clients.client import VerdictError
    from shared.protojson import to_plain_dict

    try:
        with connect(args) as client:
            response = client.get_account(args.account_id)
    except VerdictError as exc:
        return fail(f"{exc.code.name}: {exc.details}", 1)
    except OSError as exc:
        return fail(str(exc))
    print_json({"account": to_plain_dict(response.account), "history_version": response.history_version, "source": response.source})
    return 0
