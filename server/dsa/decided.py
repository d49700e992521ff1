"""What a statement is made from: a logged decision and its policy revision.

``DecidedCase`` is one decision as the log holds it (the masked case, the
decision in words from the revision's catalog, what it restricts);
``DsaPolicy`` is what that revision's bundle says about the DSA
(``data.verdict.dsa``: the classification of each policy, the service's
territory, the complaint window, the policies' names). Both come from the
log and the archive only, so a statement derived today and one derived a
year from now are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from google.protobuf import json_format

from verdict.v1 import case_pb2, decision_pb2

from shared.tlog.record import LogRecord
from server.decisions.results import decision_from_record
from server.engine.catalog import Catalog
from server.dsa.restriction import Restriction, restriction_of


class NoStatement(Exception):
    """The record is not a decision that restricts anything: no statement is due."""


class NoDsaPolicy(Exception):
    """The decision's revision has no DSA policy data (data.verdict.dsa)."""


@dataclass(frozen=True)
class Classification:
    category: str
    keywords: tuple[str, ...]
    category_addition: tuple[str, ...] = ()
    keyword_other: str = ""


@dataclass(frozen=True)
class DsaPolicy:
    territory: tuple[str, ...]
    complaint_window_months: int
    classification: Mapping[str, Any]
    policy_names: Mapping[str, Mapping[str, str]]
    catalog: Catalog

    @classmethod
    def from_bundle_data(cls, data: Mapping[str, Any], catalog: Catalog, revision: str) -> "DsaPolicy":
        dsa = (data.get("verdict") or {}).get("dsa")
        if not dsa:
            raise NoDsaPolicy(f"policy revision {revision[:12]} has no DSA data (rego/verdict/dsa/data.json)")
        return cls(
            territory=tuple(dsa["service_territory"]), complaint_window_months=int(dsa["complaint_window_months"]),
            classification=dsa["classification"], policy_names=dsa["policy_names"], catalog=catalog,
        )

    def classify(self, policy: str, fact_category: str) -> Classification:
        """The policy's category and keywords, refined by the category of its facts."""
        entry = self.classification.get(policy)
        if entry is None:
            raise NoDsaPolicy(f"{policy} has no DSA classification in data.verdict.dsa")
        entry = (entry.get("by_category") or {}).get(fact_category, entry)
        return Classification(entry["category"], tuple(entry["keywords"]), tuple(entry.get("category_addition", ())),
                              entry.get("keyword_other", ""))

    def policy_name(self, policy: str, lang: str) -> str:
        return self.policy_names.get(policy, {}).get(lang) or policy.removeprefix("POLICY_").replace("_", " ").lower()

    def title(self, clause_id: str) -> str:
        return str(self.catalog.get(clause_id, {}).get("title", ""))


# Fields of the logged input whose values identify someone or something:
# none of them, masked or not, may reach a statement.
_IDENTIFYING_KEYS = {"post_id", "author_account_id", "account_id", "case_id", "group_id", "reporter_id",
                     "subject_id", "information", "location", "decision_id"}


def _identifiers(doc: Any, found: set[str]) -> None:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in _IDENTIFYING_KEYS and isinstance(value, str) and value:
                found.add(value)
            elif key == "groups" and isinstance(value, dict):
                found.update(value)  # designations are keyed by group ID
            _identifiers(value, found)
    elif isinstance(doc, list):
        for item in doc:
            _identifiers(item, found)
    elif isinstance(doc, str) and doc.startswith("hmac:"):
        found.add(doc)


@dataclass(frozen=True)
class DecidedCase:
    decision_id: str
    recorded_at: str
    revision: str
    case: case_pb2.Case            # as logged: private fields masked
    decision: decision_pb2.Decision
    restriction: Restriction
    identifiers: frozenset[str]    # IDs and masked values in the record

    @property
    def policy(self) -> str:
        return case_pb2.Policy.Name(self.case.violation.policy)

    @property
    def fact_category(self) -> str:
        """The category of the violation's facts (EI_CATEGORY_..., ...), or ""."""
        kind = self.case.violation.WhichOneof("facts")
        facts = getattr(self.case.violation, kind) if kind else None
        field = facts.DESCRIPTOR.fields_by_name.get("category") if facts is not None else None
        if field is None or not getattr(facts, "category"):
            return ""
        return field.enum_type.values_by_number[facts.category].name


def decided_case(record: LogRecord, catalog: Catalog) -> DecidedCase:
    """The decision of a ``decide`` record, in words from its revision's catalog."""
    if record.kind != "decide":
        raise NoStatement(f"{record.decision_id} is a {record.kind} record, not a decision")
    body = record.body
    decision = decision_from_record(body, catalog)
    case = json_format.ParseDict(body["input"]["case"], case_pb2.Case(), ignore_unknown_fields=True)
    found: set[str] = {record.account_id, record.post_id} - {""}
    _identifiers(body.get("input"), found)
    _identifiers(body.get("request"), found)
    found.discard(record.decision_id)  # the statement's puid
    return DecidedCase(record.decision_id, record.recorded_at, record.revision, case, decision,
                       restriction_of(decision.effects), frozenset(found))
