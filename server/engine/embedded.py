"""The real OPA Go engine in-process (opa-golib-python-bindings).

Used by the server in embedded mode, by the OPA-compatible sidecar, by replay
of archived revisions and by the Rego test runner. Evaluations on one
``OpaEngine`` are serialized, so every thread gets its own engine; the Go
code runs without the GIL, so threads evaluate in parallel.
"""

from __future__ import annotations

import threading
import time
from importlib import metadata
from typing import Any

from opa_bindings import OpaEngine, OpaError, OpaUndefinedError

from server.engine.base import Evaluation, PolicyEvaluationError, UndefinedDecision
from server.engine.bundle import Bundle

# The OPA release compiled into opa-golib-python-bindings 0.4.4.
_OPA_RELEASE = {"0.4.4": "1.20.2"}


def opa_version() -> str:
    """The OPA version of the embedded engine, as the provenance reports it."""
    bindings = metadata.version("opa-golib-python-bindings")
    return _OPA_RELEASE.get(bindings, f"unknown (bindings {bindings})")


def new_engine(bundle: Bundle) -> OpaEngine:
    """A fresh engine with every module and data document of ``bundle``."""
    engine = OpaEngine()
    try:
        if bundle.data:
            engine.add_data(dict(bundle.data))
        for path, source in bundle.modules.items():
            engine.add_policy(path, source)
    except OpaError:
        engine.close()
        raise
    return engine


class EmbeddedEngine:
    """A PolicyEngine over the in-process OPA engine, one OpaEngine per thread."""

    name = "embedded"

    def __init__(self, bundle: Bundle, name: str = "embedded") -> None:
        self.name = name
        self._bundle = bundle
        self._version = opa_version()
        self._local = threading.local()
        self._engines: list[OpaEngine] = []
        self._lock = threading.Lock()
        # Compile once up front, so a broken bundle fails at start, not on the first case.
        self._engine()

    @property
    def bundle(self) -> Bundle:
        return self._bundle

    @property
    def revision(self) -> str:
        return self._bundle.revision

    def _engine(self) -> OpaEngine:
        local = self._local
        if getattr(local, "revision", None) != self._bundle.revision:
            bundle = self._bundle
            try:
                local.engine = new_engine(bundle)
            except OpaError as exc:
                raise PolicyEvaluationError(f"bundle {bundle.revision[:12]} does not compile: {exc.message}") from None
            local.revision = bundle.revision
            with self._lock:
                self._engines.append(local.engine)
        return local.engine

    def evaluate(self, path: str, input_doc: dict[str, Any] | None) -> Evaluation:
        engine = self._engine()
        started = time.perf_counter()
        try:
            value = engine.eval_document(path.strip("/").replace("/", "."), input_doc)
        except OpaUndefinedError:
            raise UndefinedDecision(f"data/{path} is undefined") from None
        except OpaError as exc:
            raise PolicyEvaluationError(exc.message) from None
        elapsed = (time.perf_counter() - started) * 1000
        return Evaluation(value, self._bundle.revision, self.name, self._version, elapsed)

    def query(self, query: str, input_doc: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """An ad-hoc Rego query (used by tooling: test runner, explain)."""
        try:
            return self._engine().eval_query(query, input_doc)
        except OpaError as exc:
            raise PolicyEvaluationError(exc.message) from None

    def reload(self, bundle: Bundle) -> None:
        """Switch to another revision; each thread recompiles on its next call."""
        try:
            new_engine(bundle).close()  # fail here, not in a request, if it does not compile
        except OpaError as exc:
            raise PolicyEvaluationError(f"bundle {bundle.revision[:12]} does not compile: {exc.message}") from None
        self._bundle = bundle

    def healthy(self) -> bool:
        return True

    def close(self) -> None:
        with self._lock:
            for engine in self._engines:
                engine.close()
            self._engines.clear()
        self._local = threading.local()
