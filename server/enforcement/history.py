"""Writing an account's history: what applied decisions and assessments leave behind.

Violations, locks, visibility limits, suspensions, group links and group
designations. Writes that change an account's history happen inside a
transaction that holds the account's lock (``lock_account``) and bump
``history_version``, so two decisions applied at once can never both see an
empty history.

Every write to an audited table goes through ``put`` (or ``clear_groups``,
``set_suspended``) and is described in ``journal``: the caller puts that list
in the log record it commits with the change ("history_rows"), so the log can
rebuild these tables and the verifier name a row changed behind the server's back.
"""

from __future__ import annotations

from typing import Any

from server.db.accounts import AUDITED, DESIGNATION_FLAGS, AccountNotFound, Journal
from server.db.database import Cursor
from shared.timeutil import rfc3339, utcnow


def lock_account(cur: Cursor, account_id: str) -> None:
    """Hold the account's row lock until the transaction ends; AccountNotFound if there is none.

    PostgreSQL locks the row (other servers sharing the database wait);
    SQLite already holds the database write lock (BEGIN IMMEDIATE).
    """
    if cur.dialect == "postgresql":
        row = cur.execute("SELECT account_id FROM accounts WHERE account_id = ? FOR UPDATE", (account_id,)).fetchone()
    else:
        row = cur.execute("SELECT account_id FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
    if row is None:
        raise AccountNotFound(account_id)


def put(cur: Cursor, table: str, row: dict[str, Any], journal: Journal | None) -> None:
    """Insert or replace (by key) one row of an audited table. One upsert, so that two
    transactions writing the same row (two assessments of one group) wait for each
    other instead of both inserting it."""
    key, columns = AUDITED[table]
    row = {c: int(v) if isinstance(v, bool) else v for c, v in row.items()}
    names = (*key, *columns)
    cur.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns)}",
                [row[c] for c in names])
    if journal is not None:
        journal.append({"table": table, "put": {c: row[c] for c in names}})


def clear_groups(cur: Cursor, account_id: str, journal: Journal | None) -> None:
    cur.execute("DELETE FROM account_groups WHERE account_id = ?", (account_id,))
    if journal is not None:
        journal.append({"table": "account_groups", "delete": {"account_id": account_id}})


def set_suspended(cur: Cursor, account_id: str, suspended: bool, journal: Journal | None) -> None:
    cur.execute("UPDATE accounts SET suspended = ? WHERE account_id = ?", (int(suspended), account_id))
    if journal is not None:
        journal.append({"table": "accounts", "put": {"account_id": account_id, "suspended": int(suspended)}})


def link_group(cur: Cursor, account_id: str, group_id: str, primarily_propagates: bool, journal: Journal | None = None) -> None:
    put(cur, "account_groups", {"account_id": account_id, "group_id": group_id, "primarily_propagates": primarily_propagates}, journal)


def bump_history(cur: Cursor, account_id: str) -> None:
    cur.execute(
        "UPDATE accounts SET history_version = history_version + 1, updated_at = ? WHERE account_id = ?",
        (rfc3339(utcnow()), account_id),
    )


def record_enforcement(
    cur: Cursor, account_id: str, decision_id: str, policy: str, clause_id: str, at: str,
    warning: bool, lock: tuple[str, str | None] | None, limit: tuple[str, str, str] | None, suspend: bool,
    journal: Journal | None = None,
) -> None:
    """What an applied decision leaves in the account's history."""
    put(cur, "account_violations", {"account_id": account_id, "decision_id": decision_id, "policy": policy,
                                    "clause_id": clause_id, "at": at, "warning": warning}, journal)
    if lock is not None:
        put(cur, "account_locks", {"account_id": account_id, "decision_id": decision_id, "starts_at": lock[0],
                                   "ends_at": lock[1], "clause_id": clause_id}, journal)
    if limit is not None:
        put(cur, "account_visibility_limits", {"account_id": account_id, "decision_id": decision_id, "group_id": limit[0],
                                               "starts_at": limit[1], "expires_at": limit[2]}, journal)
    if suspend:
        set_suspended(cur, account_id, True, journal)
    bump_history(cur, account_id)


def save_designation(cur: Cursor, designation: dict[str, Any], journal: Journal | None = None) -> None:
    """A group designation as the policy stores it; flags it does not give are false, and a
    designation without TVE flags is marked not TVE-assessed."""
    row = {c: int(bool(designation.get(c, False))) if c in DESIGNATION_FLAGS else designation.get(c)
           for c in AUDITED["group_designations"][1]}
    row["tve_assessed"] = int("terrorist_organisation" in designation or "violent_extremist_group" in designation)
    row["tve_exception_clauses"] = " ".join(designation.get("tve_exception_clauses") or [])
    row.update({c: "" for c, v in row.items() if v is None and c not in ("review_by", "limits_expire_at")})
    put(cur, "group_designations", {"group_id": designation["group_id"], **row}, journal)


def link_known_accounts(cur: Cursor, group_id: str, links: list[tuple[str, bool]],
                        journal: Journal | None = None) -> tuple[list[str], list[str]]:
    """Link the accounts that exist to a group: (account_id, primarily_propagates) each.
    Returns the accounts linked and those unknown (left alone)."""
    linked, unknown = [], []
    for account_id, primarily_propagates in links:
        if cur.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)).fetchone():
            link_group(cur, account_id, group_id, primarily_propagates, journal)
            linked.append(account_id)
        else:
            unknown.append(account_id)
    return linked, unknown
