"""The hash chain over decision-log records.

Each record's hash covers its position (seq), every stored column, its
clauses and the previous record's hash, so changing, deleting or reordering
a stored record breaks the chain at that record.
"""

from __future__ import annotations

import hashlib

import orjson
from dataclasses import dataclass, field
from typing import Any


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 (what the hash covers)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


@dataclass
class LogRecord:
    """One decision as stored: indexed columns plus the full record body."""

    decision_id: str
    kind: str                 # decide, check_public_interest, assess_report, assess_group, apply, audit_read
    recorded_at: str
    caller: str
    revision: str
    body: dict[str, Any]
    account_id: str = ""
    post_id: str = ""
    policy: str = ""
    outcome: str = ""
    clauses: list[str] = field(default_factory=list)
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""
    body_text: str = ""

    def text(self) -> str:
        if not self.body_text:
            self.body_text = canonical(self.body)
        return self.body_text


def record_hash(seq: int, prev_hash: str, decision_id: str, kind: str, recorded_at: str, caller: str,
                account_id: str, post_id: str, policy: str, outcome: str, revision: str,
                clauses: list[str], body_text: str) -> str:
    header = canonical([seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, sorted(clauses)])
    digest = hashlib.sha256()
    for part in (prev_hash, header, body_text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def seal(record: LogRecord, seq: int, prev_hash: str) -> str:
    """Give the record its place in the chain; returns its hash."""
    record.seq = seq
    record.prev_hash = prev_hash
    record.hash = record_hash(
        seq, prev_hash, record.decision_id, record.kind, record.recorded_at, record.caller, record.account_id,
        record.post_id, record.policy, record.outcome, record.revision, record.clauses, record.text(),
    )
    return record.hash
