"""`verdict dsa` and `verdict report transparency`: the EU Digital Services Act.

Statements of reasons come from the server (DsaService, scope audit:read),
derived from the decision log; `verdict-admin dsa submit` sends them to the
DSA Transparency Database; `report transparency` writes the report figures as JSON, CSV and
an HTML page with charts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from clients.cli.decide import add_connection_args, connect
from clients.cli.moved import moved
from shared.dsa_batches import DEFAULT_DIR
from shared.terminal import fail, print_json

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

STATEMENTS_EXAMPLES = """\
examples:
  # the statements of every restrictive decision recorded in May 2024, in batch files
  verdict dsa statements --since 2024-05-01 --until 2024-06-01 --out var/dsa/2024-05

  # submit them (a rerun sends only what the database does not have yet)
  verdict-admin dsa submit --dir var/dsa/2024-05 --url https://transparency.dsa.ec.europa.eu --token-file tdb.token

  # one decision: its statement and the notice to the user, in Dutch
  verdict dsa show dec_0190a1b2c3d4e5f60718293a4b5c --lang nl
"""


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "dsa", help="DSA statements of reasons: show, write in batches, submit to the Transparency Database",
        description=(
            "EU Digital Services Act. Every decision that restricts content or an account gets a statement of\n"
            "reasons (Art. 17), derived on the server from the logged decision and its policy revision, and\n"
            "checked against the Transparency Database's rules before it leaves. Needs the audit:read scope."
        ),
        epilog=STATEMENTS_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="dsa_command", metavar="COMMAND")
    sub.required = True

    show = sub.add_parser("show", help="the statement of reasons and the user notice of one decision",
                          description="Print the statement of reasons of one decision and the notice to the user.")
    show.add_argument("decision_id")
    show.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the notice (default en)")
    show.add_argument("--json", action="store_true", help="print the StatementOfReasons message as protobuf JSON")
    add_connection_args(show)
    show.set_defaults(handler=run_show)

    statements = sub.add_parser(
        "statements", help="write the statements of a period in batches of at most 100",
        description=(
            "Fetch the statements of every restrictive decision recorded in [--since, --until) and write\n"
            "them in files of at most 100 (statements-00001.json, ...), each the body of a POST to the\n"
            "Transparency Database's /api/v1/statements. Earlier batch files in the directory are replaced.\n"
            "A decision whose statement breaks a database rule is listed with the field at fault and not\n"
            "written; the exit code is then 1."
        ),
        epilog=STATEMENTS_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    statements.add_argument("--since", required=True, help="first day or RFC 3339 time (inclusive), e.g. 2024-05-01")
    statements.add_argument("--until", required=True, help="end day or RFC 3339 time (exclusive), e.g. 2024-06-01")
    statements.add_argument("--out", default=DEFAULT_DIR,
                            help=f"directory for the batch files (default {DEFAULT_DIR}); '-' prints one statement per line")
    add_connection_args(statements)
    statements.set_defaults(handler=run_statements)

    moved(sub, "submit", "submit batch files to the DSA Transparency Database")

    report = commands.add_parser(
        "report", help="reports over the decision log (transparency report)",
        description="Reports computed on the server from the decision log. Needs the audit:read scope.",
    )
    rsub = report.add_subparsers(dest="report_command", metavar="COMMAND")
    rsub.required = True
    transparency = rsub.add_parser(
        "transparency", help="DSA transparency report figures as JSON, CSV and an HTML page with charts",
        description=(
            "The transparency report (DSA Art. 15, 24) over the decisions recorded in [--from, --to):\n"
            "counts by policy, clause, outcome, source and automation, the median time from the case to the\n"
            "decision, suspensions, complaints (absent until appeals are recorded) and the public-interest\n"
            "exception's use by year (PI-8). Writes report.json, report.csv and report.html to --out."
        ),
        epilog="example:\n  verdict report transparency --from 2024-01-01 --to 2024-07-01 --out var/reports/2024-h1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    transparency.add_argument("--from", dest="start", required=True, help="first day or RFC 3339 time (inclusive)")
    transparency.add_argument("--to", dest="end", required=True, help="end day or RFC 3339 time (exclusive)")
    transparency.add_argument("--out", type=Path, help="directory for report.json, report.csv, report.html (default var/reports/FROM_TO)")
    transparency.add_argument("--json", action="store_true", help="also print the report as JSON")
    add_connection_args(transparency)
    transparency.set_defaults(handler=run_report)


def moment(value: str, flag: str) -> str:
    """A day (midnight UTC) or an RFC 3339 time, as RFC 3339."""
    from google.protobuf.timestamp_pb2 import Timestamp

    text = f"{value}T00:00:00Z" if DATE.match(value) else value
    try:
        Timestamp().FromJsonString(text)
    except ValueError:
        raise ValueError(f"{flag}: expected a day like 2024-05-01 or an RFC 3339 time, got {value!r}") from None
    return text


def run_show(args: argparse.Namespace) -> int:
    from clients.client import VerdictError
    from shared.protojson import to_dict

    try:
        with connect(args) as client:
            sor = client.statement(args.decision_id)
    except VerdictError as exc:
        return fail(str(exc))
    if args.json:
        print_json(to_dict(sor))
        return 0
    for error in sor.errors:
        print(f"not valid for the Transparency Database: {error.field}: {error.message}", file=sys.stderr)
    if sor.HasField("statement"):
        print(f"Statement of reasons for {sor.decision_id} ({sor.outcome}, revision {sor.policy_revision[:12]}):")
        print_json(to_dict(sor.statement))
    notice = getattr(sor.notice, args.lang)
    print(f"\nNotice to the user ({args.lang}):\n")
    print(notice.text)
    return 1 if sor.errors else 0


def run_statements(args: argparse.Namespace) -> int:
    from clients.client import VerdictError
    from shared.protojson import to_dict
    from shared.dsa_batches import write_batches

    try:
        since, until = moment(args.since, "--since"), moment(args.until, "--until")
        good: list[dict[str, Any]] = []
        problems = 0
        with connect(args) as client:
            for sor in client.statements(since, until):
                if sor.errors:
                    problems += 1
                    for error in sor.errors:
                        print(f"{sor.decision_id}: {error.field}: {error.message}", file=sys.stderr)
                    continue
                good.append(to_dict(sor.statement))
    except (VerdictError, ValueError) as exc:
        return fail(str(exc))
    if args.out == "-":
        for statement in good:
            print(json.dumps(statement, ensure_ascii=False))
    else:
        paths = write_batches(good, Path(args.out))
        print(f"wrote {len(good)} statements in {len(paths)} batch file{'s' if len(paths) != 1 else ''} to {args.out}")
    if problems:
        print(f"{problems} restrictive decisions have no valid statement (listed above)", file=sys.stderr)
    return 1 if problems else 0


def run_report(args: argparse.Namespace) -> int:
    from clients.client import VerdictError
    from shared.protojson import to_plain_dict
    from clients.report_render import report_csv, report_html

    try:
        start, end = moment(args.start, "--from"), moment(args.end, "--to")
        with connect(args) as client:
            report = to_plain_dict(client.transparency_report(start, end))
    except (VerdictError, ValueError) as exc:
        return fail(str(exc))
    out = args.out or Path("var/reports") / f"{args.start}_{args.end}".replace(":", "")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.csv").write_text(report_csv(report), encoding="utf-8")
    (out / "report.html").write_text(report_html(report), encoding="utf-8")
    if args.json:
        print_json(report)
    t = report["time_to_decision"]
    print(f"{report['decisions']} decisions, {report['restrictions']} restrictions, "
          f"{report['suspensions']['total']} suspensions, median time to decision {t['median_seconds'] / 3600:.1f} h "
          f"({t['measured']} measured)")
    print(f"wrote {out / 'report.json'}, {out / 'report.csv'}, {out / 'report.html'}")
    return 0
