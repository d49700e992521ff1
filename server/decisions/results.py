"""From what the Rego policy returned to the protobuf messages the API sends.

The policy answers with clause IDs and kinds of reasons; the words come
from the clause catalog of the same revision: the English and Dutch
sentence, or for an unmet criterion the catalog's en_not/nl_not.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from google.protobuf.message import Message

from verdict.v1 import assessments_pb2, decision_pb2

from server.decisions.fastproto import ProtoShapeError, fill, set_timestamp
from server.engine.catalog import Catalog

_NOT_MET = decision_pb2.REASON_KIND_CRITERION_NOT_MET


class PolicyContractError(Exception):
    """The policy's output does not fit the API messages (a policy bug)."""


def _number(value: str, lang: str) -> str:
    """A whole number the way the language writes it: 100,000 / 100.000."""
    if not value.isdigit():
        return value
    grouped = f"{int(value):,}"
    return grouped.replace(",", ".") if lang == "nl" else grouped


def words(catalog: Catalog, clause_id: str, not_met: bool = False, values: Mapping[str, str] | None = None,
           missing: Sequence[str] = ()) -> tuple[str, str]:
    """The catalog sentence in English and Dutch, worded for the values the
    reason carries ({followers}, {posts}), and naming the facts not stated."""
    entry = catalog.get(clause_id)
    if entry is None:
        raise PolicyContractError(f"the policy cites {clause_id}, which its clause catalog does not have")
    en, nl = (entry.get("en_not", entry["en"]), entry.get("nl_not", entry["nl"])) if not_met else (entry["en"], entry["nl"])
    for name, value in (values or {}).items():
        en = en.replace("{" + name + "}", _number(value, "en"))
        nl = nl.replace("{" + name + "}", _number(value, "nl"))
    if missing:
        facts = ", ".join(missing)
        en, nl = f"Not stated ({facts}), so not established: {en}", f"Niet vermeld ({facts}), dus niet vastgesteld: {nl}"
    return en, nl


def put_in_words(reasons: Any, catalog: Catalog) -> None:
    for r in reasons:
        r.text_en, r.text_nl = words(catalog, r.clause_id, r.kind == _NOT_MET, r.values, r.missing_facts)


def _assessment_words(assessment: decision_pb2.PublicInterestAssessment, catalog: Catalog) -> None:
    put_in_words(assessment.reasons, catalog)
    for c in assessment.criteria:
        c.text_en, c.text_nl = words(catalog, c.clause_id, not c.met, c.values)
    for f in assessment.factors:
        f.text_en, f.text_nl = words(catalog, f.clause_id)


def parse_result(result: Any, message: Message, query: str) -> Message:
    try:
        return fill(message, result)
    except ProtoShapeError as exc:
        raise PolicyContractError(f"the result of {query} does not fit {message.DESCRIPTOR.full_name}: {exc}") from None


def decision_from_result(
    result: Any, catalog: Catalog, decision_id: str, revision: str, as_of: str, decided_at: str, applied: bool,
) -> decision_pb2.Decision:
    decision = parse_result(result, decision_pb2.Decision(), "verdict/decision/result")
    put_in_words(decision.reasons, catalog)
    _assessment_words(decision.public_interest, catalog)
    decision.decision_id = decision_id
    decision.policy_revision = revision
    set_timestamp(decision.as_of, as_of)
    set_timestamp(decision.decided_at, decided_at)
    decision.applied = applied
    return decision


def decision_from_record(body: dict[str, Any], catalog: Catalog) -> decision_pb2.Decision:
    """The Decision as it was answered, rebuilt from its log record."""
    return decision_from_result(
        body["result"], catalog, body["decision_id"], body["engine"]["revision"], body["input"]["as_of"],
        body["recorded_at"], bool(body.get("applied")),
    )


def assessment_from_result(result: Any, catalog: Catalog) -> decision_pb2.PublicInterestAssessment:
    assessment = parse_result(result, decision_pb2.PublicInterestAssessment(), "verdict/pi/assessment")
    _assessment_words(assessment, catalog)
    return assessment


def report_from_result(result: Any, catalog: Catalog) -> assessments_pb2.ReportAssessment:
    report = parse_result(result, assessments_pb2.ReportAssessment(), "verdict/report/result")
    put_in_words(report.reasons, catalog)
    return report


def group_from_result(result: Any, catalog: Catalog) -> assessments_pb2.GroupAssessment:
    group = parse_result(result, assessments_pb2.GroupAssessment(), "verdict/group/result")
    put_in_words(group.reasons, catalog)
    return group


def cited_clauses(result: Any) -> list[str]:
    """The clause IDs a result cites in its reasons (indexed for audit queries)."""
    if not isinstance(result, dict):
        return []
    return sorted({r["clause_id"] for r in result.get("reasons", []) if isinstance(r, dict) and "clause_id" in r})
