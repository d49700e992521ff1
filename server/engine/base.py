"""What the server needs from a policy engine, whichever way OPA is reached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class EngineError(Exception):
    """Base of everything that keeps the engine from deciding."""


class EngineUnavailable(EngineError):
    """OPA cannot be reached (connection refused, timeout, not healthy).

    The server answers UNAVAILABLE and decides nothing: it fails closed.
    """


class PolicyEvaluationError(EngineError):
    """OPA was reached but the policy failed to evaluate (a policy bug)."""


class UndefinedDecision(EngineError):
    """The policy produced no value for the queried path."""


@dataclass(frozen=True)
class Evaluation:
    """One answer from OPA and where it came from."""

    result: Any
    revision: str
    engine: str         # "embedded", "sidecar" or "opa"
    opa_version: str
    eval_ms: float


class PolicyEngine(Protocol):
    """The only door from the server to OPA."""

    name: str

    def evaluate(self, path: str, input_doc: dict[str, Any]) -> Evaluation:
        """Evaluate the document at ``data/<path>`` (slash-separated) for ``input_doc``."""
        ...

    def healthy(self) -> bool:
        """Can the engine evaluate right now?"""
        ...

    def close(self) -> None:
        ...
