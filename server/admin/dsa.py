"""`verdict-admin dsa submit`: send DSA statements of reasons to the Transparency Database.

The statements come from the server through `verdict dsa statements`, in
batch files; this sends them with the platform's token for the EU
database, checked again against the database's rules first (the server's
``server/dsa/schema.py``), each statement once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from server.admin import fail
from shared.dsa_batches import DEFAULT_DIR
from shared.terminal import print_json

EXAMPLE = """\
example:
  verdict dsa statements --since 2024-05-01 --until 2024-06-01 --out var/dsa/2024-05
  verdict-admin dsa submit --dir var/dsa/2024-05 --url https://transparency.dsa.ec.europa.eu --token-file tdb.token
"""


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("dsa", help="submit DSA statements of reasons to the Transparency Database",
                            description="The EU Digital Services Act: sending statements to the DSA Transparency Database.")
    sub = p.add_subparsers(dest="dsa_command", metavar="COMMAND")
    sub.required = True
    submit = sub.add_parser(
        "submit", help="submit batch files to the DSA Transparency Database, each statement once",
        description=(
            "Send the statements in the batch files of --dir to the Transparency Database API. Each\n"
            "statement is checked against the database's rules first; the database is asked which puids\n"
            "it already has (existing-puid), and only the others are sent, so a rerun after an\n"
            "interruption sends nothing twice. Lost answers, 429 and 5xx are retried with backoff. A 422\n"
            "is reported per statement and field, and the other statements of the batch are still sent.\n"
            "Exit code 0 when every statement is in the database, 1 when some were rejected or failed."
        ),
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    submit.add_argument("--url", required=True, help="base URL of the Transparency Database (its /api/v1 is appended)")
    submit.add_argument("--token-file", required=True, type=Path, help="file holding the API token")
    submit.add_argument("--dir", default=DEFAULT_DIR, type=Path,
                        help=f"directory with the batch files (default {DEFAULT_DIR})")
    submit.add_argument("--attempts", type=int, default=5, help="attempts per batch on lost answers, 429 and 5xx (default 5)")
    submit.add_argument("--backoff", type=float, default=1.0, help="first wait between attempts in seconds; doubles each time (default 1)")
    submit.add_argument("--json", action="store_true", help="print the outcome as JSON")
    submit.set_defaults(handler=run_submit)


def run_submit(args: argparse.Namespace) -> int:
    from server.dsa.submit import Submission, TdbClient, TdbRefused
    from shared.dsa_batches import read_batches

    try:
        token = args.token_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        return fail(f"--token-file: {exc}")
    if not token:
        return fail(f"--token-file: {args.token_file} is empty")
    if args.attempts < 1 or args.backoff < 0:
        return fail("--attempts must be at least 1 and --backoff not negative")
    try:
        statements = list(read_batches(args.dir))
        result = Submission(TdbClient(args.url, token), attempts=args.attempts, backoff=args.backoff).run(statements)
    except (OSError, ValueError, TdbRefused) as exc:
        return fail(str(exc))
    if args.json:
        print_json({"submitted": result.submitted, "already_present": result.already_present,
                    "rejected": {p: [{"field": e.field, "message": e.message} for e in errs] for p, errs in result.rejected.items()},
                    "failed": result.failed})
    else:
        for puid, errors in result.rejected.items():
            for error in errors:
                print(f"{puid}: rejected: {error.field}: {error.message}")
        for puid, reason in result.failed.items():
            print(f"{puid}: not submitted: {reason}")
        print(f"submitted {len(result.submitted)}, already in the database {len(result.already_present)}, "
              f"rejected {len(result.rejected)}, failed {len(result.failed)} (of {len(statements)})")
    return 0 if result.ok else 1
