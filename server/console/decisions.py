"""Finding and reading decisions: the search, the decision page, its explanation and proof.

Each view reads through the same functions as the AuditService (LogReader,
decision_from_record, explain, the inclusion proof) and records the read in
the decision log, as the RPC it stands for, before it shows anything.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request
from opa_bindings import OpaError

from server.api.validation import ValidationError, check_id
from server.audit.explain import explain
from server.audit.reads import record_read
from server.console.context import services
from server.console.forms import SearchForm
from server.console.signin import requires
from server.engine.archive import ArchiveError
from shared.tlog.merkle import ProofError
from shared.tlog.note import NoteError
from server.decisionlog.reader import Filter, NotSigned, RecordNotFound
from shared.tlog.record import LogRecord
from server.decisions.results import assessment_from_result, decision_from_record
from server.decisions.record import apply_record_id
from server.engine.base import EngineError

bp = Blueprint("decisions", __name__)

PAGE = 50
COUNT_CAP = 1_000  # past this, "more than 1,000": counting half a million records is not worth the wait


def read(rpc: str, what: dict[str, Any]) -> None:
    """The read recorded in the log, as the AuditService records it, before anything is shown."""
    s = services()
    record_read(s.log, g.caller.name, rpc, what, via="console")


def language() -> str:
    return "nl" if request.args.get("lang") == "nl" else "en"


def applied_marks(records: list[LogRecord]) -> dict[str, str]:
    """decision ID -> applied: when decided (Decide apply=true), later (ApplyDecision) or not."""
    decided = [r for r in records if r.kind == "decide"]
    later = services().reader.present([apply_record_id(r.decision_id) for r in decided if not r.body.get("applied")])
    return {r.decision_id: "when decided" if r.body.get("applied") else ("later" if apply_record_id(r.decision_id) in later else "no")
            for r in decided}


@bp.route("/decisions")
@requires("audit:read")
def search() -> Any:
    form = SearchForm(formdata=request.args)
    if not form.validate():
        return render_template("search.html", form=form, records=None), 400
    flt = form.to_filter()
    read("QueryDecisions", {"filter": json.loads(json.dumps(flt.__dict__))})
    reader = services().reader
    if form.after.data:  # paging back toward the newest
        page = reader.query(Filter(**{**flt.__dict__, "after_seq": form.after.data}), limit=PAGE + 1)
        newer, older = len(page) > PAGE, True
        records = page[:PAGE][::-1]
    else:
        page = reader.query(Filter(**{**flt.__dict__, "before_seq": form.before.data or 0}), limit=PAGE + 1, newest_first=True)
        newer, older = bool(form.before.data), len(page) > PAGE
        records = page[:PAGE]
    total = reader.count(flt, cap=COUNT_CAP)
    return render_template("search.html", form=form, records=records, applied=applied_marks(records), total=total,
                           cap=COUNT_CAP, newer=newer and bool(records), older=older and bool(records),
                           args=form.filter_args())


def _read_record(rpc: str, decision_id: str) -> LogRecord:
    """The record, read as ``rpc`` (recorded first, as the AuditService does), or 404."""
    read(rpc, {"decision_id": decision_id})
    try:
        check_id(decision_id, "decision_id")
        return services().reader.get(decision_id)
    except (ValidationError, RecordNotFound) as exc:
        abort(404, description=str(exc))


@bp.route("/decisions/<decision_id>")
@requires("audit:read")
def show(decision_id: str) -> Any:
    s = services()
    record = _read_record("GetDecision", decision_id)
    decision = assessment = None
    if record.kind == "decide":
        decision = decision_from_record(record.body, s.archive.catalog(record.revision))
    elif record.kind == "check_public_interest":
        assessment = assessment_from_result(record.body["result"], s.archive.catalog(record.revision))
    read("ProveDecision", {"decision_id": decision_id})
    proof, proof_checked, proof_error = None, None, ""
    try:
        proof = s.reader.prove(decision_id)
        if s.verifier is not None:
            proof_checked = proof.check(s.verifier)[0]
    except NotSigned as exc:
        proof_error = f"No proof yet: {exc}."
    except (ProofError, NoteError) as exc:
        proof_error = f"The proof does not check out: {exc}"
    applied = applied_marks([record]).get(record.decision_id, "")
    return render_template("decision.html", record=record, decision=decision, assessment=assessment, lang=language(),
                           applied=applied, proof=proof, proof_checked=proof_checked, proof_error=proof_error,
                           verifier=s.verifier)


@bp.route("/decisions/<decision_id>/explain")
@requires("audit:read")
def explanation(decision_id: str) -> Any:
    s = services()
    record = _read_record("ExplainDecision", decision_id)
    error, trace, texts = "", None, {"en": "", "nl": ""}
    try:
        trace, texts["en"], texts["nl"] = explain(record, s.archive)
    except (ArchiveError, EngineError, OpaError) as exc:
        error = f"This decision cannot be explained: {exc}"
    template = "explain.html" if request.headers.get("HX-Request") else "explain_page.html"
    return render_template(template, record=record, trace=trace, text=texts[language()], error=error, lang=language())


@bp.route("/decisions/<decision_id>/proof.json")
@requires("audit:read")
def proof_file(decision_id: str) -> Any:
    """The inclusion proof as `verdict audit prove` writes it, for `verdict audit verify-proof`."""
    s = services()
    _read_record("ProveDecision", decision_id)
    try:
        proof = s.reader.prove(decision_id)
    except NotSigned as exc:
        abort(409, description=f"No proof yet: {exc}.")
    return Response(proof.to_json(), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{decision_id}.proof.json"'})
