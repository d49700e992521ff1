"""AuditService over the wire: find, explain, replay and verify, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil

import grpc
import pytest

from clients.client import VerdictError
from server.db.database import Database
from server.engine.bundle import Bundle
from verdict.v1 import account_pb2, decision_pb2

from tests.conftest import REGO

FOLLOWERS = [10_000, 50_000, 50_001, 60_000, 75_000, 99_999, 100_000, 100_001, 150_000, 2_000_000]


def case(account_id: str, post: str, policy: str = "hateful_conduct", as_of: str = "2024-05-01T12:00:00Z") -> dict:
    return {
        "content": {"kind": "post", "post_id": post, "author_account_id": account_id},
        "violation": {"policy": policy, "rule": {"confirmed": True}},
        "as_of": as_of,
    }


def load_accounts(db_url: str) -> None:
    from server.enforcement.accounts import upsert_account

    with Database(db_url) as db, db.transaction(write=True) as cur:
        for n in FOLLOWERS:
            upsert_account(cur, account_pb2.Account(
                account_id=f"acc-f{n}", verified=True, followers=n,
                office_role=account_pb2.OFFICE_ROLE_CANDIDATE, office_level=account_pb2.OFFICE_LEVEL_STATE,
            ), source="test")


@pytest.fixture
def decided(server, client):
    """A few thousand decisions across the follower range, through DecideBatch."""
    load_accounts(server.settings.db_url)
    ids = {}
    for start in range(0, 3000, 500):
        cases = [case(f"acc-f{FOLLOWERS[i % len(FOLLOWERS)]}", f"post-{i}") for i in range(start, start + 500)]
        for c, d in zip(cases, client.decide_batch(cases)):
            ids[d.decision_id] = int(c["content"]["author_account_id"].removeprefix("acc-f"))
    return ids


def test_get_decision_returns_what_was_recorded(client):
    decision = client.decide(case("acc-candidate-250k", "post-get"))
    record = client.get_decision(decision.decision_id)
    assert record.kind == "decide"
    assert record.decision == decision
    assert record.account_id == "acc-candidate-250k" and record.post_id == "post-get"
    assert json.loads(record.input_json)["account"]["followers"] == 250000
    enrichment = json.loads(record.enrichment_json)["account"]
    assert enrichment["source"].startswith("account_store:") and enrichment["age_seconds"] >= 0
    assert record.engine == "sidecar" and record.opa_version
    assert set(record.timings_ms) >= {"enrich", "evaluate", "total"}
    assert "PI-1.3" in record.clauses


def test_unknown_decision_is_not_found(client):
    with pytest.raises(VerdictError) as err:
        client.get_decision("dec_nope")
    assert err.value.code == grpc.StatusCode.NOT_FOUND


def test_query_by_account_policy_outcome_clause_and_pages(client):
    for i in range(7):
        client.decide(case("acc-candidate-100k", f"q-{i}"))
    eligible = client.decide(case("acc-mayor", "q-mayor", policy="abuse_harassment"))
    first = client.query_decisions(page_size=5, account_id="acc-candidate-100k")
    assert first.total == 7 and len(first.records) == 5 and first.next_page_token
    second = client.query_decisions(page_size=5, page_token=first.next_page_token, account_id="acc-candidate-100k")
    assert len(second.records) == 2 and not second.next_page_token
    assert {r.post_id for r in [*first.records, *second.records]} == {f"q-{i}" for i in range(7)}
    by_clause = [r.decision_id for r in client.iter_decisions(clause_id="PI-1.4a")]
    assert by_clause == [eligible.decision_id]
    by_outcome = list(client.iter_decisions(outcome="OUTCOME_REQUIRE_REMOVAL", policy="hateful_conduct"))
    assert len(by_outcome) == 7
    assert list(client.iter_decisions(since="2099-01-01T00:00:00Z")) == []
    with pytest.raises(VerdictError) as err:
        client.query_decisions(page_token="garbage!")
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and "page_token" in err.value.details


def test_every_audit_read_is_logged_with_its_caller(client, server):
    decision = client.decide(case("acc-citizen", "read-me"))
    client.get_decision(decision.decision_id)
    reads = list(client.iter_decisions(kind="audit_read"))
    assert any(json.loads(r.request_json) == {} and r.caller.startswith("peer:") for r in reads)
    rows = server.db.query("SELECT record FROM decision_log WHERE kind = 'audit_read'")
    assert any(json.loads(text)["read"] == {"decision_id": decision.decision_id} for (text,) in rows)


def test_explain_gives_input_rules_and_words(client):
    decision = client.decide(case("acc-candidate-100k", "explain-1"))
    explanation = client.explain(decision.decision_id)
    assert "PI-1.3" in explanation.text_en and "100,000" in explanation.text_en
    assert "100.000" in explanation.text_nl
    rules = {r.rule: r for r in explanation.rules}
    # The rules that fired, from the evaluation and their annotations: the
    # PI-1 criteria produced PI-1.3 (worded for the count), the finding the
    # removal; PI-7 is a clause the decision can cite but did not.
    standing = rules["data.verdict.pi.assessment"]
    assert "PI-1.3" in standing.clause_ids and "PI-1.3" in standing.can_cite
    assert standing.title and standing.location.startswith("verdict/pi/pi.rego:")
    assert rules["data.verdict.rules.finding"].clause_ids == ["PI-0"]
    result = rules["data.verdict.decision.result"]
    assert "PI-7" in result.can_cite and "PI-7" not in result.clause_ids
    assert all(r.rule not in rules for r in explanation.evaluated)
    assert json.loads(explanation.record.input_json)["case"]["content"]["post_id"] == "explain-1"


def test_replay_on_recorded_revisions_reproduces_every_decision(client, decided):
    updates = list(client.replay())
    summary = updates[-1].summary
    assert summary.mode == "recorded"
    assert summary.replayed >= 3000
    assert summary.faults == 0 and summary.errors == 0
    assert summary.unchanged == summary.replayed
    assert updates[0].total == summary.replayed and len(updates) > 2  # progress before the summary


def test_candidate_with_lower_threshold_changes_exactly_the_accounts_between(client, decided, tmp_path):
    candidate = tmp_path / "rego"
    shutil.copytree(REGO, candidate)
    pi = candidate / "verdict" / "pi" / "pi.rego"
    pi.write_text(pi.read_text().replace("follower_threshold := 100000", "follower_threshold := 50000"))
    summary = list(client.replay(bundle=Bundle.from_directory(candidate).tarball(), list_changed=True))[-1].summary
    expected = {d for d, followers in decided.items() if 50_001 <= followers <= 100_000}
    assert summary.mode == "candidate"
    assert summary.candidate_revision == Bundle.from_directory(candidate).revision
    assert set(summary.changed_decision_ids) == expected
    assert summary.changed == len(expected)
    [change] = summary.outcome_changes
    assert (getattr(change, "from"), change.to) == ("OUTCOME_REQUIRE_REMOVAL", "OUTCOME_PUBLIC_INTEREST_REVIEW")
    changes = {(c.clause_id, decision_pb2.ReasonKind.Name(c.kind)): (c.added, c.removed) for c in summary.clause_changes}
    n = len(expected)
    assert changes[("PI-1.3", "REASON_KIND_CRITERION_MET")] == (n, 0)
    assert changes[("PI-1.3", "REASON_KIND_CRITERION_NOT_MET")] == (0, n)
    assert changes[("PI-8", "REASON_KIND_PROCESS")] == (n, 0)


def test_replay_against_a_missing_directory_or_ref_is_invalid(client):
    with pytest.raises(VerdictError) as err:
        list(client.replay(git_ref="no-such-ref-anywhere"))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_verify_over_grpc_names_the_record_edited_by_hand(client, server):
    ids = [client.decide(case("acc-citizen", f"v-{i}")).decision_id for i in range(5)]
    assert client.verify_log().ok
    with server.db.transaction(write=True) as cur:
        cur.execute("UPDATE decision_log SET outcome = 'OUTCOME_NO_ACTION' WHERE decision_id = ?", (ids[2],))
    result = client.verify_log()
    assert not result.ok
    assert result.first_bad_decision_id == ids[2]
    assert result.findings[0].kind == "record_changed" and "changed after it was logged" in result.problem


# The policies before round 2 (issue 11), as `make bench-policy` compares against.
PREVIOUS_POLICIES = "c344ce3"


def test_decisions_of_the_previous_policies_replay_exactly_on_their_own_revision(db_url, tmp_path):
    """Decisions logged by the previous policies, then by the current ones, on
    one log: replay evaluates each on the revision that made it."""
    from clients.client import VerdictClient
    from server.audit.candidates import from_git
    from tests.conftest import import_accounts, start_server

    previous = from_git(PREVIOUS_POLICIES, REGO)
    old_dir = tmp_path / "previous"
    for path, content in previous.files.items():
        (old_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (old_dir / path).write_bytes(content)
    import_accounts(db_url)
    cases = [
        case("acc-candidate-250k", "r-1"), case("acc-citizen", "r-2"),
        {**case("acc-citizen", "r-3"), "violation": {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}}},
        {**case("acc-citizen", "r-4"), "violation": {"policy": "private_information", "priv": {"category": "home_address", "subject_consented": False}}},
    ]
    made = {}
    for bundle_dir in (old_dir, REGO):
        app = start_server(db_url, "", tmp_path, engine="embedded", bundle_dir=bundle_dir)
        try:
            with VerdictClient(f"127.0.0.1:{app.port}") as client:
                for c in cases:
                    made[client.decide(c).decision_id] = Bundle.from_directory(bundle_dir).revision
                if bundle_dir == REGO:
                    summary = list(client.replay())[-1].summary
                    records = {d: client.get_decision(d).decision.policy_revision for d in made}
        finally:
            app.stop()
    assert previous.revision != Bundle.from_directory(REGO).revision
    assert records == made  # each decision names the revision that made it
    assert summary.replayed == len(made) and summary.unchanged == len(made)
    assert summary.faults == 0 and summary.errors == 0
