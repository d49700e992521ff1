"""AuditService over gRPC: find, explain, replay and verify decisions.

Every call is itself recorded in the decision log (kind ``audit_read``) with
its caller, before it answers.
"""

from __future__ import annotations

import base64
import json
import queue
import re
import threading
from pathlib import Path
from typing import Any, Iterator

import grpc
import structlog

from verdict.v1 import audit_service_pb2 as au
from verdict.v1 import audit_service_pb2_grpc as au_grpc
from verdict.v1 import case_pb2

from server.api.caller import caller_of
from server.api.errors import grpc_errors
from server.api.validation import ValidationError, check_id, check_message, check_replay_target
from server.audit import candidates, reads
from server.audit.explain import explain
from server.audit.replay import ReplayCancelled, Replayer, ReplayReport
from server.audit.verify import verify
from server.engine.archive import PolicyArchive
from server.decisionlog.checkpoints import Witness
from shared.tlog.note import Checkpoint, NoteError, Verifier
from shared.tlog.record import LogRecord, canonical
from server.decisionlog.log import DecisionLog
from server.decisionlog.reader import MAX_SEQ, Filter, LogReader
from server.decisions.results import decision_from_record

MAX_PAGE = 1000
DEFAULT_PAGE = 50

logger = structlog.get_logger("audit")


def record_read(log: DecisionLog, context: grpc.ServicerContext, rpc: str, what: dict[str, Any]) -> None:
    """Audit reads are decisions about who saw what: logged, durably, before answering."""
    reads.record_read(log, caller_of(context), rpc, what)


def audit_record(record: LogRecord, archive: PolicyArchive) -> au.AuditRecord:
    body = record.body
    out = au.AuditRecord(
        seq=record.seq, decision_id=record.decision_id, kind=record.kind, caller=record.caller,
        account_id=record.account_id, post_id=record.post_id, outcome=record.outcome, clauses=record.clauses,
        policy_revision=record.revision, engine=(body.get("engine") or {}).get("name", ""),
        opa_version=(body.get("engine") or {}).get("opa_version", ""), hash=record.leaf_hash().hex(),
        request_json=canonical(body.get("request", {})), enrichment_json=canonical(body.get("enrichment", {})),
        input_json=canonical(body.get("input", {})), result_json=canonical(body.get("result", {})),
        timings_ms={k: float(v) for k, v in (body.get("timings_ms") or {}).items()},
    )
    out.recorded_at.FromJsonString(record.recorded_at)
    if record.policy in case_pb2.Policy.keys():
        out.policy = case_pb2.Policy.Value(record.policy)
    if record.kind == "decide":
        out.decision.CopyFrom(decision_from_record(body, archive.catalog(record.revision)))
    return out


_PAGE_TOKEN = re.compile(r"seq:([1-9][0-9]{0,18})")


def page_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def page_after(token: str) -> int:
    """The log position a page token continues after: only what ``page_token`` gives out is accepted."""
    try:
        text = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        text = ""
    match = _PAGE_TOKEN.fullmatch(text)
    if match is None or int(match.group(1)) > MAX_SEQ:
        raise ValidationError("page_token", "is not a token this server gave out (pass next_page_token as it came)")
    return int(match.group(1))


def to_filter(request: au.QueryDecisionsRequest) -> Filter:
    check_message(request, "filter")
    if request.page_size < 0 or request.page_size > MAX_PAGE:
        raise ValidationError("page_size", f"must be between 0 and {MAX_PAGE}")
    after = page_after(request.page_token) if request.page_token else 0
    return Filter(
        account_id=request.account_id, post_id=request.post_id,
        policy=case_pb2.Policy.Name(request.policy) if request.policy else "",
        outcome=request.outcome, clause_id=request.clause_id, caller=request.caller, kind=request.kind,
        since=request.since.ToJsonString() if request.HasField("since") else "",
        until=request.until.ToJsonString() if request.HasField("until") else "",
        after_seq=after, without_audit_reads=True,
    )


def summary_message(report: ReplayReport) -> au.ReplaySummary:
    doc = report.as_dict()
    summary = au.ReplaySummary(
        mode=doc["mode"], candidate_revision=doc["candidate_revision"], replayed=doc["replayed"],
        unchanged=doc["unchanged"], changed=doc["changed"], faults=doc["faults"], errors=doc["errors"],
        changed_decision_ids=doc["changed_decision_ids"], seconds=doc["seconds"], per_second=doc["per_second"],
    )
    for c in doc["outcome_changes"]:
        summary.outcome_changes.add(**{"from": c["from"]}, to=c["to"], count=c["count"], examples=c["examples"])
    for c in doc["clause_changes"]:
        summary.clause_changes.add(**c)
    for d in doc["differences"]:
        summary.differences.add(**d)
    return summary


class AuditServicer(au_grpc.AuditServiceServicer):
    def __init__(self, reader: LogReader, archive: PolicyArchive, log: DecisionLog, verifier: Verifier,
                 witness: Witness | None = None, candidates_root: Path | None = None) -> None:
        self.reader = reader
        self.archive = archive
        self.log = log
        self.verifier = verifier
        self.witness = witness
        self.candidates_root = candidates_root  # candidate directories only under it (None: refused)

    def _record_read(self, context: grpc.ServicerContext, rpc: str, what: dict[str, Any]) -> None:
        record_read(self.log, context, rpc, what)

    def GetDecision(self, request: au.GetDecisionRequest, context: grpc.ServicerContext) -> au.AuditRecord:
        with grpc_errors(context, "GetDecision"):
            check_id(request.decision_id, "decision_id")
            self._record_read(context, "GetDecision", {"decision_id": request.decision_id})
            return audit_record(self.reader.get(request.decision_id), self.archive)

    def QueryDecisions(self, request: au.QueryDecisionsRequest, context: grpc.ServicerContext) -> au.QueryDecisionsResponse:
        with grpc_errors(context, "QueryDecisions"):
            flt = to_filter(request)
            self._record_read(context, "QueryDecisions", {"filter": json.loads(json.dumps(flt.__dict__))})
            size = request.page_size or DEFAULT_PAGE
            records = self.reader.query(flt, limit=size + 1)
            more = len(records) > size
            records = records[:size]
            total = self.reader.count(Filter(**{**flt.__dict__, "after_seq": 0}))
            token = page_token(records[-1].seq) if more else ""
            return au.QueryDecisionsResponse(records=[audit_record(r, self.archive) for r in records], next_page_token=token, total=total)

    def StreamDecisions(self, request: au.QueryDecisionsRequest, context: grpc.ServicerContext) -> Iterator[au.AuditRecord]:
        with grpc_errors(context, "StreamDecisions"):
            flt = to_filter(request)
            self._record_read(context, "StreamDecisions", {"filter": json.loads(json.dumps(flt.__dict__))})
        with grpc_errors(context, "StreamDecisions"):
            for record in self.reader.scan(flt):
                yield audit_record(record, self.archive)

    def ExplainDecision(self, request: au.ExplainDecisionRequest, context: grpc.ServicerContext) -> au.Explanation:
        with grpc_errors(context, "ExplainDecision"):
            check_id(request.decision_id, "decision_id")
            self._record_read(context, "ExplainDecision", {"decision_id": request.decision_id})
            record = self.reader.get(request.decision_id)
            trace, text_en, text_nl = explain(record, self.archive)
            out = au.Explanation(record=audit_record(record, self.archive), text_en=text_en, text_nl=text_nl)
            for target, rules in ((out.rules, trace.fired), (out.evaluated, trace.evaluated)):
                for rule in rules:
                    target.add(rule=rule.rule, location=rule.location, clause_ids=rule.clause_ids,
                               title=rule.title, can_cite=rule.can_cite)
            if record.kind == "decide":
                out.reasons.extend(out.record.decision.reasons)
            return out

    def ReplayDecisions(self, request: au.ReplayRequest, context: grpc.ServicerContext) -> Iterator[au.ReplayProgress]:
        cancelled = threading.Event()  # the caller went away (or the call ended): stop replaying
        context.add_callback(cancelled.set)
        with grpc_errors(context, "ReplayDecisions"):
            target = request.WhichOneof("against")
            check_replay_target(request.directory if target == "directory" else None,
                                request.git_ref if target == "git_ref" else None)
            flt = to_filter(request.filter)
            candidate = None
            if target == "directory":
                candidate = candidates.from_directory(request.directory, self.candidates_root)
            elif target == "git_ref":
                if self.archive.bundle_dir is None:
                    raise ValidationError("git_ref", "the server has no bundle directory to find the repository from")
                candidate = candidates.from_git(request.git_ref, self.archive.bundle_dir)
            elif target == "bundle":
                candidate = candidates.from_bundle(request.bundle)
            self._record_read(context, "ReplayDecisions", {
                "filter": json.loads(json.dumps(flt.__dict__)), "against": target or "recorded",
                "candidate_revision": candidate.revision if candidate else "",
            })
        updates: "queue.Queue[tuple[int, int] | ReplayReport | BaseException]" = queue.Queue()

        def work() -> None:
            replayer = Replayer(self.reader, self.archive)
            try:
                updates.put(replayer.run(flt, candidate, examples=request.examples or 5, list_changed=request.list_changed,
                                         progress=lambda done, total: updates.put((done, total)), cancelled=cancelled.is_set))
            except ReplayCancelled as exc:
                logger.info("replay cancelled: its caller went away", replayed=exc.replayed)
            except BaseException as exc:  # surfaced to the caller below
                updates.put(exc)
            finally:
                replayer.close()

        threading.Thread(target=work, name="replay", daemon=True).start()
        while True:
            try:
                item = updates.get(timeout=0.5)
            except queue.Empty:
                if not context.is_active():
                    cancelled.set()
                    return
                continue
            if isinstance(item, tuple):
                yield au.ReplayProgress(done=item[0], total=item[1])
                continue
            with grpc_errors(context, "ReplayDecisions"):
                if isinstance(item, BaseException):
                    raise item
                yield au.ReplayProgress(done=item.replayed, total=item.replayed, summary=summary_message(item))
            return

    def VerifyLog(self, request: au.VerifyLogRequest, context: grpc.ServicerContext) -> au.VerifyLogResponse:
        with grpc_errors(context, "VerifyLog"):
            if request.since_checkpoint:
                if len(request.since_checkpoint) > 8192:
                    raise ValidationError("since_checkpoint", "a checkpoint is a signed note of a few hundred bytes")
                try:
                    Checkpoint.of_note(request.since_checkpoint)
                except NoteError as exc:
                    raise ValidationError("since_checkpoint", f"not a checkpoint: {exc}") from None
            result = verify(self.reader.db, self.verifier, self.witness, since=request.since_checkpoint or None)
            self._record_read(context, "VerifyLog", {"ok": result.ok, "records": result.records,
                                                     "findings": [f.kind for f in result.findings]})
            return result.message()

    def GetCheckpoint(self, request: au.GetCheckpointRequest, context: grpc.ServicerContext) -> au.SignedCheckpoint:
        with grpc_errors(context, "GetCheckpoint"):
            note = self.reader.checkpoint()
            checkpoint = Checkpoint.of_note(note)
            return au.SignedCheckpoint(checkpoint=note, origin=checkpoint.origin, tree_size=checkpoint.size,
                                       root_hash=checkpoint.root, public_key=self.verifier.text())

    def ProveDecision(self, request: au.ProveDecisionRequest, context: grpc.ServicerContext) -> au.InclusionProof:
        with grpc_errors(context, "ProveDecision"):
            check_id(request.decision_id, "decision_id")
            self._record_read(context, "ProveDecision", {"decision_id": request.decision_id})
            proof = self.reader.prove(request.decision_id)
            return au.InclusionProof(decision_id=proof.decision_id, leaf_index=proof.leaf_index, tree_size=proof.tree_size,
                                     leaf=proof.leaf, audit_path=proof.audit_path, checkpoint=proof.checkpoint)

    def ProveConsistency(self, request: au.ProveConsistencyRequest, context: grpc.ServicerContext) -> au.ConsistencyProof:
        with grpc_errors(context, "ProveConsistency"):
            try:
                path, note, size = self.reader.prove_consistency(request.from_size)
            except ValueError as exc:
                raise ValidationError("from_size", str(exc)) from None
            return au.ConsistencyProof(from_size=request.from_size, tree_size=size, proof=path, checkpoint=note)
