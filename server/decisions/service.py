"""The decision path, independent of gRPC: enrich, mask, ask OPA, record, answer.

Every call that decides writes its log record before it returns, and an
error anywhere means no decision is returned: the server fails closed.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from google.protobuf import json_format
from google.protobuf.message import Message

from verdict.v1 import assessments_pb2, case_pb2, decision_pb2, policy_service_pb2 as ps

from shared.protojson import to_dict
from server.db.database import CommitUnknown, Cursor, Database
from server.decisionlog.archive import PolicyArchive
from shared.tlog.record import LogRecord
from server.decisionlog.log import DecisionLog, OutcomeUnknown
from server.decisionlog.reader import LogReader
from server.decisions.contract import DECIDE, GROUP, PUBLIC_INTEREST, REPORT, check_result
from server.decisions.masking import Masker
from server.decisions.results import (
    assessment_from_result,
    catalog_of,
    cited_clauses,
    decision_from_record,
    decision_from_result,
    group_from_result,
    report_from_result,
)
from server.engine.base import Evaluation, PolicyEngine
from server.enrichment.cache import EnrichmentCache
from server.enrichment.store import AccountStore
from shared.timeutil import parse_rfc3339, rfc3339, utcnow

if TYPE_CHECKING:
    from server.engine.embedded import EmbeddedEngine



class HistoryChanged(Exception):
    """The account's history moved on since the decision: decide again."""


class PartlyRecorded(Exception):
    """A batch failed after some of its decisions were committed: those are in the log, the others are not."""

    def __init__(self, recorded: list[str], cause: Exception) -> None:
        super().__init__(f"{len(recorded)} decisions of the batch were recorded before it failed: {cause}")
        self.recorded = recorded
        self.cause = cause


@contextmanager
def _unknown_outcome_names(record_ids: list[str]) -> Iterator[None]:
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


@dataclass
class Prepared:
    """A case made ready for OPA: its input and where the enrichment came from."""

    input: dict[str, Any]
    request: dict[str, Any]
    enrichment: dict[str, Any]
    enrich_ms: float


class DecisionService:
    def __init__(
        self,
        engine: PolicyEngine,
        store: AccountStore,
        log: DecisionLog,
        archive: PolicyArchive,
        masker: Masker,
        clock: Callable = utcnow,
        cache_ttl: float = 5.0,
        cache_size: int = 10_000,
    ) -> None:
        self.engine = engine
        self.store = store
        self.cache = EnrichmentCache(store, cache_ttl, cache_size)
        self._batch_pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="batch")
        self.db: Database = store.db
        self.log = log
        self.reader = LogReader(store.db)
        self.archive = archive
        self.masker = masker
        self.clock = clock

    # ---------------------------------------------------------------- shared steps

    def _masked(self, message: Message) -> dict[str, Any]:
        return self.masker.mask(to_dict(message), message.DESCRIPTOR)

    def _prepare(self, request: ps.DecideRequest | ps.CheckPublicInterestRequest, cur: Cursor | None = None) -> Prepared:
        """The OPA input for a case. Inside a transaction (applying) the account
        is read fresh; otherwise it may come from the short-lived cache."""
        started = time.perf_counter()
        request_doc = self._masked(request)
        case_doc = request_doc["case"]
        account_id = request.case.content.author_account_id
        if cur is None:
            account, cache_age = self.cache.snapshot(account_id)
        else:
            account, cache_age = self.store.snapshot(account_id, cur), 0.0
        facts = request.case.violation
        group_ids = [g["group_id"] for g in account.doc["groups"]]
        for kind in ("tve", "cha"):
            if facts.HasField(kind) and getattr(facts, kind).group_id:
                group_ids.append(getattr(facts, kind).group_id)
        groups = self.cache.designations(group_ids) if cur is None else self.store.designations(group_ids, cur)
        read_at = self.clock()
        enrichment = {
            "account": {
                "source": self.store.source,
                "written_by": account.source,
                "written_at": account.updated_at,
                # how old the values are: since the account was last written, and since it was read
                "age_seconds": round((read_at - parse_rfc3339(account.updated_at)).total_seconds(), 3),
                "read_seconds_ago": round(cache_age, 3),
                "history_version": account.history_version,
            },
            "groups": {gid: {"source": self.store.source, "assessed_at": g.get("assessed_at")} for gid, g in groups.items()},
        }
        input_doc = {"as_of": case_doc["as_of"], "case": case_doc, "account": account.doc, "groups": groups}
        return Prepared(input_doc, request_doc, enrichment, (time.perf_counter() - started) * 1000)

    def _evaluate(self, query: str, input_doc: dict[str, Any], cur: Cursor | None = None) -> Evaluation:
        evaluation = self.engine.evaluate(query, input_doc)
        check_result(query, evaluation.result)  # an answer that is no decision fails closed, unlogged
        # Never log a decision on a revision that cannot be replayed.
        self.archive.ensure(evaluation.revision, getattr(self.engine, "bundle", None), cur)
        return evaluation

    def _record(
        self, kind: str, decision_id: str, caller: str, query: str, evaluation: Evaluation, input_doc: dict[str, Any],
        request_doc: dict[str, Any], recorded_at: str, timings: dict[str, float], *, enrichment: dict[str, Any] | None = None,
        account_id: str = "", post_id: str = "", policy: str = "", outcome: str = "", extra: dict[str, Any] | None = None,
    ) -> LogRecord:
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

    # ---------------------------------------------------------------- Decide

    def decide(self, request: ps.DecideRequest, caller: str) -> decision_pb2.Decision:
        if request.apply:
            return self._decide_and_apply(request, caller)
        decision, record = self._decide(request, caller)
        self.log.append(record)
        return decision

    def decide_batch(self, requests: list[ps.DecideRequest], caller: str) -> list[decision_pb2.Decision]:
        """Decisions without apply are evaluated side by side (OPA runs without
        the GIL) and share one group commit; applied ones commit with their history."""
        decisions: list[decision_pb2.Decision | None] = [None] * len(requests)
        plain = [i for i, request in enumerate(requests) if not request.apply]
        records: list[LogRecord] = []
        for i, (decision, record) in zip(plain, self._batch_pool.map(lambda i: self._decide(requests[i], caller), plain)):
            decisions[i] = decision
            records.append(record)
        self.log.append_many(records)
        recorded = [r.decision_id for r in records]
        try:
            for i, request in enumerate(requests):
                if request.apply:
                    decision = decisions[i] = self._decide_and_apply(request, caller)
                    recorded.append(decision.decision_id)
        except Exception as exc:
            if recorded:  # what was committed stays: the answer must say so
                raise PartlyRecorded(recorded, exc) from exc
            raise
        return decisions  # type: ignore[return-value]

    def preview(self, request: ps.DecideRequest, caller: str,
                engine: EmbeddedEngine | None = None) -> tuple[decision_pb2.Decision, LogRecord]:
        """What Decide would answer for a case, and the record it would write, without
        recording or applying anything (the console's playground). The decision has no ID.

        ``engine``: decide on that revision (archived, or a candidate) instead of the
        one served; a revision tried this way is not archived, since nothing was decided on it.
        """
        if request.apply:
            raise ValueError("a preview applies nothing: apply must be false")
        decision, record = self._decide(request, caller, engine=engine)
        decision.decision_id = ""
        return decision, record

    def _decide(self, request: ps.DecideRequest, caller: str, cur: Cursor | None = None,
                applied: bool = False, engine: EmbeddedEngine | None = None) -> tuple[decision_pb2.Decision, LogRecord]:
        started = time.perf_counter()
        prepared = self._prepare(request, cur)
        if engine is None:
            evaluation = self._evaluate(DECIDE, prepared.input, cur)
            catalog = self.archive.catalog(evaluation.revision)
        else:
            evaluation = engine.evaluate(DECIDE, prepared.input)
            check_result(DECIDE, evaluation.result)
            catalog = catalog_of(engine.bundle)
        decision_id = new_decision_id()
        recorded_at = rfc3339(self.clock())
        decision = decision_from_result(
            evaluation.result, catalog, decision_id, evaluation.revision, prepared.input["as_of"], recorded_at, applied,
        )
        timings = {"enrich": prepared.enrich_ms, "evaluate": evaluation.eval_ms, "total": (time.perf_counter() - started) * 1000}
        content = request.case.content
        record = self._record(
            "decide", decision_id, caller, DECIDE, evaluation, prepared.input, prepared.request, recorded_at, timings,
            enrichment=prepared.enrichment, account_id=content.author_account_id, post_id=content.post_id,
            policy=case_pb2.Policy.Name(request.case.violation.policy), outcome=decision_pb2.Outcome.Name(decision.outcome),
            extra={"applied": applied},
        )
        return decision, record

    def _decide_and_apply(self, request: ps.DecideRequest, caller: str) -> decision_pb2.Decision:
        """Decide and record in the account's history in one transaction that
        holds the account's lock: concurrent applies see each other."""
        account_id = request.case.content.author_account_id
        written: list[str] = []
        with _unknown_outcome_names(written):
            with self.db.transaction(write=True) as cur:
                self.store.lock_account(cur, account_id)
                decision, record = self._decide(request, caller, cur, applied=True)
                record.body["history_changes"], record.body["history_rows"] = self._apply_effects(cur, decision, request.case)
                self.log.append_in(cur, [record])
                written.append(record.decision_id)
        return decision

    # ---------------------------------------------------------------- ApplyDecision

    def apply(self, decision_id: str, caller: str) -> decision_pb2.Decision:
        """Record an earlier decision in the account's history, once; applying it
        again (a retry, or a race with the first apply) answers the applied decision.

        Refused (HistoryChanged) when the history moved on since the decision
        was made: it may no longer be the account's first violation.
        """
        original = self.reader.get(decision_id)  # log records never change: read before locking
        if original.kind != "decide":
            raise LookupError(f"{decision_id} is a {original.kind} record, not a decision")
        body = original.body
        decision = decision_from_record(body, self.archive.catalog(original.revision))
        decision.applied = True
        if body.get("applied"):
            return decision
        apply_id = apply_record_id(decision_id)
        with _unknown_outcome_names([apply_id]), self.db.transaction(write=True) as cur:
            account_id = original.account_id
            # The account's lock first, then look for an apply: an apply of this decision that
            # committed while this one waited for the lock is seen, and answered as applied.
            self.store.lock_account(cur, account_id)
            if self.reader.exists(apply_id, cur):
                return decision
            now_version = self.store.snapshot(account_id, cur).history_version
            seen_version = body["enrichment"]["account"]["history_version"]
            if now_version != seen_version:
                raise HistoryChanged(
                    f"the history of account {account_id!r} changed since decision {decision_id} was made "
                    f"(version {seen_version} -> {now_version}); decide the case again"
                )
            case = json_format.ParseDict(body["input"]["case"], case_pb2.Case())
            changes, rows = self._apply_effects(cur, decision, case)
            recorded_at = rfc3339(self.clock())
            record = LogRecord(
                decision_id=apply_id, kind="apply", recorded_at=recorded_at, caller=caller, revision=original.revision,
                body={"decision_id": apply_id, "kind": "apply", "applies": decision_id, "recorded_at": recorded_at,
                      "caller": caller, "history_changes": changes, "history_rows": rows},
                account_id=account_id, post_id=original.post_id, policy=original.policy, outcome=original.outcome,
                clauses=list(original.clauses),
            )
            self.log.append_in(cur, [record])
        return decision

    def _apply_effects(self, cur: Cursor, decision: decision_pb2.Decision,
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
        self.store.record_enforcement(
            cur, case.content.author_account_id, decision.decision_id, policy, decision.enforcement.clause_id, as_of,
            decision.enforcement.warning, lock, limit, effects.suspend_account, journal=rows,
        )
        return {
            "violation": {"policy": policy, "clause_id": decision.enforcement.clause_id, "at": as_of, "warning": decision.enforcement.warning},
            "lock": lock and {"starts_at": lock[0], "ends_at": lock[1]},
            "visibility_limit": limit and {"group_id": limit[0], "starts_at": limit[1], "expires_at": limit[2]},
            "suspended": effects.suspend_account,
        }, rows

    # ---------------------------------------------------------------- other RPCs

    def check_public_interest(self, request: ps.CheckPublicInterestRequest, caller: str) -> ps.CheckPublicInterestResponse:
        started = time.perf_counter()
        prepared = self._prepare(request)
        evaluation = self._evaluate(PUBLIC_INTEREST, prepared.input)
        assessment = assessment_from_result(evaluation.result, self.archive.catalog(evaluation.revision))
        decision_id = new_decision_id()
        recorded_at = rfc3339(self.clock())
        content = request.case.content
        record = self._record(
            "check_public_interest", decision_id, caller, PUBLIC_INTEREST, evaluation, prepared.input, prepared.request,
            recorded_at, {"enrich": prepared.enrich_ms, "evaluate": evaluation.eval_ms, "total": (time.perf_counter() - started) * 1000},
            enrichment=prepared.enrichment, account_id=content.author_account_id, post_id=content.post_id,
            policy=case_pb2.Policy.Name(request.case.violation.policy), outcome="ELIGIBLE" if assessment.eligible else "NOT_ELIGIBLE",
        )
        self.log.append(record)
        return ps.CheckPublicInterestResponse(decision_id=decision_id, assessment=assessment, policy_revision=evaluation.revision)

    def _assess(self, kind: str, query: str, request_doc: dict[str, Any], input_doc: dict[str, Any], convert: Callable,
                caller: str, policy: int, outcome_of: Callable[[Any], str], extra: dict[str, Any] | None = None,
                ) -> tuple[str, Any, Evaluation, LogRecord]:
        """Evaluate an assessment (report, group) and make its log record."""
        started = time.perf_counter()
        evaluation = self._evaluate(query, input_doc)
        assessment = convert(evaluation.result, self.archive.catalog(evaluation.revision))
        decision_id = new_decision_id()
        record = self._record(
            kind, decision_id, caller, query, evaluation, input_doc, request_doc, rfc3339(self.clock()),
            {"evaluate": evaluation.eval_ms, "total": (time.perf_counter() - started) * 1000},
            policy=case_pb2.Policy.Name(policy), outcome=outcome_of(assessment), extra=extra,
        )
        return decision_id, assessment, evaluation, record

    def assess_report(self, request: ps.AssessReportRequest, caller: str) -> ps.AssessReportResponse:
        request_doc = self._masked(request)
        input_doc = {"as_of": request_doc["report"]["as_of"], "report": request_doc["report"]}
        decision_id, assessment, evaluation, record = self._assess(
            "assess_report", REPORT, request_doc, input_doc, report_from_result, caller, request.report.policy,
            lambda a: "ADMISSIBLE" if a.admissible else "INADMISSIBLE",
        )
        self.log.append(record)
        return ps.AssessReportResponse(decision_id=decision_id, assessment=assessment, policy_revision=evaluation.revision)

    def assess_group(self, request: ps.AssessGroupRequest, caller: str) -> ps.AssessGroupResponse:
        request_doc = self._masked(request)
        input_doc = {"as_of": request_doc["as_of"], "group": request_doc["group"]}
        decision_id, assessment, evaluation, record = self._assess(
            "assess_group", GROUP, request_doc, input_doc, group_from_result, caller, case_pb2.POLICY_COORDINATED_HARMFUL_ACTIVITY,
            lambda a: decision_pb2.Outcome.Name(a.outcome), extra={"applied": request.apply},
        )
        if not request.apply:
            self.log.append(record)
        else:
            with _unknown_outcome_names([decision_id]), self.db.transaction(write=True) as cur:
                rows: list[dict[str, Any]] = []
                record.body["history_changes"] = self._apply_group(cur, request, assessment, decision_id, rows)
                record.body["history_rows"] = rows
                self.log.append_in(cur, [record])
        return ps.AssessGroupResponse(decision_id=decision_id, assessment=assessment, policy_revision=evaluation.revision)

    def _apply_group(self, cur: Cursor, request: ps.AssessGroupRequest, assessment: assessments_pb2.GroupAssessment,
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
        self.store.save_designation(cur, designation, rows)
        self.cache.forget([a.account_id for a in group.linked_accounts], [group.group_id])
        linked, unknown = [], []
        for account in group.linked_accounts:
            if cur.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account.account_id,)).fetchone():
                self.store.link_group(cur, account.account_id, group.group_id, account.primarily_propagates, rows)
                linked.append(account.account_id)
            else:
                unknown.append(account.account_id)
        return {"designation": designation, "linked_accounts": linked, "unknown_accounts": unknown}
