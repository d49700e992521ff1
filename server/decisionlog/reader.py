"""Reading the decision log back: one record, records by filter, and proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import orjson

from server.db.database import Cursor, Database
from server.decisionlog.proof import InclusionProof
from server.decisionlog.record import LogRecord
from server.decisionlog.tree import TreeHead, consistency_proof, inclusion_proof, read_head

_COLUMNS = "seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, record"


# Record kinds that carry an OPA query, input and result (replayable).
EVALUATED_KINDS = ("decide", "check_public_interest", "assess_report", "assess_group")


class NotSigned(LookupError):
    """The log has no signed checkpoint yet (nothing was appended since it was created or upgraded)."""


class RecordNotFound(LookupError):
    def __init__(self, decision_id: str) -> None:
        super().__init__(f"no decision {decision_id!r} in the decision log")
        self.decision_id = decision_id


def _record(row: tuple, clauses: list[str] | None = None) -> LogRecord:
    (seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, text) = row
    return LogRecord(
        decision_id=decision_id, kind=kind, recorded_at=recorded_at, caller=caller, revision=revision,
        body=orjson.loads(text), account_id=account_id, post_id=post_id, policy=policy, outcome=outcome,
        clauses=clauses or [], seq=int(seq), body_text=text,
    )


@dataclass
class Filter:
    """What QueryDecisions and `verdict audit query` can ask for; empty fields match all."""

    account_id: str = ""
    post_id: str = ""
    policy: str = ""
    outcome: str = ""
    clause_id: str = ""
    caller: str = ""
    kind: str = ""
    since: str = ""   # RFC 3339, inclusive
    until: str = ""   # RFC 3339, exclusive
    after_seq: int = 0
    before_seq: int = 0  # paging newest first
    evaluated_only: bool = False  # only records OPA decided (not apply or audit reads)
    without_audit_reads: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for column in ("account_id", "post_id", "policy", "outcome", "caller", "kind"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.clause_id:
            clauses.append("seq IN (SELECT seq FROM decision_clauses WHERE clause_id = ?)")
            params.append(self.clause_id)
        if self.since:
            clauses.append("recorded_at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("recorded_at < ?")
            params.append(self.until)
        if self.evaluated_only:
            clauses.append(f"kind IN ({', '.join(repr(k) for k in EVALUATED_KINDS)})")
        if self.without_audit_reads and not self.kind:
            clauses.append("kind <> 'audit_read'")
        if self.after_seq:
            clauses.append("seq > ?")
            params.append(self.after_seq)
        if self.before_seq:
            clauses.append("seq < ?")
            params.append(self.before_seq)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class LogReader:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, decision_id: str, cur: Cursor | None = None) -> LogRecord:
        if cur is None:
            with self.db.transaction() as cur:
                return self.get(decision_id, cur)
        row = cur.execute(f"SELECT {_COLUMNS} FROM decision_log WHERE decision_id = ?", (decision_id,)).fetchone()
        if row is None:
            raise RecordNotFound(decision_id)
        clauses = [c for (c,) in cur.execute("SELECT clause_id FROM decision_clauses WHERE seq = ? ORDER BY clause_id", (row[0],)).fetchall()]
        return _record(row, clauses)

    def exists(self, decision_id: str, cur: Cursor) -> bool:
        return cur.execute("SELECT 1 FROM decision_log WHERE decision_id = ?", (decision_id,)).fetchone() is not None

    def present(self, decision_ids: list[str]) -> set[str]:
        """Which of these IDs are in the log (one query)."""
        if not decision_ids:
            return set()
        marks = ", ".join("?" * len(decision_ids))
        return {str(d) for (d,) in self.db.query(f"SELECT decision_id FROM decision_log WHERE decision_id IN ({marks})", decision_ids)}

    def query(self, flt: Filter, limit: int = 100, newest_first: bool = False) -> list[LogRecord]:
        where, params = flt.where()
        order = "DESC" if newest_first else "ASC"
        with self.db.transaction() as cur:
            rows = cur.execute(f"SELECT {_COLUMNS} FROM decision_log{where} ORDER BY seq {order} LIMIT ?", (*params, limit)).fetchall()
            clauses: dict[int, list[str]] = {}
            # The clauses of exactly these records: a sparse page (one account in a large log) spans
            # a long range of seqs, and the records between are not this page's.
            for start in range(0, len(rows), 500):
                seqs = [row[0] for row in rows[start:start + 500]]
                for seq, clause in cur.execute(
                    f"SELECT seq, clause_id FROM decision_clauses WHERE seq IN ({', '.join('?' * len(seqs))}) ORDER BY clause_id",
                    seqs,
                ).fetchall():
                    clauses.setdefault(int(seq), []).append(clause)
            return [_record(row, clauses.get(int(row[0]), [])) for row in rows]

    def count(self, flt: Filter, cap: int | None = None) -> int:
        """How many records match; with ``cap``, counting stops past it (``cap + 1`` means "more than cap")."""
        where, params = flt.where()
        if cap is None:
            return int(self.db.query(f"SELECT COUNT(*) FROM decision_log{where}", params)[0][0])
        return int(self.db.query(f"SELECT COUNT(*) FROM (SELECT 1 FROM decision_log{where} LIMIT ?) AS matching",
                                 (*params, cap + 1))[0][0])

    def scan(self, flt: Filter | None = None, page: int = 1000) -> Iterator[LogRecord]:
        """Every matching record in chain order, page by page (replay, verify)."""
        flt = flt or Filter()
        after = flt.after_seq
        while True:
            batch = self.query(Filter(**{**flt.__dict__, "after_seq": after}), limit=page)
            yield from batch
            if len(batch) < page:
                return
            after = batch[-1].seq

    # -- proofs --------------------------------------------------------------

    def _signed_head(self, cur: Cursor) -> TreeHead:
        head = read_head(cur)
        if not head.checkpoint:
            raise NotSigned("the decision log has no signed checkpoint yet")
        return head

    def checkpoint(self) -> str:
        """The latest signed checkpoint (the tree head signed at the last commit)."""
        with self.db.transaction() as cur:
            return self._signed_head(cur).checkpoint

    def prove(self, decision_id: str) -> InclusionProof:
        """The record, its audit path and the signed checkpoint it leads to, from one snapshot."""
        with self.db.transaction(snapshot=True) as cur:
            head = self._signed_head(cur)
            record = self.get(decision_id, cur)
            path = inclusion_proof(cur, record.seq - 1, head.size)
        return InclusionProof(decision_id, record.seq - 1, head.size, record.leaf(), path, head.checkpoint)

    def prove_consistency(self, old_size: int) -> tuple[list[bytes], str, int]:
        """The proof that the current tree extends the tree of ``old_size`` leaves, the signed
        checkpoint it leads to and its size; ValueError if the log is smaller than that."""
        with self.db.transaction(snapshot=True) as cur:
            head = self._signed_head(cur)
            if not 0 < old_size <= head.size:
                raise ValueError(f"the log has {head.size} records: there is no tree of {old_size} in it")
            return consistency_proof(cur, old_size, head.size), head.checkpoint, head.size
