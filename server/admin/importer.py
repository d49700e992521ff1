"""Loading accounts from JSON lines (`verdict-admin accounts import`): parse, check, write, log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from verdict.v1 import account_pb2

from shared.protojson import ProtoJsonError, parse
from server.api.validation import ValidationError, check_id, check_message
from server.decisionlog.writer import LogWriter
from shared.tlog.record import LogRecord, new_record_id
from server.db.database import Database
from server.enforcement.accounts import upsert_account
from shared.timeutil import rfc3339, utcnow


class ImportError_(ValueError):
    """A line that cannot be imported; the text names the line and the field."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def parse_line(text: str, where: str) -> account_pb2.Account:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ImportError_(f"{where}: not valid JSON: {exc}") from None
    try:
        account = parse(doc, account_pb2.Account())
        check_message(account, "")
        check_id(account.account_id, "account_id")
    except (ProtoJsonError, ValidationError) as exc:
        raise ImportError_(f"{where}: {exc}") from None
    if account.office_role in (account_pb2.OFFICE_ROLE_OFFICEHOLDER, account_pb2.OFFICE_ROLE_CANDIDATE, account_pb2.OFFICE_ROLE_NOMINEE) \
            and account.office_level == account_pb2.OFFICE_LEVEL_UNSPECIFIED:
        raise ImportError_(f"{where}: office_level: is required when office_role is set (local, state, national, supranational)")
    return account


def import_lines(db: Database, lines: Iterable[str], source: str, writer: LogWriter) -> ImportResult:
    """Create or update every account in one transaction: all lines or none.

    The history rows written (violations, locks and lifted locks, limits,
    group links, suspensions) go into the decision log in the same commit.
    """
    accounts = [parse_line(line, f"{source}:{n}") for n, line in enumerate(lines, 1) if line.strip()]
    result = ImportResult()
    rows: list = []
    with db.transaction(write=True) as cur:
        for account in accounts:
            if upsert_account(cur, account, source=f"import:{source}", journal=rows):
                result.created += 1
            else:
                result.updated += 1
        writer.write(cur, [import_record(source, rows, {"accounts": [a.account_id for a in accounts],
                                                        "created": result.created, "updated": result.updated})])
    return result


def import_record(source: str, rows: list, summary: dict) -> LogRecord:
    """The log record of an import: what was imported, and the history rows it wrote."""
    record_id, recorded_at = new_record_id("imp"), rfc3339(utcnow())
    return LogRecord(
        decision_id=record_id, kind="account_import", recorded_at=recorded_at, caller=f"import:{source}", revision="",
        body={"decision_id": record_id, "kind": "account_import", "recorded_at": recorded_at, "source": source,
              **summary, "history_rows": rows},
    )


def import_file(db: Database, path: Path, writer: LogWriter) -> ImportResult:
    with open(path, encoding="utf-8") as handle:
        return import_lines(db, handle, path.name, writer)
