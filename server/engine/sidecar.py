"""An OPA-compatible sidecar over the embedded OPA engine.

For machines without an ``opa`` binary: it serves the parts of OPA's REST API
the server uses, with OPA's JSON and error shapes, so the server's HTTP path
is the same one that talks to a real ``opa run --server`` in production:

- ``POST /v1/data/{path}`` with ``{"input": ...}`` (and ``GET``), with
  ``?provenance=true`` reporting the bundle revision;
- ``GET /v1/policies`` and ``GET /v1/policies/{id}``;
- ``GET /health`` (with ``?bundles``: 500 until the bundle is activated).

The bundle comes from a directory (``--bundle rego``, ``--watch`` reloads it),
from a bundle file (``--bundle bundle.tar.gz``, checked with
``--verification-key`` like ``opa run``), or, like ``opa run --server
--config-file opa.yaml``, from a Bundle Service: downloaded, verified and
activated without a restart whenever a new revision is served (see
``bundle_plugin`` and ``opa_config``).

Like ``opa run --server --bundle``, the bundle owns every path: writes to
policies or data are refused with OPA's ``invalid_parameter`` error. Builtin
errors are always strict (a quirk of the embedded engine; the server asks
real OPA for ``strict-builtin-errors`` too, so both behave the same).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
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
from server.engine.bundle_plugin import BundleDownloader, bundle_of
from server.engine.bundle_signing import ALGORITHMS, VerificationConfig
from server.engine.embedded import EmbeddedEngine, opa_version, reexec_with_go_gc_tuned
from server.engine.opa_config import BundleSource, OpaConfigError, bundle_sources, load_config
from server.logs import configure_logging

log = structlog.get_logger("sidecar")

BUNDLE_NAME = "verdict"
_TRUE = {"1", "t", "T", "TRUE", "true", "True", ""}


def _flag(query: dict[str, list[str]], name: str) -> bool:
    """OPA's boolean query parameters: present and not false (``?provenance``)."""
    values = query.get(name)
    return bool(values) and values[-1] in _TRUE


class SidecarState:
    """The active bundle and the engine over it; a new bundle is activated in place."""

    def __init__(self, bundle: Bundle | None = None, bundle_dir: Path | None = None, expected: tuple[str, ...] = ()) -> None:
        self.bundle_dir = bundle_dir
        self.engine: EmbeddedEngine | None = None
        self.bundle_name = BUNDLE_NAME
        self.expected = set(expected)  # bundles to download: /health?bundles waits for them
        self.version = opa_version()
        self._lock = threading.Lock()
        if bundle is not None:
            self.activate(BUNDLE_NAME, bundle)

    @classmethod
    def from_directory(cls, bundle_dir: Path) -> "SidecarState":
        return cls(Bundle.from_directory(bundle_dir), bundle_dir)

    def activate(self, name: str, bundle: Bundle) -> None:
        """Serve ``bundle`` from now on; raises (and keeps the active one) if it does not compile."""
        with self._lock:
            if self.engine is None:
                engine = EmbeddedEngine(bundle, name="sidecar")
                engine.prewarm()
                self.engine = engine
            else:
                self.engine.reload(bundle)
            self.bundle_name = name
            self.expected.discard(name)

    def activated(self) -> bool:
        return self.engine is not None and not self.expected

    def provenance(self, revision: str | None) -> dict[str, Any]:
        """OPA's provenance; ``revision``: of the bundle the answer was evaluated on."""
        return {
            "version": self.version,
            "build_commit": "",
            "build_timestamp": "",
            "build_hostname": "",
            "bundles": {self.bundle_name: {"revision": revision}} if self.engine is not None and revision is not None else {},
        }

    def watch(self, interval: float = 1.0) -> None:
        """Reload the bundle directory when its content changes (like ``opa run --watch``)."""
        while True:
            time.sleep(interval)
            try:
                bundle = Bundle.from_directory(self.bundle_dir)
                if self.engine is None or bundle.revision != self.engine.revision:
                    self.activate(BUNDLE_NAME, bundle)
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


def serve(bundle_dir: Path, host: str, port: int, watch: bool = False) -> SidecarServer:
    """Start the sidecar in a background thread and return it (tests, make run)."""
    server = SidecarServer((host, port), SidecarState.from_directory(bundle_dir))
    threading.Thread(target=server.serve_forever, name="sidecar", daemon=True).start()
    if watch:
        threading.Thread(target=server.state.watch, name="sidecar-watch", daemon=True).start()
    return server


def _initial_state(args: argparse.Namespace, sources: list[BundleSource]) -> SidecarState:
    """What to serve at start: a bundle directory or file, or nothing until the first download."""
    if sources:
        if args.bundle is not None:
            raise BundleError("give either --bundle or bundles in the configuration, not both")
        if len(sources) > 1:
            raise BundleError(f"this sidecar serves one bundle; the configuration has {len(sources)}")
        return SidecarState(expected=(sources[0].name,))
    path = args.bundle or Path("rego")
    if path.is_file():  # a bundle file, as `opa run --server bundle.tar.gz`
        verification = None
        if args.verification_key:
            verification = VerificationConfig.from_key_file(args.verification_key, args.verification_key_id,
                                                            args.signing_alg, args.scope or "")
            verification = replace(verification, exclude_files=tuple(args.exclude_files_verify))
        return SidecarState(bundle_of(path.read_bytes(), verification))
    return SidecarState.from_directory(path)


def main(argv: list[str] | None = None) -> int:
    reexec_with_go_gc_tuned("server.engine.sidecar")
    parser = argparse.ArgumentParser(
        prog="python -m server.engine.sidecar",
        description="OPA-compatible REST sidecar over the embedded OPA engine (for machines without an opa binary). "
                    "It loads a bundle directory or file, or downloads bundles as `opa run --server --config-file` does.",
    )
    parser.add_argument("--bundle", type=Path, default=None,
                        help="bundle directory or .tar.gz to load (default: rego, unless the configuration downloads bundles)")
    parser.add_argument("--addr", default="127.0.0.1:8181", help="host:port to listen on (default: 127.0.0.1:8181)")
    parser.add_argument("--watch", action="store_true", help="reload the bundle directory when its files change")
    parser.add_argument("-c", "--config-file", type=Path, help="OPA configuration file (services, bundles, keys), e.g. deploy/opa.yaml")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a configuration value, as opa run --set (e.g. services.verdict.url=http://...)")
    parser.add_argument("--set-file", action="append", default=[], metavar="KEY=PATH",
                        help="set a configuration value to a file's content, as opa run --set-file (e.g. keys.verdict-bundles.key=pub.pem)")
    parser.add_argument("--verification-key", type=Path, help="public key (PEM) a --bundle file must be signed with")
    parser.add_argument("--verification-key-id", default="default", help="its key ID (default: default)")
    parser.add_argument("--signing-alg", default="RS256", choices=ALGORITHMS, help="its algorithm (default: RS256)")
    parser.add_argument("--scope", help="the scope the signature must have")
    parser.add_argument("--exclude-files-verify", action="append", default=[], metavar="PATTERN",
                        help="files of a --bundle file left out of verification")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        sources = bundle_sources(load_config(args.config_file, args.set, args.set_file))
        state = _initial_state(args, sources)
    except (OpaConfigError, BundleError, EngineError, OSError) as exc:
        log.error("cannot start", error=str(exc))
        return 2
    host, _, port = args.addr.rpartition(":")
    server = SidecarServer((host or "127.0.0.1", int(port)), state)
    stop = threading.Event()
    for source in sources:
        BundleDownloader(source, state.activate).start(stop)
    if args.watch and state.bundle_dir is not None:
        threading.Thread(target=state.watch, name="sidecar-watch", daemon=True).start()
    log.info("OPA sidecar listening", addr=args.addr, opa=state.version,
             revision=state.engine.revision if state.engine else None, downloads=[s.url for s in sources])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
