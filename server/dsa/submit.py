"""Submitting statements of reasons to the DSA Transparency Database, each once.

The database rejects a puid it already holds, and a batch with one bad
statement is rejected whole (errors per ``statement_N``). So each attempt
first asks which puids the database already has (GET
``/api/v1/statement/existing-puid/{puid}``: 302 found, 404 not found) and
sends only the others in batches of at most 100 (POST
``/api/v1/statements``). A 422 names the statements at fault: they are
reported field by field and the rest of the batch is sent again. A lost
answer, a 429 or a 5xx is retried with backoff (tenacity), and the retry
asks again which puids arrived, so nothing is sent twice even when an
answer was lost after the database stored the batch; a rerun after an
interruption starts with the same question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import requests
import structlog
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from server.dsa.schema import FieldError, validate
from shared.dsa_batches import BATCH

log = structlog.get_logger("dsa.submit")

class TdbRefused(Exception):
    """The database refused the call for a reason a retry cannot mend (token, URL)."""


class Transient(Exception):
    """No usable answer (connection lost, timeout, 429, 5xx): worth another attempt."""


@dataclass
class SubmitResult:
    submitted: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    rejected: dict[str, list[FieldError]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.failed


class TdbClient:
    """The three calls of the Transparency Database API that submission needs."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json",
                                     "Content-Type": "application/json"})
        self.timeout = timeout

    def _send(self, method: str, path: str, body: Any = None) -> requests.Response:
        try:
            response = self.session.request(method, self.base_url + path, data=None if body is None else json.dumps(body),
                                            timeout=self.timeout, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"{method} {path}: {exc}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise TdbRefused(f"{method} {path}: HTTP {response.status_code}: the token was not accepted")
        return response

    def exists(self, puid: str) -> bool:
        response = self._send("GET", f"/api/v1/statement/existing-puid/{puid}")
        if response.status_code in (302, 404):
            return response.status_code == 302
        raise TdbRefused(f"existing-puid {puid}: unexpected HTTP {response.status_code}")

    def create(self, statements: list[dict[str, Any]]) -> requests.Response:
        return self._send("POST", "/api/v1/statements", {"statements": statements})


def _field_errors(errors: dict[str, Any]) -> list[FieldError]:
    return [FieldError(name, message) for name, messages in sorted(errors.items())
            for message in (messages if isinstance(messages, list) else [messages])]


class Submission:
    """One run over a list of statements; the result says what became of each."""

    def __init__(self, client: TdbClient, attempts: int = 5, backoff: float = 1.0,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.client = client
        self.retrying = dict(stop=stop_after_attempt(attempts), wait=wait_exponential(multiplier=backoff, max=60),
                             retry=retry_if_exception_type(Transient), reraise=True)
        if sleep is not None:
            self.retrying["sleep"] = sleep
        self.result = SubmitResult()

    def run(self, statements: Iterable[dict[str, Any]]) -> SubmitResult:
        valid = []
        for n, statement in enumerate(statements):
            if not isinstance(statement, dict):
                self.result.rejected[f"statement #{n + 1}"] = [FieldError("statement", "is not a JSON object")]
                continue
            errors = validate(statement)
            if errors:  # never sent: it would be refused
                self.result.rejected[str(statement.get("puid", f"statement #{n + 1}"))] = errors
            else:
                valid.append(statement)
        for start in range(0, len(valid), BATCH):
            batch = valid[start:start + BATCH]
            try:
                Retrying(**self.retrying)(self._attempt, batch)
            except Transient as exc:
                for statement in batch:
                    puid = statement["puid"]
                    if puid not in self.result.submitted and puid not in self.result.already_present and puid not in self.result.rejected:
                        self.result.failed[puid] = str(exc)
        return self.result

    def _attempt(self, batch: list[dict[str, Any]]) -> None:
        done = set(self.result.submitted) | set(self.result.already_present) | set(self.result.rejected)
        pending = []
        for statement in batch:
            if statement["puid"] in done:
                continue
            if self.client.exists(statement["puid"]):
                self.result.already_present.append(statement["puid"])
            else:
                pending.append(statement)
        while pending:
            pending = self._post(pending)

    def _post(self, pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send the batch; what is left to send again after a 422 that named some statements."""
        response = self.client.create(pending)
        if response.status_code == 201:
            self.result.submitted.extend(s["puid"] for s in pending)
            return []
        body = _json(response)
        errors = body.get("errors") or {}
        if response.status_code != 422:
            raise TdbRefused(f"POST /api/v1/statements: unexpected HTTP {response.status_code}: {body.get('message', '')}")
        named = {int(key.removeprefix("statement_")): value for key, value in errors.items() if key.startswith("statement_")}
        present = set(errors.get("existing_puids") or [])
        if not named and not present:  # the request as a whole is wrong: nothing of it can go
            for statement in pending:
                self.result.rejected[statement["puid"]] = _field_errors(errors) or [FieldError("statements", body.get("message", "rejected"))]
            return []
        rest = []
        for index, statement in enumerate(pending):
            if index in named:
                self.result.rejected[statement["puid"]] = _field_errors(named[index])
            elif statement["puid"] in present:
                self.result.already_present.append(statement["puid"])
            else:
                rest.append(statement)
        return rest


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# ---------------------------------------------------------------- batch files
