"""Appending to the decision log, durably and in groups.

``append`` returns only after the record is committed. Concurrent appends
are committed together by one writer thread (group commit): while one
commit is on disk, the next batch gathers, so throughput holds with
synchronous commits. ``append_in`` writes inside a caller's transaction
(applied decisions change the account's history in the same commit).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Iterable

import structlog

from server.db.database import Cursor, Database
from server.decisionlog.chain import LogRecord, seal

log = structlog.get_logger("decisionlog")

_INSERT = (
    "INSERT INTO decision_log (seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, "
    "revision, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class DecisionLogError(Exception):
    """The record could not be made durable: the caller must not answer with a decision."""


def write_records(db: Database, cur: Cursor, records: Iterable[LogRecord]) -> None:
    """Chain and insert records in the caller's transaction.

    The chain head row is locked (FOR UPDATE on PostgreSQL; SQLite holds the
    write lock), so several server processes sharing one database extend
    one chain.
    """
    lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
    seq, prev = cur.execute(f"SELECT seq, hash FROM log_chain_head WHERE id = 1{lock}").fetchone()
    rows, clause_rows = [], []
    for record in records:
        seq += 1
        prev = seal(record, seq, prev)
        rows.append((
            record.seq, record.decision_id, record.kind, record.recorded_at, record.caller, record.account_id,
            record.post_id, record.policy, record.outcome, record.revision, record.text(), record.prev_hash, record.hash,
        ))
        clause_rows.extend((record.seq, c) for c in sorted(set(record.clauses)))
    cur.executemany(_INSERT, rows)
    if clause_rows:
        cur.executemany("INSERT INTO decision_clauses (seq, clause_id) VALUES (?, ?)", clause_rows)
    cur.execute("UPDATE log_chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))


class DecisionLog:
    def __init__(self, db: Database, max_batch: int = 512) -> None:
        self.db = db
        self._max_batch = max_batch
        self._queue: "queue.Queue[tuple[list[LogRecord], Future] | None]" = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="decision-log-writer", daemon=True)
        self._thread.start()

    def append(self, record: LogRecord, timeout: float = 30.0) -> None:
        """Commit one record; returns when it is durable."""
        self.append_many([record], timeout)

    def append_many(self, records: list[LogRecord], timeout: float = 30.0) -> None:
        """Commit several records (a batch request) in one group; all or none."""
        if not records:
            return
        future: Future = Future()
        self._queue.put((records, future))
        try:
            future.result(timeout=timeout)
        except DecisionLogError:
            raise
        except Exception as exc:
            raise DecisionLogError(f"decision log write failed: {exc}") from exc

    def append_in(self, cur: Cursor, records: list[LogRecord]) -> None:
        """Write records inside the caller's transaction (committed with it)."""
        write_records(self.db, cur, records)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            size = len(first[0])
            while size < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
                size += len(item[0])
            self._commit(batch)

    def _commit(self, batch: list) -> None:
        records = [r for recs, _ in batch for r in recs]
        try:
            with self.db.transaction(write=True) as cur:
                write_records(self.db, cur, records)
        except Exception as exc:  # nothing in this batch is durable: every waiter gets the error
            log.error("decision log commit failed", error=str(exc), records=len(records))
            error = DecisionLogError(f"decision log unavailable: {exc}")
            for _, future in batch:
                future.set_exception(error)
            return
        for _, future in batch:
            future.set_result(None)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
