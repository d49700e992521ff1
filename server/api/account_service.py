"""AccountService over gRPC: what the account store knows of an account.

Scope accounts:read. An account read is an audit read: recorded in the
decision log with its caller before it answers, as the AuditService's are.
Private values are masked as in the log, so the API never hands out more
than an auditor of the log could read.
"""

from __future__ import annotations

import grpc

from verdict.v1 import account_pb2
from verdict.v1 import account_service_pb2 as acs
from verdict.v1 import account_service_pb2_grpc as acs_grpc

from server.api.audit_service import record_read
from server.api.errors import grpc_errors
from server.api.validation import check_id
from server.decisionlog.log import DecisionLog
from server.decisions.masking import Masker
from server.db.accounts import AccountNotFound
from server.enrichment.store import AccountReader
from shared.protojson import parse


class AccountServicer(acs_grpc.AccountServiceServicer):
    def __init__(self, store: AccountReader, log: DecisionLog, masker: Masker) -> None:
        self.store = store
        self.log = log
        self.masker = masker

    def GetAccount(self, request: acs.GetAccountRequest, context: grpc.ServicerContext) -> acs.GetAccountResponse:
        with grpc_errors(context, "GetAccount"):
            check_id(request.account_id, "account_id")
            record_read(self.log, context, "GetAccount", {"account_id": request.account_id})
            try:
                snapshot = self.store.snapshot(request.account_id)
            except AccountNotFound as exc:
                raise LookupError(f"account_id: {exc}") from None
            account = parse(self.masker.mask(dict(snapshot.doc), account_pb2.Account.DESCRIPTOR), account_pb2.Account())
            account.updated_at.FromJsonString(snapshot.updated_at)
            return acs.GetAccountResponse(account=account, history_version=snapshot.history_version, source=snapshot.source)
