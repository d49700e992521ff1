"""Reading the decision log back: one record, records by filter, and proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator


from server.db.database import Cursor, Database
from shared.tlog.proof import InclusionProof
from shared.tlog.record import ROW_COLUMNS, LogRecord, record_from_row
from server.decisionlog.tree import TreeHead, consistency_proof, inclusion_proof, read_head

_COLUMNS = ", ".join(ROW_COLUMNS)


# The largest log position there can be: both databases store it as a signed 64-bit integer.
MAX_SEQ = 2**63 - 1

# Record kinds that carry an OPA query, input and result (replayable).
EVALUATED_KINDS = ("decide", "check_public_interest", "assess_report", "assess_group")


class NotSigned(LookupError):
    """The log has no signed checkpoint yet (nothing was appended since it was created or upgraded)."""


class RecordNotFound(LookupError):
    def __init__(self, decision_id: str) -> None:
        super().__init__(f"no decision {decision_id!r} in the decision log")
        self.decision_id = decision_id


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

    def leading(self) -> str:
        """The filter the query is driven by: the one that, in a decision log, leaves the fewest
        records (a post, an account, a time range, a clause), else "" (the database chooses).
        A scan continuing in log order (``after_seq``) is not led by its time range: sorting
        the range again for every page would cost more than walking the log in order."""
        present = {"post_id": self.post_id, "account_id": self.account_id,
                   "time": (self.since or self.until) and not self.after_seq, "clause_id": self.clause_id}
        return next((name for name, value in present.items() if value), "")

    def source(self) -> tuple[str, list[Any], str]:
        """``FROM ... WHERE ...`` over the log as ``d``, its parameters, and the seq column to order by.

        The leading filter is given to the database as an indexed column; the others as
        expressions no index answers, so that neither SQLite without statistics nor any
        planner walks the half of the log a common policy or caller matches to find the
        few records of a post, an account, a day or a rarely cited clause. A leading
        clause joins the clause index; otherwise a clause is looked up record by record.
        """
        lead = self.leading()
        conds, params = [], []
        source, seq = "decision_log d", "d.seq"

        def column(name: str) -> str:
            return f"d.{name}" if lead in ("", name) else f"(d.{name} || '')"

        if self.clause_id and lead == "clause_id":
            source, seq = "decision_clauses c JOIN decision_log d ON d.seq = c.seq", "c.seq"
            conds.append("c.clause_id = ?")
            params.append(self.clause_id)
        elif self.clause_id:
            conds.append("EXISTS (SELECT 1 FROM decision_clauses c WHERE c.clause_id = ? AND c.seq = d.seq)")
            params.append(self.clause_id)
        for name in ("account_id", "post_id", "policy", "outcome", "caller", "kind"):
            value = getattr(self, name)
            if value:
                conds.append(f"{column(name)} = ?")
                params.append(value)
        recorded = "d.recorded_at" if lead == "time" else "(d.recorded_at || '')"
        if self.since:
            conds.append(f"{recorded} >= ?")
            params.append(self.since)
        if self.until:
            conds.append(f"{recorded} < ?")
            params.append(self.until)
        if self.evaluated_only:
            conds.append(f"d.kind IN ({', '.join(repr(k) for k in EVALUATED_KINDS)})")
        if self.without_audit_reads and not self.kind:
            conds.append("d.kind <> 'audit_read'")
        if self.after_seq:
            conds.append(f"{seq} > ?")
            params.append(self.after_seq)
        if self.before_seq:
            conds.append(f"{seq} < ?")
            params.append(self.before_seq)
        return f" FROM {source}" + ((" WHERE " + " AND ".join(conds)) if conds else ""), params, seq


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
        return record_from_row(row, clauses)

    def exists(self, decision_id: str, cur: Cursor) -> bool:
        return cur.execute("SELECT 1 FROM decision_log WHERE decision_id = ?", (decision_id,)).fetchone() is not None

    def present(self, decision_ids: list[str]) -> set[str]:
        """Which of these IDs are in the log (one query)."""
        if not decision_ids:
            return set()
        marks = ", ".join("?" * len(decision_ids))
        return {str(d) for (d,) in self.db.query(f"SELECT decision_id FROM decision_log WHERE decision_id IN ({marks})", decision_ids)}

    def query(self, flt: Filter, limit: int = 100, newest_first: bool = False) -> list[LogRecord]:
        """Matching records in log order (or newest first), at most ``limit``.

        First the seqs, from the indexes alone where they can answer (the records are
        kilobytes each: a sort over a time range must not carry them); then those records.
        """
        source, params, seq = flt.source()
        order = "DESC" if newest_first else "ASC"
        with self.db.transaction() as cur:
            seqs = [int(s) for (s,) in cur.execute(f"SELECT {seq}{source} ORDER BY {seq} {order} LIMIT ?", (*params, limit)).fetchall()]
            rows: list[tuple] = []
            clauses: dict[int, list[str]] = {}
            for start in range(0, len(seqs), 500):
                chunk = seqs[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                rows += cur.execute(f"SELECT {_COLUMNS} FROM decision_log WHERE seq IN ({marks})", chunk).fetchall()
                for seq, clause in cur.execute(f"SELECT seq, clause_id FROM decision_clauses WHERE seq IN ({marks}) ORDER BY clause_id",
                                               chunk).fetchall():
                    clauses.setdefault(int(seq), []).append(clause)
            rows.sort(key=lambda row: int(row[0]), reverse=newest_first)
            return [record_from_row(row, clauses.get(int(row[0]), [])) for row in rows]

    def count(self, flt: Filter, cap: int | None = None) -> int:
        """How many records match; with ``cap``, counting stops past it (``cap + 1`` means "more than cap")."""
        source, params, _ = flt.source()
        if cap is None:
            return int(self.db.query(f"SELECT COUNT(*){source}", params)[0][0])
        return int(self.db.query(f"SELECT COUNT(*) FROM (SELECT 1{source} LIMIT ?) AS matching", (*params, cap + 1))[0][0])

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
