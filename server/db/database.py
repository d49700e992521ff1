"""One small layer over SQLite and PostgreSQL, so the rest of the server
writes its SQL once (with ``?`` placeholders) and runs on either.

Connections come from a bounded pool (psycopg_pool for PostgreSQL,
SQLAlchemy's QueuePool for SQLite) and go back to it when their transaction
ends, whatever thread used them. Nothing waits without bound (``Limits``):

- connecting, and waiting for a pooled connection: ``timeout``;
- a statement: PostgreSQL's ``statement_timeout`` (``timeout``), and a
  PostgreSQL that does not answer at all (hung, or the network swallows
  packets) is cut off by the client ``GRACE`` seconds later (``watchdog``);
  TCP keepalives find dead peers of idle connections;
- a lock: PostgreSQL's ``lock_timeout``; SQLite's busy timeout, and the
  process's own SQLite write lock (writers of one process queue on it rather
  than polling the file lock).

A COMMIT whose answer never came raises ``CommitUnknown``: the transaction
may or may not have committed, and only a later read can tell. Any other
failure means nothing of the transaction was written.

SQLite runs in WAL mode with synchronous=FULL: a commit is on disk before
the server answers.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlsplit

from server.db.watchdog import WATCHDOG

DEFAULT_URL = "sqlite:///var/verdict.db"
# How long past its statement timeout the client waits for a PostgreSQL that does not answer.
GRACE = 1.0
_DEFAULT: Any = object()


class DatabaseUnavailable(Exception):
    """The database cannot be reached or refused the work: nothing of the transaction was written."""


class CommitUnknown(Exception):
    """The COMMIT was sent and no answer came: the transaction may or may not have committed."""


def database_url() -> str:
    return os.environ.get("VERDICT_DB", DEFAULT_URL)


@dataclass(frozen=True)
class Limits:
    """How long the server waits on its database (seconds), and how many connections it holds."""

    timeout: float = 5.0        # connect, wait for a pooled connection, one statement
    lock_timeout: float = 2.0   # wait for a row, table or (SQLite) database lock
    pool_size: int = 16         # connections per process
    idle_in_transaction: float = 60.0  # PostgreSQL ends a session left idle inside a transaction

    def pg_settings(self) -> dict[str, Any]:
        """Connection parameters: timeouts (server side) and TCP keepalives."""
        options = (f"-c statement_timeout={_ms(self.timeout)} -c lock_timeout={_ms(self.lock_timeout)} "
                   f"-c idle_in_transaction_session_timeout={_ms(self.idle_in_transaction)}")
        return {"connect_timeout": max(2, round(self.timeout)), "options": options,
                "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
                "tcp_user_timeout": _ms(max(10.0, self.timeout + GRACE))}


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class Cursor:
    """A cursor that takes ``?`` placeholders on both dialects."""

    def __init__(self, raw: Any, dialect: str, guard: Any, tx: "_Transaction") -> None:
        self._raw = raw
        self._dialect = dialect
        self._guard = guard
        self._tx = tx

    @property
    def dialect(self) -> str:
        return self._dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> "Cursor":
        if self._dialect == "postgresql":
            sql = sql.replace("?", "%s")
        with self._guard:
            self._raw.execute(sql, tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> "Cursor":
        if self._dialect == "postgresql":
            sql = sql.replace("?", "%s")
        with self._guard:
            self._raw.executemany(sql, [tuple(r) for r in rows])
        return self

    def control(self, sql: str) -> None:
        """Transaction control (BEGIN, COMMIT, SAVEPOINT, SET LOCAL ...): never a prepared statement."""
        with self._guard:
            if self._dialect == "postgresql":
                self._raw.execute(sql, prepare=False)
            else:
                self._raw.execute(sql)

    def fetchone(self) -> tuple | None:
        return self._raw.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._raw.fetchall()

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction has committed (never if it rolls back)."""
        self._tx.after_commit.append(action)


@dataclass
class _Transaction:
    """The transaction open on a thread (a nested ``transaction`` joins it as a savepoint)."""

    raw: Any
    write: bool
    seconds: float | None          # the watchdog's deadline per call (PostgreSQL)
    cursor: Cursor | None = None
    depth: int = 0
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    watch: Any = None              # the last guarded call
    end: Callable[[], None] = lambda: None  # gives the connection back


class _Guard:
    """A PostgreSQL call under the watchdog (``tx.watch`` says whether it fired)."""

    __slots__ = ("tx", "_cm")

    def __init__(self, tx: _Transaction) -> None:
        self.tx = tx

    def __enter__(self) -> None:
        self._cm = WATCHDOG.guard(self.tx.raw, self.tx.seconds)
        self.tx.watch = self._cm.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)


class _Rollback(Exception):
    """Raised inside a transaction to roll it back quietly."""


class Database:
    """Connections and transactions for one database URL."""

    def __init__(self, url: str | None = None, limits: Limits | None = None) -> None:
        self.url = url or database_url()
        self.limits = limits or Limits()
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
        self._pool: Any = None
        self._pool_lock = threading.Lock()
        self._write_lock = threading.Lock()  # SQLite: this process's writers, one at a time

    def describe(self) -> str:
        """The URL without a password, for logs."""
        parts = urlsplit(self.url)
        if parts.password:
            return self.url.replace(f":{parts.password}@", ":***@")
        return self.url

    # -- the pool -------------------------------------------------------------

    def _get_pool(self) -> Any:
        with self._pool_lock:
            if self._pool is None:
                self._pool = self._new_pool()
            return self._pool

    def _new_pool(self) -> Any:
        if self.dialect == "sqlite":
            from sqlalchemy.pool import QueuePool

            return QueuePool(self._connect_sqlite, pool_size=self.limits.pool_size, max_overflow=0,
                             timeout=self.limits.timeout, reset_on_return=None)
        from psycopg_pool import ConnectionPool

        return ConnectionPool(self.url, kwargs={"autocommit": True, **self.limits.pg_settings()}, min_size=1,
                              max_size=self.limits.pool_size, timeout=self.limits.timeout, max_idle=60.0,
                              reconnect_timeout=max(30.0, self.limits.timeout), num_workers=2, name="verdict", open=True)

    def _connect_sqlite(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.limits.lock_timeout, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={_ms(self.limits.lock_timeout)}")
        return conn

    def _acquire(self, write: bool, wait: float, lock_wait: float) -> tuple[Any, Callable[[], None]]:
        """A connection for one transaction (and, for a SQLite writer, the process's write
        lock), and what gives them back."""
        if self.dialect == "postgresql":
            from psycopg_pool import PoolTimeout

            pool = self._get_pool()
            try:
                raw = pool.getconn(timeout=wait)
            except PoolTimeout:
                raise DatabaseUnavailable(f"no connection to {self.describe()} within {wait:.2g} s "
                                          f"(it does not answer, or all {self.limits.pool_size} are in use)") from None
            return raw, lambda: pool.putconn(raw)
        from sqlalchemy.exc import TimeoutError as PoolTimeout

        if write and not self._write_lock.acquire(timeout=lock_wait):
            raise DatabaseUnavailable(f"database is locked: no write lock within {lock_wait:.2g} s")
        try:
            fairy = self._get_pool().connect()
        except BaseException as exc:
            if write:
                self._write_lock.release()
            if isinstance(exc, PoolTimeout):
                raise DatabaseUnavailable(f"no connection to {self.describe()} within {self.limits.timeout:g} s "
                                          f"(all {self.limits.pool_size} are in use)") from None
            raise

        def release() -> None:
            try:
                fairy.close()
            finally:
                if write:
                    self._write_lock.release()

        return fairy.dbapi_connection, release

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the pool's connections (and stop its threads): every Database that was used is closed."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        if self.dialect == "sqlite":
            pool.dispose()
        else:
            pool.close()

    def connections(self) -> int:
        """Connections this process holds open now (for tests and health)."""
        pool = self._pool
        if pool is None:
            return 0
        if self.dialect == "sqlite":
            return pool.checkedin() + pool.checkedout()
        return int(pool.get_stats().get("pool_size", 0))

    # -- transactions ------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool = False, snapshot: bool = False, *, timeout: float | None = _DEFAULT,
                    lock_timeout: float | None = None, within: float | None = None) -> Iterator[Cursor]:
        """A transaction; ``write=True`` takes SQLite's write lock up front
        (BEGIN IMMEDIATE) so that read-then-write cannot interleave.
        ``snapshot=True``: every read sees the database as of the first one
        (REPEATABLE READ on PostgreSQL; what a SQLite read transaction does).
        ``timeout``: the most each statement may take (default ``limits.timeout``;
        None: no limit, for migrations and bulk loads); ``lock_timeout``: the most
        a lock may be waited for (default ``limits.lock_timeout``); ``within``: the
        most getting a connection, the locks and beginning may take in all (for a
        caller that has to answer by then).

        A transaction already open on this thread is joined (as a savepoint).
        """
        open_tx: _Transaction | None = getattr(self._local, "tx", None)
        if open_tx is not None:
            if write and not open_tx.write and self.dialect == "sqlite":
                raise RuntimeError("a write transaction inside a read transaction (SQLite cannot upgrade it safely)")
            with self._savepoint(open_tx) as cur:
                yield cur
            return
        seconds = self.limits.timeout if timeout is _DEFAULT else timeout
        tx: _Transaction | None = None
        try:
            tx = self._open(write, snapshot, seconds, lock_timeout, within)
            self._local.tx = tx
            try:
                yield tx.cursor  # type: ignore[misc]
            except BaseException:
                self._rollback(tx)
                raise
            self._commit(tx)
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except (DatabaseUnavailable, CommitUnknown):
            raise
        except Exception as exc:
            if self.dialect == "postgresql" and _is_connection_error(exc):
                raise DatabaseUnavailable(self._why(exc, tx)) from exc
            raise
        finally:
            self._local.tx = None
            if tx is not None:
                tx.end()
        for action in tx.after_commit:
            action()

    def _open(self, write: bool, snapshot: bool, seconds: float | None, lock_timeout: float | None,
              within: float | None) -> _Transaction:
        """Check a connection out and begin, within ``seconds`` (plus GRACE) in all, and within
        ``lock_timeout`` for the locks (SQLite: this process's write lock and the file's); both
        within ``within`` if given. A pooled PostgreSQL connection found dead at BEGIN (the
        database restarted since) is dropped and the next one tried: nothing had begun."""
        started = time.monotonic()
        wait = self.limits.timeout if seconds is None else seconds
        lock_wait = self.limits.lock_timeout if lock_timeout is None else lock_timeout
        if within is not None:
            wait, lock_wait = min(wait, within), min(lock_wait, within)
        for attempt in range(2):
            raw, release = self._acquire(write, max(0.0, wait - (time.monotonic() - started)), lock_wait)
            waited = time.monotonic() - started
            tx = _Transaction(raw, write, None if seconds is None else max(0.0, wait - waited) + GRACE)
            raw_cursor = raw.cursor()
            tx.cursor = Cursor(raw_cursor, self.dialect, _Guard(tx) if self.dialect == "postgresql" else _NO_GUARD, tx)
            # SQLite: the file's lock is waited for only as long as the process's lock left over
            busy = None
            if self.dialect == "sqlite" and (lock_wait != self.limits.lock_timeout or (write and waited > 0.01)):
                busy = _ms(max(0.001, lock_wait - waited))

            def end(raw: Any = raw, raw_cursor: Any = raw_cursor, release: Callable[[], None] = release,
                    busy: int | None = busy) -> None:
                try:
                    raw_cursor.close()
                    if busy is not None:
                        raw.execute(f"PRAGMA busy_timeout={_ms(self.limits.lock_timeout)}")
                finally:
                    release()

            tx.end = end
            try:
                if busy is not None:
                    raw.execute(f"PRAGMA busy_timeout={busy}")
                self._begin(tx, snapshot, seconds, lock_timeout)
            except Exception as exc:
                end()
                stale = (self.dialect == "postgresql" and attempt == 0 and _is_connection_error(exc)
                         and _is_broken(raw) and not (tx.watch is not None and tx.watch.fired))
                if stale:
                    continue
                if self.dialect == "postgresql" and _is_connection_error(exc):
                    raise DatabaseUnavailable(self._why(exc, tx)) from exc
                raise
            if seconds is not None:
                tx.seconds = seconds + GRACE  # each statement from here on
            return tx
        raise AssertionError("unreachable")

    def _begin(self, tx: _Transaction, snapshot: bool, seconds: float | None, lock_timeout: float | None) -> None:
        cur = tx.cursor
        assert cur is not None
        if self.dialect == "sqlite":
            cur.control("BEGIN IMMEDIATE" if tx.write else "BEGIN")
            return
        cur.control("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if snapshot else "BEGIN")
        if seconds != self.limits.timeout:
            cur.control(f"SET LOCAL statement_timeout = {0 if seconds is None else _ms(seconds)}")
        if lock_timeout is not None:
            cur.control(f"SET LOCAL lock_timeout = {_ms(lock_timeout)}")

    def _commit(self, tx: _Transaction) -> None:
        assert tx.cursor is not None
        if self.dialect == "sqlite":
            try:
                tx.cursor.control("COMMIT")
            except sqlite3.Error:
                self._rollback(tx)  # a failed SQLite COMMIT leaves the transaction open: nothing was written
                raise
            return
        try:
            tx.cursor.control("COMMIT")
        except Exception as exc:
            if _is_broken(tx.raw) or (tx.watch is not None and tx.watch.fired):
                raise CommitUnknown(f"{self.describe()} did not confirm the commit: {self._why(exc, tx)}") from exc
            raise  # PostgreSQL answered: the transaction was rolled back

    def _rollback(self, tx: _Transaction) -> None:
        try:
            assert tx.cursor is not None
            tx.cursor.control("ROLLBACK")
        except Exception:  # a broken connection: the server rolls back, the pool discards it
            pass

    @contextmanager
    def _savepoint(self, tx: _Transaction) -> Iterator[Cursor]:
        assert tx.cursor is not None
        tx.depth += 1
        name, mark = f"sp_{tx.depth}", len(tx.after_commit)
        try:
            tx.cursor.control(f"SAVEPOINT {name}")
            try:
                yield tx.cursor
            except BaseException:
                try:
                    tx.cursor.control(f"ROLLBACK TO SAVEPOINT {name}")
                except Exception:
                    pass
                del tx.after_commit[mark:]
                raise
            tx.cursor.control(f"RELEASE SAVEPOINT {name}")
        finally:
            tx.depth -= 1

    def _why(self, exc: BaseException, tx: _Transaction | None) -> str:
        watch = tx.watch if tx is not None else None
        if watch is not None and watch.fired:
            return f"{self.describe()} did not answer within {watch.seconds:g} s (connection closed)"
        return str(exc).strip() or type(exc).__name__

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """A read outside an explicit transaction."""
        with self.transaction() as cur:
            return cur.execute(sql, params).fetchall()

    def probe(self, timeout: float) -> bool:
        """Could the decision log be written now? Takes what an append takes (SQLite's write
        lock; on PostgreSQL the log table's write lock and the tree head's row lock), waiting
        at most ``timeout`` for each, then rolls back. For health checks."""
        try:
            with self.transaction(write=True, timeout=timeout, lock_timeout=timeout) as cur:
                if self.dialect == "postgresql":
                    cur.execute("LOCK TABLE decision_log IN ROW EXCLUSIVE MODE")
                    cur.execute("SELECT size FROM tree_head WHERE id = 1 FOR UPDATE").fetchone()
                else:
                    cur.execute("SELECT size FROM tree_head WHERE id = 1").fetchone()
                raise _Rollback()
        except _Rollback:
            return True
        except Exception:
            return False


class _NoGuard:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


_NO_GUARD = _NoGuard()


def _is_connection_error(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


def _is_broken(raw: Any) -> bool:
    from psycopg import pq

    return bool(raw.closed) or raw.pgconn.status == pq.ConnStatus.BAD
