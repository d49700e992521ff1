"""`verdict-admin accounts import`: create or update accounts in the account store.

Works on the server's database directly, as an operator tool next to the
server. An import changes account history, which goes into the decision
log: it needs the log's signing key, like the server. Reading an account is
`verdict accounts show`, through the API.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from server.admin import fail
from server.admin.database import DB_HELP, NoDatabase, open_existing


def register(commands: argparse._SubParsersAction) -> None:
    accounts = commands.add_parser(
        "accounts", help="load accounts into the account store",
        description="Load the accounts the server enriches every case with into its database (--db or VERDICT_DB).",
    )
    sub = accounts.add_subparsers(dest="accounts_command", metavar="SUBCOMMAND")
    sub.required = True
    imp = sub.add_parser(
        "import", help="create or update accounts from a JSON-lines file",
        description=(
            "Create or update accounts from FILE.jsonl, one verdict.v1.Account per line in protobuf JSON, e.g.\n"
            '  {"account_id": "acc-1", "verified": true, "followers": 250000, "office_role": "candidate", "office_level": "national"}\n'
            "Enum values may be short (candidate, national). Attributes are replaced; history, locks and limits are\n"
            "added by decision ID. The whole file is imported or nothing (an error names the line and field).\n"
            "The database must exist (`verdict-admin migrate`, or the server, creates it)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, help="JSON-lines file of accounts")
    imp.add_argument("--db", help=DB_HELP)
    imp.add_argument("--log-key-file", type=Path,
                     help="the decision log's signing key (default: VERDICT_LOG_KEY, VERDICT_LOG_KEY_FILE or var/log-signing.key)")
    imp.add_argument("--witness", type=Path, help="the witness directory (default: VERDICT_WITNESS_DIR or var/witness)")
    imp.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    from server.app import Settings, open_log_writer
    from server.db.database import DatabaseUnavailable
    from server.decisionlog.checkpoints import WitnessMismatch
    from server.decisionlog.log import DecisionLogError
    from server.admin.importer import ImportError_, import_file

    if not args.file.is_file():
        return fail(f"{args.file}: no such file")
    settings = Settings.from_env()
    settings.log_key_file = args.log_key_file or settings.log_key_file
    settings.witness_dir = args.witness or settings.witness_dir
    try:
        db = open_existing(args.db)
        writer, _ = open_log_writer(db, settings)
        result = import_file(db, args.file, writer)
    except ImportError_ as exc:
        return fail(f"nothing imported: {exc}")
    except (NoDatabase, DatabaseUnavailable, DecisionLogError, WitnessMismatch, ValueError) as exc:
        return fail(str(exc))
    print(f"imported {args.file}: {result.created} created, {result.updated} updated ({db.describe()})")
    return 0
