"""A fake DSA Transparency Database: a real HTTP server on a free port.

It answers the three calls verdict uses the way the real API does
(digital-services-act/transparency-database, API v2):

- ``POST /api/v1/statement``: 201 with the stored statement, or 422 with
  ``errors`` per field; a puid the platform already used is a 422 with
  ``existing``.
- ``POST /api/v1/statements`` (``{"statements": [...]}``, 1 to 100): 201 with
  all of them, or 422 and nothing stored: ``errors`` keyed ``statement_N``,
  or ``errors.puid`` with ``existing_puids`` for duplicates.
- ``GET /api/v1/statement/existing-puid/{puid}``: 302 found, 404 not found.

Its rules are written the way the database states them (Laravel rules:
required, required_without_all, in, max, date_format, after_or_equal,
regex), independently of the project's JSON Schema, so the two check each
other; only the lists of allowed values are shared. A wrong bearer token
is a 401. Faults can be queued for the next POSTs: ``"503"`` answers 503
without storing; ``"drop"`` stores the batch and closes the connection
without an answer (a lost answer).

Run it by hand: ``python -m tests.fakes.tdb --port 8787 --token secret``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import uuid
from collections import deque
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from server.dsa.schema import enumeration

PUID = re.compile(r"^[a-zA-Z0-9-_]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECISIONS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
END_DATES = ("end_date_visibility_restriction", "end_date_monetary_restriction",
             "end_date_service_restriction", "end_date_account_restriction")
MAX = {
    "decision_visibility_other": 500, "decision_monetary_other": 500, "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000, "incompatible_content_ground": 500, "incompatible_content_explanation": 2000,
    "content_type_other": 500, "category_specification_other": 500, "decision_facts": 5000, "source_identity": 500,
    "puid": 500, "decision_ground_reference_url": 500,
}
SINGLE_VALUES = ("decision_monetary", "decision_provision", "decision_account", "account_type", "decision_ground",
                 "incompatible_content_illegal", "category", "content_language", "source_type", "automated_detection",
                 "automated_decision")
LIST_VALUES = ("decision_visibility", "content_type", "category_addition", "category_specification", "territorial_scope")


def _label(field: str) -> str:
    return field.replace("_", " ")


def _present(value: Any) -> bool:
    """Laravel's "required": not missing, null, an empty string or an empty list."""
    return value not in (None, "", [], {})


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_statement(s: dict[str, Any]) -> dict[str, list[str]]:
    """The database's rules for one statement: field -> messages (empty when valid)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def required(field: str, when: bool = True, why: str = "") -> None:
        if when and not _present(s.get(field)):
            add(field, f"The {_label(field)} field is required{why}.")

    if not any(_present(s.get(f)) for f in DECISIONS):
        for f in DECISIONS:
            others = " / ".join(_label(o) for o in DECISIONS if o != f)
            add(f, f"The {_label(f)} field is required when none of {others} are present.")
    for f in ("decision_ground", "content_type", "category", "territorial_scope", "content_date", "application_date",
              "decision_facts", "source_type", "automated_detection", "automated_decision", "puid"):
        required(f)
    ground = s.get("decision_ground")
    for f in ("illegal_content_legal_ground", "illegal_content_explanation"):
        required(f, ground == "DECISION_GROUND_ILLEGAL_CONTENT", " when decision ground is illegal content")
    for f in ("incompatible_content_ground", "incompatible_content_explanation"):
        required(f, ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT", " when decision ground is incompatible content")
    required("decision_visibility_other", "DECISION_VISIBILITY_OTHER" in (s.get("decision_visibility") or []),
             " when decision visibility is other")
    required("decision_monetary_other", s.get("decision_monetary") == "DECISION_MONETARY_OTHER", " when decision monetary is other")
    required("content_type_other", "CONTENT_TYPE_OTHER" in (s.get("content_type") or []), " when content is other")

    for f in SINGLE_VALUES:
        if _present(s.get(f)) and s[f] not in enumeration(f):
            add(f, f"The selected {_label(f)} is invalid.")
    for f in LIST_VALUES:
        value = s.get(f)
        if value is None:
            continue
        if not isinstance(value, list):
            add(f, f"The {_label(f)} field must be an array.")
        elif any(v not in enumeration(f) for v in value):
            add(f, f"The selected {_label(f)} is invalid.")
    for f, limit in MAX.items():
        if isinstance(s.get(f), str) and len(s[f]) > limit:
            add(f, f"The {_label(f)} field must not be greater than {limit} characters.")

    bounds = {"content_date": date(2000, 1, 1), "application_date": date(2020, 1, 1)}
    for f in ("content_date", "application_date", *END_DATES):
        if not _present(s.get(f)):
            continue
        day = _date(s[f])
        if day is None:
            add(f, f"The {_label(f)} does not match the format YYYY-MM-DD.")
            continue
        if f in bounds and day < bounds[f]:
            add(f, f"The {_label(f)} field must be a date after or equal to {bounds[f].isoformat()}.")
        if day > date(2038, 1, 1):
            add(f, f"The {_label(f)} field must be a date before or equal to 2038-01-01.")
        start = _date(s.get("application_date"))
        if f in END_DATES and start and day < start:
            add(f, f"The {_label(f)} field must be a date after or equal to application date.")
    if isinstance(s.get("puid"), str) and s["puid"] and not PUID.match(s["puid"]):
        add("puid", "The puid field format is invalid.")
    url = s.get("decision_ground_reference_url")
    if _present(url) and not re.match(r"^https?://\S+$", str(url)):
        add("decision_ground_reference_url", "The decision ground reference url field must be a valid URL.")
    content_id = s.get("content_id")
    if content_id is not None and (not isinstance(content_id, dict) or any(
            k != "EAN-13" or not re.fullmatch(r"\d{13}", str(v)) for k, v in content_id.items())):
        add("content_id", "The content id field is invalid.")
    return errors


class FakeTdb:
    """The fake database and its HTTP server; ``start()`` binds a free port on 127.0.0.1."""

    def __init__(self, token: str = "tdb-test-token") -> None:
        self.token = token
        self.stored: dict[str, dict[str, Any]] = {}
        self.posted: list[str] = []              # every puid in every POST body, in order
        self.faults: deque[str] = deque()        # for the next POSTs: "503", "drop", or "" (none)
        self.duplicates_refused: list[str] = []  # puids refused because they were stored already
        self.extra_rule: Callable[[dict[str, Any]], dict[str, list[str]]] | None = None
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "FakeTdb":
        fake = self

        class Handler(_Handler):
            tdb = fake

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, name="fake-tdb", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def rules(self, statement: Any) -> dict[str, list[str]]:
        if not isinstance(statement, dict):
            return {"statement": ["The statement must be an object."]}
        errors = check_statement(statement)
        for field, messages in (self.extra_rule(statement) if self.extra_rule else {}).items():
            errors.setdefault(field, []).extend(messages)
        return errors

    def created(self, statement: dict[str, Any]) -> dict[str, Any]:
        return {**statement, "uuid": str(uuid.uuid4()), "platform_name": "verdict test platform"}


class _Handler(BaseHTTPRequestHandler):
    tdb: FakeTdb

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.tdb.token}":
            self._answer(401, {"message": "Unauthenticated."})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorized():
            return
        prefix = "/api/v1/statement/existing-puid/"
        if not self.path.startswith(prefix):
            self._answer(404, {"message": "not found"})
            return
        puid = self.path[len(prefix):]
        with self.tdb.lock:
            found = puid in self.tdb.stored
        if found:
            self._answer(302, {"message": "statement of reason found", "puid": puid})
        else:
            self._answer(404, {"message": "statement of reason not found", "puid": puid})

    def do_POST(self) -> None:
        if not self._authorized():
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            body = None
        if self.path == "/api/v1/statement":
            self._one(body if isinstance(body, dict) else {})
        elif self.path == "/api/v1/statements":
            self._many(body.get("statements") if isinstance(body, dict) else None)
        else:
            self._answer(404, {"message": "not found"})

    def _fault(self) -> str:
        with self.tdb.lock:
            return self.tdb.faults.popleft() if self.tdb.faults else ""

    def _one(self, statement: dict[str, Any]) -> None:
        tdb = self.tdb
        errors = tdb.rules(statement)
        if errors:
            self._answer(422, {"message": next(iter(errors.values()))[0], "errors": errors})
            return
        with tdb.lock:
            tdb.posted.append(statement["puid"])
            if statement["puid"] in tdb.stored:
                tdb.duplicates_refused.append(statement["puid"])
                message = "The identifier given is not unique within this platform."
                self._answer(422, {"message": message, "errors": {"puid": [message]}, "existing": tdb.stored[statement["puid"]]})
                return
            tdb.stored[statement["puid"]] = tdb.created(statement)
            created = tdb.stored[statement["puid"]]
        self._answer(201, created)

    def _many(self, statements: Any) -> None:
        tdb = self.tdb
        if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
            message = "The statements field must have between 1 and 100 items."
            self._answer(422, {"message": message, "errors": {"statements": [message]}})
            return
        with tdb.lock:
            tdb.posted.extend(s.get("puid", "") for s in statements if isinstance(s, dict))
        fault = self._fault()
        if fault == "503":
            self._answer(503, {"message": "Service Unavailable"})
            return
        errors = {f"statement_{i}": e for i, s in enumerate(statements) if (e := tdb.rules(s))}
        if errors:
            self._answer(422, {"errors": errors})
            return
        puids = [s["puid"] for s in statements]
        with tdb.lock:
            duplicates = sorted({p for p in puids if puids.count(p) > 1 or p in tdb.stored})
            if duplicates:
                tdb.duplicates_refused.extend(duplicates)
                message = "The platform identifier(s) are not all unique within this call."
                self._answer(422, {"message": message, "errors": {"puid": [message], "existing_puids": duplicates}})
                return
            created = [tdb.created(s) for s in statements]
            for statement in created:
                tdb.stored[statement["puid"]] = statement
        if fault == "drop":  # stored, but the answer is lost
            self.close_connection = True
            return
        self._answer(201, {"statements": created})


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake DSA Transparency Database for trying `verdict-admin dsa submit`.")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--token", default="tdb-test-token")
    args = parser.parse_args()
    fake = FakeTdb(args.token)
    fake.httpd = ThreadingHTTPServer(("127.0.0.1", args.port), type("Handler", (_Handler,), {"tdb": fake}))
    print(f"fake Transparency Database on http://127.0.0.1:{args.port} (token {args.token})")
    fake.httpd.serve_forever()


if __name__ == "__main__":
    main()
