"""Cutting off a PostgreSQL connection that stopped answering.

statement_timeout and lock_timeout are enforced by the server: a server that
is hung (stopped, swapping, behind a network path that swallows packets, a
proxy that stopped forwarding) enforces nothing, and TCP keepalives only
help while the connection is idle. libpq has no client-side deadline for a
statement, so the watchdog keeps one: a call that has not come back when
its deadline passes gets its socket shut down, which wakes the waiting
thread with a connection error. The connection is then broken and the pool
discards it.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import structlog

log = structlog.get_logger("db")

TICK = 0.05  # how often deadlines are checked


@dataclass
class Watch:
    """One guarded call; ``fired`` tells the caller its error came from the watchdog."""

    deadline: float
    conn: Any
    seconds: float
    fired: bool = False


class Watchdog:
    def __init__(self) -> None:
        self._watches: dict[int, Watch] = {}
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextmanager
    def guard(self, conn: Any, seconds: float | None) -> Iterator[Watch | None]:
        """Run the body with a deadline on ``conn`` (None: no deadline)."""
        if seconds is None:
            yield None
            return
        watch = Watch(time.monotonic() + seconds, conn, seconds)
        key = next(self._ids)
        with self._cond:
            self._watches[key] = watch
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()
        try:
            yield watch
        finally:
            with self._cond:
                self._watches.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._watches:
                    self._cond.wait()
                now = time.monotonic()
                overdue = [(k, w) for k, w in self._watches.items() if w.deadline <= now]
                for key, watch in overdue:
                    del self._watches[key]
                    watch.fired = True
            for _, watch in overdue:
                log.warning("database did not answer: closing the connection", seconds=watch.seconds)
                _shut_down(watch.conn)
            time.sleep(TICK)


def _shut_down(conn: Any) -> None:
    """Shut the connection's socket down under libpq (the thread waiting on it wakes with an error)."""
    try:
        fd = conn.pgconn.socket
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # already closed
        pass


WATCHDOG = Watchdog()
