"""The sidecar's HTTP side: OPA's REST Data, Policy and Health API, with OPA's JSON and error shapes."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from server.engine.base import PolicyEvaluationError, UndefinedDecision
from server.engine.sidecar_state import BUNDLE_NAME, SidecarState

log = structlog.get_logger("sidecar")

_TRUE = {"1", "t", "T", "TRUE", "true", "True", ""}


def _flag(query: dict[str, list[str]], name: str) -> bool:
    """OPA's boolean query parameters: present and not false (``?provenance``)."""
    values = query.get(name)
    return bool(values) and values[-1] in _TRUE


class OpaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the server's HTTP client expects
    server: "SidecarServer"

    # -- plumbing --------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without this, Nagle's
        # algorithm and delayed ACKs stall every keep-alive answer ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server API
        pass  # requests are not logged one by one; errors are

    def _send(self, status: int, body: Any | None) -> None:
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"code": code, "message": message})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self) -> tuple[str, str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        return unquote(parts.path), parts.path, parse_qs(parts.query, keep_blank_values=True)

    # -- verbs -----------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        path, _, query = self._route()
        state = self.server.state
        if path == "/health":
            ok = state.engine is None or state.engine.healthy()
            if "bundles" in query and not state.activated():
                self._send(500, {"error": "one or more bundles are not activated"})
            else:
                self._send(200, {}) if ok else self._send(500, {"error": "unable to perform evaluation"})
        elif path.rstrip("/") == "/v1/policies":
            self._send(200, {"result": [self._policy(i) for i in self._modules()]})
        elif path.startswith("/v1/policies/"):
            policy_id = path[len("/v1/policies/"):]
            if policy_id in self._modules():
                self._send(200, {"result": self._policy(policy_id)})
            else:
                self._error(404, "resource_not_found", f'storage_not_found_error: policy id "{policy_id}"')
        elif path == "/v1/data" or path.startswith("/v1/data/"):
            input_doc = None
            if "input" in query:
                try:
                    input_doc = json.loads(query["input"][-1])
                except ValueError as exc:
                    return self._error(400, "invalid_parameter", f"input parameter format is JSON: {exc}")
            self._evaluate(path[len("/v1/data"):], input_doc, query)
        else:
            self._error(404, "resource_not_found", f"{path} is not served by this sidecar")

    def do_POST(self) -> None:  # noqa: N802
        path, _, query = self._route()
        if not (path == "/v1/data" or path.startswith("/v1/data/")):
            return self._error(404, "resource_not_found", f"{path} is not served by this sidecar")
        body = self._read_body()
        input_doc: Any = None
        has_input = False
        if body.strip():
            try:
                request = json.loads(body)
            except ValueError as exc:
                return self._error(400, "invalid_parameter", f"body contains malformed input document: {exc}")
            if not isinstance(request, dict):
                return self._error(400, "invalid_parameter", "body must be a JSON object")
            has_input = "input" in request
            input_doc = request.get("input")
        self._evaluate(path[len("/v1/data"):], input_doc, query, warn_missing_input=not has_input)

    def _refuse_write(self) -> None:
        self._read_body()
        self._error(400, "invalid_parameter", f'all paths owned by bundle "{BUNDLE_NAME}"')

    do_PUT = do_PATCH = do_DELETE = _refuse_write  # noqa: N815

    # -- helpers ---------------------------------------------------------

    def _modules(self) -> dict[str, str]:
        engine = self.server.state.engine
        return dict(engine.bundle.modules) if engine is not None else {}

    def _policy(self, policy_id: str) -> dict[str, str]:
        return {"id": policy_id, "raw": self._modules()[policy_id]}

    def _evaluate(self, data_path: str, input_doc: Any, query: dict[str, list[str]], warn_missing_input: bool = False) -> None:
        state = self.server.state
        engine = state.engine
        response: dict[str, Any] = {}
        revision = engine.revision if engine is not None else None
        try:
            if engine is not None:  # without a bundle every document is undefined, as in OPA
                evaluation = engine.evaluate(data_path.strip("/"), input_doc)
                response["result"], revision = evaluation.result, evaluation.revision
        except UndefinedDecision:
            pass  # OPA answers 200 with no "result" for an undefined document
        except PolicyEvaluationError as exc:
            log.warning("evaluation failed", path=data_path, error=str(exc))
            return self._error(500, "internal_error", str(exc))
        if warn_missing_input:
            response["warning"] = {"code": "api_usage_warning", "message": "'input' key missing from the request"}
        if _flag(query, "provenance"):
            response["provenance"] = state.provenance(revision)  # the revision this answer was evaluated on
        self._send(200, response)


class SidecarServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SidecarState) -> None:
        super().__init__(address, OpaHandler)
        self.state = state
