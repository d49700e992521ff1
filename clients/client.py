"""The Python client library for verdict.

    from clients.client import VerdictClient

    with VerdictClient("127.0.0.1:50051") as verdict:
        decision = verdict.decide({
            "content": {"kind": "post", "post_id": "p-1", "author_account_id": "acc-1"},
            "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
            "as_of": "2024-05-01T12:00:00Z",
        })
        print(decision.outcome, [r.clause_id for r in decision.reasons])

Cases, reports and groups may be protobuf messages or dicts in protobuf JSON
(enum values may be short: "hateful_conduct", "candidate"). Errors raise
VerdictError with the gRPC status code and the server's message, which names
the field at fault.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from verdict.v1 import assessments_pb2, case_pb2, decision_pb2
from verdict.v1 import policy_service_pb2 as ps
from verdict.v1 import policy_service_pb2_grpc as ps_grpc

from clients.protojson import parse

DEFAULT_TARGET = "127.0.0.1:50051"


class VerdictError(Exception):
    """A call failed; ``code`` is the gRPC status (INVALID_ARGUMENT, UNAVAILABLE, ...)."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details


def _as(message_type: type, value: Any) -> Any:
    return value if isinstance(value, message_type) else parse(value, message_type())


class VerdictClient:
    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        root_certificates: bytes | None = None,
        certificate_chain: bytes | None = None,
        private_key: bytes | None = None,
    ) -> None:
        """``token`` is sent as ``authorization: Bearer <token>``; certificates switch on TLS (mTLS with a client pair)."""
        if root_certificates is not None:
            credentials = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
            self._channel = grpc.secure_channel(target, credentials)
        else:
            self._channel = grpc.insecure_channel(target)
        self._stub = ps_grpc.PolicyServiceStub(self._channel)
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.timeout = timeout

    def __enter__(self) -> "VerdictClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    @property
    def channel(self) -> grpc.Channel:
        return self._channel

    def _call(self, method: Any, request: Any) -> Any:
        try:
            return method(request, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as exc:
            raise VerdictError(exc.code(), exc.details() or "") from None

    # -- PolicyService -----------------------------------------------------------

    def decide(self, case: case_pb2.Case | dict, apply: bool = False) -> decision_pb2.Decision:
        request = ps.DecideRequest(case=_as(case_pb2.Case, case), apply=apply)
        return self._call(self._stub.Decide, request).decision

    def check_public_interest(self, case: case_pb2.Case | dict) -> ps.CheckPublicInterestResponse:
        return self._call(self._stub.CheckPublicInterest, ps.CheckPublicInterestRequest(case=_as(case_pb2.Case, case)))

    def apply(self, decision_id: str) -> decision_pb2.Decision:
        return self._call(self._stub.ApplyDecision, ps.ApplyDecisionRequest(decision_id=decision_id)).decision

    def assess_report(self, report: assessments_pb2.Report | dict) -> ps.AssessReportResponse:
        return self._call(self._stub.AssessReport, ps.AssessReportRequest(report=_as(assessments_pb2.Report, report)))

    def assess_group(self, group: assessments_pb2.Group | dict, as_of: str, apply: bool = False) -> ps.AssessGroupResponse:
        ts = Timestamp()
        ts.FromJsonString(as_of)
        request = ps.AssessGroupRequest(group=_as(assessments_pb2.Group, group), as_of=ts, apply=apply)
        return self._call(self._stub.AssessGroup, request)

    def decide_batch(self, cases: Iterable[case_pb2.Case | dict], apply: bool = False) -> list[decision_pb2.Decision]:
        request = ps.DecideBatchRequest(requests=[ps.DecideRequest(case=_as(case_pb2.Case, c), apply=apply) for c in cases])
        return [r.decision for r in self._call(self._stub.DecideBatch, request).responses]

    def decide_stream(self, cases: Iterable[case_pb2.Case | dict]) -> Iterator[decision_pb2.Decision]:
        requests = (ps.DecideRequest(case=_as(case_pb2.Case, c)) for c in cases)
        try:
            for response in self._stub.DecideStream(requests, metadata=self._metadata):
                yield response.decision
        except grpc.RpcError as exc:
            raise VerdictError(exc.code(), exc.details() or "") from None
