"""What a policy answer must hold before it is a decision, per query.

OPA answering ``{"result": {}}`` (a bundle without the rule, a package
that lost it), an outcome UNSPECIFIED or a reason without its clause would
otherwise become an OK answer with no outcome, logged as a decision. Every
result is checked against the contract of its query (a JSON Schema,
validated with ``jsonschema`` like the DSA statements) before anything is
made of it; one that breaks it is no decision: the call fails closed and
nothing is logged. The enumerations come from the proto, so the contract
moves with the API.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from google.protobuf.descriptor import EnumDescriptor
from jsonschema import Draft202012Validator

from verdict.v1 import case_pb2, decision_pb2

from server.decisions.results import PolicyContractError

DECIDE = "verdict/decision/result"
PUBLIC_INTEREST = "verdict/pi/assessment"
REPORT = "verdict/report/result"
GROUP = "verdict/group/result"


def _named(enum: EnumDescriptor) -> dict[str, Any]:
    """One of the enum's values by name, UNSPECIFIED excluded: a policy always says which."""
    return {"enum": [v.name for v in enum.values if v.number != 0], "title": enum.name}


_TEXT = {"type": "string", "minLength": 1}
_REASONS = {
    "type": "array", "minItems": 1,
    "items": {"type": "object", "required": ["clause_id", "kind"],
              "properties": {"clause_id": _TEXT, "kind": _named(decision_pb2.ReasonKind.DESCRIPTOR)}},
}
_ASSESSMENT = {
    "type": "object", "required": ["eligible", "criteria", "reasons"],
    "properties": {"eligible": {"type": "boolean"}, "criteria": {"type": "array"}, "reasons": _REASONS},
}
CONTRACTS: dict[str, dict[str, Any]] = {
    DECIDE: {
        "type": "object",
        "required": ["outcome", "reasons", "effects", "enforcement", "public_interest", "policy", "summary_en", "summary_nl"],
        "properties": {
            "outcome": _named(decision_pb2.Outcome.DESCRIPTOR), "reasons": _REASONS,
            "effects": {"type": "object"}, "enforcement": {"type": "object"}, "public_interest": _ASSESSMENT,
            "policy": _named(case_pb2.Policy.DESCRIPTOR), "summary_en": _TEXT, "summary_nl": _TEXT,
        },
    },
    PUBLIC_INTEREST: _ASSESSMENT,
    REPORT: {
        "type": "object", "required": ["admissible", "reasons"],
        "properties": {"admissible": {"type": "boolean"}, "reasons": _REASONS},
    },
    GROUP: {
        "type": "object", "required": ["designated", "outcome", "reasons"],
        "properties": {"designated": {"type": "boolean"}, "outcome": _named(decision_pb2.Outcome.DESCRIPTOR),
                       "reasons": _REASONS},
    },
}


@lru_cache(maxsize=None)
def _validator(query: str) -> Draft202012Validator:
    return Draft202012Validator(CONTRACTS[query])


def _say(error: Any) -> str:
    where = "result" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    if error.validator == "enum":
        return f"{where}: {str(error.instance)[:80]!r} is not one of the {error.schema.get('title', 'enum')} values (UNSPECIFIED is no answer)"
    if error.validator == "minItems" and not error.instance:
        return f"{where}: is empty (a decision rests on at least one reason)"
    return f"{where}: {error.message[:200]}"


def check_result(query: str, result: Any) -> None:
    """Raise PolicyContractError naming what the result of ``query`` lacks (up to eight problems)."""
    errors = list(_validator(query).iter_errors(result))
    if errors:
        said = "; ".join(_say(e) for e in errors[:8]) + (f" (and {len(errors) - 8} more)" if len(errors) > 8 else "")
        raise PolicyContractError(f"the answer to {query} is not a decision: {said}")
