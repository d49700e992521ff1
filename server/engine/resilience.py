"""Fail closed, recover by itself: retries with backoff and a circuit breaker around OPA.

Each OPA call has its own deadline (the engine's timeout). A call that
finds OPA unreachable is retried a bounded number of times with backoff;
after ``failure_threshold`` failed calls in a row the circuit opens and
calls fail at once (UNAVAILABLE) for ``open_seconds``; then calls are let
through again and the first success closes the circuit. Policy errors are
not retried: they are not OPA being down.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import structlog

from server.engine.base import EngineUnavailable, Evaluation, PolicyEngine

log = structlog.get_logger("engine")


class CircuitOpen(EngineUnavailable):
    """OPA failed repeatedly; calls are refused until the circuit half-opens."""


class ResilientEngine:
    def __init__(
        self, inner: PolicyEngine, retries: int = 2, backoff: tuple[float, ...] = (0.02, 0.1),
        failure_threshold: int = 5, open_seconds: float = 2.0, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.retries = retries
        self.backoff = backoff
        self.failure_threshold = failure_threshold
        self.open_seconds = open_seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0

    @property
    def name(self) -> str:
        return self.inner.name

    def __getattr__(self, item: str) -> Any:  # bundle, revision, url ... of the inner engine
        return getattr(self.inner, item)

    @property
    def state(self) -> str:
        if self._failures < self.failure_threshold:
            return "closed"
        return "open" if self._clock() < self._open_until else "half-open"

    def evaluate(self, path: str, input_doc: dict[str, Any]) -> Evaluation:
        if self.state == "open":
            raise CircuitOpen(
                f"OPA failed {self._failures} times in a row; not trying again for {self._open_until - self._clock():.1f} s"
            )
        last: EngineUnavailable | None = None
        for attempt in range(self.retries + 1):
            try:
                result = self.inner.evaluate(path, input_doc)
            except EngineUnavailable as exc:
                last = exc
                if attempt < self.retries:
                    self._sleep(self.backoff[min(attempt, len(self.backoff) - 1)])
                continue
            self._succeeded()
            return result
        self._failed()
        assert last is not None
        raise last

    def _succeeded(self) -> None:
        if self._failures:
            with self._lock:
                if self._failures >= self.failure_threshold:
                    log.info("OPA reachable again; circuit closed")
                self._failures = 0

    def _failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.failure_threshold:
                if self._clock() >= self._open_until:
                    log.warning("OPA unreachable; circuit open", failures=self._failures, seconds=self.open_seconds)
                self._open_until = self._clock() + self.open_seconds

    def healthy(self) -> bool:
        return self.inner.healthy()

    def close(self) -> None:
        self.inner.close()
