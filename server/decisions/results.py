"""From what the Rego policy returned to the protobuf messages the API sends."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from verdict.v1 import assessments_pb2, decision_pb2


class PolicyContractError(Exception):
    """The policy's output does not fit the API messages (a policy bug)."""


def parse_result(result: Any, message: Message, query: str) -> Message:
    try:
        return json_format.ParseDict(result, message)
    except (json_format.ParseError, TypeError, AttributeError) as exc:
        raise PolicyContractError(f"the result of {query} does not fit {message.DESCRIPTOR.full_name}: {exc}") from None


def decision_from_result(
    result: Any, decision_id: str, revision: str, as_of: str, decided_at: str, applied: bool,
) -> decision_pb2.Decision:
    decision = parse_result(result, decision_pb2.Decision(), "verdict/decision/result")
    decision.decision_id = decision_id
    decision.policy_revision = revision
    decision.as_of.FromJsonString(as_of)
    decision.decided_at.FromJsonString(decided_at)
    decision.applied = applied
    return decision


def decision_from_record(body: dict[str, Any]) -> decision_pb2.Decision:
    """The Decision as it was answered, rebuilt from its log record."""
    return decision_from_result(
        body["result"], body["decision_id"], body["engine"]["revision"], body["input"]["as_of"],
        body["recorded_at"], bool(body.get("applied")),
    )


def assessment_from_result(result: Any) -> decision_pb2.PublicInterestAssessment:
    return parse_result(result, decision_pb2.PublicInterestAssessment(), "verdict/pi/assessment")


def report_from_result(result: Any) -> assessments_pb2.ReportAssessment:
    return parse_result(result, assessments_pb2.ReportAssessment(), "verdict/report/result")


def group_from_result(result: Any) -> assessments_pb2.GroupAssessment:
    return parse_result(result, assessments_pb2.GroupAssessment(), "verdict/group/result")


def cited_clauses(result: Any) -> list[str]:
    """The clause IDs a result cites in its reasons (indexed for audit queries)."""
    if not isinstance(result, dict):
        return []
    return sorted({r["clause_id"] for r in result.get("reasons", []) if isinstance(r, dict) and "clause_id" in r})
