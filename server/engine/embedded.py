"""The real OPA Go engine in-process: a pool of compiled, warmed engines behind the PolicyEngine interface.

Used by the server in embedded mode, by the OPA-compatible sidecar, by replay
of archived revisions and by the Rego test runner. Evaluations on one
``OpaEngine`` are serialized and compiling one costs a fraction of a second,
so a small pool of compiled, warmed engines is shared by all threads; the Go
code runs without the GIL, so engines evaluate in parallel.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from opa_bindings import OpaError, OpaUndefinedError

from server.engine.base import Evaluation, PolicyEvaluationError, UndefinedDecision
from server.engine.bundle import Bundle
from server.engine.opa_golib import Engine, new_engine, opa_version

# The documents the server queries; each pooled engine prepares them up front.
WARM_QUERIES = ("verdict.decision.result", "verdict.pi.assessment", "verdict.report.result", "verdict.group.result")


# The Go runtime inside the engine reads GOGC once, when the process starts.
# Collecting at 5x the live heap instead of 2x cuts the engine's CPU per
# decision by about a quarter (make bench), for a heap of some hundred MB.
GOGC_DEFAULT = "400"


def reexec_with_go_gc_tuned(module: str) -> None:
    """Start this process again with GOGC set, unless it is set already."""
    if "GOGC" not in os.environ:
        os.execve(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]], {**os.environ, "GOGC": GOGC_DEFAULT})


def _compiled(bundle: Bundle, warm: bool) -> Engine:
    try:
        engine = new_engine(bundle)
    except OpaError as exc:
        raise PolicyEvaluationError(f"bundle {bundle.revision[:12]} does not compile: {exc.message}") from None
    if warm:
        for query in WARM_QUERIES:  # the first evaluation of a query prepares it; do it now, not in a request
            try:
                engine.eval_document(query, {})
            except OpaError:
                pass
    return engine


class _Pool:
    """Compiled engines for one revision: taken by one evaluation at a time."""

    def __init__(self, bundle: Bundle, size: int, warm: bool) -> None:
        self.bundle = bundle
        self.size = size
        self.warm = warm
        self._free: "queue.LifoQueue[Engine]" = queue.LifoQueue()
        self._all: list[Engine] = []
        self._planned = 0  # engines made or being made, never more than size
        self._lock = threading.Lock()
        self._grow()  # fail here, not in a request, if the bundle does not compile

    def _grow(self) -> bool:
        """Compile one more engine if the pool may still grow."""
        with self._lock:
            if self._planned >= self.size:
                return False
            self._planned += 1
        try:
            engine = _compiled(self.bundle, self.warm)
        except Exception:
            with self._lock:
                self._planned -= 1
            raise
        with self._lock:
            self._all.append(engine)
        self._free.put(engine)
        return True

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        try:
            engine = self._free.get_nowait()
        except queue.Empty:
            self._grow()
            engine = self._free.get()
        try:
            yield engine
        finally:
            self._free.put(engine)

    def fill(self) -> None:
        while self._grow():
            pass

    def close(self) -> None:
        with self._lock:
            for engine in self._all:
                engine.close()
            self._all.clear()


class EmbeddedEngine:
    """A PolicyEngine over the in-process OPA engine."""

    def __init__(self, bundle: Bundle, name: str = "embedded", size: int | None = None, warm: bool = True) -> None:
        self.name = name
        self._size = size or max(2, os.cpu_count() or 2)
        self._warm = warm
        self._version = opa_version()
        self._pool = _Pool(bundle, self._size, warm)

    @property
    def bundle(self) -> Bundle:
        return self._pool.bundle

    @property
    def revision(self) -> str:
        return self._pool.bundle.revision

    def prewarm(self) -> None:
        """Compile the whole pool now (servers do, so no request pays for it)."""
        self._pool.fill()

    def evaluate(self, path: str, input_doc: dict[str, Any] | None) -> Evaluation:
        pool = self._pool
        started = time.perf_counter()
        with pool.engine() as engine:
            try:
                value = engine.eval_document(path.strip("/").replace("/", "."), input_doc)
            except OpaUndefinedError:
                raise UndefinedDecision(f"data/{path} is undefined") from None
            except OpaError as exc:
                raise PolicyEvaluationError(exc.message) from None
        elapsed = (time.perf_counter() - started) * 1000
        return Evaluation(value, pool.bundle.revision, self.name, self._version, elapsed)

    def reload(self, bundle: Bundle) -> None:
        """Switch to another revision, its pool compiled and warmed first (no request
        pays for it; a bundle that does not compile changes nothing); the old
        engines are closed once idle."""
        new_pool = _Pool(bundle, self._size, self._warm)
        new_pool.fill()
        old, self._pool = self._pool, new_pool
        closer = threading.Timer(5.0, old.close)  # evaluations in flight finish on the old engines first
        closer.daemon = True
        closer.start()

    def healthy(self) -> bool:
        return True

    def close(self) -> None:
        self._pool.close()
