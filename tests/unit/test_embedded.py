"""The embedded engine's own JSON path gives what the binding's path gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from opa_bindings import OpaEngine, OpaError, OpaUndefinedError

from server.engine.bundle import Bundle
from server.engine.opa_golib import Engine, new_engine
from server.policytools.tables import QUERIES, case_input, tables

ROOT = Path(__file__).resolve().parents[2]

POLICY = """package demo

import rego.v1

allow if input.user == "alice"

echo := input

broken := x if x := 1 / input.zero

said := true if print("hello", input.user)
"""


@pytest.fixture
def engine():
    e = Engine()
    e.add_policy("demo.rego", POLICY)
    yield e
    e.close()


def both(engine: Engine, path: str, doc):
    """(orjson path, binding path): each an answer or the error it raised."""
    out = []
    for evaluate in (engine.eval_document, lambda p, d: OpaEngine.eval_document(engine, p, d)):
        try:
            out.append(evaluate(path, doc))
        except OpaError as exc:
            out.append((type(exc), exc.code, exc.message))
    return out


def test_every_decision_table_case_answers_the_same_on_both_paths():
    bundle = Bundle.from_directory(ROOT / "rego", tests=True)
    engine = new_engine(Bundle.from_directory(ROOT / "rego"))
    try:
        cases = [c for doc in tables(bundle).values() for c in doc]
        assert cases
        for case in cases:
            fast, binding = both(engine, QUERIES[case.get("kind", "decide")], case_input(case))
            assert fast == binding, case["id"]
    finally:
        engine.close()


def test_undefined_and_errors_are_the_bindings(engine):
    fast, binding = both(engine, "demo.allow", {"user": "bob"})
    assert fast == binding and fast[0] is OpaUndefinedError
    fast, binding = both(engine, "demo.broken", {"zero": 0})
    assert fast == binding and fast[0] is OpaError and fast[0] is not OpaUndefinedError and "divide by zero" in fast[2]


def test_values_orjson_does_not_encode_take_the_bindings_path(engine):
    assert engine.eval_document("demo.echo", {"n": 2**70, "s": "é"}) == {"n": 2**70, "s": "é"}
    with pytest.raises(OpaError) as err:
        engine.eval_document("demo.echo", {"bad": "\udc80"})
    assert err.value.code == "invalid_argument"


def test_prints_reach_the_print_handler(engine):
    seen = []
    engine.print_handler = lambda message, location: seen.append(message)
    assert engine.eval_document("demo.said", {"user": "carol"}) is True
    assert seen == ["hello carol"] and engine.last_prints[0][0] == "hello carol"


def test_a_closed_engine_says_so(engine):
    engine.close()
    with pytest.raises(OpaError) as err:
        engine.eval_document("demo.allow", {"user": "alice"})
    assert err.value.code == "closed"


def test_plain_evaluations_do_not_take_the_bindings_path(engine, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the binding's json path was taken")

    monkeypatch.setattr(OpaEngine, "eval_document", refuse)
    assert engine.eval_document("demo.allow", {"user": "alice"}) is True
    with pytest.raises(AssertionError):
        engine.eval_document("demo.allow", {"user": "alice"}, trace=True)
