"""The server's HTTP port for operations: cheroot (already serving the console)
with one WSGI application per path prefix, in threads of the server process.

It starts with the Bundle Service API at ``/bundles``; another endpoint
(e.g. ``/metrics``) is one more entry in ``apps``. Bearer tokens travel on
it, so off the loopback interface it serves only HTTPS, with the server's
certificate. On loopback (an OPA sidecar in the same pod or host) it serves
plain HTTP even when the server has a certificate: that certificate names the
server's public address, which a client of 127.0.0.1 could not verify.
"""

from __future__ import annotations

import ipaddress
import threading
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import structlog
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

log = structlog.get_logger("http")

THREADS = 8
WsgiApp = Callable[..., Any]


class HttpConfigError(ValueError):
    """The HTTP port cannot be served as configured; the text says why."""


def parse_listen(listen: str) -> tuple[str, int]:
    """``127.0.0.1:8282`` or ``[::1]:8282`` -> (host, port)."""
    try:
        parts = urlsplit(f"//{listen}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise HttpConfigError(f"HTTP address {listen!r} is not HOST:PORT")
    return host, port


def loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpsHttpServer:
    """Serves ``apps`` (path prefix -> WSGI application) on ``listen``; ``tls`` = (certificate, key),
    used off loopback."""

    def __init__(self, listen: str, apps: Mapping[str, WsgiApp], tls: tuple[Path, Path] | None = None) -> None:
        self.host, port = parse_listen(listen)
        if loopback(self.host):
            tls = None
        elif tls is None:
            raise HttpConfigError(
                f"the HTTP port would take bearer tokens over plain HTTP on {listen}: give the server a certificate "
                "(--tls-cert and --tls-key) or listen on a loopback address like 127.0.0.1")
        self.tls = tls
        self.prefixes = sorted(apps)
        self._server = wsgi.Server((self.host, port), wsgi.PathInfoDispatcher(dict(apps)), numthreads=THREADS,
                                   server_name="verdict", shutdown_timeout=2)
        if tls is not None:
            self._server.ssl_adapter = BuiltinSSLAdapter(str(tls[0]), str(tls[1]))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def start(self) -> "OpsHttpServer":
        """Bind (an error here if the port is taken) and serve in the background."""
        try:
            self._server.prepare()
        except OSError as exc:
            raise HttpConfigError(f"cannot listen on {self.host}:{self._server.bind_addr[1]}: {exc}") from None
        self._thread = threading.Thread(target=self._server.serve, name="ops-http", daemon=True)
        self._thread.start()
        log.info("HTTP serving", url=self.url, paths=self.prefixes)
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
