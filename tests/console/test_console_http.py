"""The console over HTTP: sign-in and scopes, sessions, CSRF, headers, every form's bad input,
and that what it shows is what the API answers."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from server.app import Settings
from server.console.context import EXTENSION
from server.console.serving import ConsoleConfigError, ConsoleServer, start_console
from server.console.web import CSP, create_app
from shared.tlog.note import Verifier
from shared.tlog.proof import InclusionProof
from server.engine.bundle import Bundle

from tests.conftest import TEST_LOG_PUBLIC_KEY
from tests.console.conftest import PRIVATE, candidate_bundle, text_of


PAGES = ["/decisions", "/replay", "/integrity", "/playground", "/revisions"]


# ---------------------------------------------------------------- signing in, scopes, sessions

def test_every_page_needs_a_signed_in_caller(console):
    anonymous = console.browser()
    for path in PAGES:
        response = anonymous.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    fragment = anonymous.get("/decisions", headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/sign-in")


def test_an_unknown_token_is_refused_and_signs_nobody_in(console):
    anonymous = console.browser()
    response = anonymous.post("/sign-in", {"token": "not-a-token"})
    assert response.status_code == 401 and "not one of the server's callers" in text_of(response.text)
    assert anonymous.get("/decisions").status_code == 302
    empty = anonymous.post("/sign-in", {"token": ""})
    assert empty.status_code == 400 and "Enter your caller token." in text_of(empty.text)


@pytest.mark.parametrize("caller, allowed", [
    ("auditor", {"/decisions", "/replay", "/integrity", "/playground", "/revisions"}),
    ("reader", {"/decisions", "/integrity", "/revisions"}),
    ("engineer", {"/playground", "/revisions"}),
    ("replayer", {"/replay"}),
    ("applier", {"/playground", "/revisions"}),
])
def test_each_caller_sees_what_its_scopes_allow(console, caller, allowed):
    browser = console.browser(caller)
    for path in PAGES:
        response = browser.get(path)
        assert response.status_code == (200 if path in allowed else 403), (caller, path)
        if response.status_code == 403:
            assert "lacks the scope" in response.text and "dec_" not in response.text


def test_a_caller_without_audit_read_sees_no_decision(console):
    engineer = console.browser("engineer")
    for path in ["/decisions", f"/decisions/{console.seeded.ids[0]}", f"/decisions/{console.seeded.ids[0]}/explain",
                 f"/decisions/{console.seeded.ids[0]}/proof.json", "/integrity"]:
        response = engineer.get(path)
        assert response.status_code == 403 and console.seeded.ids[0] not in response.text and "acc-" not in response.text


def test_sign_in_gives_a_new_session_and_sign_out_ends_it_on_the_server(console):
    browser = console.browser()
    browser.get("/sign-in")
    before = browser.http.cookies.get("verdict-console")
    browser.sign_in("reader")
    during = browser.http.cookies.get("verdict-console")
    assert before and during and before != during  # no session planted before sign-in survives it
    stolen = requests.Session()
    stolen.cookies.set("verdict-console", during)
    assert stolen.get(console.url + "decisions", allow_redirects=False).status_code == 200
    assert browser.post("/sign-out").status_code == 302
    assert stolen.get(console.url + "decisions", allow_redirects=False).status_code == 302  # the copy is dead too


def test_the_session_cookie_is_http_only_and_same_site_strict(console):
    response = console.browser().post("/sign-in", {"token": "token-reader"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_sessions_expire_when_idle_and_after_the_maximum(console, monkeypatch):
    short = start_console(console.app.console.app.extensions[EXTENSION], "127.0.0.1:0", session_seconds=3.0)
    try:
        from tests.console.conftest import Browser

        browser = Browser(short.url).sign_in("reader")
        for _ in range(3):
            time.sleep(0.6)
            assert browser.get("/decisions").status_code == 200  # activity keeps it alive past its idle time
        time.sleep(4.1)
        assert browser.get("/decisions").status_code == 302  # idle longer than the session time
        browser.sign_in("reader")
        monkeypatch.setattr("server.console.signin.SESSION_MAX", 0.0)
        assert browser.get("/decisions").status_code == 302  # past the maximum, however active
    finally:
        short.stop()


# ---------------------------------------------------------------- CSRF and headers

def _post_routes(console) -> list[str]:
    routes = []
    for rule in console.app.console.app.url_map.iter_rules():
        if "POST" in rule.methods:
            routes.append(re.sub(r"<[^>]+>", "x", rule.rule))
    return routes


def test_every_state_changing_request_needs_the_sessions_csrf_token(console):
    routes = _post_routes(console)
    assert {"/sign-in", "/sign-out", "/replay", "/candidates", "/integrity/verify", "/playground",
            "/playground/validate", "/playground/tests"} <= set(routes)
    auditor, other = console.browser("auditor"), console.browser("auditor")
    foreign = other.csrf()
    records = console.count()
    for path in routes:
        for token in (None, foreign, "forged"):
            data = {"token": "token-auditor", "case": "{}", "revision": "current"}
            if token:
                data["csrf_token"] = token
            response = auditor.post(path, data, csrf=False)
            assert response.status_code == 400 and "CSRF token" in response.text, (path, token)
    assert console.count() == records  # nothing was read into the log, started or stored
    assert auditor.get("/decisions").status_code == 200  # still signed in: sign-out was refused too


def test_every_response_carries_a_strict_content_security_policy(console):
    auditor = console.browser("auditor")
    decision = console.seeded.ids[0]
    paths = [*PAGES, f"/decisions/{decision}", f"/decisions/{decision}/explain", "/static/console.css",
             "/static/vendor/htmx.min.js", "/no-such-page", "/sign-in"]
    for path in paths:
        response = auditor.get(path)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        if not path.startswith("/static/"):
            assert response.headers["Cache-Control"] == "no-store"
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in CSP
    assert "unsafe" not in CSP


def test_pages_have_no_inline_script_style_or_handlers(console):
    """What the CSP forbids is not in the pages (the browser tests see no violation either)."""
    auditor = console.browser("auditor")
    decision = console.seeded.ids[0]
    for path in [*PAGES, f"/decisions/{decision}", "/sign-in"]:
        page = auditor.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page), path
        assert not re.search(r"(src|href)=\"(https?:)?//", page), path  # nothing from another site


# ---------------------------------------------------------------- what it shows

def test_search_is_newest_first_paged_with_caller_and_applied(console):
    auditor = console.browser("auditor")
    page = auditor.get("/decisions?kind=decide").text
    shown = re.findall(r'href="/decisions/(dec_[0-9a-f]+)"', page)
    decided = [r[0] for r in console.app.db.query("SELECT decision_id FROM decision_log WHERE kind = 'decide' ORDER BY seq DESC")]
    assert shown == decided[:len(shown)] and len(decided) == len(console.seeded.ids)
    assert "Caller" in page and "Applied" in page and "applier" in text_of(page)
    row = lambda html_, d: re.search(rf"{d}</a>.*?</tr>", html_, re.S).group(0)
    assert ">when decided<" in row(page, console.seeded.applied_now)
    assert ">later<" in row(page, console.seeded.applied_later)
    assert f"{len(decided)} matching records" in page


def test_search_pages_older_and_newer_through_the_whole_selection(console, monkeypatch):
    monkeypatch.setattr("server.console.decisions.PAGE", 7)
    auditor = console.browser("auditor")
    pages, path = [], "/decisions?kind=decide"
    while path:
        page = auditor.get(path.replace("&amp;", "&")).text
        pages.append(re.findall(r'href="/decisions/(dec_[0-9a-f]+)"', page))
        older = re.search(r'href="([^"]+)" rel="next"', page)
        path = older.group(1) if older else ""
    decided = [r[0] for r in console.app.db.query("SELECT decision_id FROM decision_log WHERE kind = 'decide' ORDER BY seq DESC")]
    assert [d for p in pages for d in p] == decided and all(len(p) == 7 for p in pages[:-1])
    newer = re.search(r'href="([^"]+)" rel="prev"', page).group(1).replace("&amp;", "&")
    assert re.findall(r'href="/decisions/(dec_[0-9a-f]+)"', auditor.get(newer).text) == pages[-2]


def test_search_filters_as_the_audit_query_does(console):
    auditor = console.browser("auditor")
    page = auditor.get("/decisions?account=acc-mayor&policy=POLICY_HATEFUL_CONDUCT").text
    accounts = set(re.findall(r'<td class="mono small nowrap">(acc-[a-z0-9-]+)</td>', page))
    assert accounts == {"acc-mayor"}
    clause = auditor.get("/decisions?clause=PI-3.1&kind=decide").text
    eligible = {r[0] for r in console.app.db.query(
        "SELECT d.decision_id FROM decision_log d JOIN decision_clauses c ON c.seq = d.seq WHERE c.clause_id = 'PI-3.1' AND d.kind = 'decide'")}
    assert set(re.findall(r'href="/decisions/(dec_[0-9a-f]+)"', clause)) == eligible and eligible


def test_reads_are_recorded_in_the_log_as_the_audit_service_records_them(console):
    auditor = console.browser("auditor")
    decision = console.seeded.ids[1]
    before = console.count("kind = 'audit_read'")
    auditor.get("/decisions?account=acc-mayor")
    auditor.get(f"/decisions/{decision}")
    auditor.get(f"/decisions/{decision}/explain")
    auditor.get(f"/decisions/{decision}/proof.json")
    rows = console.app.db.query(f"SELECT caller, record FROM decision_log WHERE kind = 'audit_read' ORDER BY seq")[before:]
    reads = [(caller, json.loads(body)) for caller, body in rows]
    assert [r["rpc"] for _, r in reads] == ["QueryDecisions", "GetDecision", "ProveDecision", "ExplainDecision", "ProveDecision"]
    assert all(caller == "auditor" and r["via"] == "console" for caller, r in reads)
    assert reads[0][1]["read"]["filter"]["account_id"] == "acc-mayor"
    assert reads[1][1]["read"] == {"decision_id": decision}


def test_private_values_appear_only_masked(console):
    auditor = console.browser("auditor")
    pages = [auditor.get(f"/decisions/{console.seeded.private}").text,
             auditor.get(f"/decisions/{console.seeded.private}/explain").text,
             auditor.get("/decisions?account=acc-citizen").text]
    assert "hmac:" in pages[0]
    for page in pages:
        for value in PRIVATE:
            assert value not in page


def test_the_decision_page_shows_the_decision_as_recorded(console):
    from clients.client import VerdictClient

    auditor = console.browser("auditor")
    decision_id = console.seeded.ids[0]
    page = auditor.get(f"/decisions/{decision_id}").text
    with VerdictClient(f"127.0.0.1:{console.app.port}", token="token-auditor") as client:
        record = client.get_decision(decision_id)
    for reason in record.decision.reasons:
        assert reason.clause_id in page and reason.text_en in text_of(page)
    dutch_page = auditor.get(f"/decisions/{decision_id}?lang=nl").text
    dutch = text_of(dutch_page)
    assert all(r.text_nl in dutch for r in record.decision.reasons)
    summary = re.search(r'<p class="summary" lang="nl">(.*?)</p>', dutch_page, re.S).group(1)
    assert text_of(summary) == record.decision.summary_nl
    opa_input = re.search(r'id="opa-input">.*?<code>(.*?)</code>', page, re.S).group(1)
    assert json.loads(text_of(opa_input)) == json.loads(record.input_json)
    assert record.policy_revision in page and "source" in page


def test_the_proof_on_the_page_checks_offline_with_the_public_key(console):
    auditor = console.browser("auditor")
    decision_id = console.seeded.ids[2]
    assert "unaltered" in auditor.get(f"/decisions/{decision_id}").text
    proof = InclusionProof.from_json(auditor.get(f"/decisions/{decision_id}/proof.json").text)
    checkpoint, record = proof.check(Verifier.parse(TEST_LOG_PUBLIC_KEY))
    assert record.decision_id == decision_id and checkpoint.size >= proof.leaf_index + 1


def test_revision_source_is_the_archived_files(console):
    auditor = console.browser("auditor")
    revision = console.app.db.query("SELECT revision FROM policy_revisions")[0][0]
    listing = auditor.get(f"/revisions/{revision}").text
    assert "verdict/pi/pi.rego" in listing
    source = text_of(auditor.get(f"/revisions/{revision}/files/verdict/pi/pi.rego").text)
    assert "follower_threshold := 100000" in source
    assert auditor.get("/revisions/not-a-revision").status_code == 404
    assert auditor.get(f"/revisions/{revision}/files/nope.rego").status_code == 404


def _wait(browser, path: str) -> str:
    for _ in range(600):
        page = browser.get(path).text
        if "Replaying" not in page and "Verifying" not in page and "Running the tests" not in page:
            return page
        time.sleep(0.1)
    raise AssertionError(f"{path} did not finish")


def test_replay_against_an_uploaded_candidate_answers_what_the_api_answers(console):
    from clients.client import VerdictClient

    auditor = console.browser("auditor")
    upload = auditor.post("/candidates", {"candidate-next": "/replay"}, files={"candidate-bundle": ("lower-threshold.tar.gz", candidate_bundle())})
    assert upload.status_code == 302
    choice = re.search(r'<option value="(candidate:[^"]+)"', auditor.get("/replay").text).group(1)
    started = auditor.post("/replay", {"against": choice, "examples": 3, "kind": "decide"})
    assert started.status_code == 302
    page = _wait(auditor, started.headers["Location"])
    matrix = re.search(r'<table class="matrix".*?</table>', page, re.S).group(0)
    cells = {(f, t): int(n.replace(",", "")) for f, t, n in re.findall(
        r'/cell\?from=([A-Z_]+)&amp;to=([A-Z_]+)"[^>]*>([\d,]+)</a>', matrix)}
    # The same candidate through the gRPC AuditService (uploaded), the same selection.
    with VerdictClient(f"127.0.0.1:{console.app.port}", token="token-auditor", timeout=120) as client:
        summary = list(client.replay(bundle=candidate_bundle(), kind="decide"))[-1].summary
    changed = {(getattr(c, "from"), c.to): c.count for c in summary.outcome_changes}
    assert {k: v for k, v in cells.items() if k[0] != k[1]} == {k: v for k, v in changed.items() if k[0] != k[1]}
    assert sum(cells.values()) == summary.replayed
    assert ("OUTCOME_REQUIRE_REMOVAL", "OUTCOME_PUBLIC_INTEREST_REVIEW") in cells  # 100,000 followers is now more than 50,000
    cell = auditor.get(started.headers["Location"] + "/cell?from=OUTCOME_REQUIRE_REMOVAL&to=OUTCOME_PUBLIC_INTEREST_REVIEW").text
    examples = re.findall(r'href="/decisions/(dec_[0-9a-f]+)"', cell)
    assert 1 <= len(examples) <= 3 and "outcome OUTCOME_REQUIRE_REMOVAL -&gt; OUTCOME_PUBLIC_INTEREST_REVIEW" in cell


# ---------------------------------------------------------------- bad input on every form

def _reads(console) -> int:
    return console.count("kind = 'audit_read'")


@pytest.mark.parametrize("query, message", [
    ("account=bad%20id", "Use 1-128 letters"),
    ("clause=PI%201", "A clause ID is like PI-1.3"),
    ("policy=POLICY_NOPE", "Not a valid choice"),
    ("outcome=MAYBE", "Not a valid choice"),
    ("since=yesterday", "Not a valid datetime value"),
    ("since=2024-05-02T00:00&until=2024-05-01T00:00", "Must be after the start of the range."),
    ("before=-4", "Number must be between 1 and"),
    ("caller=%01x", "no control characters"),
])
def test_a_bad_search_says_what_is_wrong_and_reads_nothing(console, query, message):
    auditor = console.browser("auditor")
    reads = _reads(console)
    response = auditor.get(f"/decisions?{query}")
    assert response.status_code == 400 and message in text_of(response.text) and 'role="alert"' in response.text
    assert _reads(console) == reads


@pytest.mark.parametrize("data, message", [
    ({"against": "candidate:nope"}, "Not a valid choice"),
    ({"against": "recorded", "examples": "0"}, "Between 1 and 20."),
    ({"against": "recorded", "examples": "many"}, "Not a valid integer value"),
    ({"against": "recorded", "account": "no spaces please"}, "Use 1-128 letters"),
    ({"against": "archived:" + "0" * 64}, "Not a valid choice"),
])
def test_a_bad_replay_says_what_is_wrong_and_starts_nothing(console, data, message):
    auditor = console.browser("auditor")
    reads, jobs = _reads(console), len(console.jobs("auditor", "replay"))
    response = auditor.post("/replay", data)
    assert response.status_code == 400 and message in text_of(response.text)
    time.sleep(0.2)
    assert _reads(console) == reads and len(console.jobs("auditor", "replay")) == jobs


@pytest.mark.parametrize("data, files, message", [
    ({}, None, "Give either a git ref or a bundle file."),
    ({"candidate-git_ref": "main"}, {"candidate-bundle": ("b.tar.gz", b"x")}, "Give either a git ref or a bundle file."),
    ({"candidate-git_ref": "--upload-pack=evil"}, None, "A commit, branch or tag"),
    ({"candidate-git_ref": "no-such-branch-anywhere"}, None, "git rev-parse"),
    ({}, {"candidate-bundle": ("b.tar.gz", b"not a tarball")}, "not a .tar.gz bundle"),
])
def test_a_bad_candidate_says_what_is_wrong_and_stores_nothing(console, data, files, message):
    engineer = console.browser("engineer")
    response = engineer.post("/candidates", {"candidate-next": "/playground", **data}, files=files)
    assert response.status_code == 400 and message in text_of(response.text) and "Nothing was stored" in response.text
    assert "candidate:" not in engineer.get("/playground").text


def test_an_upload_over_the_limit_is_refused(console):
    engineer = console.browser("engineer")
    response = engineer.post("/candidates", {}, files={"candidate-bundle": ("big.tar.gz", b"\0" * (9 * 2**20))})
    assert response.status_code == 413 and "larger than 8 MiB" in text_of(response.text)


@pytest.mark.parametrize("since, message", [
    ("not a checkpoint", "Not a checkpoint"),
    ("verdict.test/decision-log\nten\nAAAA\n\n— sig\n", "Not a checkpoint"),
    ("x" * 9000, "Field cannot be longer than 8192 characters."),
])
def test_a_bad_verify_says_what_is_wrong_and_reads_nothing(console, since, message):
    reader = console.browser("reader")
    reads = _reads(console)
    response = reader.post("/integrity/verify", {"since": since})
    assert response.status_code == 400 and message in text_of(response.text)
    assert _reads(console) == reads


@pytest.mark.parametrize("case, message", [
    ("{", "Not JSON"),
    ("[]", "case: [] is not of type 'object'"),
    ('{"content": {"kind": "post"}}', "case.content.kind: 'post' is not one of"),
    ('{"contents": {}}', "Additional properties are not allowed ('contents' was unexpected)"),
    ('{"as_of": "2024-05-01T12:00:00Z"}', "case.content: is required"),
    ('{"content": {"kind": "CONTENT_KIND_POST", "author_account_id": "a", "post_id": "p"}, "as_of": "yesterday"}', "case: Failed to parse as_of"),
    ("", "Write or load a case."),
])
def test_a_bad_case_says_what_is_wrong_and_decides_nothing(console, case, message):
    engineer = console.browser("engineer")
    reads, decided = _reads(console), console.count("kind = 'decide'")
    response = engineer.post("/playground", {"case": case, "revision": "current", "compare": ""})
    assert response.status_code == 400 and message in text_of(response.text), text_of(response.text)[-3000:]
    check = engineer.post("/playground/validate", {"case": case})
    assert check.status_code == 200 and (message in text_of(check.text) or case == "")
    assert _reads(console) == reads and console.count("kind = 'decide'") == decided


def test_rego_tests_of_an_archived_revision_say_why_they_cannot_run(console):
    engineer = console.browser("engineer")
    revision = console.app.db.query("SELECT revision FROM policy_revisions")[0][0]
    response = engineer.post("/playground/tests", {"tests-revision": f"archived:{revision}"})
    assert response.status_code == 400 and "has no Rego tests" in text_of(response.text)


# ---------------------------------------------------------------- the playground answers as the API

def test_the_playground_decides_as_the_api_and_records_no_decision(console):
    from clients.client import VerdictClient

    engineer = console.browser("engineer")
    case = engineer.get("/playground?example=candidate_hateful_conduct").text
    text = text_of(re.search(r'<textarea[^>]*>(.*?)</textarea>', case, re.S).group(1))
    decided = console.count("kind = 'decide'")
    page = engineer.post("/playground", {"case": text, "revision": "current", "compare": ""}).text
    assert console.count("kind = 'decide'") == decided
    answer = json.loads(text_of(re.search(r"As the API answers \(DecideResponse\)</summary>\s*<pre[^>]*><code>(.*?)</code>", page, re.S).group(1)))
    with VerdictClient(f"127.0.0.1:{console.app.port}", token="token-applier") as client:
        from google.protobuf import json_format
        api = json_format.MessageToDict(client.decide(json.loads(text)), preserving_proto_field_name=True)
    for volatile in ("decision_id", "decided_at"):
        api.pop(volatile, None)
        answer["decision"].pop(volatile, None)
    assert answer["decision"] == api
    assert "The OPA input" not in page  # decide alone does not show account data the API does not answer
    playground_reads = console.app.db.query("SELECT record FROM decision_log WHERE kind = 'audit_read' ORDER BY seq DESC LIMIT 1")
    assert json.loads(playground_reads[0][0])["rpc"] == "Playground"


def test_an_unknown_account_is_answered_as_the_api_answers_it(console):
    engineer = console.browser("engineer")
    case = {"content": {"kind": "CONTENT_KIND_POST", "post_id": "p", "author_account_id": "acc-nobody"},
            "violation": {"policy": "POLICY_HATEFUL_CONDUCT", "rule": {"confirmed": True}}, "as_of": "2024-05-01T12:00:00Z"}
    page = engineer.post("/playground", {"case": json.dumps(case), "revision": "current", "compare": ""}).text
    assert "NOT_FOUND: case.content.author_account_id:" in text_of(page)


# ---------------------------------------------------------------- configuration

def test_the_console_is_off_unless_asked_and_refuses_what_it_cannot_serve_safely(console):
    assert Settings().console_listen == "" and not Settings().console_on
    app = create_app(console.app.console.app.extensions[EXTENSION])
    with pytest.raises(ConsoleConfigError, match="plain HTTP"):
        ConsoleServer(app, "0.0.0.0:0")
    with pytest.raises(ConsoleConfigError, match="cannot listen"):
        ConsoleServer(app, f"127.0.0.1:{console.app.console.port}").start()
    with pytest.raises(ConsoleConfigError, match="HOST:PORT"):
        ConsoleServer(app, "8080")


def test_without_callers_the_server_refuses_to_start_a_console(opa_url, tmp_path):
    from tests.conftest import start_server

    with pytest.raises(ConsoleConfigError, match="needs a callers file"):
        start_server(f"sqlite:///{tmp_path}/v.db", opa_url, tmp_path, console_listen="127.0.0.1:0")


class FinishingWhileRead:
    """A verify run that finishes while its page reads it: what is read first sees it running,
    what is read after sees it finished, with its result."""

    def __init__(self, job, result) -> None:
        self.job, self.final, self.looked = job, result, False

    def __getattr__(self, name: str):
        if name not in ("finished", "result"):
            return getattr(self.job, name)
        looked, self.looked = self.looked, True
        return looked if name == "finished" else (self.final if looked else None)


def test_a_job_finishing_while_its_page_is_made_is_shown_running_or_finished_never_broken(console):
    from server.audit.verify import Verification
    from server.console.context import STATE
    from server.console.jobs import Job

    jobs = console.app.console.app.extensions[STATE].jobs
    job = Job("racing-job", "reader", "verify run", {})
    jobs._jobs[job.id] = FinishingWhileRead(job, Verification(records=3))
    reader = console.browser("reader")
    for headers in ({"HX-Request": "true"}, {}):
        jobs._jobs[job.id].looked = False
        response = reader.get(f"/integrity/verify/{job.id}", headers=headers)
        assert response.status_code == 200 and "Verifying the log" in response.text


def test_when_a_read_cannot_be_recorded_nothing_is_shown(console, monkeypatch):
    from server.decisionlog.log import DecisionLogError

    def unavailable(*args, **kwargs):
        raise DecisionLogError("decision log unavailable: disk full")

    monkeypatch.setattr("server.console.decisions.record_read", unavailable)
    auditor = console.browser("auditor")
    for path in ("/decisions", f"/decisions/{console.seeded.ids[0]}", f"/decisions/{console.seeded.ids[0]}/proof.json"):
        response = auditor.get(path)
        assert response.status_code == 503 and "UNAVAILABLE: decision log or account store unavailable" in text_of(response.text)
        assert "dec_" not in response.text.replace(console.seeded.ids[0], "") and "acc-" not in response.text


def test_a_git_ref_becomes_a_candidate_with_its_tests(console):
    from server.audit.candidates import from_git
    from tests.conftest import REGO

    engineer = console.browser("engineer")
    assert engineer.post("/candidates", {"candidate-next": "/playground", "candidate-git_ref": "HEAD"}).status_code == 302
    page = engineer.get("/playground").text
    revision = from_git("HEAD", REGO).revision
    assert f"candidate {revision[:12]} (git HEAD)" in page and "(with tests)" in page


def test_the_playground_decides_on_an_archived_revision_and_compares_it(console):
    engineer = console.browser("engineer")
    revision = console.app.db.query("SELECT revision FROM policy_revisions")[0][0]
    case = {"content": {"kind": "CONTENT_KIND_POST", "post_id": "p", "author_account_id": "acc-candidate-100k"},
            "violation": {"policy": "POLICY_HATEFUL_CONDUCT", "rule": {"confirmed": True}}, "as_of": "2024-05-01T12:00:00Z"}
    page = engineer.post("/playground", {"case": json.dumps(case), "revision": "current", "compare": f"archived:{revision}"}).text
    assert page.count('<article class="tried"') == 2 and f"archived {revision[:12]}" in page
    assert "Nothing: both revisions decide this case alike." in page  # the revision served is the one archived


def test_every_example_case_loads_as_a_valid_case_of_the_api(console):
    from tests.conftest import ROOT

    engineer = console.browser("engineer")
    names = sorted(p.stem for p in (ROOT / "examples/cases").glob("*.json"))
    assert names
    for name in names:
        page = engineer.get(f"/playground?example={name}").text
        case = text_of(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
        assert "A valid case." in text_of(engineer.post("/playground/validate", {"case": case}).text), name
    assert engineer.get("/playground?example=../callers").status_code == 404
