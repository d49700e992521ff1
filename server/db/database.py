"""One small layer over SQLite and PostgreSQL, so the rest of the server
writes its SQL once (with ``?`` placeholders) and runs on either.

SQLite runs in WAL mode with synchronous=FULL: a commit is on disk before
the server answers. Each thread has its own connection.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit

DEFAULT_URL = "sqlite:///var/verdict.db"


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refused the write."""


def database_url() -> str:
    return os.environ.get("VERDICT_DB", DEFAULT_URL)


class Cursor:
    """A cursor that takes ``?`` placeholders on both dialects."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self._raw = raw
        self._dialect = dialect

    @property
    def dialect(self) -> str:
        return self._dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> "Cursor":
        if self._dialect == "postgresql":
            sql = sql.replace("?", "%s")
        self._raw.execute(sql, tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> "Cursor":
        if self._dialect == "postgresql":
            sql = sql.replace("?", "%s")
        self._raw.executemany(sql, [tuple(r) for r in rows])
        return self

    def fetchone(self) -> tuple | None:
        return self._raw.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._raw.fetchall()

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount


class Database:
    """Connections and transactions for one database URL."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        scheme = urlsplit(self.url).scheme
        if scheme == "sqlite":
            self.dialect = "sqlite"
            path = self.url[len("sqlite://"):]
            # sqlite:///var/x.db is relative (var/x.db); sqlite:////tmp/x.db is absolute.
            path = path[1:] if path.startswith("/") else path
            self.path = Path(path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif scheme in ("postgresql", "postgres"):
            self.dialect = "postgresql"
        else:
            raise ValueError(f"unsupported database URL {self.url!r}: use sqlite:///PATH or postgresql://...")
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def describe(self) -> str:
        """The URL without a password, for logs."""
        parts = urlsplit(self.url)
        if parts.password:
            return self.url.replace(f":{parts.password}@", ":***@")
        return self.url

    # -- connections -------------------------------------------------------

    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            return conn
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"cannot connect to {self.describe()}: {exc}") from None

    def connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _discard(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except Exception:
                    pass
            self._all.clear()
        self._local = threading.local()

    # -- transactions ------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool = False, snapshot: bool = False) -> Iterator[Cursor]:
        """A transaction; ``write=True`` takes SQLite's write lock up front
        (BEGIN IMMEDIATE) so that read-then-write cannot interleave.
        ``snapshot=True``: every read sees the database as of the first one
        (REPEATABLE READ on PostgreSQL; what a SQLite read transaction does)."""
        conn = self.connection()
        try:
            if self.dialect == "sqlite":
                raw = conn.cursor()
                raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield Cursor(raw, "sqlite")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                with conn.transaction():
                    with conn.cursor() as raw:
                        if snapshot:
                            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        yield Cursor(raw, "postgresql")
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except Exception as exc:
            if self.dialect == "postgresql" and _is_connection_error(exc):
                self._discard()
                raise DatabaseUnavailable(str(exc)) from exc
            raise

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """A read outside an explicit transaction."""
        with self.transaction() as cur:
            return cur.execute(sql, params).fetchall()

    def ping(self) -> bool:
        try:
            self.query("SELECT 1")
            return True
        except Exception:
            self._discard()
            return False


def _is_connection_error(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))
