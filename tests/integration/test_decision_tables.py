"""The decision tables of rego/tables, every case through the gRPC API.

The same cases run as Rego tests (rego/tables/tables_test.rego); here they go
over the wire: the case's account and group designations are loaded into the
store, the request is sent to a real server on a real port, and the answer
must hold what the case expects.
"""

from __future__ import annotations

from typing import Any

import pytest

import grpc

from clients.client import VerdictClient, VerdictError
from shared.protojson import parse, to_dict
from server.db.database import Database
from server.engine.bundle import Bundle
from server.enforcement.accounts import upsert_account
from server.enforcement.history import save_designation
from verdict.v1 import account_pb2, assessments_pb2, case_pb2

from tests.conftest import REGO, start_server

BUNDLE = Bundle.from_directory(REGO, tests=True)  # the decision tables are test data, not part of the served bundle
CASES = [
    pytest.param(table, case, id=case["id"])
    for table, doc in sorted((BUNDLE.data.get("tables") or {}).items())
    for case in doc.get("cases", [])
]


def _leaves(expected: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(expected, dict):
        return [leaf for key, value in expected.items() for leaf in _leaves(value, (*path, key))]
    return [(path, expected)]


def _get(doc: Any, path: tuple) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _same(expected: Any, got: Any) -> bool:
    if got == expected:
        return True
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return all(_same(e, g) for e, g in zip(expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return all(_same(v, got.get(k)) for k, v in expected.items())
    if got is None and (expected in (False, 0, "", []) or str(expected).endswith("_UNSPECIFIED")):
        return True  # protobuf JSON leaves zero values (and enums' zero value) out
    # protobuf JSON writes int64 as a string
    return isinstance(expected, int) and not isinstance(expected, bool) and got == str(expected)


def mismatches(expected: dict, actual: dict) -> list[str]:
    return [
        f"{'.'.join(path)}: expected {value!r}, got {_get(actual, path)!r}"
        for path, value in _leaves(expected)
        if not _same(value, _get(actual, path))
    ]


def test_every_table_has_cases():
    assert {t for t, _ in (p.values for p in CASES)} >= {"pi", "tve", "ei", "cha", "priv"}
    assert len(CASES) >= 150


def test_an_account_id_means_the_same_account_in_every_case():
    """The tables share one store over gRPC, so an ID must not carry two different accounts."""
    seen: dict[str, tuple[str, dict]] = {}
    for table, case in (p.values for p in CASES):
        account = case["input"].get("account")
        if not account:
            continue
        first = seen.setdefault(account["account_id"], (case["id"], account))
        assert first[1] == account, f"{case['id']} and {first[0]} give account {account['account_id']} different data"


@pytest.fixture(scope="module")
def table_server(tmp_path_factory, opa_url):
    tmp = tmp_path_factory.mktemp("tables")
    url = f"sqlite:///{tmp}/verdict.db"
    app = start_server(url, opa_url, tmp)
    with Database(url).transaction(write=True) as cur:
        for table, case in (p.values for p in CASES):
            account = case["input"].get("account")
            if account:
                upsert_account(cur, parse(account, account_pb2.Account()), source=f"table:{case['id']}")
            for designation in (case["input"].get("groups") or {}).values():
                save_designation(cur, designation)
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        yield client
    app.stop()


def _call(client: VerdictClient, case: dict) -> tuple[dict, set[str]]:
    kind = case.get("kind", "decide")
    given = case["input"]
    if kind == "decide":
        decision = client.decide(parse(given["case"], case_pb2.Case()))
        return to_dict(decision), {r.clause_id for r in decision.reasons}
    if kind == "report":
        response = client.assess_report(parse(given["report"], assessments_pb2.Report()))
        return to_dict(response.assessment), {r.clause_id for r in response.assessment.reasons}
    if kind == "group":
        response = client.assess_group(parse(given["group"], assessments_pb2.Group()), given["as_of"])
        return to_dict(response.assessment), {r.clause_id for r in response.assessment.reasons}
    raise AssertionError(f"unknown case kind {kind!r}")


@pytest.mark.parametrize("table, case", CASES)
def test_table_case_through_grpc(table_server, table, case):
    if "grpc_error" in case:  # a case the policy handles but the API refuses as malformed
        with pytest.raises(VerdictError) as err:
            _call(table_server, case)
        assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert err.value.details.startswith(case["grpc_error"] + ":"), err.value.details
        return
    actual, cited = _call(table_server, case)
    expect = case["expect"]
    problems = mismatches(expect.get("result", {}), actual)
    problems += [f"clause {c} not cited" for c in expect.get("clauses", []) if c not in cited]
    problems += [f"clause {c} cited but should not be" for c in expect.get("not_clauses", []) if c in cited]
    assert not problems, f"{case['id']} ({case.get('description', '')}):\n  " + "\n  ".join(problems)
