"""LogReader's queries: every filter and their combinations return exactly the matching
records, in log order or newest first, paged, with capped counts; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import random

import pytest

from server.db.database import Database
from server.db.migrations import migrate
from server.decisionlog.reader import Filter, LogReader
from shared.tlog.record import LogRecord

from tests.conftest import log_writer

CLAUSES = ["PI-1.1", "PI-1.3", "EI-1", "TVE-1", "PRIV-1a"]


def synthetic_log(db: Database, n: int = 240) -> list[LogRecord]:
    rng = random.Random(7)
    writer, records = log_writer(), []
    for i in range(n):
        kind = rng.choice(["decide", "decide", "decide", "audit_read", "apply"])
        records.append(LogRecord(
            decision_id=f"dec_{i:04d}", kind=kind, recorded_at=f"2026-01-{1 + i // 24:02d}T{i % 24:02d}:00:00.{i:06d}Z",
            caller=rng.choice(["a", "b"]), revision="r", body={"n": i}, account_id=f"acc-{rng.randrange(6)}",
            post_id=f"post-{i}", policy=rng.choice(["POLICY_VIOLENCE", "POLICY_HATEFUL_CONDUCT"]),
            outcome=rng.choice(["OUTCOME_NO_ACTION", "OUTCOME_HUMAN_REVIEW"]),
            clauses=rng.sample(CLAUSES, rng.randrange(3)) if kind != "audit_read" else []))
    with db.transaction(write=True) as cur:
        writer.write(cur, records)
    return records


def matches(record: LogRecord, flt: Filter) -> bool:
    return all([
        not flt.account_id or record.account_id == flt.account_id, not flt.policy or record.policy == flt.policy,
        not flt.outcome or record.outcome == flt.outcome, not flt.caller or record.caller == flt.caller,
        not flt.kind or record.kind == flt.kind, not flt.clause_id or flt.clause_id in record.clauses,
        not flt.since or record.recorded_at >= flt.since, not flt.until or record.recorded_at < flt.until,
        not flt.without_audit_reads or flt.kind or record.kind != "audit_read",
    ])


FILTERS = [
    {}, {"account_id": "acc-2"}, {"policy": "POLICY_VIOLENCE"}, {"outcome": "OUTCOME_HUMAN_REVIEW"}, {"clause_id": "EI-1"},
    {"clause_id": "PI-9"}, {"caller": "b"}, {"kind": "audit_read"}, {"since": "2026-01-03T00:00:00.000000Z", "until": "2026-01-06T00:00:00.000000Z"},
]


@pytest.mark.parametrize("a, b", [(a, b) for a, b in itertools.combinations(range(len(FILTERS)), 2)
                                  if not set(FILTERS[a]) & set(FILTERS[b])])
def test_every_pair_of_filters_returns_exactly_the_matching_records(db_url, a, b):
    db = Database(db_url)
    migrate(db)
    records = synthetic_log(db)
    reader = LogReader(db)
    flt = Filter(**FILTERS[a], **FILTERS[b], without_audit_reads=True)
    expected = [r.decision_id for r in records if matches(r, flt)]
    assert [r.decision_id for r in reader.query(flt, limit=1000)] == expected
    newest = [r.decision_id for r in reader.query(flt, limit=1000, newest_first=True)]
    assert newest == expected[::-1]
    assert reader.count(flt) == len(expected) and reader.count(flt, cap=5) == min(len(expected), 6)
    paged, before = [], 0
    while True:  # newest first, seven at a time
        page = reader.query(Filter(**{**flt.__dict__, "before_seq": before}), limit=7, newest_first=True)
        paged += [r.decision_id for r in page]
        if len(page) < 7:
            break
        before = page[-1].seq
    assert paged == expected[::-1]
    for record in reader.query(flt, limit=1000):
        assert sorted(record.clauses) == sorted(next(r for r in records if r.decision_id == record.decision_id).clauses)
    db.close()
