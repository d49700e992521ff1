"""The pieces of a statement that need no server: effects to restrictions,
texts within the database's limits, dates, and the personal-data guard."""

from __future__ import annotations

from datetime import date

import pytest
from google.protobuf import json_format

from server.dsa.decided import DecidedCase, DsaPolicy
from server.dsa.notice import add_months
from server.dsa.restriction import restriction_of
from server.dsa.schema import enumeration, validate
from server.dsa.statement import PersonalDataError, check_no_identifiers, statement_of
from server.dsa.text import fit_sentences
from server.engine.bundle import Bundle
from server.engine.catalog import catalog_of
from verdict.v1 import case_pb2, decision_pb2

from tests.conftest import REGO

BUNDLE = Bundle.from_directory(REGO)


def effects(**doc) -> decision_pb2.Effects:
    return json_format.ParseDict(doc, decision_pb2.Effects())


def test_effects_become_restrictions():
    r = restriction_of(effects(remove_content=True, lock={"ends_at": "2024-11-06T03:00:00Z"}))
    assert (r.removed, r.locked, r.lock_until, r.lock_until_date, r.suspended) == (True, True, "2024-11-06 03:00 UTC", "2024-11-06", False)
    r = restriction_of(effects(remove_content=True, lock={"until_content_removed": True}))
    assert r.locked and r.lock_until_removed and r.lock_until_date == ""
    r = restriction_of(effects(limited_surfaces=["SURFACE_SEARCH"], visibility_limit_expires_at="2024-05-31T12:00:00Z"))
    assert r.demoted and r.demoted_until == "2024-05-31" and r.on_terms
    r = restriction_of(effects(withheld_in_countries=["TR", "DE", "DE"]))
    assert r.withheld_in == ("DE", "TR") and not r.on_terms
    assert r.restricts_in(["DE", "NL"]) and not r.restricts_in(["NL", "FR"])
    assert not restriction_of(effects(appeal_available=True)).restricts_in(enumeration("territorial_scope"))


def test_fit_sentences_keeps_whole_sentences_and_says_what_it_left_out():
    assert fit_sentences(["One.", "Two."], 100) == "One. Two."
    assert fit_sentences(["One.", "Two.", "Three."], 14) == "One. (+2 more)"
    assert fit_sentences(["A sentence too long."], 12) == "(+1 more)"
    assert fit_sentences(["A sentence too long."], 5) == ""
    text = fit_sentences([f"Sentence {i}." for i in range(1000)], 500)
    assert len(text) <= 500 and text.endswith("more)") and "Sentence 0." in text


def test_complaint_window_months_land_on_real_days():
    assert add_months(date(2024, 5, 1), 6) == date(2024, 11, 1)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)


def test_an_identifier_in_any_field_withholds_the_statement():
    identifiers = frozenset({"acc-9", "hmac:abc123"})
    check_no_identifiers({"decision_facts": "The account-9 was not named; acc-90 neither.", "puid": "acc-9"}, identifiers)
    with pytest.raises(PersonalDataError) as err:
        check_no_identifiers({"decision_facts": "Posted by acc-9."}, identifiers)
    assert err.value.field == "decision_facts"
    with pytest.raises(PersonalDataError):
        check_no_identifiers({"category_specification": ["x hmac:abc123"]}, identifiers)


def _decided(reasons: list[dict], effects_doc: dict) -> tuple[DecidedCase, DsaPolicy]:
    catalog = catalog_of(BUNDLE)
    decision = json_format.ParseDict({"outcome": "OUTCOME_REQUIRE_REMOVAL", "effects": effects_doc, "reasons": reasons},
                                     decision_pb2.Decision())
    for r in decision.reasons:
        r.text_en, r.text_nl = catalog[r.clause_id]["en"], catalog[r.clause_id]["nl"]
    case = json_format.ParseDict({"content": {"kind": "CONTENT_KIND_POST", "post_id": "p-1", "author_account_id": "a-1"},
                                  "violation": {"policy": "POLICY_PRIVATE_INFORMATION", "priv": {"category": "PRIV_CATEGORY_BOUNTY"}},
                                  "as_of": "2024-05-01T12:00:00Z"}, case_pb2.Case())
    decided = DecidedCase("dec_1", "2024-05-01T12:00:01Z", BUNDLE.revision, case, decision,
                          restriction_of(decision.effects), frozenset({"p-1", "a-1"}))
    return decided, DsaPolicy.from_bundle_data(BUNDLE.data, catalog, BUNDLE.revision)


def test_a_decision_citing_every_clause_still_fits_the_database_limits():
    catalog = catalog_of(BUNDLE)
    reasons = [{"clause_id": c, "kind": "REASON_KIND_VIOLATION"} for c in sorted(catalog)]
    decided, policy = _decided(reasons, {"remove_content": True})
    statement = statement_of(decided, policy)
    assert validate(statement) == []
    assert len(statement["decision_facts"]) <= 5000 and statement["decision_facts"].endswith("more)")
    assert len(statement["incompatible_content_ground"]) <= 500
    assert len(statement["incompatible_content_explanation"]) <= 2000


def test_the_facts_category_refines_the_policy_classification():
    decided, policy = _decided([{"clause_id": "PRIV-4c", "kind": "REASON_KIND_VIOLATION"}], {"remove_content": True})
    statement = statement_of(decided, policy)
    assert statement["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    assert statement["category_addition"] == ["STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"]
    assert statement["category_specification"] == ["KEYWORD_CYBER_HARASSMENT"]
