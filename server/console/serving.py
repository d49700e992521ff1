"""The console's HTTP server: cheroot (CherryPy's WSGI server) on its own port,
in threads of the server process; HTTPS with the server's certificate when it has one."""

from __future__ import annotations

import ipaddress
import threading
from pathlib import Path

import structlog
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from flask import Flask

from server.console.context import STATE, Services

log = structlog.get_logger("console")

THREADS = 8


class ConsoleConfigError(ValueError):
    """The console cannot be served as configured; the text says why."""


def split_listen(listen: str) -> tuple[str, int]:
    """"127.0.0.1:8080" or "[::1]:8080" -> (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ConsoleConfigError(f"console address {listen!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ConsoleServer:
    """Serves ``app`` on ``listen``; ``tls`` = (certificate, key) for HTTPS.

    Sign-in sends a caller token, so off the loopback interface the console
    only serves HTTPS.
    """

    def __init__(self, app: Flask, listen: str, tls: tuple[Path, Path] | None = None) -> None:
        self.host, port = split_listen(listen)
        if tls is None and not is_loopback(self.host):
            raise ConsoleConfigError(
                f"the console would take caller tokens over plain HTTP on {listen}: give it a certificate "
                "(--tls-cert and --tls-key) or listen on a loopback address like 127.0.0.1")
        self.tls = tls
        self.app = app
        self._server = wsgi.Server((self.host, port), app, numthreads=THREADS, server_name="verdict-console",
                                   shutdown_timeout=2)
        if tls is not None:
            self._server.ssl_adapter = BuiltinSSLAdapter(str(tls[0]), str(tls[1]))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}/"

    def start(self) -> "ConsoleServer":
        """Bind (an error here if the port is taken) and serve in the background."""
        try:
            self._server.prepare()
        except OSError as exc:
            raise ConsoleConfigError(f"the console cannot listen on {self.host}:{self._server.bind_addr[1]}: {exc}") from None
        self._thread = threading.Thread(target=self._server.serve, name="console-http", daemon=True)
        self._thread.start()
        log.info("console serving", url=self.url)
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.app.extensions[STATE].jobs.close()


def start_console(services: Services, listen: str, session_seconds: float,
                  tls: tuple[Path, Path] | None = None) -> ConsoleServer:
    """The console over ``services``, serving on ``listen``; ConsoleConfigError if it cannot."""
    from server.console.web import create_app

    return ConsoleServer(create_app(services, session_seconds, tls=tls is not None), listen, tls).start()
