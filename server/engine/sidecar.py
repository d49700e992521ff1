"""An OPA-compatible sidecar over the embedded OPA engine.

For machines without an ``opa`` binary: it serves the parts of OPA's REST API
the server uses, with OPA's JSON and error shapes, so the server's HTTP path
is the same one that talks to a real ``opa run --server`` in production:

- ``POST /v1/data/{path}`` with ``{"input": ...}`` (and ``GET``), with
  ``?provenance=true`` reporting the bundle revision;
- ``GET /v1/policies`` and ``GET /v1/policies/{id}``;
- ``GET /health``.

Like ``opa run --server --bundle``, the bundle owns every path: writes to
policies or data are refused with OPA's ``invalid_parameter`` error. Builtin
errors are always strict (a quirk of the embedded engine; the server asks
real OPA for ``strict-builtin-errors`` too, so both behave the same).
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from server.engine.base import EngineError, PolicyEvaluationError, UndefinedDecision
from server.engine.bundle import Bundle, BundleError
from server.engine.embedded import EmbeddedEngine, opa_version, reexec_with_go_gc_tuned
from server.logs import configure_logging

log = structlog.get_logger("sidecar")

BUNDLE_NAME = "verdict"
_TRUE = {"1", "t", "T", "TRUE", "true", "True", ""}


def _flag(query: dict[str, list[str]], name: str) -> bool:
    """OPA's boolean query parameters: present and not false (``?provenance``)."""
    values = query.get(name)
    return bool(values) and values[-1] in _TRUE


class SidecarState:
    """The loaded bundle and the engine over it; reloaded when ``--watch`` sees a change."""

    def __init__(self, bundle_dir: Path) -> None:
        self.bundle_dir = bundle_dir
        self.engine = EmbeddedEngine(Bundle.from_directory(bundle_dir), name="sidecar")
        self.engine.prewarm()
        self.version = opa_version()

    def provenance(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "build_commit": "",
            "build_timestamp": "",
            "build_hostname": "",
            "bundles": {BUNDLE_NAME: {"revision": self.engine.revision}},
        }

    def watch(self, interval: float = 1.0) -> None:
        """Reload the bundle when its content changes (like ``opa run --watch``)."""
        while True:
            time.sleep(interval)
            try:
                bundle = Bundle.from_directory(self.bundle_dir)
                if bundle.revision != self.engine.revision:
                    self.engine.reload(bundle)
                    log.info("bundle reloaded", revision=bundle.revision)
            except Exception as exc:  # keep serving the last good bundle
                log.warning("bundle reload failed; keeping the previous revision", error=str(exc))


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
        if path == "/health":
            self._send(200, {}) if self.server.state.engine.healthy() else self._send(500, {"error": "unable to perform evaluation"})
        elif path.rstrip("/") == "/v1/policies":
            self._send(200, {"result": [self._policy(i) for i in self.server.state.engine.bundle.modules]})
        elif path.startswith("/v1/policies/"):
            policy_id = path[len("/v1/policies/"):]
            if policy_id in self.server.state.engine.bundle.modules:
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

    def _policy(self, policy_id: str) -> dict[str, str]:
        return {"id": policy_id, "raw": self.server.state.engine.bundle.modules[policy_id]}

    def _evaluate(self, data_path: str, input_doc: Any, query: dict[str, list[str]], warn_missing_input: bool = False) -> None:
        state = self.server.state
        response: dict[str, Any] = {}
        try:
            evaluation = state.engine.evaluate(data_path.strip("/"), input_doc)
            response["result"] = evaluation.result
        except UndefinedDecision:
            pass  # OPA answers 200 with no "result" for an undefined document
        except PolicyEvaluationError as exc:
            log.warning("evaluation failed", path=data_path, error=str(exc))
            return self._error(500, "internal_error", str(exc))
        if warn_missing_input:
            response["warning"] = {"code": "api_usage_warning", "message": "'input' key missing from the request"}
        if _flag(query, "provenance"):
            response["provenance"] = state.provenance()
        self._send(200, response)


class SidecarServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SidecarState) -> None:
        super().__init__(address, OpaHandler)
        self.state = state


def serve(bundle_dir: Path, host: str, port: int, watch: bool = False) -> SidecarServer:
    """Start the sidecar in a background thread and return it (tests, make run)."""
    server = SidecarServer((host, port), SidecarState(bundle_dir))
    threading.Thread(target=server.serve_forever, name="sidecar", daemon=True).start()
    if watch:
        threading.Thread(target=server.state.watch, name="sidecar-watch", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    reexec_with_go_gc_tuned("server.engine.sidecar")
    parser = argparse.ArgumentParser(
        prog="python -m server.engine.sidecar",
        description="OPA-compatible REST sidecar over the embedded OPA engine (for machines without an opa binary).",
    )
    parser.add_argument("--bundle", default="rego", type=Path, help="bundle directory to load (default: rego)")
    parser.add_argument("--addr", default="127.0.0.1:8181", help="host:port to listen on (default: 127.0.0.1:8181)")
    parser.add_argument("--watch", action="store_true", help="reload the bundle when its files change")
    args = parser.parse_args(argv)
    configure_logging()
    host, _, port = args.addr.rpartition(":")
    try:
        server = SidecarServer((host or "127.0.0.1", int(port)), SidecarState(args.bundle))
    except (BundleError, EngineError) as exc:
        log.error("cannot load bundle", bundle=str(args.bundle), error=str(exc))
        return 2
    if args.watch:
        threading.Thread(target=server.state.watch, name="sidecar-watch", daemon=True).start()
    log.info("OPA sidecar listening", addr=args.addr, revision=server.state.engine.revision, opa=server.state.version)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
