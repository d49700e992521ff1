"""Audit reads: who saw what of the decision log, recorded in it before they see it.

The gRPC AuditService and the console both record their reads here, so an
auditor's trace is the same whichever door they came in by.
"""

from __future__ import annotations

from typing import Any

from server.decisionlog.log import DecisionLog
from shared.tlog.record import LogRecord
from server.decisions.record import new_decision_id
from shared.timeutil import rfc3339, utcnow


def record_read(log: DecisionLog, caller: str, rpc: str, what: dict[str, Any], via: str = "") -> str:
    """Append an ``audit_read`` record (durably, before the caller is answered); returns its ID.

    ``rpc`` names the AuditService call the read is, or is the same as; ``via``
    says where it came from when that was not gRPC (``console``).
    """
    decision_id = new_decision_id()
    recorded_at = rfc3339(utcnow())
    body: dict[str, Any] = {"decision_id": decision_id, "kind": "audit_read", "recorded_at": recorded_at, "caller": caller,
                            "rpc": rpc, "read": what}
    if via:
        body["via"] = via
    log.append(LogRecord(decision_id=decision_id, kind="audit_read", recorded_at=recorded_at, caller=caller, revision="", body=body))
    return decision_id
