"""The project's JSON Schema of the Transparency Database rules against the
fake database's own rules: both accept a valid statement and its limits,
both reject every broken rule, on the same field."""

from __future__ import annotations

import copy

import pytest

from server.dsa.schema import enumeration, schema, validate
from tests.fakes.tdb import check_statement

VALID = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "decision_provision": "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "end_date_service_restriction": "2024-05-02",
    "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    "incompatible_content_ground": "Terms of service: EI-1",
    "incompatible_content_explanation": "Misleading information about how to vote.",
    "content_type": ["CONTENT_TYPE_TEXT"],
    "category": "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "category_specification": ["KEYWORD_MISINFORMATION_DISINFORMATION"],
    "territorial_scope": ["DE", "NL"],
    "content_language": "NL",
    "content_date": "2024-04-30",
    "application_date": "2024-05-01",
    "decision_facts": "The content was removed.",
    "source_type": "SOURCE_VOLUNTARY",
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_FULLY",
    "puid": "dec_0190a1b2c3d4",
}


def changed(**fields) -> dict:
    doc = copy.deepcopy(VALID)
    for name, value in fields.items():
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = value
    return doc


def test_the_valid_statement_passes_both():
    assert validate(VALID) == [] and check_statement(VALID) == {}


ACCEPTED = {
    "facts at the limit": changed(decision_facts="x" * 5000),
    "ground at the limit": changed(incompatible_content_ground="x" * 500),
    "explanation at the limit": changed(incompatible_content_explanation="x" * 2000),
    "earliest content date": changed(content_date="2000-01-01"),
    "earliest application date": changed(application_date="2020-01-01", end_date_service_restriction=None),
    "end on the day it applies": changed(end_date_service_restriction="2024-05-01"),
    "latest date": changed(end_date_service_restriction="2038-01-01"),
    "longest puid": changed(puid="a-_Z9" * 100),
    "account only": changed(decision_visibility=None, decision_provision=None, end_date_service_restriction=None,
                            decision_account="DECISION_ACCOUNT_SUSPENDED"),
    "illegal content": changed(decision_ground="DECISION_GROUND_ILLEGAL_CONTENT", incompatible_content_ground=None,
                               incompatible_content_explanation=None, illegal_content_legal_ground="§ 130 StGB",
                               illegal_content_explanation="Incitement to hatred."),
    "other content type said": changed(content_type=["CONTENT_TYPE_OTHER"], content_type_other="A post"),
    "other visibility said": changed(decision_visibility=["DECISION_VISIBILITY_OTHER"], decision_visibility_other="Hidden"),
    "EEA country": changed(territorial_scope=["NO", "IS", "LI"]),
    "EAN": changed(content_id={"EAN-13": "0123456789123"}),
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_both_accept_what_the_database_accepts(name):
    statement = ACCEPTED[name]
    assert validate(statement) == [] and check_statement(statement) == {}


REJECTED = {
    # name: (statement, the field at fault)
    "no restriction at all": (changed(decision_visibility=None, decision_provision=None, end_date_service_restriction=None), "decision_visibility"),
    "empty visibility list": (changed(decision_visibility=[], decision_provision=None, end_date_service_restriction=None), "decision_visibility"),
    "unknown visibility": (changed(decision_visibility=["DECISION_VISIBILITY_HIDDEN"]), "decision_visibility"),
    "unknown provision": (changed(decision_provision="DECISION_PROVISION_SOME"), "decision_provision"),
    "unknown account decision": (changed(decision_account="DECISION_ACCOUNT_LOCKED"), "decision_account"),
    "unknown monetary decision": (changed(decision_monetary="DECISION_MONETARY_FINE"), "decision_monetary"),
    "other monetary unsaid": (changed(decision_monetary="DECISION_MONETARY_OTHER"), "decision_monetary_other"),
    "other visibility unsaid": (changed(decision_visibility=["DECISION_VISIBILITY_OTHER"]), "decision_visibility_other"),
    "other content type unsaid": (changed(content_type=["CONTENT_TYPE_OTHER"]), "content_type_other"),
    "no ground": (changed(decision_ground=None), "decision_ground"),
    "unknown ground": (changed(decision_ground="DECISION_GROUND_OTHER"), "decision_ground"),
    "illegal without legal ground": (changed(decision_ground="DECISION_GROUND_ILLEGAL_CONTENT"), "illegal_content_legal_ground"),
    "incompatible without ground": (changed(incompatible_content_ground=None), "incompatible_content_ground"),
    "incompatible without explanation": (changed(incompatible_content_explanation=""), "incompatible_content_explanation"),
    "ground too long": (changed(incompatible_content_ground="x" * 501), "incompatible_content_ground"),
    "explanation too long": (changed(incompatible_content_explanation="x" * 2001), "incompatible_content_explanation"),
    "illegal-too answered wrong": (changed(incompatible_content_illegal="Maybe"), "incompatible_content_illegal"),
    "facts too long": (changed(decision_facts="x" * 5001), "decision_facts"),
    "no facts": (changed(decision_facts=None), "decision_facts"),
    "no content type": (changed(content_type=None), "content_type"),
    "unknown content type": (changed(content_type=["CONTENT_TYPE_MEME"]), "content_type"),
    "no category": (changed(category=None), "category"),
    "v1 category": (changed(category="STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"), "category"),
    "unknown keyword": (changed(category_specification=["KEYWORD_TERRORISM"]), "category_specification"),
    "unknown additional category": (changed(category_addition=["STATEMENT_CATEGORY_SPAM"]), "category_addition"),
    "other keyword too long": (changed(category_specification_other="x" * 501), "category_specification_other"),
    "no territorial scope": (changed(territorial_scope=None), "territorial_scope"),
    "empty territorial scope": (changed(territorial_scope=[]), "territorial_scope"),
    "country outside the EEA": (changed(territorial_scope=["DE", "CH"]), "territorial_scope"),
    "lower-case country": (changed(territorial_scope=["de"]), "territorial_scope"),
    "unknown language": (changed(content_language="XX"), "content_language"),
    "lower-case language": (changed(content_language="nl"), "content_language"),
    "no content date": (changed(content_date=None), "content_date"),
    "content date too early": (changed(content_date="1999-12-31"), "content_date"),
    "content date not a date": (changed(content_date="2024-02-30"), "content_date"),
    "content date wrong format": (changed(content_date="2024-5-1"), "content_date"),
    "no application date": (changed(application_date=None, end_date_service_restriction=None), "application_date"),
    "application date too early": (changed(application_date="2019-12-31", end_date_service_restriction=None), "application_date"),
    "application date too late": (changed(application_date="2038-01-02", end_date_service_restriction=None), "application_date"),
    "end before application": (changed(end_date_service_restriction="2024-04-30"), "end_date_service_restriction"),
    "end date with a time": (changed(end_date_service_restriction="2024-05-02 10:00"), "end_date_service_restriction"),
    "no source": (changed(source_type=None), "source_type"),
    "v1 source": (changed(source_type="SOURCE_OTHER"), "source_type"),
    "source identity too long": (changed(source_identity="x" * 501), "source_identity"),
    "detection not yes or no": (changed(automated_detection="yes"), "automated_detection"),
    "no detection": (changed(automated_detection=None), "automated_detection"),
    "decision v1 yes/no": (changed(automated_decision="Yes"), "automated_decision"),
    "no puid": (changed(puid=None), "puid"),
    "puid with a space": (changed(puid="dec 1"), "puid"),
    "puid with a dot": (changed(puid="dec.1"), "puid"),
    "puid too long": (changed(puid="a" * 501), "puid"),
    "reference not a URL": (changed(decision_ground_reference_url="terms page"), "decision_ground_reference_url"),
    "content id not an EAN-13": (changed(content_id={"ISBN": "123"}), "content_id"),
}


@pytest.mark.parametrize("name", REJECTED)
def test_both_reject_a_broken_rule_on_the_same_field(name):
    statement, field = REJECTED[name]
    schema_fields = {e.field for e in validate(statement)}
    fake_fields = set(check_statement(statement))
    assert field in schema_fields, validate(statement)
    assert field in fake_fields, check_statement(statement)


def test_the_schema_is_stricter_only_about_fields_the_api_does_not_have():
    statement = changed(platform_name="mine")
    assert [(e.field, e.message) for e in validate(statement)] == [("platform_name", "is not a field of the Transparency Database API")]
    assert check_statement(statement) == {}   # the database ignores it


def test_enumerations_are_those_of_schema_v2():
    assert len(enumeration("category")) == 16 and "STATEMENT_CATEGORY_OTHER_VIOLATION_TC" in enumeration("category")
    assert "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE" in enumeration("category")
    assert enumeration("source_type") == ["SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"]
    assert len(enumeration("decision_visibility")) == 7 and len(enumeration("decision_provision")) == 4
    assert enumeration("automated_decision") == ["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"]
    eea = enumeration("territorial_scope")
    assert len(eea) == 30 and {"IS", "LI", "NO"} <= set(eea) and not {"GB", "CH", "US"} & set(eea)
    assert {"KEYWORD_TERRORIST_CONTENT", "KEYWORD_COORDINATED_HARM", "KEYWORD_OTHER"} <= set(enumeration("category_specification"))
    assert {"EN", "NL", "DE", "AR"} <= set(enumeration("content_language"))
    assert schema()["properties"]["puid"]["maxLength"] == 500
