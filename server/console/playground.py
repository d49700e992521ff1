"""The policy playground: a case, as the API takes it, decided on any revision.

The case is JSON in the API's form (proto field names, full enum names),
checked against the JSON Schema generated from the proto and then by the
API's own validation. It is decided by the server's own decision path
(DecisionPipeline.preview: the same enrichment, masking and result
conversion as Decide), on the served revision or on an archived or candidate
one, and nothing is recorded as a decision. Two revisions can be compared on
one case, and the Rego tests of a revision run with coverage.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from google.protobuf import json_format
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from verdict.v1 import case_pb2, decision_pb2, policy_service_pb2 as ps

from server.api import validation
from server.api.errors import status_for
from server.audit.candidates import CandidateError
from server.audit.reads import record_read
from server.console.candidates import CandidateForm, resolve, revision_choices
from server.console.context import services, state
from server.console.forms import label_of
from server.console import jobs
from server.console.signin import requires
from shared.tlog.record import LogRecord
from server.engine.bundle import Bundle
from server.engine.embedded import EmbeddedEngine
from server.policytools import regotest
from server.policytools.schemas import schemas

bp = Blueprint("playground", __name__)

CURRENT = ("current", "current: what the server serves")
MAX_ERRORS = 12


@lru_cache(maxsize=1)
def case_schema() -> dict[str, Any]:
    """The JSON Schema of verdict.v1.Case, generated from the proto (as `make schemas` does)."""
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "verdict.v1.Case",
            **schemas()["decision_input"]["properties"]["case"]}


def full_enums(schema: dict[str, Any], doc: Any) -> Any:
    """Short enum names as the CLI accepts them ("post") in full ("CONTENT_KIND_POST"), guided by the schema."""
    if isinstance(doc, dict):
        props = schema.get("properties", {})
        return {k: full_enums(props.get(k, {}), v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [full_enums(schema.get("items", {}), v) for v in doc]
    if isinstance(doc, str) and doc not in schema.get("enum", [doc]):
        full = schema["enum"][0].removesuffix("UNSPECIFIED") + doc.upper()  # CONTENT_KIND_UNSPECIFIED -> CONTENT_KIND_POST
        return full if full in schema["enum"] else doc
    return doc


def examples() -> list[str]:
    return sorted(p.stem for p in services().examples_dir.glob("*.json"))


def example_text(name: str) -> str:
    path = services().examples_dir / f"{name}.json"
    if name not in examples():
        abort(404, description=f"No example {name!r}.")
    return json.dumps(full_enums(case_schema(), json.loads(path.read_text(encoding="utf-8"))), indent=2) + "\n"


def parse_case(text: str) -> tuple[ps.DecideRequest | None, list[str]]:
    """The request the API would get, or what is wrong with the case, each message naming the field."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return None, [f"Not JSON: {exc}"]
    errors = sorted(jsonschema.Draft7Validator(case_schema()).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        return None, [f"{'.'.join(['case', *map(str, e.absolute_path)])}: {e.message}" for e in errors[:MAX_ERRORS]]
    try:
        request_ = ps.DecideRequest(case=json_format.ParseDict(doc, case_pb2.Case()))
        validation.check_decide(request_)
    except json_format.ParseError as exc:
        return None, [f"case: {exc}"]
    except validation.ValidationError as exc:
        return None, [str(exc)]
    return request_, []


class PlaygroundForm(FlaskForm):
    case = TextAreaField("Case (JSON)", validators=[DataRequired("Write or load a case."),
                                                    Length(max=validation.MAX_REQUEST_BYTES)],
                         description="A verdict.v1.Case in the API's JSON: proto field names, full enum names.")
    revision = SelectField("Decide on revision", validate_choice=True)
    compare = SelectField("Compare with", validate_choice=True)


class TestsForm(FlaskForm):
    revision = SelectField("Run the Rego tests of", validate_choice=True)


def _forms() -> tuple[PlaygroundForm, TestsForm]:
    form, tests = PlaygroundForm(), TestsForm(prefix="tests")
    form.revision.choices = tests.revision.choices = revision_choices([CURRENT])
    form.compare.choices = [SelectChoice("", "— no comparison —"), *form.revision.choices]
    return form, tests


@dataclass
class Tried:
    """A case decided on one revision, as the API would answer."""

    choice: str
    label: str
    decision: decision_pb2.Decision | None = None
    record: LogRecord | None = None
    error: str = ""

    @property
    def answer(self) -> dict[str, Any]:
        return json_format.MessageToDict(ps.DecideResponse(decision=self.decision), preserving_proto_field_name=True)


def decide_on(choice: str, label: str, request_: ps.DecideRequest, caller: str) -> Tried:
    tried = Tried(choice, label)
    engine = None
    try:
        if choice != "current":
            engine = EmbeddedEngine(resolve(choice), name="playground", size=1, warm=False)
        tried.decision, tried.record = services().decisions.preview(request_, caller, engine)
    except Exception as exc:  # worded as the API would answer it
        code, message = status_for(exc)
        tried.error = f"{code.name}: {message}"
    finally:
        if engine is not None:
            engine.close()
    return tried


def _fields(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Fields to compare, two levels deep; lists of clauses by their clause IDs. Reasons, criteria
    and factors are compared as citations, and texts follow the clauses."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        path = f"{prefix}{key}"
        if key in ("reasons", "criteria", "factors", "text_en", "text_nl"):
            continue
        if isinstance(value, dict) and not prefix:
            out.update(_fields(value, f"{path}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[path] = [v.get("clause_id", "?") for v in value]
        else:
            out[path] = value
    return out


def differences(a: decision_pb2.Decision, b: decision_pb2.Decision) -> list[str]:
    """What differs between two decisions of one case, in words."""
    out = []
    if a.outcome != b.outcome:
        out.append(f"outcome: {decision_pb2.Outcome.Name(a.outcome)} → {decision_pb2.Outcome.Name(b.outcome)}")
    kind = decision_pb2.ReasonKind.Name
    cites_a = {(r.clause_id, kind(r.kind)) for r in [*a.reasons, *a.public_interest.reasons]}
    cites_b = {(r.clause_id, kind(r.kind)) for r in [*b.reasons, *b.public_interest.reasons]}
    out += [f"now cites {c} ({k.removeprefix('REASON_KIND_').lower()})" for c, k in sorted(cites_b - cites_a)]
    out += [f"no longer cites {c} ({k.removeprefix('REASON_KIND_').lower()})" for c, k in sorted(cites_a - cites_b)]
    skip = ("decision_id", "policy_revision", "decided_at", "summary_en", "summary_nl", "outcome")
    fields_a, fields_b = ({k: v for k, v in _fields(json_format.MessageToDict(d, preserving_proto_field_name=True)).items()
                           if k not in skip} for d in (a, b))
    for key in sorted(set(fields_a) | set(fields_b)):
        if fields_a.get(key) != fields_b.get(key):
            out.append(f"{key}: {json.dumps(fields_a.get(key))} → {json.dumps(fields_b.get(key))}")
    return out


def _page(form: PlaygroundForm, tests: TestsForm, status: int = 200, **view: Any) -> Any:
    return render_template("playground.html", form=form, tests_form=tests, examples=examples(),
                           candidate_form=CandidateForm(prefix="candidate", next=url_for("playground.page")),
                           candidates=state().candidates.of(g.caller.name),
                           show_input=g.caller.may("audit:read"), jobs=state().jobs.of(g.caller.name, "test run"),
                           **view), status


@bp.route("/playground")
@requires("decide")
def page() -> Any:
    form, tests = _forms()
    chosen = request.args.get("example") or (examples() or [""])[0]
    if chosen:
        form.case.data = example_text(chosen)
    return _page(form, tests, chosen=chosen)


@bp.route("/playground/case.schema.json")
@requires("decide")
def schema() -> Any:
    return jsonify(case_schema())


@bp.route("/playground/validate", methods=["POST"])
@requires("decide")
def check() -> Any:
    """The case checked as it is typed (htmx): the same checks as a run, nothing decided."""
    text = request.form.get("case", "")
    _, errors = parse_case(text) if len(text) <= validation.MAX_REQUEST_BYTES else (None, ["The case is too large."])
    return render_template("case_check.html", errors=errors)


@bp.route("/playground", methods=["POST"])
@requires("decide")
def run() -> Any:
    form, tests = _forms()
    if not form.validate():
        return _page(form, tests, 400)
    request_, errors = parse_case(form.case.data)
    if errors:
        form.case.errors = errors
        return _page(form, tests, 400)
    s, caller = services(), g.caller.name
    choices = [form.revision.data] + ([form.compare.data] if form.compare.data else [])
    labels = {c.value: c.label for c in form.revision.choices}
    record_read(s.log, caller, "Playground", {"account_id": request_.case.content.author_account_id,
                                               "revisions": [c.partition(":")[2] or c for c in choices]}, via="console")
    tried = [decide_on(c, labels[c], request_, caller) for c in choices]
    diff = None
    if len(tried) == 2 and tried[0].decision is not None and tried[1].decision is not None:
        diff = differences(tried[0].decision, tried[1].decision)
    return _page(form, tests, tried=tried, diff=diff)


def _run_tests(bundle: Bundle) -> regotest.TestReport:
    """As `verdict-admin rego test`: the real `opa test` when opa is on PATH, otherwise the embedded engine."""
    if not regotest.opa_binary():
        return regotest.run_embedded(bundle, coverage=True)
    with tempfile.TemporaryDirectory(prefix="verdict-tests-") as tmp:
        for path, content in bundle.files.items():
            (Path(tmp) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / path).write_bytes(content)
        return regotest.run_with_opa(Path(tmp), coverage=True)


@bp.route("/playground/tests", methods=["POST"])
@requires("decide")
def run_tests() -> Any:
    form, tests = _forms()
    form.case.data = request.form.get("case") or ""
    if not tests.validate():
        return _page(form, tests, 400)
    try:
        bundle = resolve(tests.revision.data, tests=True)
    except CandidateError as exc:
        tests.revision.errors = [str(exc)]
        return _page(form, tests, 400)
    if not bundle.has_tests:
        tests.revision.errors = ["This revision has no Rego tests: an archived revision keeps only the policies as served. "
                                 "Add the git ref it came from as a candidate, or upload a bundle with its *_test.rego files."]
        return _page(form, tests, 400)
    label = label_of(tests.revision)
    job = jobs.start("test run", {"revision": label}, lambda job: _run_tests(bundle), tests.revision)
    if job is None:
        return _page(form, tests, 409)
    return redirect(url_for("playground.test_result", job_id=job.id))


@bp.route("/playground/tests/<job_id>")
@requires("decide")
def test_result(job_id: str) -> Any:
    job = jobs.mine("test run", job_id)
    return jobs.render_job(job, "tests")
