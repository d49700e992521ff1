"""The transparency report (DSA Art. 15, 24) over a period, from the decision log.

Counts every Decide in the period by outcome, and every decision that
restricts (each has a statement of reasons) by policy, the clauses it rests
on, outcome, source, automation, ground and category; the median time from
the case's time to the decision; account suspensions; and the public-
interest exception's use by year (PI-8). Complaints get their place, but
verdict records no appeals yet: their figures are absent, never zero.

The result is a plain dict in the shape of the TransparencyReport message.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import timezone
from typing import Any

from verdict.v1 import decision_pb2

from server.dsa.decided import DecidedCase, NoDsaPolicy
from server.dsa.records import DsaRecords
from server.dsa.statement import automated_decision, automated_detection, restriction_clauses, source_type
from shared.timeutil import parse_rfc3339

NOT_STATED = " (not stated)"
NOTICE_RECOMMENDATIONS = {"RECOMMENDATION_NOTICE", "RECOMMENDATION_NOTICE_WITHOUT_PRIVATE_INFORMATION"}
COMPLAINTS_NOTE = (
    "verdict does not record appeals (Art. 20 complaints) yet; until it does, the complaint figures "
    "are absent, not zero."
)
NOTES = [
    "Decisions are counted by the time they were recorded, in [from, to).",
    "A restriction is a decision that restricts content or an account in the service's territory; "
    "each has one statement of reasons.",
    "'(not stated)': the case did not say; the statement gives the derived value (source from the reporter, "
    "automated detection 'No').",
    "Time to decision runs from the case's received_at, or its as_of when received_at was not given, "
    "to when the decision was recorded.",
    "PI-8 counts distinct posts by the year of the case (as_of). Whether a post is kept behind a notice is "
    "decided by senior Trust & Safety leadership (PI-3.4) outside verdict and not recorded, so that figure is "
    "absent; the recommendations for a notice and for removal are counted instead.",
]


class _Tally:
    def __init__(self) -> None:
        self.decisions = 0
        self.decisions_by_outcome: Counter[str] = Counter()
        self.restrictions = 0
        self.by: dict[str, Counter[str]] = defaultdict(Counter)
        self.waits: list[float] = []
        self.from_received = 0
        self.suspensions: Counter[str] = Counter()
        self.statement_errors = 0
        self.pi_years: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def public_interest(self, as_of: str, post: str, eligible: bool, recommendation: str) -> None:
        if not eligible:
            return
        year = self.pi_years[int(as_of[:4])]
        year["eligible"].add(post)
        if recommendation in NOTICE_RECOMMENDATIONS:
            year["notice"].add(post)
        elif recommendation == "RECOMMENDATION_REMOVAL":
            year["removal"].add(post)

    def restriction(self, records: DsaRecords, decided: DecidedCase) -> None:
        case, r = decided.case, decided.restriction
        self.restrictions += 1
        self.by["policy"][decided.policy] += 1
        for clause in restriction_clauses(decided, records.policy(decided.revision)):
            self.by["clause"][clause] += 1
        self.by["outcome"][decision_pb2.Outcome.Name(decided.decision.outcome)] += 1
        self.by["source_type"][source_type(case) + ("" if case.source_type else NOT_STATED)] += 1
        self.by["automated_detection"][automated_detection(case) + ("" if case.HasField("automated_detection") else NOT_STATED)] += 1
        self.by["automated_decision"][automated_decision(case)] += 1
        ground = "DECISION_GROUND_INCOMPATIBLE_CONTENT" if r.on_terms else "DECISION_GROUND_ILLEGAL_CONTENT"
        self.by["decision_ground"][ground] += 1
        try:
            category = records.policy(decided.revision).classify(decided.policy, decided.fact_category).category
        except NoDsaPolicy:
            category = "(not classified)"
        self.by["category"][category] += 1
        start = case.received_at if case.HasField("received_at") else case.as_of
        self.waits.append((parse_rfc3339(decided.recorded_at) - start.ToDatetime(tzinfo=timezone.utc)).total_seconds())
        self.from_received += case.HasField("received_at")
        if r.suspended:
            self.suspensions[decided.policy] += 1
        if records.derive(decided).statement is None:
            self.statement_errors += 1

    def as_dict(self, start: str, end: str) -> dict[str, Any]:
        by = {f"by_{name}": dict(sorted(self.by[name].items())) for name in
              ("policy", "clause", "outcome", "source_type", "automated_detection", "automated_decision", "decision_ground", "category")}
        return {
            "from": start, "to": end,
            "decisions": self.decisions, "decisions_by_outcome": dict(sorted(self.decisions_by_outcome.items())),
            "restrictions": self.restrictions, **by,
            "time_to_decision": {
                "measured": len(self.waits),
                "median_seconds": statistics.median(self.waits) if self.waits else 0.0,
                "from_received_at": self.from_received, "from_as_of": len(self.waits) - self.from_received,
            },
            "suspensions": {"total": sum(self.suspensions.values()), "by_policy": dict(sorted(self.suspensions.items()))},
            "complaints": {"available": False, "note": COMPLAINTS_NOTE},
            "public_interest": [
                {"year": year, "eligible_posts": len(sets["eligible"]), "notice_recommended": len(sets["notice"]),
                 "removal_recommended": len(sets["removal"])}
                for year, sets in sorted(self.pi_years.items())
            ],
            "statement_errors": self.statement_errors,
            "notes": list(NOTES),
        }


def transparency_report(records: DsaRecords, start: str, end: str) -> dict[str, Any]:
    """The report's figures for decisions recorded in [start, end) (RFC 3339)."""
    tally = _Tally()
    for record in records.decisions(start, end):
        decided = records.decided(record)
        tally.decisions += 1
        tally.decisions_by_outcome[record.outcome] += 1
        pi = decided.decision.public_interest
        tally.public_interest(record.body["input"]["as_of"], record.post_id or record.decision_id, pi.eligible,
                              decision_pb2.Recommendation.Name(pi.recommendation))
        try:
            territory = records.policy(decided.revision).territory
        except NoDsaPolicy:
            tally.statement_errors += decided.restriction.on_terms or bool(decided.restriction.withheld_in)
            continue
        if decided.restriction.restricts_in(territory):
            tally.restriction(records, decided)
    for record in records.decisions(start, end, kind="check_public_interest"):
        result = record.body.get("result") or {}
        tally.public_interest(record.body["input"]["as_of"], record.post_id or record.decision_id, bool(result.get("eligible")),
                              str(result.get("recommendation", "")))
    return tally.as_dict(start, end)
