"""Reading the account store: the ``account`` and ``groups`` documents of the OPA input.

This room only reads. What decisions leave in an account's history, and
accounts loaded from outside, are written by ``server.enforcement``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from server.db.accounts import AUDITED, DESIGNATION_FLAGS, AccountNotFound
from server.db.database import Cursor, Database

__all__ = ["AccountNotFound", "AccountReader", "AccountSnapshot"]


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

_DESIGNATION_COLUMNS = ", ".join(("group_id", *AUDITED["group_designations"][1]))


class AccountReader:
    """Reads accounts and group designations (in the caller's transaction when given one)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def source(self) -> str:
        return f"account_store:{self.db.dialect}"

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
            for flag in DESIGNATION_FLAGS:
                doc[flag] = bool(doc[flag])
            doc["tve_exception_clauses"] = doc["tve_exception_clauses"].split()
            if not doc.pop("tve_assessed"):
                # Assessed without TVE facts: the designation says nothing about TVE-2 and TVE-3.
                del doc["terrorist_organisation"], doc["violent_extremist_group"]
            out[doc["group_id"]] = {k: v for k, v in doc.items() if v is not None}
        return out
