"""Retries, backoff and the circuit breaker around OPA, with a fake clock."""

from __future__ import annotations

import pytest

from server.engine.base import EngineUnavailable, Evaluation, PolicyEvaluationError
from server.engine.resilience import CircuitOpen, ResilientEngine


class FlakyEngine:
    name = "fake"

    def __init__(self, outcomes: list) -> None:
        self.outcomes = outcomes
        self.calls = 0

    def evaluate(self, path, input_doc):
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        return Evaluation({"ok": True}, "rev", "fake", "v", 0.1)

    def healthy(self):
        return True

    def close(self):
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def engine(outcomes, **kw):
    clock = Clock()
    inner = FlakyEngine(outcomes)
    return ResilientEngine(inner, clock=clock, sleep=clock.sleep, **kw), inner, clock


def test_a_passing_glitch_is_retried_with_backoff():
    resilient, inner, clock = engine([EngineUnavailable("down"), EngineUnavailable("down")], retries=2, backoff=(0.02, 0.1))
    assert resilient.evaluate("p", {}).result == {"ok": True}
    assert inner.calls == 3 and clock.sleeps == [0.02, 0.1]


def test_retries_are_bounded_and_the_error_surfaces():
    resilient, inner, _ = engine([EngineUnavailable("down")] * 10, retries=2)
    with pytest.raises(EngineUnavailable):
        resilient.evaluate("p", {})
    assert inner.calls == 3


def test_policy_errors_are_not_retried():
    resilient, inner, _ = engine([PolicyEvaluationError("bug")])
    with pytest.raises(PolicyEvaluationError):
        resilient.evaluate("p", {})
    assert inner.calls == 1


def test_the_circuit_opens_fails_fast_and_closes_after_recovery():
    resilient, inner, clock = engine([EngineUnavailable("down")] * 6, retries=0, failure_threshold=3, open_seconds=2.0)
    for _ in range(3):
        with pytest.raises(EngineUnavailable):
            resilient.evaluate("p", {})
    assert resilient.state == "open"
    calls = inner.calls
    with pytest.raises(CircuitOpen):
        resilient.evaluate("p", {})
    assert inner.calls == calls  # refused without touching OPA
    clock.now += 2.1
    assert resilient.state == "half-open"
    with pytest.raises(EngineUnavailable):
        resilient.evaluate("p", {})  # the trial call fails: open again
    assert resilient.state == "open"
    inner.outcomes = []  # OPA is back
    clock.now += 2.1
    assert resilient.evaluate("p", {}).result == {"ok": True}
    assert resilient.state == "closed"
