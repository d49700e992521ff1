"""A TCP proxy in front of the real PostgreSQL that can make it hang.

``hang()``: nothing is forwarded any more in either direction, and new
connections are accepted but never reach PostgreSQL: to the server, the
database stopped answering while TCP stays up (as a stopped, swapping or
partitioned database looks behind a proxy, where keepalives do not help).
``resume()`` forwards again. ``lose_next_commit(marker, reaches_server)``:
the next COMMIT of a transaction that sent ``marker`` (a value it writes,
e.g. a post ID) either never reaches PostgreSQL (so it rolls back when the
connection goes) or reaches it and commits, but its answer never comes back:
the two sides of a commit whose outcome the client cannot know.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class _Link:
    client: socket.socket
    server: socket.socket
    marked: bool = False
    cut: bool = False                 # nothing more is forwarded on this link
    swallow_answers: bool = False     # the server's answers are dropped
    closed: threading.Event = field(default_factory=threading.Event)


class PgProxy:
    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()
        self._lose_commit: tuple[bytes, bool] | None = None  # armed: (marker, the COMMIT reaches the server)
        self.lost_commits = 0
        self._links: list[_Link] = []
        self._stopped = False
        threading.Thread(target=self._accept, name="pgproxy", daemon=True).start()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?sslmode=disable&gssencmode=disable"

    def hang(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def lose_next_commit(self, marker: bytes, reaches_server: bool) -> None:
        with self._lock:
            self._lose_commit = (marker, reaches_server)

    def close(self) -> None:
        self._stopped = True
        self._running.set()
        self._listener.close()
        for link in list(self._links):
            self._close(link)

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._open, args=(client,), daemon=True).start()

    def _open(self, client: socket.socket) -> None:
        self._running.wait()
        try:
            server = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        link = _Link(client, server)
        self._links.append(link)
        threading.Thread(target=self._pump, args=(link, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(link, False), daemon=True).start()

    def _pump(self, link: _Link, upstream: bool) -> None:
        source, sink = (link.client, link.server) if upstream else (link.server, link.client)
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self._running.wait()
                if upstream:
                    data = self._inspect(link, data)
                if link.cut or (not upstream and link.swallow_answers) or data is None:
                    continue
                sink.sendall(data)
        except OSError:
            pass
        self._close(link)

    def _inspect(self, link: _Link, data: bytes) -> bytes | None:
        """Upstream bytes: watch for the marker being written, and for the COMMIT that follows."""
        with self._lock:
            armed = self._lose_commit
        if armed is None:
            return data
        marker, reaches_server = armed
        link.marked = link.marked or marker in data
        if not (link.marked and b"COMMIT\x00" in data):
            return data
        with self._lock:
            self._lose_commit = None
        self.lost_commits += 1
        if reaches_server:
            link.swallow_answers = True
            return data
        link.cut = True
        return None

    def _close(self, link: _Link) -> None:
        if link.closed.is_set():
            return
        link.closed.set()
        for sock in (link.client, link.server):
            try:  # shut down first: a close alone leaves the socket open under a thread still in recv()
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
