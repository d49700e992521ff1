"""PolicyService over gRPC: validate, check the caller may apply, run the decision pipeline, answer."""

from __future__ import annotations

import queue
import threading
from typing import Iterator

import grpc

from verdict.v1 import policy_service_pb2 as ps
from verdict.v1 import policy_service_pb2_grpc as ps_grpc

from server.api import validation
from server.api.auth import require_scope
from server.api.caller import caller_of
from server.api.errors import grpc_errors
from server.decisions.pipeline import DecisionPipeline


# At most this many stream requests are decided and committed together.
STREAM_BATCH = 256


class PolicyServicer(ps_grpc.PolicyServiceServicer):
    def __init__(self, pipeline: DecisionPipeline) -> None:
        self.pipeline = pipeline

    def Decide(self, request: ps.DecideRequest, context: grpc.ServicerContext) -> ps.DecideResponse:
        with grpc_errors(context, "Decide"):
            validation.check_decide(request)
            if request.apply:
                require_scope(context, "apply")
            return ps.DecideResponse(decision=self.pipeline.decide(request, caller_of(context)))

    def CheckPublicInterest(self, request: ps.CheckPublicInterestRequest, context: grpc.ServicerContext) -> ps.CheckPublicInterestResponse:
        with grpc_errors(context, "CheckPublicInterest"):
            validation.check_public_interest(request)
            return self.pipeline.check_public_interest(request, caller_of(context))

    def ApplyDecision(self, request: ps.ApplyDecisionRequest, context: grpc.ServicerContext) -> ps.ApplyDecisionResponse:
        with grpc_errors(context, "ApplyDecision"):
            validation.check_apply(request)
            return ps.ApplyDecisionResponse(decision=self.pipeline.apply(request.decision_id, caller_of(context)))

    def AssessReport(self, request: ps.AssessReportRequest, context: grpc.ServicerContext) -> ps.AssessReportResponse:
        with grpc_errors(context, "AssessReport"):
            validation.check_report(request)
            return self.pipeline.assess_report(request, caller_of(context))

    def AssessGroup(self, request: ps.AssessGroupRequest, context: grpc.ServicerContext) -> ps.AssessGroupResponse:
        with grpc_errors(context, "AssessGroup"):
            validation.check_group(request)
            if request.apply:
                require_scope(context, "apply")
            return self.pipeline.assess_group(request, caller_of(context))

    def DecideBatch(self, request: ps.DecideBatchRequest, context: grpc.ServicerContext) -> ps.DecideBatchResponse:
        with grpc_errors(context, "DecideBatch"):
            validation.check_batch(request)
            if any(r.apply for r in request.requests):
                require_scope(context, "apply")
            decisions = self.pipeline.decide_batch(list(request.requests), caller_of(context))
            return ps.DecideBatchResponse(responses=[ps.DecideResponse(decision=d) for d in decisions])

    def DecideStream(self, request_iterator: Iterator[ps.DecideRequest], context: grpc.ServicerContext) -> Iterator[ps.DecideResponse]:
        """Answers in request order. Requests that have already arrived are
        decided together and committed to the log in one group."""
        caller = caller_of(context)
        arrived: "queue.Queue[ps.DecideRequest | None | BaseException]" = queue.Queue()

        def read() -> None:
            try:
                for request in request_iterator:
                    arrived.put(request)
                arrived.put(None)
            except BaseException as exc:  # the client went away
                arrived.put(exc)

        threading.Thread(target=read, name="decide-stream-reader", daemon=True).start()
        index = 0
        done = False
        while not done:
            batch = [arrived.get()]
            while len(batch) < STREAM_BATCH and not arrived.empty():
                batch.append(arrived.get_nowait())
            if batch[-1] is None or isinstance(batch[-1], BaseException):
                done = True
                batch.pop()
            with grpc_errors(context, "DecideStream"):
                for request in batch:
                    try:
                        validation.check_decide(request)
                    except validation.ValidationError as exc:
                        raise validation.ValidationError(f"request {index}: {exc.field}", exc.message) from None
                    if request.apply:
                        require_scope(context, "apply")
                    index += 1
                decisions = self.pipeline.decide_batch(batch, caller) if batch else []
            for decision in decisions:
                yield ps.DecideResponse(decision=decision)
