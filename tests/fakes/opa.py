"""A stand-in for OPA in front of the real one: a real HTTP server on a free port.

It forwards every ``/v1/data/...`` query to an upstream OPA (the sidecar the
tests run) and can change the answer (``rewrite``, e.g. to ``{"result": {}}``)
or hold queries until released (``hold``), while ``/health`` answers at once.
The server under test talks to it exactly as to OPA: over the REST API.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import requests

Rewrite = Callable[[str, dict[str, Any]], dict[str, Any]]  # (data path, OPA's answer) -> the answer given


class FakeOpa:
    def __init__(self, upstream: str, rewrite: Rewrite | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.rewrite = rewrite
        self.hold = threading.Event()
        self.hold.set()  # set: queries go through; clear it to hold them
        self.held = threading.Semaphore(0)  # released once per query that started waiting
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _send(self, status: int, body: Any) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                if self.path.startswith("/health"):
                    self._send(200, {})
                else:
                    self._send(404, {"code": "not_found", "message": self.path})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not fake.hold.is_set():
                    fake.held.release()
                    fake.hold.wait(timeout=60)
                answer = requests.post(fake.upstream + self.path, data=body, timeout=30,
                                       headers={"Content-Type": "application/json"})
                doc = answer.json()
                if fake.rewrite is not None and answer.status_code == 200:
                    doc = fake.rewrite(self.path.split("?")[0].removeprefix("/v1/data/"), doc)
                self._send(answer.status_code, doc)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="fake-opa", daemon=True).start()

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
