"""Step 4 of the decision path, enforce: what an applied decision or group assessment leaves in the history.

The history is written through ``server.enforcement``, inside the applying
transaction and under the account's lock; this step says what to write,
returns it in words and as the rows written (both go into the log record
committed with it), and drops what it changed from the enrichment cache.
"""

from __future__ import annotations

from typing import Any

from verdict.v1 import assessments_pb2, case_pb2, decision_pb2, policy_service_pb2 as ps

from server.db.database import Cursor
from server.enforcement.history import link_known_accounts, lock_account, record_enforcement, save_designation
from server.enrichment.cache import EnrichmentCache
from server.enrichment.store import AccountReader
from shared.protojson import to_dict


class HistoryChanged(Exception):
    """The account's history moved on since the decision: decide again."""


class Enforcer:
    def __init__(self, accounts: AccountReader, cache: EnrichmentCache) -> None:
        self.accounts = accounts
        self.cache = cache

    def lock(self, cur: Cursor, account_id: str) -> None:
        """Hold the account's lock until the transaction ends: concurrent applies see each other."""
        lock_account(cur, account_id)

    def check_unchanged(self, cur: Cursor, account_id: str, seen_version: int, decision_id: str) -> None:
        """HistoryChanged if the history moved on since the decision was made (it may no longer be a first violation)."""
        now_version = self.accounts.snapshot(account_id, cur).history_version
        if now_version != seen_version:
            raise HistoryChanged(
                f"the history of account {account_id!r} changed since decision {decision_id} was made "
                f"(version {seen_version} -> {now_version}); decide the case again"
            )

    def apply_effects(self, cur: Cursor, decision: decision_pb2.Decision,
                      case: case_pb2.Case) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """What the decision leaves in the account's history (nothing if it is no violation),
        in words and as the rows written (which the log record carries)."""
        if not decision.enforcement.counts_as_violation:
            return None, []
        effects = decision.effects
        as_of = case.as_of.ToJsonString()
        lock = None
        if effects.HasField("lock"):
            lock = (as_of, effects.lock.ends_at.ToJsonString() if effects.lock.HasField("ends_at") else None)
        limit = None
        if effects.HasField("visibility_limit_expires_at"):
            limit = (case.violation.cha.group_id, as_of, effects.visibility_limit_expires_at.ToJsonString())
        policy = case_pb2.Policy.Name(case.violation.policy)
        self.cache.forget([case.content.author_account_id])
        rows: list[dict[str, Any]] = []
        record_enforcement(
            cur, case.content.author_account_id, decision.decision_id, policy, decision.enforcement.clause_id, as_of,
            decision.enforcement.warning, lock, limit, effects.suspend_account, journal=rows,
        )
        return {
            "violation": {"policy": policy, "clause_id": decision.enforcement.clause_id, "at": as_of, "warning": decision.enforcement.warning},
            "lock": lock and {"starts_at": lock[0], "ends_at": lock[1]},
            "visibility_limit": limit and {"group_id": limit[0], "starts_at": limit[1], "expires_at": limit[2]},
            "suspended": effects.suspend_account,
        }, rows

    def apply_group(self, cur: Cursor, request: ps.AssessGroupRequest, assessment: assessments_pb2.GroupAssessment,
                    decision_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Store what the policy says an applied assessment stores (its
        ``designation``, and ``store_clause_id`` for why) and link the accounts
        that exist, so later cases see it. Without a designation nothing is
        written (a human decides first: CHA-8, or a fact not stated), and
        later cases keep asking for review.
        """
        group = request.group
        if not assessment.HasField("designation"):
            return {"designation": None, "pending": assessment.store_clause_id}
        designation = {**to_dict(assessment.designation), "decision_id": decision_id}
        save_designation(cur, designation, rows)
        self.cache.forget([a.account_id for a in group.linked_accounts], [group.group_id])
        linked, unknown = link_known_accounts(
            cur, group.group_id, [(a.account_id, a.primarily_propagates) for a in group.linked_accounts], rows)
        return {"designation": designation, "linked_accounts": linked, "unknown_accounts": unknown}
