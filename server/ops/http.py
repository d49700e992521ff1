"""The server's HTTP port for operations: one WSGI application per path prefix,
served by cheroot (as the console is) in threads of the server process.

It starts with the Bundle Service API at ``/bundles``; another endpoint
(e.g. ``/metrics``) is one more entry in ``apps``. Bearer tokens travel on
it, so off the loopback interface it serves only HTTPS, with the server's
certificate. On loopback (an OPA sidecar in the same pod or host) it serves
plain HTTP even when the server has a certificate: that certificate names the
server's public address, which a client of 127.0.0.1 could not verify.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import structlog
from cheroot import wsgi

from server.httpserver import CherootServer, ServingError, WsgiApp, is_loopback, split_listen

log = structlog.get_logger("http")


class HttpConfigError(ServingError):
    """The HTTP port cannot be served as configured; the text says why."""


class OpsHttpServer(CherootServer):
    """Serves ``apps`` (path prefix -> WSGI application) on ``listen``; ``tls`` = (certificate, key),
    used off loopback."""

    error = HttpConfigError
    thread_name = "ops-http"

    def __init__(self, listen: str, apps: Mapping[str, WsgiApp], tls: tuple[Path, Path] | None = None) -> None:
        host, port = split_listen(listen, "HTTP", HttpConfigError)
        if is_loopback(host):
            tls = None
        elif tls is None:
            raise HttpConfigError(
                f"the HTTP port would take bearer tokens over plain HTTP on {listen}: give the server a certificate "
                "(--tls-cert and --tls-key) or listen on a loopback address like 127.0.0.1")
        self.prefixes = sorted(apps)
        super().__init__(host, port, wsgi.PathInfoDispatcher(dict(apps)), tls, server_name="verdict")

    @property
    def url(self) -> str:
        return self.origin

    def start(self) -> "OpsHttpServer":
        super().start()
        log.info("HTTP serving", url=self.url, paths=self.prefixes)
        return self
