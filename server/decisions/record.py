"""Step 3 of the decision path, record: the log record of a decision, and writing it before anyone is answered.

A record is written alone, in a group commit with others (a batch), or
inside the transaction that applies it. A commit that got no answer says
which records may or may not be in the log (OutcomeUnknown), never that
they were lost.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Any, Iterator

from server.db.database import CommitUnknown, Cursor
from server.decisionlog.log import DecisionLog, OutcomeUnknown
from server.decisionlog.reader import LogReader
from server.decisions.results import cited_clauses
from server.engine.base import Evaluation
from shared.tlog.record import LogRecord


class PartlyRecorded(Exception):
    """A batch failed after some of its decisions were committed: those are in the log, the others are not."""

    def __init__(self, recorded: list[str], cause: Exception) -> None:
        super().__init__(f"{len(recorded)} decisions of the batch were recorded before it failed: {cause}")
        self.recorded = recorded
        self.cause = cause


@contextmanager
def unknown_outcome_names(record_ids: list[str]) -> Iterator[None]:
    """A transaction whose COMMIT got no answer: say which records may or may not be in the log."""
    try:
        yield
    except CommitUnknown as exc:
        if not record_ids:
            raise
        raise OutcomeUnknown(record_ids, f"the database did not confirm the commit ({exc})") from None


def apply_record_id(decision_id: str) -> str:
    """The ID of the record ApplyDecision writes for a decision (once: the ID is unique in the log)."""
    return f"{decision_id}.applied"


def new_decision_id() -> str:
    """Time-ordered, unique: milliseconds since the epoch, then 64 random bits."""
    return f"dec_{int(time.time() * 1000):012x}{os.urandom(8).hex()}"


def evaluated_record(
    kind: str, decision_id: str, caller: str, query: str, evaluation: Evaluation, input_doc: dict[str, Any],
    request_doc: dict[str, Any], recorded_at: str, timings: dict[str, float], *, enrichment: dict[str, Any] | None = None,
    account_id: str = "", post_id: str = "", policy: str = "", outcome: str = "", extra: dict[str, Any] | None = None,
) -> LogRecord:
    """The record of an evaluation: what was asked, with what input, what the policy answered, on which revision."""
    body = {
        "decision_id": decision_id,
        "kind": kind,
        "recorded_at": recorded_at,
        "caller": caller,
        "request": request_doc,
        "enrichment": enrichment or {},
        "query": query,
        "input": input_doc,
        "result": evaluation.result,
        "engine": {"name": evaluation.engine, "opa_version": evaluation.opa_version, "revision": evaluation.revision},
        "timings_ms": {k: round(v, 3) for k, v in timings.items()},
        **(extra or {}),
    }
    return LogRecord(
        decision_id=decision_id, kind=kind, recorded_at=recorded_at, caller=caller, revision=evaluation.revision,
        body=body, account_id=account_id, post_id=post_id, policy=policy, outcome=outcome,
        clauses=cited_clauses(evaluation.result),
    )


def apply_record(original: LogRecord, caller: str, recorded_at: str, changes: dict[str, Any] | None,
                 rows: list[dict[str, Any]]) -> LogRecord:
    """The record of applying an earlier decision: the history it changed, under the decision's columns."""
    apply_id = apply_record_id(original.decision_id)
    return LogRecord(
        decision_id=apply_id, kind="apply", recorded_at=recorded_at, caller=caller, revision=original.revision,
        body={"decision_id": apply_id, "kind": "apply", "applies": original.decision_id, "recorded_at": recorded_at,
              "caller": caller, "history_changes": changes, "history_rows": rows},
        account_id=original.account_id, post_id=original.post_id, policy=original.policy, outcome=original.outcome,
        clauses=list(original.clauses),
    )


class Recorder:
    """Writes records to the decision log, and reads back what was recorded (an apply reads its decision)."""

    def __init__(self, log: DecisionLog, reader: LogReader) -> None:
        self.log = log
        self.reader = reader

    def append(self, record: LogRecord) -> None:
        self.log.append(record)

    def append_many(self, records: list[LogRecord]) -> None:
        self.log.append_many(records)

    def append_in(self, cur: Cursor, records: list[LogRecord]) -> None:
        self.log.append_in(cur, records)

    def get(self, decision_id: str) -> LogRecord:
        return self.reader.get(decision_id)

    def exists(self, decision_id: str, cur: Cursor) -> bool:
        return self.reader.exists(decision_id, cur)
