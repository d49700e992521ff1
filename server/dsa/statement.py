"""The statement of reasons (DSA Art. 17) for one decision, as the Transparency Database takes it.

Every field is derived from the logged decision and the revision it was
made with, by the rules below; nothing is typed by hand:

- effects -> decision_visibility / decision_provision / decision_account and
  their end dates (a lock's end, a CHA-11 limit's expiry; none for a
  permanent suspension or a removal);
- the clauses the decision rests on -> the contractual ground and its
  explanation; a PI-7 withholding alone -> the legal ground;
- the policy (and its facts' category) -> category and keywords, from the
  revision's data.verdict.dsa;
- the case -> content type, date and language, source, automation;
- the reasons in words -> decision_facts, without personal data: a statement
  that would carry an ID or masked value of the record is refused.
"""

from __future__ import annotations

import re
from typing import Any

from verdict.v1 import case_pb2, decision_pb2, dsa_case_pb2

from server.dsa.decided import DecidedCase, DsaPolicy, NoStatement
from server.dsa.restriction import Restriction, date_of
from server.dsa.text import fit_sentences

SOURCE_TYPES = {
    dsa_case_pb2.SOURCE_TYPE_ARTICLE_16_NOTICE: "SOURCE_ARTICLE_16",
    dsa_case_pb2.SOURCE_TYPE_TRUSTED_FLAGGER: "SOURCE_TRUSTED_FLAGGER",
    dsa_case_pb2.SOURCE_TYPE_OTHER_NOTIFICATION: "SOURCE_TYPE_OTHER_NOTIFICATION",
    dsa_case_pb2.SOURCE_TYPE_OWN_INITIATIVE: "SOURCE_VOLUNTARY",
}
GROUND_KINDS = (decision_pb2.REASON_KIND_VIOLATION, decision_pb2.REASON_KIND_CONSEQUENCE)
LOCAL_LAW = "PI-7"
PUBLIC_INTEREST = "PI"  # the catalog's policy code of the public-interest exception


class PersonalDataError(ValueError):
    """A statement would carry an identifier of the record; it is not given out."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.message = "would contain an ID or masked value from the case (personal data); the statement is withheld"
        super().__init__(f"{field}: {self.message}")


def source_type(case: case_pb2.Case) -> str:
    """How the platform learned of the content; not stated: from the reporter."""
    if case.source_type in SOURCE_TYPES:
        return SOURCE_TYPES[case.source_type]
    return "SOURCE_TYPE_OTHER_NOTIFICATION" if case.HasField("reporter") else "SOURCE_VOLUNTARY"


def automated_detection(case: case_pb2.Case) -> str:
    return "Yes" if case.HasField("automated_detection") and case.automated_detection else "No"


def automated_decision(case: case_pb2.Case) -> str:
    """The server decides from facts by rules: automated, partially when a person established the facts."""
    return "AUTOMATED_DECISION_PARTIALLY" if case.human_reviewed else "AUTOMATED_DECISION_FULLY"


def ground_reasons(decided: DecidedCase, policy: DsaPolicy) -> list[decision_pb2.Reason]:
    """The reasons the restriction rests on under the terms: the violations, the criteria that
    establish them (e.g. TVE-2: the group is a terrorist organisation) and the consequences;
    not the public-interest exception's criteria, and not PI-7 (a legal ground)."""
    def grounds(r: decision_pb2.Reason) -> bool:
        if r.clause_id == LOCAL_LAW:
            return False
        if r.kind == decision_pb2.REASON_KIND_CRITERION_MET:
            return policy.catalog.get(r.clause_id, {}).get("policy") != PUBLIC_INTEREST
        return r.kind in GROUND_KINDS

    reasons = [r for r in decided.decision.reasons if grounds(r)]
    return reasons or [r for r in decided.decision.reasons if r.clause_id != LOCAL_LAW]


def restriction_clauses(decided: DecidedCase, policy: DsaPolicy) -> list[str]:
    """The clauses a restriction rests on: the terms' ground, or PI-7 for a withholding alone."""
    if not decided.restriction.on_terms:
        return [LOCAL_LAW]
    return list(dict.fromkeys(r.clause_id for r in ground_reasons(decided, policy)))


def withheld_in_territory(decided: DecidedCase, policy: DsaPolicy) -> list[str]:
    return [c for c in decided.restriction.withheld_in if c in policy.territory]


def _visibility(r: Restriction, withheld: list[str]) -> list[str]:
    kinds = []
    if r.removed:
        kinds.append("DECISION_VISIBILITY_CONTENT_REMOVED")
    elif withheld:
        kinds.append("DECISION_VISIBILITY_CONTENT_DISABLED")
    if r.demoted:
        kinds.append("DECISION_VISIBILITY_CONTENT_DEMOTED")
    if r.interaction_restricted:
        kinds.append("DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED")
    if r.labelled:
        kinds.append("DECISION_VISIBILITY_CONTENT_LABELLED")
    return kinds


def _content_type(case: case_pb2.Case) -> tuple[list[str], str]:
    stated = list(dict.fromkeys(dsa_case_pb2.ContentType.Name(t) for t in case.content_types if t))
    profile = case.content.kind == case_pb2.CONTENT_KIND_PROFILE
    names = stated or (["CONTENT_TYPE_TEXT"] if profile else ["CONTENT_TYPE_OTHER"])
    if "CONTENT_TYPE_OTHER" not in names:
        return names, ""
    if profile:
        return names, "Profile fields of the account"
    return names, "A post of a kind not listed" if stated else "A post; what media it consists of was not stated"


def _restriction_facts(r: Restriction, withheld: list[str]) -> list[str]:
    facts = []
    if r.removed:
        facts.append("The content was removed.")
    elif withheld:
        facts.append(f"The content is withheld in {', '.join(withheld)}, where the law requires it (PI-7).")
    if r.demoted:
        until = f" until {r.demoted_until}" if r.demoted_until else ""
        facts.append(f"The visibility of the content and the account is limited{until} (not in search, replies, timelines or recommendations).")
    if r.interaction_restricted:
        facts.append("Likes, reposts and sharing of the content are disabled.")
    if r.labelled:
        facts.append("The content stays viewable behind a notice.")
    if r.locked:
        until = "until the content is removed" if r.lock_until_removed else f"until {r.lock_until}"
        facts.append(f"The account is locked {until}: it cannot post.")
    if r.suspended:
        facts.append("The account is permanently suspended.")
    return facts


_SOURCE_FACTS = {
    "SOURCE_ARTICLE_16": "It followed a notice of illegal content under Article 16 DSA.",
    "SOURCE_TRUSTED_FLAGGER": "It followed a notice from a trusted flagger (Article 22 DSA).",
    "SOURCE_TYPE_OTHER_NOTIFICATION": "It followed a report about the content.",
    "SOURCE_VOLUNTARY": "It was taken on the platform's own initiative.",
}


def _decision_facts(decided: DecidedCase, policy: DsaPolicy, statement: dict[str, Any], withheld: list[str]) -> str:
    d = decided.decision
    sentences = [
        f"Decision of {statement['application_date']} under the {policy.policy_name(decided.policy, 'en')} policy "
        f"of the terms of service (policy revision {decided.revision[:12]}).",
        _SOURCE_FACTS[statement["source_type"]],
        "The content was detected by automated means." if statement["automated_detection"] == "Yes"
        else "The content was not detected by automated means.",
        "A reviewer established the facts; the rules were applied to them by automated means."
        if statement["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
        else "The rules were applied by automated means to the facts established, without human review.",
        *_restriction_facts(decided.restriction, withheld),
        "Facts and circumstances relied on:",
        *(f"{r.clause_id}: {r.text_en}" for r in d.reasons),
    ]
    if d.enforcement.prior_violations:
        sentences.append(f"Earlier violations of this policy recorded for the account: {d.enforcement.prior_violations}.")
    return fit_sentences(sentences, 5000)


def _ground(decided: DecidedCase, policy: DsaPolicy, withheld: list[str]) -> dict[str, str]:
    case, r = decided.case, decided.restriction
    if not r.on_terms:  # only withheld where the law requires it (PI-7): the legal ground
        law = case.legal_ground or f"The national law of {', '.join(withheld)}, which requires the content to be withheld there"
        local_law = next((x.text_en for x in decided.decision.reasons if x.clause_id == LOCAL_LAW), "")
        return {
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": fit_sentences([law], 500),
            "illegal_content_explanation": fit_sentences([local_law, f"Withheld in: {', '.join(withheld)}."], 2000),
        }
    reasons = ground_reasons(decided, policy)
    clauses = list(dict.fromkeys(f"{x.clause_id} {policy.title(x.clause_id)}".strip() for x in reasons))
    prefix = f"Terms of service, {policy.policy_name(decided.policy, 'en')} policy: "
    ground = {
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": prefix + fit_sentences(clauses, 500 - len(prefix), sep="; "),
        "incompatible_content_explanation": fit_sentences(dict.fromkeys(x.text_en for x in reasons), 2000),
    }
    if case.legal_ground or withheld:
        ground["incompatible_content_illegal"] = "Yes"
    return ground


# Shorter values ("EU", "1") cannot be told from the words and numbers of a text.
MIN_IDENTIFIER = 3


def _identifier_pattern(identifiers: frozenset[str]) -> re.Pattern[str] | None:
    words = sorted((i for i in identifiers if len(i) >= MIN_IDENTIFIER), key=len, reverse=True)
    if not words:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in words)})(?!\w)")


def contains_identifier(text: str, identifiers: frozenset[str]) -> bool:
    """Whether any identifier (of 3 characters or more) appears in the text, not as part of a longer word."""
    pattern = _identifier_pattern(identifiers)
    return pattern is not None and pattern.search(text) is not None


def check_no_identifiers(statement: dict[str, Any], identifiers: frozenset[str]) -> None:
    """Refuse a statement in which any ID or masked value of the record appears as a word."""
    pattern = _identifier_pattern(identifiers)
    if pattern is None:
        return
    for field, value in statement.items():
        values = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
        if field != "puid" and any(isinstance(v, str) and pattern.search(v) for v in values):
            raise PersonalDataError(field)


def statement_of(decided: DecidedCase, policy: DsaPolicy) -> dict[str, Any]:
    """The statement as sent to POST /api/v1/statement; NoStatement if nothing is restricted here."""
    r, case = decided.restriction, decided.case
    if not r.restricts_in(policy.territory):
        raise NoStatement(f"decision {decided.decision_id} ({decision_pb2.Outcome.Name(decided.decision.outcome)}) "
                          "restricts nothing in the service's territory: no statement of reasons is due")
    withheld = withheld_in_territory(decided, policy)
    out: dict[str, Any] = {}
    visibility = _visibility(r, withheld)
    if visibility:
        out["decision_visibility"] = visibility
        if visibility == ["DECISION_VISIBILITY_CONTENT_DEMOTED"] and r.demoted_until:
            out["end_date_visibility_restriction"] = r.demoted_until
    if r.locked:
        out["decision_provision"] = "DECISION_PROVISION_PARTIAL_SUSPENSION"
        if r.lock_until_date:
            out["end_date_service_restriction"] = r.lock_until_date
    if r.suspended:
        out["decision_account"] = "DECISION_ACCOUNT_SUSPENDED"
    out.update(_ground(decided, policy, withheld))
    out["content_type"], other = _content_type(case)
    if other:
        out["content_type_other"] = other
    classification = policy.classify(decided.policy, decided.fact_category)
    out["category"] = classification.category
    if classification.category_addition:
        out["category_addition"] = list(classification.category_addition)
    out["category_specification"] = list(classification.keywords)
    if classification.keyword_other:
        out["category_specification_other"] = classification.keyword_other
    out["territorial_scope"] = withheld if not r.on_terms else list(policy.territory)
    if case.content_language:
        out["content_language"] = case.content_language.upper()
    out["content_date"] = date_of(case.content.posted_at if case.content.HasField("posted_at") else case.as_of)
    out["application_date"] = date_of(case.as_of)
    out["source_type"] = source_type(case)
    out["automated_detection"] = automated_detection(case)
    out["automated_decision"] = automated_decision(case)
    out["decision_facts"] = _decision_facts(decided, policy, out, withheld)
    out["puid"] = decided.decision_id
    check_no_identifiers(out, decided.identifiers)
    return out
