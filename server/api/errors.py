"""One place that turns what went wrong into the gRPC status a caller sees.

Validation -> INVALID_ARGUMENT naming the field; unknown account or
decision -> NOT_FOUND; OPA, the store or the log unreachable -> UNAVAILABLE
(fail closed: no decision was made or returned); history moved on ->
ABORTED; a policy that broke its contract -> INTERNAL.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import grpc
import structlog

from server.api.auth import ScopeMissing
from server.api.validation import ValidationError
from server.audit.candidates import CandidateError
from server.db.database import DatabaseUnavailable
from server.decisionlog.archive import ArchiveError
from server.decisionlog.log import DecisionLogError
from server.decisionlog.reader import RecordNotFound
from server.decisions.results import PolicyContractError
from server.decisions.service import HistoryChanged
from server.engine.base import EngineUnavailable, PolicyEvaluationError, UndefinedDecision
from server.enrichment.store import AccountNotFound

log = structlog.get_logger("api")


def status_for(exc: BaseException) -> tuple[grpc.StatusCode, str]:
    if isinstance(exc, ValidationError):
        return grpc.StatusCode.INVALID_ARGUMENT, str(exc)
    if isinstance(exc, ScopeMissing):
        return grpc.StatusCode.PERMISSION_DENIED, str(exc)
    if isinstance(exc, CandidateError):
        return grpc.StatusCode.INVALID_ARGUMENT, f"against: {exc}"
    if isinstance(exc, AccountNotFound):
        return grpc.StatusCode.NOT_FOUND, f"case.content.author_account_id: {exc}"
    if isinstance(exc, RecordNotFound):
        return grpc.StatusCode.NOT_FOUND, f"decision_id: {exc}"
    if isinstance(exc, HistoryChanged):
        return grpc.StatusCode.ABORTED, str(exc)
    if isinstance(exc, EngineUnavailable):
        return grpc.StatusCode.UNAVAILABLE, f"policy engine unavailable, nothing was decided: {exc}"
    if isinstance(exc, (DecisionLogError, DatabaseUnavailable)):
        return grpc.StatusCode.UNAVAILABLE, f"decision log or account store unavailable, nothing was decided: {exc}"
    if isinstance(exc, ArchiveError):
        return grpc.StatusCode.UNAVAILABLE, f"policy revision cannot be archived, nothing was decided: {exc}"
    if isinstance(exc, (PolicyEvaluationError, UndefinedDecision, PolicyContractError)):
        return grpc.StatusCode.INTERNAL, f"the policy failed to decide: {exc}"
    if isinstance(exc, LookupError):
        return grpc.StatusCode.NOT_FOUND, str(exc)
    return grpc.StatusCode.INTERNAL, "internal error (logged on the server)"


@contextmanager
def grpc_errors(context: grpc.ServicerContext, rpc: str) -> Iterator[None]:
    """Run an RPC body; any failure aborts the call with its mapped status."""
    try:
        yield
    except Exception as exc:
        code, message = status_for(exc)
        if code == grpc.StatusCode.INTERNAL:
            log.exception("rpc failed", rpc=rpc, error_type=type(exc).__name__)
        elif code == grpc.StatusCode.UNAVAILABLE:
            log.warning("rpc refused, failing closed", rpc=rpc, reason=message)
        context.abort(code, message)
