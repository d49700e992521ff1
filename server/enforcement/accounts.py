"""Writing accounts loaded from outside (`verdict-admin accounts import`): attributes, and the history they bring."""

from __future__ import annotations

from typing import Any

from verdict.v1 import account_pb2, case_pb2

from server.db.accounts import Journal
from server.db.database import Cursor
from server.enforcement.history import bump_history, clear_groups, link_group, put, set_suspended
from shared.timeutil import rfc3339, utcnow


def _ts(message: Any, field: str) -> str | None:
    return getattr(message, field).ToJsonString() if message.HasField(field) else None


def upsert_account(cur: Cursor, account: account_pb2.Account, source: str, journal: Journal | None = None) -> bool:
    """Create or update an account from its protobuf form; True if created.

    Attributes are replaced. History, locks and limits in the message are
    added (or updated by decision ID); group links, when given, replace
    the account's links.
    """
    now = rfc3339(utcnow())
    created = cur.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account.account_id,)).fetchone() is None
    values = (
        int(account.verified), int(account.followers),
        account_pb2.OfficeRole.Name(account.office_role or account_pb2.OFFICE_ROLE_NONE),
        account_pb2.OfficeLevel.Name(account.office_level),
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
    set_suspended(cur, account.account_id, account.suspended, journal)
    aid = account.account_id
    for v in account.history:
        put(cur, "account_violations", {"account_id": aid, "decision_id": v.decision_id, "policy": case_pb2.Policy.Name(v.policy),
                                        "clause_id": v.clause_id, "at": v.at.ToJsonString(), "warning": v.warning}, journal)
    for lock in account.locks:
        put(cur, "account_locks", {"account_id": aid, "decision_id": lock.decision_id, "starts_at": lock.starts_at.ToJsonString(),
                                   "ends_at": _ts(lock, "ends_at"), "clause_id": lock.clause_id}, journal)
    for limit in account.visibility_limits:
        put(cur, "account_visibility_limits", {"account_id": aid, "decision_id": limit.decision_id, "group_id": limit.group_id,
                                               "starts_at": limit.starts_at.ToJsonString(), "expires_at": limit.expires_at.ToJsonString()}, journal)
    if account.groups:
        clear_groups(cur, aid, journal)
        for link in account.groups:
            link_group(cur, aid, link.group_id, link.primarily_propagates, journal)
    if account.history or account.locks or account.visibility_limits:
        bump_history(cur, aid)
    return created
