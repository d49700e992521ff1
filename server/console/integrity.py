"""Log integrity: the signed tree head, the latest published checkpoint, and a
verify run of the whole log (the AuditService's VerifyLog, run as a job)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from server.audit.reads import record_read
from server.audit.verify import verify
from server.console.context import services, state
from server.console import jobs
from server.console.jobs import Job
from server.console.signin import requires
from shared.tlog.note import Checkpoint, NoteError
from server.decisionlog.reader import NotSigned

bp = Blueprint("integrity", __name__)


def _note(text: str) -> str:
    """A pasted note as it was signed: LF line ends, ending in a newline."""
    text = text.replace("\r\n", "\n").strip("\n")
    return text + "\n" if text else ""


class VerifyForm(FlaskForm):
    since = TextAreaField("A checkpoint you kept (optional)", validators=[Optional(), Length(max=8192)],
                          description="As `verdict audit checkpoint` printed it: the log must extend it.")

    def validate_since(self, field: Any) -> None:
        try:
            Checkpoint.of_note(_note(field.data))
        except NoteError as exc:
            raise ValidationError(f"Not a checkpoint: {exc}") from None


def _page(form: VerifyForm, status: int = 200) -> Any:
    s = services()
    head, head_error = None, ""
    try:
        note = s.reader.checkpoint()
        head = (note, Checkpoint.of_note(note))
    except NotSigned as exc:
        head_error = str(exc)
    published = s.witness.entries()[-1] if s.witness is not None and s.witness.path.exists() else None
    return render_template("integrity.html", form=form, head=head, head_error=head_error, published=published,
                           public_key=s.verifier.text() if s.verifier else "", witness=s.witness,
                           jobs=state().jobs.of(g.caller.name, "verify run")), status


@bp.route("/integrity")
@requires("audit:read")
def page() -> Any:
    return _page(VerifyForm())


@bp.route("/integrity/verify", methods=["POST"])
@requires("audit:read")
def start() -> Any:
    form = VerifyForm()
    if not form.validate():
        return _page(form, 400)
    s, caller, since = services(), g.caller.name, _note(form.since.data or "") or None
    if s.verifier is None:
        abort(409, description="This server keeps no signed log to verify.")

    def work(job: Job) -> Any:
        result = verify(s.reader.db, s.verifier, s.witness, since=since)
        record_read(s.log, caller, "VerifyLog", {"ok": result.ok, "records": result.records,
                                                  "findings": [f.kind for f in result.findings]}, via="console")
        return result

    job = jobs.start("verify run", {"since": bool(since)}, work, form.since)
    if job is None:
        return _page(form, 409)
    return redirect(url_for("integrity.result", job_id=job.id))


@bp.route("/integrity/verify/<job_id>")
@requires("audit:read")
def result(job_id: str) -> Any:
    job = jobs.mine("verify run", job_id)
    return jobs.render_job(job, "verify")
