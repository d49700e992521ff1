"""Replay and impact analysis: a selection of logged decisions on their recorded
revisions (each must reproduce), or against another revision (what would change).

The replay is the AuditService's: the same Replayer over the same reader and
archive, recorded in the log as a ReplayDecisions read; it runs as a job and
its page shows the progress, then the old -> new outcome matrix, the changes
by clause, each with its example decisions, and a chart.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange

from server.audit.candidates import CandidateError
from server.audit.reads import record_read
from server.audit.replay import Replayer
from server.console.candidates import CandidateForm, resolve, revision_choices
from server.console.context import services, state
from server.console.forms import FilterForm, label_of
from server.console.impact import bars, cell_examples, clause_examples, matrix
from server.console import jobs
from server.console.jobs import Job
from server.console.signin import requires

bp = Blueprint("replay", __name__)

RECORDED = ("recorded", "the revision each decision was recorded on (must reproduce exactly)")


class ReplayForm(FilterForm):
    against = SelectField("Replay against", validate_choice=True)
    examples = IntegerField("Example decisions per cell", default=5, validators=[NumberRange(1, 20, "Between 1 and 20.")])

    class Meta:
        csrf = True  # starting a replay is a POST that does work and writes to the log


def _form(**formdata: Any) -> ReplayForm:
    """``formdata``: the query's filters, on the page a search links to; otherwise the POST's form."""
    form = ReplayForm(**formdata)
    form.against.choices = revision_choices([RECORDED, ("current", "the server's policies as they are now (rego/)")])
    return form


def _page(form: ReplayForm, status: int = 200) -> Any:
    return render_template("replay.html", form=form, jobs=state().jobs.of(g.caller.name, "replay"),
                           candidate_form=CandidateForm(prefix="candidate", next=url_for("replay.page")),
                           candidates=state().candidates.of(g.caller.name)), status


@bp.route("/replay")
@requires("audit:replay")
def page() -> Any:
    return _page(_form(formdata=request.args) if request.args else _form())


@bp.route("/replay", methods=["POST"])
@requires("audit:replay")
def start() -> Any:
    form = _form()
    if not form.validate():
        return _page(form, 400)
    against = form.against.data
    try:
        candidate = None if against == "recorded" else resolve(against)
    except CandidateError as exc:
        form.against.errors = [str(exc)]
        return _page(form, 400)
    s, caller, flt, examples = services(), g.caller.name, form.to_filter(), form.examples.data
    asked = {"filter": form.filter_args(), "against": label_of(form.against),
             "candidate_revision": candidate.revision if candidate else ""}

    def work(job: Job) -> Any:
        record_read(s.log, caller, "ReplayDecisions", {"filter": json.loads(json.dumps(flt.__dict__)),
                                                       "against": against.partition(":")[0],
                                                       "candidate_revision": asked["candidate_revision"]}, via="console")
        replayer = Replayer(s.reader, s.archive)
        try:
            return replayer.run(flt, candidate, examples=examples, progress=job.progress)
        finally:
            replayer.close()

    job = jobs.start("replay", asked, work, form.against)
    if job is None:
        return _page(form, 409)
    return redirect(url_for("replay.result", job_id=job.id))


def _finished(job_id: str) -> Job:
    job = jobs.mine("replay", job_id)
    if job.result is None:
        abort(409, description="The replay has not finished.")
    return job


@bp.route("/replay/<job_id>")
@requires("audit:replay")
def result(job_id: str) -> Any:
    def view(report: Any) -> dict[str, Any]:
        m = matrix(report)
        return {"matrix": m, "bars": bars(m), "clauses": sorted(set(report.clauses_added) | set(report.clauses_removed))}

    return jobs.render_job(jobs.mine("replay", job_id), "replay", view)


@bp.route("/replay/<job_id>/cell")
@requires("audit:replay")
def cell(job_id: str) -> Any:
    job = _finished(job_id)
    before, after = request.args.get("from", ""), request.args.get("to", "")
    examples = cell_examples(job.result, before, after)
    count = matrix(job.result).count(before, after)
    return render_template("replay_examples.html", job=job, title=f"{before} → {after}", count=count, examples=examples)


@bp.route("/replay/<job_id>/clause")
@requires("audit:replay")
def clause(job_id: str) -> Any:
    job = _finished(job_id)
    clause_id, kind, change = request.args.get("clause", ""), request.args.get("kind", ""), request.args.get("change", "")
    if change not in ("added", "removed"):
        abort(404, description="change is added or removed")
    bucket = (job.result.clauses_added if change == "added" else job.result.clauses_removed).get((clause_id, kind))
    return render_template("replay_examples.html", job=job, count=bucket.count if bucket else 0,
                           title=f"{clause_id} ({kind.removeprefix('REASON_KIND_').lower()}) {change}",
                           examples=clause_examples(job.result, clause_id, kind, change))
