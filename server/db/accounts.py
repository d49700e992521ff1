"""The account tables' shape, shared by the room that reads them (enrichment) and the one that writes them (enforcement).

The audited tables are those whose every change is in the decision log (as
"history_rows"), so a verifier can rebuild them from the log. ``accounts`` is
audited for its suspension only; its other attributes are account data,
recorded with every decision that used them.
"""

from __future__ import annotations

from typing import Any

from server.db.database import Cursor


class AccountNotFound(LookupError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"account {account_id!r} is not in the account store (load it with `verdict-admin accounts import`)")
        self.account_id = account_id


# The audited tables: (key columns, other columns).
AUDITED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "accounts": (("account_id",), ("suspended",)),
    "account_violations": (("account_id", "decision_id"), ("policy", "clause_id", "at", "warning")),
    "account_locks": (("account_id", "decision_id"), ("starts_at", "ends_at", "clause_id")),
    "account_visibility_limits": (("account_id", "decision_id", "group_id"), ("starts_at", "expires_at")),
    "account_groups": (("account_id", "group_id"), ("primarily_propagates",)),
    "group_designations": (("group_id",), ("name", "designated", "terrorist_organisation", "violent_extremist_group", "tve_exception",
                                          "tve_exception_clauses", "assessed_at", "review_by", "limits_expire_at", "decision_id",
                                          "tve_assessed")),
}

DESIGNATION_FLAGS = ("designated", "terrorist_organisation", "violent_extremist_group", "tve_exception")

Journal = list  # of row changes: {"table": T, "put": {row}} or {"table": T, "delete": {key columns}}


def audited_rows(cur: Cursor, table: str) -> dict[tuple, dict[str, Any]]:
    """Every row of an audited table as the journal describes it, by key."""
    key, columns = AUDITED[table]
    names = (*key, *columns)
    out = {}
    for values in cur.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall():
        row = dict(zip(names, values))
        out[tuple(row[k] for k in key)] = row
    return out
