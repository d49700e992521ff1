"""Appending to the decision log, durably and in groups.

``append`` returns only after the record is committed. Concurrent appends
are committed together by one writer thread (group commit): while one
commit is on disk, the next batch gathers, so throughput holds with
synchronous commits. ``append_in`` writes inside a caller's transaction
(applied decisions change the account's history in the same commit).

What an append reports is true. A record still waiting for the writer when
the caller's time is up is withdrawn (it will never be written): "nothing
was decided". A record whose commit was under way and did not come back in
time, or whose COMMIT got no answer, may or may not be in the log:
``OutcomeUnknown`` names it, to be looked up.
Every transaction that adds records also adds their leaves to the Merkle
tree and signs the new tree head (``LogWriter``, in ``writer``).
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout

import structlog

from server import deadline
from server.db.database import GRACE, CommitUnknown, Cursor, Database, DatabaseUnavailable
from server.decisionlog.writer import DecisionLogError, LogWriter, UnloggableRecord
from shared.tlog.record import LogRecord

log = structlog.get_logger("decisionlog")

class OutcomeUnknown(Exception):
    """The records may or may not be in the log (their commit got no answer in time); look them up."""

    def __init__(self, record_ids: list[str], why: str) -> None:
        self.record_ids = list(record_ids)
        ids = ", ".join(self.record_ids[:5]) + (f" and {len(self.record_ids) - 5} more" if len(self.record_ids) > 5 else "")
        super().__init__(f"the outcome is unknown: {why}; {ids} may or may not be in the decision log. "
                         "Look it up (AuditService.GetDecision, `verdict audit show ID`) before deciding again")


class DecisionLog:
    """``timeout``: the longest an append waits for its commit (less if the caller's deadline is sooner)."""

    def __init__(self, db: Database, writer: LogWriter, max_batch: int = 512, timeout: float | None = None) -> None:
        self.db = db
        self.writer = writer
        self.timeout = db.limits.timeout if timeout is None else timeout
        self._max_batch = max_batch
        # (records, their future, when their caller must be answered)
        self._queue: "queue.Queue[tuple[list[LogRecord], Future, float] | None]" = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="decision-log-writer", daemon=True)
        self._thread.start()

    def append(self, record: LogRecord) -> None:
        """Commit one record; returns when it is durable."""
        self.append_many([record])

    def append_many(self, records: list[LogRecord]) -> None:
        """Commit several records (a batch request) in one group; all or none.

        DecisionLogError: none is or will be in the log. OutcomeUnknown: they may be.
        """
        if not records:
            return
        self.writer.prepare(records)  # in the caller's thread, not in the one writer thread
        future: Future = Future()
        wait = deadline.remaining(self.timeout)
        self._queue.put((records, future, time.monotonic() + wait))
        try:
            future.result(timeout=wait)
        except FutureTimeout:
            if future.cancel():  # the writer had not taken it: it never will
                raise DecisionLogError(f"the decision log did not take the record within {wait:.2g} s") from None
            try:  # being committed: the writer's statements are bounded, wait for its answer
                future.result(timeout=max(0.0, deadline.remaining(self.timeout + GRACE)))
            except FutureTimeout:
                raise OutcomeUnknown([r.decision_id for r in records],
                                     f"the decision log's commit did not finish within {wait:.2g} s") from None
            except (DecisionLogError, OutcomeUnknown):
                raise
            except Exception as exc:
                raise DecisionLogError(f"decision log write failed: {exc}") from exc
        except (DecisionLogError, OutcomeUnknown):
            raise
        except Exception as exc:
            raise DecisionLogError(f"decision log write failed: {exc}") from exc

    def append_in(self, cur: Cursor, records: list[LogRecord]) -> None:
        """Write records inside the caller's transaction (committed with it)."""
        self.writer.write(cur, records)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first] if first[1].set_running_or_notify_cancel() else []  # withdrawn by its caller: skipped
            size = sum(len(item[0]) for item in batch)
            while size < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                if item[1].set_running_or_notify_cancel():
                    batch.append(item)
                    size += len(item[0])
            if batch:
                self._commit(batch)

    def _commit(self, batch: list) -> None:
        """One transaction for the batch. If the store fails, every waiter is told; if the
        database refuses the batch for what is in it, each waiter's records are committed
        on their own, so only the call whose record cannot be written fails."""
        records = [r for recs, _, _ in batch for r in recs]
        # Begun by the time the first of its callers must be answered, or not at all.
        within = max(0.05, min(answer_by for _, _, answer_by in batch) - time.monotonic())
        try:
            with self.db.transaction(write=True, within=within) as cur:
                size = self.writer.write(cur, records)
        except CommitUnknown as exc:  # committed or not: only a read can tell
            log.error("decision log commit unconfirmed", error=str(exc), records=len(records))
            for recs, future, _ in batch:
                future.set_exception(OutcomeUnknown([r.decision_id for r in recs], "the database did not confirm the commit"))
            return
        except (DatabaseUnavailable, DecisionLogError) as exc:  # nothing in this batch is durable
            log.error("decision log commit failed", error=str(exc), records=len(records))
            error = DecisionLogError(f"decision log unavailable: {exc}")
            for _, future, _ in batch:
                future.set_exception(error)
            return
        except Exception as exc:  # a record the database refuses: find it, keep the others
            if len(batch) > 1:
                log.warning("group commit refused; committing its members one by one", records=len(records),
                            members=len(batch), error_type=type(exc).__name__)
                for member in batch:
                    self._commit([member])
                return
            log.error("decision log record refused", error_type=type(exc).__name__, kinds=sorted({r.kind for r in records}))
            batch[0][1].set_exception(UnloggableRecord(f"the database refused the record ({type(exc).__name__})"))
            return
        self.writer.committed(size)
        for _, future, _ in batch:
            future.set_result(None)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
