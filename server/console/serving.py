"""The console's HTTP server: cheroot (CherryPy's WSGI server) on its own port,
in threads of the server process; HTTPS with the server's certificate when it has one."""

from __future__ import annotations

from pathlib import Path

import structlog
from flask import Flask

from server.console.context import STATE, Services
from server.httpserver import CherootServer, ServingError, is_loopback, split_listen

log = structlog.get_logger("console")

THREADS = 8


class ConsoleConfigError(ServingError):
    """The console cannot be served as configured; the text says why."""


class ConsoleServer(CherootServer):
    """Serves ``app`` on ``listen``; ``tls`` = (certificate, key) for HTTPS.

    Sign-in sends a caller token, so off the loopback interface the console
    only serves HTTPS.
    """

    error = ConsoleConfigError
    label = "console"
    thread_name = "console-http"

    def __init__(self, app: Flask, listen: str, tls: tuple[Path, Path] | None = None) -> None:
        host, port = split_listen(listen, "console", ConsoleConfigError)
        if tls is None and not is_loopback(host):
            raise ConsoleConfigError(
                f"the console would take caller tokens over plain HTTP on {listen}: give it a certificate "
                "(--tls-cert and --tls-key) or listen on a loopback address like 127.0.0.1")
        self.app = app
        super().__init__(host, port, app, tls, server_name="verdict-console", threads=THREADS)

    @property
    def url(self) -> str:
        return f"{self.origin}/"

    def start(self) -> "ConsoleServer":
        """Bind (an error here if the port is taken) and serve in the background."""
        super().start()
        log.info("console serving", url=self.url)
        return self

    def stop(self) -> None:
        super().stop()
        self.app.extensions[STATE].jobs.close()


def start_console(services: Services, listen: str, session_seconds: float,
                  tls: tuple[Path, Path] | None = None) -> ConsoleServer:
    """The console over ``services``, serving on ``listen``; ConsoleConfigError if it cannot."""
    from server.console.web import create_app

    return ConsoleServer(create_app(services, session_seconds, tls=tls is not None), listen, tls).start()
