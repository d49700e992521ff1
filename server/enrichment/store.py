"""The account store: accounts, their violation history, locks, visibility
limits, group links and group designations.

Reads build the ``account`` and ``groups`` documents of the OPA input.
Writes that change an account's history happen inside a transaction that
holds the account's lock (``lock_account``), and bump ``history_version``,
so two decisions applied at once can never both see an empty history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from verdict.v1 import account_pb2, case_pb2

from server.db.database import Cursor, Database
from shared.timeutil import rfc3339, utcnow


class AccountNotFound(LookupError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"account {account_id!r} is not in the account store (load it with `verdict-admin accounts import`)")
        self.account_id = account_id


@dataclass(frozen=True)
class AccountSnapshot:
    """The account as the policies see it, plus where it came from."""

    doc: dict[str, Any]
    history_version: int
    updated_at: str
    source: str


_ACCOUNT_COLUMNS = (
    "account_id, verified, followers, office_role, office_level, state_affiliated_media, "
    "government_or_military, suspended, history_version, updated_at, source, dedicated_to_live_location"
)

_DESIGNATION_FLAGS = ("designated", "terrorist_organisation", "violent_extremist_group", "tve_exception")

# The audited tables: (key columns, other columns). Every change to them is in
# the decision log, so a verifier can rebuild them from the log. ``accounts``
# is audited for its suspension only; its other attributes are account data,
# recorded with every decision that used them.
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

_DESIGNATION_COLUMNS = ", ".join(("group_id", *AUDITED["group_designations"][1]))

Journal = list  # of row changes: {"table": T, "put": {row}} or {"table": T, "delete": {key columns}}


def _enum_name(enum: Any, value: int) -> str:
    return enum.Name(value)


def _ts(message: Any, field: str) -> str | None:
    return getattr(message, field).ToJsonString() if message.HasField(field) else None


class AccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def source(self) -> str:
        return f"account_store:{self.db.dialect}"

    # -- reads ---------------------------------------------------------------

    def snapshot(self, account_id: str, cur: Cursor | None = None) -> AccountSnapshot:
        """The account document for the OPA input; AccountNotFound if unknown."""
        if cur is None:
            with self.db.transaction() as cur:
                return self.snapshot(account_id, cur)
        row = cur.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        if row is None:
            raise AccountNotFound(account_id)
        (acc_id, verified, followers, role, level, state_media, gov, suspended, version, updated_at, source, dedicated) = row
        doc: dict[str, Any] = {
            "account_id": acc_id,
            "verified": bool(verified),
            "followers": int(followers),
            "office_role": role,
            "office_level": level,
            "state_affiliated_media": bool(state_media),
            "government_or_military": bool(gov),
            "suspended": bool(suspended),
            "dedicated_to_live_location": bool(dedicated),
            "history": [
                {"decision_id": d, "policy": p, "clause_id": c, "at": at, "warning": bool(w)}
                for d, p, c, at, w in cur.execute(
                    "SELECT decision_id, policy, clause_id, at, warning FROM account_violations WHERE account_id = ? ORDER BY at, decision_id",
                    (account_id,),
                ).fetchall()
            ],
            "locks": [
                {k: v for k, v in (("decision_id", d), ("starts_at", s), ("ends_at", e), ("clause_id", c)) if v is not None}
                for d, s, e, c in cur.execute(
                    "SELECT decision_id, starts_at, ends_at, clause_id FROM account_locks WHERE account_id = ? ORDER BY starts_at, decision_id",
                    (account_id,),
                ).fetchall()
            ],
            "visibility_limits": [
                {"decision_id": d, "group_id": g, "starts_at": s, "expires_at": e}
                for d, g, s, e in cur.execute(
                    "SELECT decision_id, group_id, starts_at, expires_at FROM account_visibility_limits WHERE account_id = ? ORDER BY starts_at, decision_id",
                    (account_id,),
                ).fetchall()
            ],
            "groups": [
                {"group_id": g, "primarily_propagates": bool(p)}
                for g, p in cur.execute(
                    "SELECT group_id, primarily_propagates FROM account_groups WHERE account_id = ? ORDER BY group_id", (account_id,)
                ).fetchall()
            ],
        }
        return AccountSnapshot(doc, int(version), updated_at, source)

    def designations(self, group_ids: Iterable[str], cur: Cursor | None = None) -> dict[str, dict[str, Any]]:
        """Designations of the given groups, by ID (unknown groups are left out)."""
        ids = sorted({g for g in group_ids if g})
        if not ids:
            return {}
        if cur is None:
            with self.db.transaction() as cur:
                return self.designations(ids, cur)
        marks = ", ".join("?" for _ in ids)
        out: dict[str, dict[str, Any]] = {}
        for row in cur.execute(f"SELECT {_DESIGNATION_COLUMNS} FROM group_designations WHERE group_id IN ({marks})", ids).fetchall():
            doc = dict(zip([c.strip() for c in _DESIGNATION_COLUMNS.split(",")], row))
            for flag in _DESIGNATION_FLAGS:
                doc[flag] = bool(doc[flag])
            doc["tve_exception_clauses"] = doc["tve_exception_clauses"].split()
            if not doc.pop("tve_assessed"):
                # Assessed without TVE facts: the designation says nothing about TVE-2 and TVE-3.
                del doc["terrorist_organisation"], doc["violent_extremist_group"]
            out[doc["group_id"]] = {k: v for k, v in doc.items() if v is not None}
        return out

    # -- locking -----------------------------------------------------------------

    def lock_account(self, cur: Cursor, account_id: str) -> None:
        """Hold the account's row lock until the transaction ends.

        PostgreSQL locks the row (other servers sharing the database wait);
        SQLite already holds the database write lock (BEGIN IMMEDIATE).
        """
        if self.db.dialect == "postgresql":
            row = cur.execute("SELECT account_id FROM accounts WHERE account_id = ? FOR UPDATE", (account_id,)).fetchone()
        else:
            row = cur.execute("SELECT account_id FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        if row is None:
            raise AccountNotFound(account_id)

    # -- writes ------------------------------------------------------------------
    #
    # Every write to an audited table goes through ``_put`` (or ``_clear_groups``,
    # ``_set_suspended``) and is described in ``journal``: the caller puts that
    # list in the log record it commits with the change ("history_rows"), so the
    # log can rebuild these tables and the verifier name a row changed behind
    # the server's back.

    def upsert(self, cur: Cursor, account: account_pb2.Account, source: str, journal: Journal | None = None) -> bool:
        """Create or update an account from its protobuf form; True if created.

        Attributes are replaced. History, locks and limits in the message are
        added (or updated by decision ID); group links, when given, replace
        the account's links.
        """
        now = rfc3339(utcnow())
        created = cur.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account.account_id,)).fetchone() is None
        values = (
            int(account.verified), int(account.followers),
            _enum_name(account_pb2.OfficeRole, account.office_role or account_pb2.OFFICE_ROLE_NONE),
            _enum_name(account_pb2.OfficeLevel, account.office_level),
            int(account.state_affiliated_media), int(account.government_or_military),
            int(account.dedicated_to_live_location), source, now,
        )
        if created:
            cur.execute(
                "INSERT INTO accounts (verified, followers, office_role, office_level, state_affiliated_media, "
                "government_or_military, dedicated_to_live_location, source, updated_at, account_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, account.account_id),
            )
        else:
            cur.execute(
                "UPDATE accounts SET verified = ?, followers = ?, office_role = ?, office_level = ?, state_affiliated_media = ?, "
                "government_or_military = ?, dedicated_to_live_location = ?, source = ?, updated_at = ? "
                "WHERE account_id = ?",
                (*values, account.account_id),
            )
        self._set_suspended(cur, account.account_id, account.suspended, journal)
        aid = account.account_id
        for v in account.history:
            self._put(cur, "account_violations", {"account_id": aid, "decision_id": v.decision_id, "policy": _enum_name(case_pb2.Policy, v.policy),
                                                  "clause_id": v.clause_id, "at": v.at.ToJsonString(), "warning": v.warning}, journal)
        for lock in account.locks:
            self._put(cur, "account_locks", {"account_id": aid, "decision_id": lock.decision_id, "starts_at": lock.starts_at.ToJsonString(),
                                             "ends_at": _ts(lock, "ends_at"), "clause_id": lock.clause_id}, journal)
        for limit in account.visibility_limits:
            self._put(cur, "account_visibility_limits", {"account_id": aid, "decision_id": limit.decision_id, "group_id": limit.group_id,
                                                         "starts_at": limit.starts_at.ToJsonString(), "expires_at": limit.expires_at.ToJsonString()}, journal)
        if account.groups:
            self._clear_groups(cur, aid, journal)
            for link in account.groups:
                self.link_group(cur, aid, link.group_id, link.primarily_propagates, journal)
        if account.history or account.locks or account.visibility_limits:
            self.bump_history(cur, aid)
        return created

    def _put(self, cur: Cursor, table: str, row: dict[str, Any], journal: Journal | None) -> None:
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

    def _clear_groups(self, cur: Cursor, account_id: str, journal: Journal | None) -> None:
        cur.execute("DELETE FROM account_groups WHERE account_id = ?", (account_id,))
        if journal is not None:
            journal.append({"table": "account_groups", "delete": {"account_id": account_id}})

    def _set_suspended(self, cur: Cursor, account_id: str, suspended: bool, journal: Journal | None) -> None:
        cur.execute("UPDATE accounts SET suspended = ? WHERE account_id = ?", (int(suspended), account_id))
        if journal is not None:
            journal.append({"table": "accounts", "put": {"account_id": account_id, "suspended": int(suspended)}})

    def link_group(self, cur: Cursor, account_id: str, group_id: str, primarily_propagates: bool, journal: Journal | None = None) -> None:
        self._put(cur, "account_groups", {"account_id": account_id, "group_id": group_id, "primarily_propagates": primarily_propagates}, journal)

    def bump_history(self, cur: Cursor, account_id: str) -> None:
        cur.execute(
            "UPDATE accounts SET history_version = history_version + 1, updated_at = ? WHERE account_id = ?",
            (rfc3339(utcnow()), account_id),
        )

    def record_enforcement(
        self, cur: Cursor, account_id: str, decision_id: str, policy: str, clause_id: str, at: str,
        warning: bool, lock: tuple[str, str | None] | None, limit: tuple[str, str, str] | None, suspend: bool,
        journal: Journal | None = None,
    ) -> None:
        """What an applied decision leaves in the account's history."""
        self._put(cur, "account_violations", {"account_id": account_id, "decision_id": decision_id, "policy": policy,
                                              "clause_id": clause_id, "at": at, "warning": warning}, journal)
        if lock is not None:
            self._put(cur, "account_locks", {"account_id": account_id, "decision_id": decision_id, "starts_at": lock[0],
                                             "ends_at": lock[1], "clause_id": clause_id}, journal)
        if limit is not None:
            self._put(cur, "account_visibility_limits", {"account_id": account_id, "decision_id": decision_id, "group_id": limit[0],
                                                         "starts_at": limit[1], "expires_at": limit[2]}, journal)
        if suspend:
            self._set_suspended(cur, account_id, True, journal)
        self.bump_history(cur, account_id)

    def save_designation(self, cur: Cursor, designation: dict[str, Any], journal: Journal | None = None) -> None:
        """A group designation as the policy stores it; flags it does not give are false, and a
        designation without TVE flags is marked not TVE-assessed."""
        row = {c: int(bool(designation.get(c, False))) if c in _DESIGNATION_FLAGS else designation.get(c)
               for c in AUDITED["group_designations"][1]}
        row["tve_assessed"] = int("terrorist_organisation" in designation or "violent_extremist_group" in designation)
        row["tve_exception_clauses"] = " ".join(designation.get("tve_exception_clauses") or [])
        row.update({c: "" for c, v in row.items() if v is None and c not in ("review_by", "limits_expire_at")})
        self._put(cur, "group_designations", {"group_id": designation["group_id"], **row}, journal)


def audited_rows(cur: Cursor, table: str) -> dict[tuple, dict[str, Any]]:
    """Every row of an audited table as the journal describes it, by key."""
    key, columns = AUDITED[table]
    names = (*key, *columns)
    out = {}
    for values in cur.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall():
        row = dict(zip(names, values))
        out[tuple(row[k] for k in key)] = row
    return out
