"""Replay logged decisions on the revision they were made with, or on a candidate.

Recorded mode re-evaluates each record's exact OPA input on its archived
revision; anything but an identical result is a fault. Candidate mode
evaluates the same inputs on another revision and reports what would
change: counts of old -> new outcome, clauses gained and lost, examples.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from server.engine.archive import PolicyArchive
from shared.tlog.record import LogRecord, canonical
from server.decisionlog.reader import Filter, LogReader
from server.decisions.results import cited_clauses
from server.engine.bundle import Bundle
from server.engine.embedded import EmbeddedEngine


class ReplayCancelled(Exception):
    """The replay was stopped before its end (its caller went away)."""

    def __init__(self, replayed: int) -> None:
        super().__init__(f"replay cancelled after {replayed} records")
        self.replayed = replayed


def outcome_of(kind: str, result: Any) -> str:
    """One word for what a record decided, comparable across revisions."""
    if not isinstance(result, dict):
        return "NO_RESULT"
    if kind == "check_public_interest":
        return "ELIGIBLE" if result.get("eligible") else "NOT_ELIGIBLE"
    if kind == "assess_report":
        return "ADMISSIBLE" if result.get("admissible") else "INADMISSIBLE"
    return str(result.get("outcome", "NO_OUTCOME"))


@dataclass
class Change:
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ReplayReport:
    mode: str
    candidate_revision: str = ""
    replayed: int = 0
    unchanged: int = 0
    changed: int = 0
    faults: int = 0
    errors: int = 0
    outcome_changes: dict[tuple[str, str], Change] = field(default_factory=lambda: defaultdict(Change))
    clauses_added: dict[tuple[str, str], Change] = field(default_factory=lambda: defaultdict(Change))
    clauses_removed: dict[tuple[str, str], Change] = field(default_factory=lambda: defaultdict(Change))
    differences: list[tuple[str, str]] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # The diagonal of the outcome matrix (records that reproduced exactly), by outcome, with examples.
    unchanged_outcomes: dict[str, Change] = field(default_factory=lambda: defaultdict(Change))
    # What changed, in words, for each example decision of a change.
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.replayed / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode, "candidate_revision": self.candidate_revision, "replayed": self.replayed,
            "unchanged": self.unchanged, "changed": self.changed, "faults": self.faults, "errors": self.errors,
            "outcome_changes": [{"from": a, "to": b, "count": c.count, "examples": c.examples} for (a, b), c in sorted(self.outcome_changes.items())],
            "clause_changes": [
                {"clause_id": key[0], "kind": key[1], "added": self.clauses_added[key].count, "removed": self.clauses_removed[key].count,
                 "examples": (self.clauses_added[key].examples + self.clauses_removed[key].examples)[:5]}
                for key in sorted(set(self.clauses_added) | set(self.clauses_removed))
            ],
            "differences": [{"decision_id": d, "what": w} for d, w in self.differences],
            "changed_decision_ids": self.changed_ids,
            "seconds": round(self.seconds, 3), "per_second": round(self.per_second, 1),
        }


def _citations(result: Any) -> set[tuple[str, str]]:
    """(clause, kind) pairs a result cites: PI-1.3 "criterion met" differs from "not met"."""
    if not isinstance(result, dict):
        return set()
    return {(r["clause_id"], r.get("kind", "")) for r in result.get("reasons", []) if isinstance(r, dict) and "clause_id" in r}


def _describe(kind: str, old: Any, new: Any) -> str:
    before, after = outcome_of(kind, old), outcome_of(kind, new)
    parts = [f"outcome {before} -> {after}"] if before != after else []
    old_c, new_c = set(cited_clauses(old)), set(cited_clauses(new))
    if new_c - old_c:
        parts.append("now cites " + ", ".join(sorted(new_c - old_c)))
    if old_c - new_c:
        parts.append("no longer cites " + ", ".join(sorted(old_c - new_c)))
    return "; ".join(parts) or "the result differs in detail (effects, texts or assessment)"


def _pages(records: Iterator[LogRecord], size: int) -> Iterator[list[LogRecord]]:
    page: list[LogRecord] = []
    for record in records:
        page.append(record)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


_CANCELLED: Any = object()  # what _replay_one answers once the replay is cancelled


class Replayer:
    def __init__(self, reader: LogReader, archive: PolicyArchive) -> None:
        self.reader = reader
        self.archive = archive
        self._engines: dict[str, EmbeddedEngine] = {}
        self._lock = threading.Lock()

    def _engine(self, revision: str) -> EmbeddedEngine:
        engine = self._engines.get(revision)
        if engine is None:
            engine = self._engines[revision] = EmbeddedEngine(self.archive.load(revision), warm=False)
        return engine

    def _engine_for(self, revision: str, candidate: EmbeddedEngine | None) -> EmbeddedEngine:
        if candidate is not None:
            return candidate
        with self._lock:  # load each archived revision once, even with many workers
            return self._engine(revision)

    def _replay_one(self, record: LogRecord, candidate: EmbeddedEngine | None,
                    cancelled: Callable[[], bool]) -> tuple[LogRecord, Any, str]:
        """(record, new result or None, error) — runs in a worker thread; OPA evaluates without the GIL."""
        if cancelled():
            return record, None, _CANCELLED
        body = record.body
        try:
            new = self._engine_for(record.revision, candidate).evaluate(body["query"], body["input"]).result
        except Exception as exc:  # an archived revision that will not load is an error too
            return record, None, str(exc)
        return record, new, ""

    def run(
        self, flt: Filter, candidate: Bundle | None = None, examples: int = 5, list_changed: bool = False,
        progress: Callable[[int, int], None] | None = None, max_differences: int = 100, workers: int | None = None,
        cancelled: Callable[[], bool] = lambda: False, page: int = 256,
    ) -> ReplayReport:
        """``cancelled``: asked between records; once it says yes the replay stops (ReplayCancelled)."""
        flt = Filter(**{**flt.__dict__, "evaluated_only": True})
        total = self.reader.count(flt)
        report = ReplayReport("candidate" if candidate else "recorded", candidate.revision if candidate else "")
        candidate_engine = EmbeddedEngine(candidate, name="candidate", warm=False) if candidate else None
        # one engine per worker, each compiled for this replay: a small replay needs one
        workers = workers or min(max(2, os.cpu_count() or 2), max(1, total // page))
        started = time.perf_counter()
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="replay") as pool:
                for records in _pages(self.reader.scan(flt), page):
                    if cancelled():
                        raise ReplayCancelled(report.replayed)
                    for record, new, error in pool.map(lambda r: self._replay_one(r, candidate_engine, cancelled), records):
                        if error is _CANCELLED:
                            raise ReplayCancelled(report.replayed)
                        report.replayed += 1
                        old = record.body["result"]
                        if error:
                            report.errors += 1
                            if len(report.differences) < max_differences:
                                report.differences.append((record.decision_id, f"error: {error}"))
                        elif canonical(new) == canonical(old):
                            report.unchanged += 1
                            same = report.unchanged_outcomes[outcome_of(record.kind, old)]
                            same.count += 1
                            if len(same.examples) < examples:
                                same.examples.append(record.decision_id)
                        else:
                            self._count_change(report, record.kind, record.decision_id, old, new, examples, list_changed, max_differences)
                    if progress:
                        progress(report.replayed, total)
        finally:
            if candidate_engine:
                candidate_engine.close()
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _count_change(report: ReplayReport, kind: str, decision_id: str, old: Any, new: Any,
                      examples: int, list_changed: bool, max_differences: int) -> None:
        if report.mode == "recorded":
            report.faults += 1
            if len(report.differences) < max_differences:
                report.differences.append((decision_id, "did not reproduce: " + _describe(kind, old, new)))
            return
        report.changed += 1
        if list_changed:
            report.changed_ids.append(decision_id)
        change = report.outcome_changes[(outcome_of(kind, old), outcome_of(kind, new))]
        change.count += 1
        example = False
        if len(change.examples) < examples:
            change.examples.append(decision_id)
            example = True
        old_c, new_c = _citations(old), _citations(new)
        for key, bucket in [(c, report.clauses_added) for c in new_c - old_c] + [(c, report.clauses_removed) for c in old_c - new_c]:
            bucket[key].count += 1
            if len(bucket[key].examples) < examples:
                bucket[key].examples.append(decision_id)
                example = True
        description = _describe(kind, old, new)
        if example:
            report.notes[decision_id] = description
        if len(report.differences) < min(max_differences, examples * 4):
            report.differences.append((decision_id, description))

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
