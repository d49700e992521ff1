"""A WSGI application served by cheroot (CherryPy's WSGI server) in threads of the
server process: the console's port and the operations port (server/ops/http.py).

cheroot has TLS built in and is started and stopped from inside the process.
Caller tokens travel on both ports, so off the loopback interface each serves
only HTTPS; the subclasses decide what that means for them.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from pathlib import Path
from typing import Any, Callable

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

WsgiApp = Callable[..., Any]


class ServingError(ValueError):
    """A port cannot be served as configured; the text says why."""


def split_listen(listen: str, what: str = "HTTP", error: type[ServingError] = ServingError) -> tuple[str, int]:
    """"127.0.0.1:8080" or "[::1]:8080" -> (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise error(f"{what} address {listen!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local_listen(listen: str) -> bool:
    """Only this machine can connect (the gRPC server's address too): a Unix socket, or a host
    that is, or resolves only to, loopback."""
    if listen.startswith(("unix:", "unix-abstract:")):
        return True
    try:
        host, _ = split_listen(listen)
    except ServingError:
        return False
    if is_loopback(host):
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(is_loopback(str(a).split("%")[0]) for a in addresses)


class CherootServer:
    """Serves a WSGI ``app`` on (``host``, ``port``); ``tls`` = (certificate, key) for HTTPS."""

    error: type[ServingError] = ServingError
    label = "HTTP port"  # what the error messages call it
    thread_name = "http"

    def __init__(self, host: str, port: int, app: WsgiApp, tls: tuple[Path, Path] | None, server_name: str,
                 threads: int = 8) -> None:
        self.host = host
        self.tls = tls
        self._server = wsgi.Server((host, port), app, numthreads=threads, server_name=server_name, shutdown_timeout=2)
        if tls is not None:
            self._server.ssl_adapter = BuiltinSSLAdapter(str(tls[0]), str(tls[1]))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def start(self) -> "CherootServer":
        """Bind (an error here if the port is taken) and serve in the background."""
        try:
            self._server.prepare()
        except OSError as exc:
            raise self.error(f"the {self.label} cannot listen on {self.host}:{self._server.bind_addr[1]}: {exc}") from None
        self._thread = threading.Thread(target=self._server.serve, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
