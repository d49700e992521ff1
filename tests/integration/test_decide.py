"""Decide over the wire: a real gRPC server, OPA over REST, a real database."""

from __future__ import annotations

import grpc
import pytest

from clients.client import VerdictClient, VerdictError
from verdict.v1 import decision_pb2

from tests.conftest import free_port, import_accounts, start_server


def hateful(account_id: str, **extra) -> dict:
    case = {
        "content": {"kind": "post", "post_id": "post-1", "author_account_id": account_id},
        "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
        "as_of": "2024-05-01T12:00:00Z",
    }
    case.update(extra)
    return case


def criteria(decision) -> dict[str, bool]:
    return {c.clause_id: c.met for c in decision.public_interest.criteria}


def cited(decision) -> set[str]:
    return {r.clause_id for r in decision.reasons}


def test_candidate_with_250k_followers_is_routed_to_trust_and_safety(client):
    decision = client.decide(hateful("acc-candidate-250k"))
    assert decision.outcome == decision_pb2.OUTCOME_PUBLIC_INTEREST_REVIEW
    assert decision.public_interest.eligible
    assert criteria(decision) == {"PI-1.1": True, "PI-1.2": True, "PI-1.3": True, "PI-1.4": True}
    assert decision.summary_en.startswith("Eligible for the public-interest exception, route to Trust & Safety review")
    assert {"PI-0", "PI-1.4b", "PI-3", "PI-3.4", "PI-5g", "PI-8"} <= cited(decision)
    assert [s.stage for s in decision.public_interest.route] == [
        decision_pb2.REVIEW_STAGE_REFERRAL, decision_pb2.REVIEW_STAGE_TRUST_AND_SAFETY,
        decision_pb2.REVIEW_STAGE_CROSS_FUNCTIONAL, decision_pb2.REVIEW_STAGE_SENIOR_LEADERSHIP,
    ]
    assert not decision.effects.remove_content
    assert decision.decision_id.startswith("dec_")
    assert len(decision.policy_revision) == 64
    assert all(r.text_en and r.text_nl for r in decision.reasons)


def test_exactly_100000_followers_is_not_eligible(client):
    decision = client.decide(hateful("acc-candidate-100k"))
    assert not decision.public_interest.eligible
    assert criteria(decision)["PI-1.3"] is False
    assert decision.outcome == decision_pb2.OUTCOME_REQUIRE_REMOVAL


def test_100001_followers_is_eligible(client):
    assert client.decide(hateful("acc-candidate-100001")).public_interest.eligible


def test_unverified_account_with_two_million_followers_is_not_eligible(client):
    decision = client.decide(hateful("acc-unverified-2m"))
    assert not decision.public_interest.eligible
    assert criteria(decision)["PI-1.2"] is False
    assert criteria(decision)["PI-1.3"] is True


def test_terrorism_is_never_eligible(client):
    case = hateful("acc-candidate-250k")
    case["violation"] = {"policy": "terrorism_violent_extremism", "tve": {"category": "promotion"}}
    decision = client.decide(case)
    assert not decision.public_interest.eligible
    assert decision.public_interest.never_eligible
    assert decision.public_interest.likelihood == decision_pb2.LIKELIHOOD_BAND_NEVER
    assert "PI-5a" in cited(decision)


def test_check_public_interest_gives_the_assessment(client):
    response = client.check_public_interest(hateful("acc-mayor"))
    assert response.assessment.eligible
    assert response.decision_id.startswith("dec_")
    assert "PI-1.4a" in {r.clause_id for r in response.assessment.reasons}


@pytest.mark.parametrize("mutate, field", [
    (lambda c: c.pop("as_of"), "case.as_of"),
    (lambda c: c["content"].pop("author_account_id"), "case.content.author_account_id"),
    (lambda c: c["content"].pop("kind"), "case.content.kind"),
    (lambda c: c["content"].pop("post_id"), "case.content.post_id"),
    (lambda c: c["violation"].pop("policy"), "case.violation.policy"),
    (lambda c: c["violation"].update(policy="election_integrity"), "case.violation.ei"),
    (lambda c: c.update(country="Netherlands"), "case.country"),
    (lambda c: c.update(as_of="1999-01-01T00:00:00Z"), "case.as_of"),
    (lambda c: c["content"].update(author_account_id="x" * 300), "case.content.author_account_id"),
    (lambda c: c.update(public_interest={"local_law_withhold_countries": ["nl"]}), "case.public_interest.local_law_withhold_countries[0]"),
    (lambda c: c.update(time_zone="Mars/Olympus_Mons"), "case.time_zone"),
])
def test_bad_input_is_invalid_argument_naming_the_field(client, mutate, field):
    case = hateful("acc-candidate-250k")
    mutate(case)
    with pytest.raises(VerdictError) as err:
        client.decide(case)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details.startswith(field + ":"), err.value.details


def test_unknown_enum_number_is_invalid_argument(client):
    from verdict.v1 import case_pb2

    case = case_pb2.Case()
    case.content.kind = case_pb2.CONTENT_KIND_POST
    case.content.post_id = "p"
    case.content.author_account_id = "acc-citizen"
    case.violation.policy = 99  # not a Policy value
    case.as_of.FromJsonString("2024-05-01T12:00:00Z")
    with pytest.raises(VerdictError) as err:
        client.decide(case)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details.startswith("case.violation.policy:")


def test_unknown_account_is_not_found(client):
    with pytest.raises(VerdictError) as err:
        client.decide(hateful("acc-nobody"))
    assert err.value.code == grpc.StatusCode.NOT_FOUND
    assert "acc-nobody" in err.value.details


def test_opa_unreachable_fails_closed(sqlite_url, tmp_path):
    """No OPA: UNAVAILABLE, never a decision, and nothing in the log."""
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, f"http://127.0.0.1:{free_port()}", tmp_path)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            with pytest.raises(VerdictError) as err:
                client.decide(hateful("acc-citizen"))
        assert err.value.code == grpc.StatusCode.UNAVAILABLE
        assert app.db.query("SELECT COUNT(*) FROM decision_log WHERE kind = 'decide'")[0][0] == 0
    finally:
        app.stop()


def test_every_decision_is_in_the_log_before_the_answer(client, server):
    decision = client.decide(hateful("acc-candidate-250k"))
    rows = server.db.query("SELECT kind, account_id, outcome, revision FROM decision_log WHERE decision_id = ?", (decision.decision_id,))
    assert rows == [("decide", "acc-candidate-250k", "OUTCOME_PUBLIC_INTEREST_REVIEW", decision.policy_revision)]


def test_health_and_reflection_are_served(server):
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="verdict.v1.PolicyService"))
        assert status.status == health_pb2.HealthCheckResponse.SERVING
        answers = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for s in next(answers).list_services_response.service}
        assert "verdict.v1.PolicyService" in names
