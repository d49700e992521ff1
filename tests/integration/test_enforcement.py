"""The enforcement ladder over the wire: applied decisions change what the next case sees."""

from __future__ import annotations

import grpc
import pytest

from clients.client import VerdictError
from server.enrichment.store import AccountReader
from verdict.v1 import decision_pb2

AS_OF = "2024-05-01T12:00:00Z"


def ei(account_id: str, post: str, kind: str = "post", as_of: str = AS_OF) -> dict:
    return {
        "content": {"kind": kind, "post_id": post, "author_account_id": account_id},
        "violation": {"policy": "election_integrity", "ei": {"category": "polls_closed", "confirmed": True}},
        "as_of": as_of,
    }


def account(server, account_id: str) -> dict:
    return AccountReader(server.db).snapshot(account_id).doc


def test_first_violation_locks_and_warns_then_a_repeat_suspends(client, server):
    first = client.decide(ei("acc-citizen", "e-1"), apply=True)
    assert first.outcome == decision_pb2.OUTCOME_TEMPORARY_LOCK
    assert first.effects.remove_content and first.effects.lock.ends_at.ToJsonString() == "2024-05-02T00:00:00Z"
    assert first.enforcement.warning and first.applied
    doc = account(server, "acc-citizen")
    assert [h["clause_id"] for h in doc["history"]] == ["EI-6a"] and doc["locks"][0]["ends_at"] == "2024-05-02T00:00:00Z"
    second = client.decide(ei("acc-citizen", "e-2", as_of="2024-06-01T12:00:00Z"))
    assert second.outcome == decision_pb2.OUTCOME_PERMANENT_SUSPENSION
    assert second.enforcement.repeat_after_warning and second.enforcement.prior_violations == 1
    assert not second.applied and len(account(server, "acc-citizen")["history"]) == 1  # not applied: no change


def test_history_after_as_of_does_not_count(client):
    client.decide(ei("acc-citizen", "h-1", as_of="2024-05-01T12:00:00Z"), apply=True)
    earlier = client.decide(ei("acc-citizen", "h-0", as_of="2024-04-01T12:00:00Z"))
    assert earlier.outcome == decision_pb2.OUTCOME_TEMPORARY_LOCK and earlier.enforcement.prior_violations == 0


def test_apply_decision_later_and_only_once(client, server):
    decision = client.decide(ei("acc-citizen", "a-1"))
    assert not decision.applied and account(server, "acc-citizen")["history"] == []
    applied = client.apply(decision.decision_id)
    assert applied.applied and applied.decision_id == decision.decision_id
    assert client.apply(decision.decision_id).applied
    assert len(account(server, "acc-citizen")["history"]) == 1
    with pytest.raises(VerdictError) as err:
        client.apply("dec_unknown")
    assert err.value.code == grpc.StatusCode.NOT_FOUND


def test_public_interest_review_records_nothing(client, server):
    decision = client.decide(ei("acc-candidate-250k", "pi-1"), apply=True)
    assert decision.outcome == decision_pb2.OUTCOME_PUBLIC_INTEREST_REVIEW
    assert decision.public_interest.recommendation == decision_pb2.RECOMMENDATION_REMOVAL  # EI: very small chance
    assert account(server, "acc-candidate-250k")["history"] == []


def test_assessed_group_designation_reaches_later_cases(client, server):
    group = {
        "group_id": "g-raiders", "name": "Raiders", "kind": "campaign", "shared_purpose": True,
        "coordination": [{"type": "social", "evidence": ["messaging-app campaign"], "sufficient_evidence": True}],
        "harms": {"physical": "high", "psychological": "moderate", "informational": "low"},
        "linked_accounts": [{"account_id": "acc-citizen"}, {"account_id": "acc-not-in-store"}],
    }
    response = client.assess_group(group, AS_OF, apply=True)
    assert response.assessment.designated and response.assessment.block_trends
    assert {a.account_id for a in response.assessment.linked_accounts} == {"acc-citizen", "acc-not-in-store"}
    assert account(server, "acc-citizen")["groups"] == [{"group_id": "g-raiders", "primarily_propagates": False}]
    case = {
        "content": {"kind": "post", "post_id": "c-1", "author_account_id": "acc-citizen"},
        "violation": {"policy": "coordinated_harmful_activity", "cha": {"category": "linked_to_group", "group_id": "g-raiders"}},
        "as_of": "2024-05-02T12:00:00Z",
    }
    decision = client.decide(case, apply=True)
    assert decision.outcome == decision_pb2.OUTCOME_LIMIT_VISIBILITY
    assert decision_pb2.SURFACE_SEARCH in decision.effects.limited_surfaces
    assert decision.effects.visibility_limit_expires_at.ToJsonString() == "2024-06-01T12:00:00Z"
    limits = account(server, "acc-citizen")["visibility_limits"]
    assert limits == [{"decision_id": decision.decision_id, "group_id": "g-raiders", "starts_at": "2024-05-02T12:00:00Z",
                       "expires_at": "2024-06-01T12:00:00Z"}]
    again = client.decide({**case, "as_of": "2024-05-10T12:00:00Z"})
    assert "CHA-11" in {r.clause_id for r in again.reasons}


def test_reports_and_first_person_private_media(client):
    report = {"policy": "terrorism_violent_extremism", "reporter": {"has_account": False}, "post_ids": ["p-1", "p-2"], "as_of": AS_OF}
    assert client.assess_report(report).assessment.admissible
    media = {"policy": "private_information", "priv_category": "private_media", "post_ids": ["p-3"], "as_of": AS_OF,
             "subject_id": "person-7", "reporter": {"reporter_id": "person-7", "role": "bystander"}}
    assert client.assess_report(media).assessment.admissible  # the reporter is the person shown (masked, still equal)
    media["reporter"]["reporter_id"] = "person-8"
    assert not client.assess_report(media).assessment.admissible



def test_a_report_over_the_limit_is_an_inadmissible_logged_assessment(client):
    """The 5-post limit is the policy's (TVE-6, PRIV-8): a longer report is not
    refused before the policy runs, it is assessed, cited and logged."""
    report = {"policy": "terrorism_violent_extremism", "reporter": {"has_account": False}, "as_of": AS_OF,
              "post_ids": [f"p-{i}" for i in range(6)]}
    response = client.assess_report(report)
    assert not response.assessment.admissible
    [reason] = response.assessment.reasons
    assert (reason.clause_id, reason.kind) == ("TVE-6", decision_pb2.REASON_KIND_CRITERION_NOT_MET)
    assert dict(reason.values) == {"posts": "6", "max_posts": "5"}
    assert "this one names 6" in reason.text_en and "noemt er 6" in reason.text_nl
    logged = client.get_decision(response.decision_id)
    assert logged.kind == "assess_report" and logged.outcome == "INADMISSIBLE" and "TVE-6" in logged.clauses


def test_batch_and_stream_answer_in_order(client, server):
    cases = [ei("acc-citizen", f"b-{i}") for i in range(3)] + [ei("acc-candidate-250k", "b-pi")]
    decisions = client.decide_batch(cases)
    assert [d.outcome for d in decisions] == [decision_pb2.OUTCOME_TEMPORARY_LOCK] * 3 + [decision_pb2.OUTCOME_PUBLIC_INTEREST_REVIEW]
    streamed = list(client.decide_stream(cases))
    assert [d.outcome for d in streamed] == [d.outcome for d in decisions]
    ids = [d.decision_id for d in decisions + streamed]
    assert len(set(ids)) == 8 and server.db.query(
        f"SELECT COUNT(*) FROM decision_log WHERE decision_id IN ({','.join('?' * 8)})", ids)[0][0] == 8
    with pytest.raises(VerdictError) as err:
        client.decide_batch([cases[0], {**cases[1], "as_of": None}])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and err.value.details.startswith("requests[1].case.as_of")


def test_a_bad_request_in_a_stream_ends_it_naming_the_request(client):
    cases = [ei("acc-citizen", f"s-{i}") for i in range(5)]
    cases[3] = {**cases[3], "country": "nowhere"}
    with pytest.raises(VerdictError) as err:
        list(client.decide_stream(cases))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details.startswith("request 3: case.country")


def test_a_stored_tve_exception_keeps_the_clause_it_rests_on(client):
    group = {"group_id": "g-peace", "name": "Peace talks front", "kind": "group", "shared_purpose": True,
             "extremism": {"on_terrorism_list": False, "identifiable_as_extremist": True, "uses_or_promotes_violence": True,
                           "targets_civilians": True, "reformed_or_peace_process": True}}
    assessed = client.assess_group(group, AS_OF, apply=True).assessment
    assert assessed.violent_extremist_group and assessed.tve_exception
    assert assessed.designation.tve_exception_clauses == ["TVE-5a"] and assessed.store_clause_id == "CHA-6"
    case = {
        "content": {"kind": "post", "post_id": "t-1", "author_account_id": "acc-citizen"},
        "violation": {"policy": "terrorism_violent_extremism", "tve": {"category": "recruitment", "group_id": "g-peace"}},
        "as_of": AS_OF,
    }
    decision = client.decide(case)
    assert decision.outcome == decision_pb2.OUTCOME_NO_ACTION
    assert {(r.clause_id, r.kind) for r in decision.reasons} >= {("TVE-5a", decision_pb2.REASON_KIND_EXCEPTION)}


def test_a_group_assessed_without_every_tve_fact_stores_nothing(client, server):
    """Unknown is not false: what the assessment could not settle is not stored
    as "not a terrorist organisation"; a later case goes to human review."""
    group = {"group_id": "g-open", "name": "Half-known front", "kind": "group", "shared_purpose": True,
             "extremism": {"identifiable_as_extremist": True, "uses_or_promotes_violence": True, "targets_civilians": True}}
    response = client.assess_group(group, AS_OF, apply=True)
    assert response.assessment.outcome == decision_pb2.OUTCOME_HUMAN_REVIEW
    assert not response.assessment.HasField("designation") and response.assessment.store_clause_id == "CHA-7"
    assert not server.db.query("SELECT 1 FROM group_designations WHERE group_id = 'g-open'")
    missing = {r.clause_id: list(r.missing_facts) for r in response.assessment.reasons if r.kind == decision_pb2.REASON_KIND_NOT_STATED}
    assert missing["TVE-2"] == ["group.extremism.on_terrorism_list"]
    case = {
        "content": {"kind": "post", "post_id": "t-2", "author_account_id": "acc-citizen"},
        "violation": {"policy": "terrorism_violent_extremism", "tve": {"category": "recruitment", "group_id": "g-open"}},
        "as_of": AS_OF,
    }
    assert client.decide(case).outcome == decision_pb2.OUTCOME_HUMAN_REVIEW
