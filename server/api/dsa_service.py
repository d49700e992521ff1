"""DsaService over gRPC: statements of reasons, notices, transparency reports.

Scope audit:read. Like every audit read, each call is recorded in the
decision log with its caller before it answers.
"""

from __future__ import annotations

from typing import Iterator

import grpc
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from verdict.v1 import dsa_service_pb2 as dsa
from verdict.v1 import dsa_service_pb2_grpc as dsa_grpc

from server.api.audit_service import record_read
from server.api.errors import grpc_errors
from server.api.validation import ValidationError, check_id, check_timestamp
from server.decisionlog.log import DecisionLog
from server.dsa.decided import NoDsaPolicy, NoStatement
from server.dsa.records import Derived, DsaRecords
from server.dsa.report import transparency_report


def statement_message(derived: Derived) -> dsa.StatementOfReasons:
    out = dsa.StatementOfReasons(decision_id=derived.decision_id, outcome=derived.outcome,
                                 policy_revision=derived.decided.revision)
    if derived.statement is not None:
        json_format.ParseDict(derived.statement, out.statement)
    if derived.notice is not None:
        json_format.ParseDict(derived.notice, out.notice)
    for error in derived.errors:
        out.errors.add(field=error.field, message=error.message)
    return out


def check_period(start: Timestamp, end: Timestamp, names: tuple[str, str], present: tuple[bool, bool]) -> tuple[str, str]:
    """An RFC 3339 [start, end) from two required timestamps."""
    for name, given, ts in zip(names, present, (start, end)):
        if not given:
            raise ValidationError(name, "is required")
        check_timestamp(ts, name)
    if end.ToNanoseconds() <= start.ToNanoseconds():
        raise ValidationError(names[1], f"must be after {names[0]}")
    return start.ToJsonString(), end.ToJsonString()


class DsaServicer(dsa_grpc.DsaServiceServicer):
    def __init__(self, records: DsaRecords, log: DecisionLog) -> None:
        self.records = records
        self.log = log

    def GetStatement(self, request: dsa.GetStatementRequest, context: grpc.ServicerContext) -> dsa.StatementOfReasons:
        with grpc_errors(context, "GetStatement"):
            check_id(request.decision_id, "decision_id")
            record_read(self.log, context, "GetStatement", {"decision_id": request.decision_id})
            try:
                return statement_message(self.records.for_decision(request.decision_id))
            except (NoStatement, NoDsaPolicy) as exc:
                refusal = f"decision_id: {exc}"
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, refusal)

    def ListStatements(self, request: dsa.ListStatementsRequest, context: grpc.ServicerContext) -> Iterator[dsa.StatementOfReasons]:
        with grpc_errors(context, "ListStatements"):
            since, until = check_period(request.since, request.until, ("since", "until"),
                                        (request.HasField("since"), request.HasField("until")))
            record_read(self.log, context, "ListStatements", {"since": since, "until": until})
        with grpc_errors(context, "ListStatements"):
            for derived in self.records.restrictive(since, until):
                yield statement_message(derived)

    def GetTransparencyReport(self, request: dsa.TransparencyReportRequest, context: grpc.ServicerContext) -> dsa.TransparencyReport:
        with grpc_errors(context, "GetTransparencyReport"):
            start, end = check_period(getattr(request, "from"), request.to, ("from", "to"),
                                      (request.HasField("from"), request.HasField("to")))
            record_read(self.log, context, "GetTransparencyReport", {"from": start, "to": end})
            return json_format.ParseDict(transparency_report(self.records, start, end), dsa.TransparencyReport())
