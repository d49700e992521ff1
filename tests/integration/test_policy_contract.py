"""An empty policy answer is not a decision.

OPA (a stand-in in front of the real one) answers ``{"result": {}}``, an
outcome UNSPECIFIED, no reasons, or nothing at all: every RPC that asks the
policy fails closed with UNAVAILABLE naming what the answer lacks, and
nothing is logged as a decision.
"""

from __future__ import annotations

from typing import Any, Callable

import grpc
import pytest

from clients.client import VerdictClient, VerdictError
from tests.conftest import import_accounts, start_server
from tests.fakes.opa import FakeOpa

AS_OF = "2024-05-01T12:00:00Z"
CASE = {
    "content": {"kind": "post", "post_id": "p-contract", "author_account_id": "acc-candidate-100k"},
    "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
    "as_of": AS_OF,
}
REPORT = {"policy": "terrorism_violent_extremism", "reporter": {"has_account": False}, "post_ids": ["p-1"], "as_of": AS_OF}
GROUP = {"group_id": "g-contract", "name": "G", "kind": "campaign", "shared_purpose": True,
         "coordination": [{"type": "social", "evidence": ["x"], "sufficient_evidence": True}],
         "harms": {"physical": "high", "psychological": "moderate", "informational": "low"}}

CALLS: dict[str, Callable[[VerdictClient], Any]] = {
    "Decide": lambda c: c.decide(CASE),
    "Decide with apply": lambda c: c.decide(CASE, apply=True),
    "CheckPublicInterest": lambda c: c.check_public_interest(CASE),
    "AssessReport": lambda c: c.assess_report(REPORT),
    "AssessGroup": lambda c: c.assess_group(GROUP, AS_OF),
    "AssessGroup with apply": lambda c: c.assess_group(GROUP, AS_OF, apply=True),
    "DecideBatch": lambda c: c.decide_batch([CASE, CASE]),
    "DecideStream": lambda c: list(c.decide_stream([CASE, CASE])),
}


def with_result(change: Callable[[dict], Any]) -> Callable[[str, dict], dict]:
    """A rewrite of OPA's answer that keeps its provenance (the revision is real and archived)."""
    def rewrite(path: str, answer: dict) -> dict:
        return {**answer, "result": change(answer.get("result"))}
    return rewrite


def drop_reason_clauses(result: dict) -> dict:
    return {**result, "reasons": [{k: v for k, v in r.items() if k != "clause_id"} for r in result.get("reasons", [])]}


def unspecified(result: dict) -> dict:
    """Outcome UNSPECIFIED; an assessment without an outcome loses the field it answers with."""
    if "outcome" in result:
        return {**result, "outcome": "OUTCOME_UNSPECIFIED"}
    return {k: v for k, v in result.items() if k not in ("eligible", "admissible")}


ANSWERS: dict[str, Callable[[str, dict], dict]] = {
    "an empty result": with_result(lambda r: {}),
    "an outcome UNSPECIFIED": with_result(unspecified),
    "no reasons": with_result(lambda r: {**r, "reasons": []}),
    "reasons without their clause": with_result(drop_reason_clauses),
    "no result at all": lambda path, answer: {k: v for k, v in answer.items() if k != "result"},
}

DECISION_KINDS = ("decide", "check_public_interest", "assess_report", "assess_group", "apply")


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("contract")
    url = f"sqlite:///{tmp}/verdict.db"
    import_accounts(url)
    return url, tmp


def decisions_logged(app) -> int:
    marks = ", ".join("?" * len(DECISION_KINDS))
    return app.db.query(f"SELECT COUNT(*) FROM decision_log WHERE kind IN ({marks})", DECISION_KINDS)[0][0]


@pytest.mark.parametrize("answer", list(ANSWERS), ids=list(ANSWERS))
def test_an_answer_that_is_no_decision_fails_closed_and_logs_nothing(accounts_db, opa_url, answer):
    url, tmp = accounts_db
    fake = FakeOpa(opa_url, ANSWERS[answer])
    app = start_server(url, fake.url, tmp)
    try:
        before = decisions_logged(app)
        with VerdictClient(f"127.0.0.1:{app.port}", timeout=30) as client:
            for name, call in CALLS.items():
                with pytest.raises(VerdictError) as refused:
                    call(client)
                assert refused.value.code == grpc.StatusCode.UNAVAILABLE, f"{name}: {refused.value}"
                assert "nothing was decided" in refused.value.details, name
        assert decisions_logged(app) == before
    finally:
        app.stop()
        fake.close()


def test_the_stand_in_passes_real_answers_through(accounts_db, opa_url):
    """The control: the same stand-in, answers unchanged, decides every RPC."""
    url, tmp = accounts_db
    fake = FakeOpa(opa_url, lambda path, answer: answer)
    app = start_server(url, fake.url, tmp)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}", timeout=30) as client:
            for name, call in CALLS.items():
                assert call(client), name
    finally:
        app.stop()
        fake.close()


def test_the_contract_names_what_is_missing(accounts_db, opa_url):
    url, tmp = accounts_db
    fake = FakeOpa(opa_url, ANSWERS["an outcome UNSPECIFIED"])
    app = start_server(url, fake.url, tmp)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}", timeout=30) as client:
            with pytest.raises(VerdictError) as refused:
                client.decide(CASE)
        assert "result.outcome" in refused.value.details and "UNSPECIFIED" in refused.value.details
    finally:
        app.stop()
        fake.close()
