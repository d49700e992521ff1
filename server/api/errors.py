"""One place that turns what went wrong into the gRPC status a caller sees.

Validation -> INVALID_ARGUMENT naming the field; unknown account or
decision -> NOT_FOUND; OPA, the store or the log unreachable -> UNAVAILABLE
(fail closed: no decision was made or returned); a policy answer that is
no decision (undefined, or not what the RPC's contract requires) ->
UNAVAILABLE, nothing decided; a commit that got no answer -> UNKNOWN naming
the records to look up (they may or may not be in the log); history moved
on -> ABORTED; a policy that failed to evaluate -> INTERNAL. An unexpected
error is logged by type and place, never with its message, which can hold
request content.
"""

from __future__ import annotations

import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import grpc
import structlog

from server.api.auth import ScopeMissing
from server.api.validation import ValidationError
from server.audit.candidates import CandidateError
from server import deadline
from server.db.database import CommitUnknown, DatabaseUnavailable
from server.engine.archive import ArchiveError
from server.decisionlog.log import DecisionLogError, OutcomeUnknown, UnloggableRecord
from server.decisionlog.reader import RecordNotFound
from server.decisions.results import PolicyContractError
from server.decisions.enforce import HistoryChanged
from server.decisions.record import PartlyRecorded
from server.engine.base import EngineUnavailable, PolicyEvaluationError, UndefinedDecision
from server.db.accounts import AccountNotFound

log = structlog.get_logger("api")


def status_for(exc: BaseException) -> tuple[grpc.StatusCode, str]:
    if isinstance(exc, PartlyRecorded):  # the cause's status, and what was decided after all
        code, _ = status_for(exc.cause)
        ids = ", ".join(exc.recorded)
        return code, f"only part of the batch was decided: {ids} are in the decision log, the others are not ({exc.cause})"
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
    if isinstance(exc, OutcomeUnknown):
        return grpc.StatusCode.UNKNOWN, str(exc)
    if isinstance(exc, CommitUnknown):
        return grpc.StatusCode.UNKNOWN, f"the outcome is unknown: {exc}"
    if isinstance(exc, EngineUnavailable):
        return grpc.StatusCode.UNAVAILABLE, f"policy engine unavailable, nothing was decided: {exc}"
    if isinstance(exc, UnloggableRecord):
        return grpc.StatusCode.INTERNAL, f"the record of this call cannot be logged, nothing was decided: {exc}"
    if isinstance(exc, (DecisionLogError, DatabaseUnavailable)):
        return grpc.StatusCode.UNAVAILABLE, f"decision log or account store unavailable, nothing was decided: {exc}"
    if isinstance(exc, ArchiveError):
        return grpc.StatusCode.UNAVAILABLE, f"policy revision cannot be archived, nothing was decided: {exc}"
    if isinstance(exc, (UndefinedDecision, PolicyContractError)):
        return grpc.StatusCode.UNAVAILABLE, f"the policy gave no usable answer, nothing was decided: {exc}"
    if isinstance(exc, PolicyEvaluationError):
        return grpc.StatusCode.INTERNAL, f"the policy failed to decide: {exc}"
    if isinstance(exc, LookupError):
        return grpc.StatusCode.NOT_FOUND, str(exc)
    return grpc.StatusCode.INTERNAL, "internal error (logged on the server)"


def where(exc: BaseException, frames: int = 4) -> str:
    """The innermost frames of an exception's traceback as file:line (function), without its message."""
    stack = traceback.extract_tb(exc.__traceback__)[-frames:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno} ({f.name})" for f in reversed(stack))


@contextmanager
def grpc_errors(context: grpc.ServicerContext, rpc: str) -> Iterator[None]:
    """Run an RPC body within the caller's deadline; any failure aborts the call with its mapped status."""
    try:
        with deadline.within(context.time_remaining()):
            yield
    except Exception as exc:
        code, message = status_for(exc)
        if isinstance(exc, OutcomeUnknown):  # for machines: the records to look up
            context.set_trailing_metadata((("verdict-outcome-unknown", ",".join(exc.record_ids)),))
        elif isinstance(exc, PartlyRecorded):  # ... and those recorded
            context.set_trailing_metadata((("verdict-recorded", ",".join(exc.recorded)),))
        if code == grpc.StatusCode.INTERNAL:
            # Where it failed, not what the exception says: its text can hold request content.
            log.error("rpc failed", rpc=rpc, error_type=type(exc).__name__, where=where(exc))
        elif code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNKNOWN):
            log.warning("rpc refused, failing closed", rpc=rpc, reason=message)
        context.abort(code, message)
