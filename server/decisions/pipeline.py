"""The decision path, composed in one place: prepare -> evaluate -> record (-> enforce, when applied).

Each RPC of the PolicyService is a short sequence of the four steps. Every
call that decides writes its log record before it returns, and an error
anywhere means no decision is returned: the server fails closed.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from google.protobuf import json_format

from verdict.v1 import case_pb2, decision_pb2, policy_service_pb2 as ps

from server.db.database import Cursor, Database
from server.decisions.contract import DECIDE, GROUP, PUBLIC_INTEREST, REPORT
from server.decisions.enforce import Enforcer
from server.decisions.evaluate import Evaluator
from server.decisions.prepare import Preparer
from server.decisions.record import (PartlyRecorded, Recorder, apply_record, apply_record_id, evaluated_record, new_decision_id,
                                     unknown_outcome_names)
from server.decisions.results import (assessment_from_result, decision_from_record, decision_from_result,
                                      group_from_result, report_from_result)
from shared.timeutil import rfc3339

if TYPE_CHECKING:
    from server.engine.embedded import EmbeddedEngine
    from shared.tlog.record import LogRecord


@dataclass
class DecisionPipeline:
    """The four steps, wired; ``db`` is where applying transactions run."""

    prepare: Preparer
    evaluate: Evaluator
    record: Recorder
    enforce: Enforcer
    db: Database
    clock: Callable

    def __post_init__(self) -> None:
        self._batch_pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="batch")


    def decide(self, request: ps.DecideRequest, caller: str) -> decision_pb2.Decision:
        if request.apply:
            return self._decide_and_apply(request, caller)
        decision, record = self._decide(request, caller)
        self.record.append(record)
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
        self.record.append_many(records)
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
        prepared = self.prepare.case(request, cur)
        if engine is None:
            evaluation = self.evaluate.evaluate(DECIDE, prepared.input, cur)
            catalog = self.evaluate.catalog(evaluation.revision)
        else:
            evaluation, catalog = self.evaluate.try_on(engine, DECIDE, prepared.input)
        decision_id, recorded_at = new_decision_id(), rfc3339(self.clock())
        decision = decision_from_result(
            evaluation.result, catalog, decision_id, evaluation.revision, prepared.input["as_of"], recorded_at, applied,
        )
        timings = {"enrich": prepared.enrich_ms, "evaluate": evaluation.eval_ms, "total": (time.perf_counter() - started) * 1000}
        content = request.case.content
        record = evaluated_record(
            "decide", decision_id, caller, DECIDE, evaluation, prepared.input, prepared.request, recorded_at, timings,
            enrichment=prepared.enrichment, account_id=content.author_account_id, post_id=content.post_id,
            policy=case_pb2.Policy.Name(request.case.violation.policy), outcome=decision_pb2.Outcome.Name(decision.outcome),
            extra={"applied": applied},
        )
        return decision, record

    def _decide_and_apply(self, request: ps.DecideRequest, caller: str) -> decision_pb2.Decision:
        """Decide and record in the account's history in one transaction that
        holds the account's lock: concurrent applies see each other."""
        written: list[str] = []
        with unknown_outcome_names(written):
            with self.db.transaction(write=True) as cur:
                self.enforce.lock(cur, request.case.content.author_account_id)
                decision, record = self._decide(request, caller, cur, applied=True)
                record.body["history_changes"], record.body["history_rows"] = self.enforce.apply_effects(cur, decision, request.case)
                self.record.append_in(cur, [record])
                written.append(record.decision_id)
        return decision


    def apply(self, decision_id: str, caller: str) -> decision_pb2.Decision:
        """Record an earlier decision in the account's history, once; applying it
        again (a retry, or a race with the first apply) answers the applied decision.

        Refused (HistoryChanged) when the history moved on since the decision was made.
        """
        original = self.record.get(decision_id)  # log records never change: read before locking
        if original.kind != "decide":
            raise LookupError(f"{decision_id} is a {original.kind} record, not a decision")
        body = original.body
        decision = decision_from_record(body, self.evaluate.catalog(original.revision))
        decision.applied = True
        if body.get("applied"):
            return decision
        apply_id = apply_record_id(decision_id)
        with unknown_outcome_names([apply_id]), self.db.transaction(write=True) as cur:
            # The account's lock first, then look for an apply: an apply of this decision that
            # committed while this one waited for the lock is seen, and answered as applied.
            self.enforce.lock(cur, original.account_id)
            if self.record.exists(apply_id, cur):
                return decision
            self.enforce.check_unchanged(cur, original.account_id, body["enrichment"]["account"]["history_version"], decision_id)
            case = json_format.ParseDict(body["input"]["case"], case_pb2.Case())
            changes, rows = self.enforce.apply_effects(cur, decision, case)
            self.record.append_in(cur, [apply_record(original, caller, rfc3339(self.clock()), changes, rows)])
        return decision


    def check_public_interest(self, request: ps.CheckPublicInterestRequest, caller: str) -> ps.CheckPublicInterestResponse:
        started = time.perf_counter()
        prepared = self.prepare.case(request)
        evaluation = self.evaluate.evaluate(PUBLIC_INTEREST, prepared.input)
        assessment = assessment_from_result(evaluation.result, self.evaluate.catalog(evaluation.revision))
        decision_id, recorded_at, content = new_decision_id(), rfc3339(self.clock()), request.case.content
        self.record.append(evaluated_record(
            "check_public_interest", decision_id, caller, PUBLIC_INTEREST, evaluation, prepared.input, prepared.request,
            recorded_at, {"enrich": prepared.enrich_ms, "evaluate": evaluation.eval_ms, "total": (time.perf_counter() - started) * 1000},
            enrichment=prepared.enrichment, account_id=content.author_account_id, post_id=content.post_id,
            policy=case_pb2.Policy.Name(request.case.violation.policy), outcome="ELIGIBLE" if assessment.eligible else "NOT_ELIGIBLE",
        ))
        return ps.CheckPublicInterestResponse(decision_id=decision_id, assessment=assessment, policy_revision=evaluation.revision)

    def _assess(self, kind: str, query: str, request_doc: dict[str, Any], input_doc: dict[str, Any], convert: Callable,
                caller: str, policy: int, outcome_of: Callable[[Any], str], extra: dict[str, Any] | None = None,
                ) -> tuple[str, Any, str, LogRecord]:
        """Evaluate an assessment (report, group); its ID, the assessment, the revision, its log record."""
        started = time.perf_counter()
        evaluation = self.evaluate.evaluate(query, input_doc)
        assessment = convert(evaluation.result, self.evaluate.catalog(evaluation.revision))
        decision_id = new_decision_id()
        record = evaluated_record(
            kind, decision_id, caller, query, evaluation, input_doc, request_doc, rfc3339(self.clock()),
            {"evaluate": evaluation.eval_ms, "total": (time.perf_counter() - started) * 1000},
            policy=case_pb2.Policy.Name(policy), outcome=outcome_of(assessment), extra=extra,
        )
        return decision_id, assessment, evaluation.revision, record

    def assess_report(self, request: ps.AssessReportRequest, caller: str) -> ps.AssessReportResponse:
        request_doc = self.prepare.masked(request)
        input_doc = {"as_of": request_doc["report"]["as_of"], "report": request_doc["report"]}
        decision_id, assessment, revision, record = self._assess(
            "assess_report", REPORT, request_doc, input_doc, report_from_result, caller, request.report.policy,
            lambda a: "ADMISSIBLE" if a.admissible else "INADMISSIBLE",
        )
        self.record.append(record)
        return ps.AssessReportResponse(decision_id=decision_id, assessment=assessment, policy_revision=revision)

    def assess_group(self, request: ps.AssessGroupRequest, caller: str) -> ps.AssessGroupResponse:
        request_doc = self.prepare.masked(request)
        input_doc = {"as_of": request_doc["as_of"], "group": request_doc["group"]}
        decision_id, assessment, revision, record = self._assess(
            "assess_group", GROUP, request_doc, input_doc, group_from_result, caller, case_pb2.POLICY_COORDINATED_HARMFUL_ACTIVITY,
            lambda a: decision_pb2.Outcome.Name(a.outcome), extra={"applied": request.apply},
        )
        if not request.apply:
            self.record.append(record)
        else:
            with unknown_outcome_names([decision_id]), self.db.transaction(write=True) as cur:
                rows: list[dict[str, Any]] = []
                record.body["history_changes"] = self.enforce.apply_group(cur, request, assessment, decision_id, rows)
                record.body["history_rows"] = rows
                self.record.append_in(cur, [record])
        return ps.AssessGroupResponse(decision_id=decision_id, assessment=assessment, policy_revision=revision)
