"""A decision-log record, and the one definition of the bytes it is logged as.

Each record is a leaf of the log's Merkle tree. Its leaf bytes are the
record's indexed columns and clauses as one canonical JSON object, a
newline, and the record body as stored (canonical JSON). The writer hashes
them to append the leaf, the verifier rebuilds them from the stored columns,
and an inclusion proof carries them, so a third party can read the record
they prove and recompute its leaf hash.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import orjson

from shared.tlog.merkle import leaf_hash

LEAF_FIELDS = ("decision_id", "kind", "recorded_at", "caller", "account_id", "post_id", "policy", "outcome", "revision")

# A record as the decision_log table stores it: its position, the leaf fields (in this order), the body text.
# The writer inserts, the reader and the verifier select these columns; the record's clauses are rows of
# decision_clauses (seq, clause_id).
ROW_COLUMNS = ("seq", *LEAF_FIELDS, "record")


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 (what the hash covers)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def files_hash(files_text: str) -> str:
    """What the log keeps of an archived policy revision: the SHA-256 of its stored files."""
    return hashlib.sha256(files_text.encode("utf-8")).hexdigest()


def new_record_id(prefix: str) -> str:
    """Time-ordered, unique: milliseconds since the epoch, then 64 random bits."""
    return f"{prefix}_{int(time.time() * 1000):012x}{os.urandom(8).hex()}"


def leaf_header(decision_id: str, kind: str, recorded_at: str, caller: str, account_id: str, post_id: str,
                policy: str, outcome: str, revision: str, clauses: Iterable[str]) -> bytes:
    """The record's columns as canonical JSON (keys written in sorted order: it is hashed for every record verified)."""
    return orjson.dumps(
        {"account_id": account_id, "caller": caller, "clauses": sorted(set(clauses)), "decision_id": decision_id, "kind": kind,
         "outcome": outcome, "policy": policy, "post_id": post_id, "recorded_at": recorded_at, "revision": revision})


@dataclass
class LogRecord:
    """One decision as stored: indexed columns plus the full record body."""

    decision_id: str
    kind: str                 # decide, check_public_interest, assess_report, assess_group, apply, audit_read, ...
    recorded_at: str
    caller: str
    revision: str
    body: dict[str, Any]
    account_id: str = ""
    post_id: str = ""
    policy: str = ""
    outcome: str = ""
    clauses: list[str] = field(default_factory=list)
    seq: int = 0              # position in the log, from 1; its leaf index is seq - 1
    body_text: str = ""
    _leaf_hash: bytes = field(default=b"", compare=False, repr=False)

    def text(self) -> str:
        if not self.body_text:
            self.body_text = canonical(self.body)
        return self.body_text

    def leaf(self) -> bytes:
        """The record's leaf bytes (what its leaf hash covers)."""
        header = leaf_header(self.decision_id, self.kind, self.recorded_at, self.caller, self.account_id, self.post_id,
                             self.policy, self.outcome, self.revision, self.clauses)
        return header + b"\n" + self.text().encode("utf-8")

    def leaf_hash(self) -> bytes:
        """RFC 9162 leaf hash of the leaf bytes; computed once (may be computed before queueing)."""
        if not self._leaf_hash:
            self._leaf_hash = leaf_hash(self.leaf())
        return self._leaf_hash


def record_row(record: LogRecord) -> tuple:
    """The record's row of ROW_COLUMNS (its ``seq`` set)."""
    return (record.seq, *(getattr(record, f) for f in LEAF_FIELDS), record.text())


def record_from_row(row: Sequence[Any], clauses: Iterable[str] = ()) -> LogRecord:
    """The record a row of ROW_COLUMNS holds, with its clauses."""
    seq, *fields, text = row
    return LogRecord(**dict(zip(LEAF_FIELDS, fields)), body=orjson.loads(text), clauses=list(clauses), seq=int(seq),
                     body_text=text)


def row_leaf_header(row: Sequence[Any], clauses: Iterable[str]) -> bytes:
    """The leaf header of a row of ROW_COLUMNS (what the verifier hashes without building a record)."""
    return leaf_header(*row[1:-1], clauses)  # type: ignore[arg-type]


def record_from_leaf(leaf: bytes) -> LogRecord:
    """The record a leaf holds (the inverse of ``LogRecord.leaf``); ValueError if it is not one."""
    header_text, sep, body_text = leaf.partition(b"\n")
    if not sep:
        raise ValueError("a log leaf is a JSON header line followed by the record body")
    header = orjson.loads(header_text)
    if not isinstance(header, dict) or set(header) != {*LEAF_FIELDS, "clauses"}:
        raise ValueError("the leaf header does not have the fields of a log record")
    record = LogRecord(**{k: header[k] for k in LEAF_FIELDS}, body=orjson.loads(body_text),
                       clauses=list(header["clauses"]), body_text=body_text.decode("utf-8"))
    if record.leaf() != leaf:
        raise ValueError("the leaf is not in canonical form")
    return record
