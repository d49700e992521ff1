"""Statements of reasons and user notices, over gRPC from a real server.

Hand-checked cases (one per policy and per kind of restriction) assert the
statement field by field; every restrictive case is checked against the
JSON Schema and against the fake Transparency Database's own rules.
"""

from __future__ import annotations

import json

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.client import VerdictClient, VerdictError
from shared.protojson import parse, to_dict
from server.api.auth import caller_entry
from server.db.database import Database
from server.decisionlog.reader import Filter
from server.dsa.schema import enumeration, validate
from server.engine.bundle import Bundle
from server.enforcement.accounts import upsert_account
from server.enforcement.history import save_designation
from verdict.v1 import account_pb2

from tests.conftest import REGO, import_accounts, start_server
from tests.fakes.tdb import check_statement

EEA = enumeration("territorial_scope")
REVISION = Bundle.from_directory(REGO).revision
AS_OF = "2024-05-01T12:00:00Z"
RAID_CREW = {"group_id": "g-raid-crew", "name": "Raid crew", "designated": True, "assessed_at": "2024-03-01T00:00:00Z",
             "review_by": "2024-09-01T00:00:00Z", "limits_expire_at": "2024-03-31T00:00:00Z", "decision_id": "dec-g-raid"}
ACCOUNTS = [{"account_id": a, "followers": 800} for a in ("acc-tve-1", "acc-ei-1", "acc-ei-2", "acc-cha-1", "acc-cha-2",
                                                           "acc-priv-1", "acc-rules-1")]


@pytest.fixture(scope="module")
def dsa_server(tmp_path_factory, opa_url):
    tmp = tmp_path_factory.mktemp("dsa")
    url = f"sqlite:///{tmp}/verdict.db"
    import_accounts(url)
    with Database(url).transaction(write=True) as cur:
        for account in ACCOUNTS:
            upsert_account(cur, parse(account, account_pb2.Account()), source="test")
        save_designation(cur, RAID_CREW)
    callers = tmp / "callers.toml"
    callers.write_text(caller_entry("decider", "token-decider", ["decide"]) + caller_entry("auditor", "token-auditor", ["audit:read"]))
    app = start_server(url, opa_url, tmp, callers_file=callers)
    yield app
    app.stop()


@pytest.fixture(scope="module")
def decider(dsa_server):
    with VerdictClient(f"127.0.0.1:{dsa_server.port}", token="token-decider") as c:
        yield c


@pytest.fixture(scope="module")
def auditor(dsa_server):
    with VerdictClient(f"127.0.0.1:{dsa_server.port}", token="token-auditor") as c:
        yield c


def post(account: str, post_id: str, violation: dict, posted_at: str = "", **extra) -> dict:
    content = {"kind": "post", "post_id": post_id, "author_account_id": account, **({"posted_at": posted_at} if posted_at else {})}
    return {"content": content, "violation": violation, "as_of": extra.pop("as_of", AS_OF), **extra}


def statement_of(decider, auditor, case: dict) -> tuple[dict, dict]:
    decision = decider.decide(case)
    sor = auditor.statement(decision.decision_id)
    assert not sor.errors, sor.errors
    statement = to_dict(sor.statement)
    assert statement["puid"] == decision.decision_id
    assert validate(statement) == [] and check_statement(statement) == {}
    return statement, to_dict(sor.notice)


def ground_names(statement: dict, *clauses: str) -> None:
    for clause in clauses:
        assert clause in statement["incompatible_content_ground"], (clause, statement["incompatible_content_ground"])


# ---------------------------------------------------------------- hand-checked, field by field

def test_terrorism_suspension_on_an_article_16_notice(decider, auditor):
    s, notice = statement_of(decider, auditor, post(
        "acc-tve-1", "post-tve-1",
        {"policy": "terrorism_violent_extremism", "tve": {"category": "promotion", "group": {"on_terrorism_list": True}}},
        posted_at="2024-04-20T08:00:00Z", source_type="SOURCE_TYPE_ARTICLE_16_NOTICE", automated_detection=True,
        content_types=["CONTENT_TYPE_VIDEO", "CONTENT_TYPE_TEXT"], content_language="ar"))
    assert set(s) == {"decision_visibility", "decision_account", "decision_ground", "incompatible_content_ground",
                      "incompatible_content_explanation", "content_type", "category", "category_specification",
                      "territorial_scope", "content_language", "content_date", "application_date", "source_type",
                      "automated_detection", "automated_decision", "decision_facts", "puid"}
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert s["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"  # permanent: no end date
    assert s["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert s["incompatible_content_ground"].startswith("Terms of service, terrorism and violent extremism policy: ")
    ground_names(s, "TVE-1 Threatening or promoting terrorism", "TVE-2 Terrorist organisations", "TVE-7 Immediate permanent suspension")
    assert "Threatening or promoting terrorism or violent extremism is prohibited." in s["incompatible_content_explanation"]
    assert s["content_type"] == ["CONTENT_TYPE_VIDEO", "CONTENT_TYPE_TEXT"]
    assert s["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert s["category_specification"] == ["KEYWORD_TERRORIST_CONTENT"]
    assert s["territorial_scope"] == EEA and len(EEA) == 30
    assert s["content_language"] == "AR"
    assert s["content_date"] == "2024-04-20"
    assert s["application_date"] == "2024-05-01"
    assert s["source_type"] == "SOURCE_ARTICLE_16"
    assert s["automated_detection"] == "Yes"
    assert s["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert s["decision_facts"].startswith(
        f"Decision of 2024-05-01 under the terrorism and violent extremism policy of the terms of service "
        f"(policy revision {REVISION[:12]}). It followed a notice of illegal content under Article 16 DSA. "
        "The content was detected by automated means. The rules were applied by automated means to the facts "
        "established, without human review. The content was removed. The account is permanently suspended. "
        "Facts and circumstances relied on: ")
    assert "TVE-2: The group is a terrorist organisation" in s["decision_facts"]
    assert notice["en"]["subject"] == "Your account has been suspended"
    assert notice["nl"]["subject"] == "Je account is opgeschort"


def test_election_misinformation_lock_from_a_trusted_flagger(decider, auditor):
    s, notice = statement_of(decider, auditor, post(
        "acc-ei-1", "post-ei-1", {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}},
        as_of="2024-11-05T15:00:00Z", source_type="SOURCE_TYPE_TRUSTED_FLAGGER", human_reviewed=True,
        content_types=["CONTENT_TYPE_TEXT"], content_language="NL"))
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert s["decision_provision"] == "DECISION_PROVISION_PARTIAL_SUSPENSION"   # the 12-hour lock (EI-6a)
    assert s["end_date_service_restriction"] == "2024-11-06"                    # 15:00 + 12 h
    assert "decision_account" not in s and "end_date_visibility_restriction" not in s
    ground_names(s, "EI-1 Misleading information about how to participate", "EI-1a How to vote or register",
                 "EI-6a Violating post: removal and temporary lock")
    assert s["category"] == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    assert s["category_specification"] == ["KEYWORD_MISINFORMATION_DISINFORMATION"]
    assert s["content_type"] == ["CONTENT_TYPE_TEXT"] and "content_type_other" not in s
    assert s["content_language"] == "NL"
    assert s["content_date"] == s["application_date"] == "2024-11-05"
    assert s["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert s["automated_detection"] == "No"
    assert s["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert "The account is locked until 2024-11-06 03:00 UTC: it cannot post." in s["decision_facts"]
    assert "Your account is locked: you cannot post until 2024-11-06 03:00 UTC." in notice["en"]["text"]
    assert "Je account is vergrendeld: je kunt tot 2024-11-06 03:00 UTC niets plaatsen." in notice["nl"]["text"]


def test_false_affiliation_in_a_profile_reported_by_a_user(decider, auditor):
    s, _ = statement_of(decider, auditor, {
        "content": {"kind": "profile", "author_account_id": "acc-ei-2"},
        "violation": {"policy": "election_integrity", "ei": {"category": "false_affiliation", "confirmed": True}},
        "reporter": {"reporter_id": "reporter-77", "has_account": True, "role": "bystander"},
        "as_of": "2024-11-05T15:00:00Z"})
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert s["decision_provision"] == "DECISION_PROVISION_PARTIAL_SUSPENSION"
    assert s["end_date_service_restriction"] == "2024-11-06"
    ground_names(s, "EI-3", "EI-6b")
    assert s["category_specification"] == ["KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"]
    assert s["content_type"] == ["CONTENT_TYPE_TEXT"]                 # a profile's fields, not stated otherwise
    assert s["content_date"] == "2024-11-05"                          # no posted_at: the case's day
    assert s["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"        # a reporter, no source stated
    assert "content_language" not in s


def test_coordinated_harm_limits_visibility_until_the_limit_expires(decider, auditor):
    s, notice = statement_of(decider, auditor, post(
        "acc-cha-1", "post-cha-1",
        {"policy": "coordinated_harmful_activity", "cha": {"category": "social_coordination", "group_id": "g-raid-crew",
                                                           "evidence_of_harm": True}}))
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DEMOTED"]
    assert s["end_date_visibility_restriction"] == "2024-05-31"        # CHA-11: 30 days
    assert not {"decision_account", "decision_provision"} & set(s)
    ground_names(s, "CHA-9", "CHA-11a")
    assert s["category"] == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    assert s["category_specification"] == ["KEYWORD_COORDINATED_HARM"]
    assert "g-raid-crew" not in json.dumps(s)
    assert "The limit ends on 2024-05-31." in notice["en"]["text"]
    assert "De beperking eindigt op 2024-05-31." in notice["nl"]["text"]


def test_technical_coordination_suspends_the_account_only(decider, auditor):
    s, _ = statement_of(decider, auditor, post(
        "acc-cha-2", "post-cha-2",
        {"policy": "coordinated_harmful_activity", "cha": {"category": "technical_coordination",
                                                           "sufficient_technical_evidence": True, "evidence_of_harm": True}}))
    assert s["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert not {"decision_visibility", "decision_provision", "end_date_account_restriction"} & set(s)
    ground_names(s, "CHA-2")
    assert s["category_specification"] == ["KEYWORD_COORDINATED_HARM", "KEYWORD_INAUTHENTIC_ACCOUNTS"]


def test_private_media_locks_until_removed_and_names_nobody(decider, auditor):
    s, notice = statement_of(decider, auditor, post(
        "acc-priv-1", "post-priv-1", {"policy": "private_information", "priv": {"category": "private_media", "subject_id": "person-7"}},
        reporter={"reporter_id": "person-7", "has_account": True, "role": "subject"}))
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert s["decision_provision"] == "DECISION_PROVISION_PARTIAL_SUSPENSION"
    assert "end_date_service_restriction" not in s                      # until the content is removed: no date
    assert s["category"] == "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"
    assert s["category_specification"] == ["KEYWORD_MISSING_PROCESSING_GROUND"]
    ground_names(s, "PRIV-3g", "PRIV-9d")
    text = json.dumps(s)
    assert "person-7" not in text and "hmac:" not in text and "acc-priv-1" not in text and "post-priv-1" not in text
    assert "The lock ends when you remove the content." in notice["en"]["text"]


def test_hateful_conduct_removal_with_a_legal_ground(decider, auditor):
    s, _ = statement_of(decider, auditor, post(
        "acc-rules-1", "post-rules-1", {"policy": "hateful_conduct", "rule": {"confirmed": True}},
        legal_ground="§ 130 StGB (incitement to hatred)"))
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert s["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert s["incompatible_content_illegal"] == "Yes"
    ground_names(s, "PI-0")
    assert s["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert s["category_specification"] == ["KEYWORD_HATE_SPEECH"]
    assert "illegal_content_legal_ground" not in s


def test_sensitive_media_is_another_violation_of_the_terms_with_its_words(decider, auditor):
    s, _ = statement_of(decider, auditor, post("acc-rules-1", "post-rules-2", {"policy": "sensitive_media", "rule": {"confirmed": True}}))
    assert s["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert s["category_specification"] == ["KEYWORD_OTHER"]
    assert s["category_specification_other"].startswith("Sensitive media")


def test_child_sexual_exploitation_protects_minors(decider, auditor):
    s, _ = statement_of(decider, auditor, post("acc-rules-1", "post-rules-3", {"policy": "child_sexual_exploitation", "rule": {"confirmed": True}}))
    assert s["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert s["category_specification"] == ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]
    ground_names(s, "PI-6")


def test_local_law_withholding_alone_is_a_legal_ground_in_those_countries(decider, auditor):
    s, notice = statement_of(decider, auditor, post(
        "acc-candidate-250k", "post-pi-7", {"policy": "hateful_conduct", "rule": {"confirmed": True}},
        public_interest={"political_statement": True, "local_law_withhold_countries": ["FR", "DE", "US"]}))
    assert s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert s["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert s["illegal_content_legal_ground"] == "The national law of DE, FR, which requires the content to be withheld there"
    assert s["illegal_content_explanation"].startswith("Local law still applies")
    assert s["illegal_content_explanation"].endswith("Withheld in: DE, FR.")
    assert s["territorial_scope"] == ["DE", "FR"]                       # the US is outside the DSA's reach
    assert not {"incompatible_content_ground", "decision_account", "decision_provision"} & set(s)
    assert s["category_specification"] == ["KEYWORD_HATE_SPEECH"]
    assert "is not shown in DE, FR, US, because the law there requires it." in notice["en"]["text"]
    assert "This applies only in DE, FR, US." in notice["en"]["text"]


# ---------------------------------------------------------------- the notice

def test_notice_has_every_part_of_article_17_in_both_languages(decider, auditor):
    _, notice = statement_of(decider, auditor, post(
        "acc-citizen", "post-n-1", {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}}))
    assert notice["complaint_deadline"] == "2024-11-01"                 # six months after 2024-05-01
    for lang in ("en", "nl"):
        text = notice[lang]
        assert [s["key"] for s in text["sections"]] == ["restriction", "scope_and_duration", "facts", "grounds", "automation", "redress"]
        assert all(s["body"] and s["heading"] for s in text["sections"])
        assert "2024-11-01" in text["sections"][-1]["body"]
    en, nl = notice["en"]["text"], notice["nl"]["text"]
    assert "We removed your post (post-n-1) of 2024-05-01." in en
    assert "We acted on our own initiative." in en
    assert "Article 20 DSA" in en and "Article 21 DSA" in en and "go to court" in en
    assert "artikel 20 DSA" in nl and "artikel 21 DSA" in nl and "naar de rechter" in nl
    assert "De content deelt misleidende informatie over hoe mensen kunnen stemmen" in nl  # the catalog's Dutch


# ---------------------------------------------------------------- the API

def test_no_statement_for_a_decision_that_restricts_nothing(decider, auditor):
    decision = decider.decide(post("acc-citizen", "post-x-1", {"policy": "hateful_conduct", "rule": {"confirmed": False}}))
    with pytest.raises(VerdictError) as err:
        auditor.statement(decision.decision_id)
    assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "restricts nothing" in err.value.details


def test_unknown_decision_is_not_found_and_a_bad_id_invalid(auditor):
    with pytest.raises(VerdictError) as err:
        auditor.statement("dec_nope")
    assert err.value.code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(VerdictError) as err:
        auditor.statement("no spaces please")
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and err.value.details.startswith("decision_id:")


def test_statements_need_the_audit_read_scope(decider):
    decision = decider.decide(post("acc-citizen", "post-x-2", {"policy": "hateful_conduct", "rule": {"confirmed": True}}))
    with pytest.raises(VerdictError) as err:
        decider.statement(decision.decision_id)
    assert err.value.code == grpc.StatusCode.PERMISSION_DENIED


def test_the_same_decision_always_gives_the_same_statement(dsa_server, decider, auditor, opa_url, tmp_path):
    decision = decider.decide(post("acc-citizen", "post-x-3", {"policy": "violence", "rule": {"confirmed": True}}))
    first = auditor.statement(decision.decision_id)
    assert first == auditor.statement(decision.decision_id)
    # a second server on the same log derives it anew: the same bytes
    app = start_server(dsa_server.settings.db_url, opa_url, tmp_path)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as other:
            assert other.statement(decision.decision_id) == first
    finally:
        app.stop()


def test_list_statements_of_a_period_and_its_bounds(decider, auditor):
    ids = [decider.decide(post("acc-citizen", f"post-l-{i}", {"policy": "violence", "rule": {"confirmed": True}})).decision_id
           for i in range(3)]
    listed = [s.decision_id for s in auditor.statements("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")]
    assert set(ids) <= set(listed)
    assert [listed.index(i) for i in ids] == sorted(listed.index(i) for i in ids)  # oldest first
    assert len(listed) == len(set(listed))
    with pytest.raises(VerdictError) as err:
        list(auditor.statements("2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z"))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and err.value.details.startswith("until:")


def test_every_read_of_a_statement_is_logged_with_its_caller(dsa_server, decider, auditor):
    decision = decider.decide(post("acc-citizen", "post-x-4", {"policy": "violence", "rule": {"confirmed": True}}))
    auditor.statement(decision.decision_id)
    reads = dsa_server.pipeline.record.reader.query(Filter(kind="audit_read", caller="auditor"), limit=10000)
    assert any(r.body["rpc"] == "GetStatement" and r.body["read"] == {"decision_id": decision.decision_id} for r in reads)


# ---------------------------------------------------------------- no personal data

def test_a_legal_ground_naming_an_id_of_the_case_is_refused(decider):
    with pytest.raises(VerdictError) as err:
        decider.decide(post("acc-citizen", "post-x-5", {"policy": "hateful_conduct", "rule": {"confirmed": True}},
                            legal_ground="complaint about post-x-5 by acc-citizen"))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details.startswith("case.legal_ground:")


identifier = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=6, max_size=24).map(lambda s: "z" + s)
private = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=6, max_size=60).map(lambda s: "Ω" + s)


def strings(doc) -> list[str]:
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in strings(v)]
    return [doc] if isinstance(doc, str) else []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(post_id=identifier, case_id=identifier, reporter=identifier, subject=private, information=private, location=private,
       kind=st.sampled_from(["home_address", "live_location", "contact_information", "private_media"]))
def test_no_masked_value_account_or_post_id_reaches_a_statement(decider, auditor, dsa_server, post_id, case_id,
                                                                 reporter, subject, information, location, kind):
    case = post("acc-priv-1", post_id, {"policy": "private_information", "priv": {
        "category": kind, "subject_id": subject, "information": information, "location": location,
        "location_time": AS_OF, "abusive_intent": True}},
        case_id=case_id, reporter={"reporter_id": reporter, "has_account": True, "role": "subject"},
        legal_ground="Art. 6 GDPR")
    decision = decider.decide(case)
    try:
        sor = auditor.statement(decision.decision_id)
    except VerdictError as exc:
        assert exc.code == grpc.StatusCode.FAILED_PRECONDITION  # nothing restricted: nothing to leak
        return
    assert not sor.errors, sor.errors  # a statement was given, not withheld by the guard
    values = strings(to_dict(sor.statement))
    record = dsa_server.pipeline.record.reader.get(decision.decision_id)
    masked = [v for v in json.dumps(record.body["input"]).split('"') if v.startswith("hmac:")]
    assert masked, "the case's private fields are masked in the log"
    for secret in (post_id, case_id, reporter, subject, information, location, "acc-priv-1", *masked):
        assert not any(secret in value for value in values), f"{secret!r} reached the statement"


def test_dsa_case_fields_are_checked_naming_the_field(decider):
    bad = {"content_language": ("xx", "case.content_language:"),
           "received_at": ("2024-05-02T00:00:00Z", "case.received_at:"),
           "legal_ground": ("x" * 300, "case.legal_ground:")}
    for field, (value, prefix) in bad.items():
        with pytest.raises(VerdictError) as err:
            decider.decide(post("acc-citizen", "post-v-1", {"policy": "violence", "rule": {"confirmed": True}}, **{field: value}))
        assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and err.value.details.startswith(prefix), err.value.details


def test_a_revision_without_dsa_data_gives_no_statement_but_says_why(tmp_path):
    import shutil

    bundle = tmp_path / "rego"
    shutil.copytree(REGO, bundle)
    shutil.rmtree(bundle / "verdict" / "dsa")
    url = f"sqlite:///{tmp_path}/verdict.db"
    import_accounts(url)
    app = start_server(url, "", tmp_path, engine="embedded", bundle_dir=bundle)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            decision = client.decide(post("acc-citizen", "post-old-1", {"policy": "violence", "rule": {"confirmed": True}}))
            with pytest.raises(VerdictError) as err:
                client.statement(decision.decision_id)
            assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION and "has no DSA data" in err.value.details
            [listed] = list(client.statements("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z"))
            assert listed.decision_id == decision.decision_id and not listed.HasField("statement")
            assert listed.errors[0].field == "policy_revision"
    finally:
        app.stop()
