"""Every decision-table case through the real server: each restrictive decision's
statement of reasons passes the JSON Schema and the fake Transparency
Database's own rules, and the whole lot is accepted by the fake over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest

from clients.client import VerdictError
from shared.protojson import parse, to_dict
from server.dsa.restriction import restriction_of
from server.dsa.schema import enumeration, validate
from server.dsa.submit import Submission, TdbClient
from verdict.v1 import case_pb2, decision_pb2

from tests.fakes.tdb import FakeTdb, check_statement
from tests.integration.test_decision_tables import CASES, table_server  # noqa: F401 (the fixture)

EEA = enumeration("territorial_scope")
RESTRICTIVE_OUTCOMES = {decision_pb2.OUTCOME_REQUIRE_REMOVAL, decision_pb2.OUTCOME_TEMPORARY_LOCK,
                        decision_pb2.OUTCOME_PERMANENT_SUSPENSION, decision_pb2.OUTCOME_LIMIT_VISIBILITY}
DECIDE_CASES = [p for p in CASES if p.values[1].get("kind", "decide") == "decide" and "grpc_error" not in p.values[1]]


@pytest.fixture(scope="module")
def table_decisions(table_server):  # noqa: F811
    """Every decide case of the tables, decided once, with what DsaService says about it."""
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    out = {}
    for param in DECIDE_CASES:
        case = param.values[1]
        decision = table_server.decide(parse(case["input"]["case"], case_pb2.Case()))
        try:
            answer = table_server.statement(decision.decision_id)
        except VerdictError as exc:
            answer = exc
        out[case["id"]] = (decision, answer)
    return started, out


def test_the_tables_hold_restrictive_cases_of_every_kind(table_decisions):
    _, decided = table_decisions
    outcomes = {d.outcome for d, answer in decided.values() if not isinstance(answer, VerdictError)}
    assert outcomes >= RESTRICTIVE_OUTCOMES
    assert sum(not isinstance(a, VerdictError) for _, a in decided.values()) >= 100


@pytest.mark.parametrize("table, case", DECIDE_CASES)
def test_restrictive_table_case_has_a_valid_statement(table_decisions, table, case):
    decision, answer = table_decisions[1][case["id"]]
    restricts = restriction_of(decision.effects).restricts_in(EEA)
    assert restricts or decision.outcome not in RESTRICTIVE_OUTCOMES
    if not restricts:
        assert isinstance(answer, VerdictError) and answer.code == grpc.StatusCode.FAILED_PRECONDITION, answer
        return
    assert not isinstance(answer, VerdictError), answer
    assert not answer.errors, [(e.field, e.message) for e in answer.errors]
    statement = to_dict(answer.statement)
    assert statement["puid"] == decision.decision_id
    assert validate(statement) == []
    assert check_statement(statement) == {}
    assert answer.notice.en.text and answer.notice.nl.text


def test_every_table_statement_is_accepted_by_the_fake_database(table_server, table_decisions):  # noqa: F811
    started, decided = table_decisions
    expected = {d.decision_id for d, a in decided.values() if not isinstance(a, VerdictError)}
    until = (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    listed = [to_dict(s.statement) for s in table_server.statements(started.isoformat().replace("+00:00", "Z"), until)
              if s.decision_id in expected]
    assert {s["puid"] for s in listed} == expected
    fake = FakeTdb().start()
    try:
        result = Submission(TdbClient(fake.url, fake.token)).run(listed)
        assert result.ok and sorted(result.submitted) == sorted(expected)
        assert set(fake.stored) == expected
        assert len(fake.posted) == len(expected)   # each sent once
    finally:
        fake.stop()
