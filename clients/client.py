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

from verdict.v1 import account_service_pb2 as acs
from verdict.v1 import account_service_pb2_grpc as acs_grpc
from verdict.v1 import assessments_pb2, case_pb2, decision_pb2
from verdict.v1 import audit_service_pb2 as au
from verdict.v1 import audit_service_pb2_grpc as au_grpc
from verdict.v1 import dsa_service_pb2 as dsa
from verdict.v1 import dsa_service_pb2_grpc as dsa_grpc
from verdict.v1 import policy_service_pb2 as ps
from verdict.v1 import policy_service_pb2_grpc as ps_grpc

from shared.protojson import parse

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
        self._audit = au_grpc.AuditServiceStub(self._channel)
        self._dsa = dsa_grpc.DsaServiceStub(self._channel)
        self._accounts = acs_grpc.AccountServiceStub(self._channel)
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.timeout = timeout

    def __enter__(self) -> "VerdictClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def _call(self, method: Any, request: Any, timeout: float | None = None) -> Any:
        try:
            return method(request, timeout=timeout or self.timeout, metadata=self._metadata)
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

    # -- AuditService ------------------------------------------------------------

    def get_decision(self, decision_id: str) -> au.AuditRecord:
        return self._call(self._audit.GetDecision, au.GetDecisionRequest(decision_id=decision_id))

    def query_decisions(self, page_size: int = 50, page_token: str = "", **filters: Any) -> au.QueryDecisionsResponse:
        """Filters: account_id, post_id, policy, outcome, clause_id, caller, kind, since, until (RFC 3339)."""
        return self._call(self._audit.QueryDecisions, _query(page_size, page_token, filters))

    def iter_decisions(self, **filters: Any) -> Iterator[au.AuditRecord]:
        """Every matching record, page after page."""
        token = ""
        while True:
            page = self.query_decisions(page_size=500, page_token=token, **filters)
            yield from page.records
            token = page.next_page_token
            if not token:
                return

    def explain(self, decision_id: str) -> au.Explanation:
        return self._call(self._audit.ExplainDecision, au.ExplainDecisionRequest(decision_id=decision_id))

    def replay(self, *, directory: str | None = None, git_ref: str | None = None, bundle: bytes | None = None,
               examples: int = 5, list_changed: bool = False, **filters: Any) -> Iterator[au.ReplayProgress]:
        """Progress messages; the last one carries the summary. No candidate: the recorded revisions.
        ``directory``: under the server's candidates root; ``bundle``: a .tar.gz to upload."""
        request = au.ReplayRequest(filter=_query(0, "", filters), examples=examples, list_changed=list_changed)
        if directory:
            request.directory = directory
        elif git_ref:
            request.git_ref = git_ref
        elif bundle:
            request.bundle = bundle
        else:
            request.recorded = True
        try:
            yield from self._audit.ReplayDecisions(request, metadata=self._metadata)
        except grpc.RpcError as exc:
            raise VerdictError(exc.code(), exc.details() or "") from None

    def verify_log(self, since_checkpoint: str = "") -> au.VerifyLogResponse:
        """The server checks the whole log; ``since_checkpoint`` (a signed note kept elsewhere) must be extended by it."""
        return self._call(self._audit.VerifyLog, au.VerifyLogRequest(since_checkpoint=since_checkpoint))

    def checkpoint(self) -> au.SignedCheckpoint:
        """The latest signed checkpoint of the decision log."""
        return self._call(self._audit.GetCheckpoint, au.GetCheckpointRequest())

    def prove(self, decision_id: str) -> au.InclusionProof:
        """An inclusion proof for a logged decision, checkable offline with the log's public key."""
        return self._call(self._audit.ProveDecision, au.ProveDecisionRequest(decision_id=decision_id))

    def prove_consistency(self, from_size: int) -> au.ConsistencyProof:
        """A proof that the log now extends its tree of ``from_size`` records."""
        return self._call(self._audit.ProveConsistency, au.ProveConsistencyRequest(from_size=from_size))

    # -- DsaService --------------------------------------------------------------

    def statement(self, decision_id: str) -> dsa.StatementOfReasons:
        """The DSA statement of reasons and the user notice for one decision."""
        return self._call(self._dsa.GetStatement, dsa.GetStatementRequest(decision_id=decision_id))

    def statements(self, since: str, until: str) -> Iterator[dsa.StatementOfReasons]:
        """The statements of every restrictive decision recorded in [since, until) (RFC 3339)."""
        request = dsa.ListStatementsRequest(since=_timestamp(since), until=_timestamp(until))
        try:
            yield from self._dsa.ListStatements(request, metadata=self._metadata)
        except grpc.RpcError as exc:
            raise VerdictError(exc.code(), exc.details() or "") from None

    def transparency_report(self, start: str, end: str, timeout: float = 600.0) -> dsa.TransparencyReport:
        """Transparency report figures for decisions recorded in [start, end) (RFC 3339); a long
        period takes a while, hence its own deadline."""
        request = dsa.TransparencyReportRequest(to=_timestamp(end))
        getattr(request, "from").CopyFrom(_timestamp(start))
        return self._call(self._dsa.GetTransparencyReport, request, timeout=timeout)

    # -- AccountService ----------------------------------------------------------

    def get_account(self, account_id: str) -> acs.GetAccountResponse:
        """What the account store knows of an account, as the policies see it (scope accounts:read)."""
        return self._call(self._accounts.GetAccount, acs.GetAccountRequest(account_id=account_id))


def _timestamp(value: str) -> Timestamp:
    ts = Timestamp()
    ts.FromJsonString(value)
    return ts


def _query(page_size: int, page_token: str, filters: dict[str, Any]) -> au.QueryDecisionsRequest:
    doc = {k: v for k, v in filters.items() if v not in (None, "")}
    request = parse(doc, au.QueryDecisionsRequest()) if doc else au.QueryDecisionsRequest()
    request.page_size = page_size
    request.page_token = page_token
    return request
