"""A store that stops answering: every call ends in bounded time, health says so, and
what a call answers is true (a decision reported as not decided never turns up in
the log later; one whose commit got no answer is named, and is found or not, for good).

The PostgreSQL that hangs is the real one behind a TCP proxy that stops forwarding
(tests/fakes/pgproxy.py); the locked SQLite is locked by another process.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from grpc_health.v1 import health_pb2

from clients.client import VerdictClient, VerdictError

from tests.conftest import _drop_pg_database, _new_pg_database, import_accounts, start_server, verify_log
from tests.fakes.pgproxy import PgProxy
from tests.integration.test_faults import health, wait_for

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
# Short limits, so that the test does not wait for the defaults (5 s and 2 s).
LIMITS = {"db_timeout": 1.0, "db_lock_timeout": 1.0, "health_interval": 0.2, "health_timeout": 0.5,
          "checkpoint_seconds": 3600.0, "account_cache_ttl": 300.0}
CLIENT_TIMEOUT = 30.0  # far beyond what the server may take: a call that reaches it hung
ACCOUNTS = ("acc-citizen", "acc-candidate-100k", "acc-mayor")


def case(account: str, post: str) -> dict:
    return {"content": {"kind": "post", "post_id": post, "author_account_id": account},
            "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}}, "as_of": "2024-05-01T12:00:00Z"}


class Calls:
    """Decisions sent while the store misbehaves: what each got back, and how long it took."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.results: dict[str, tuple[grpc.StatusCode, str, float]] = {}  # post_id -> (code, details, seconds)
        self._lock = threading.Lock()

    def decide(self, account: str, post: str, apply: bool = False) -> None:
        started = time.monotonic()
        with VerdictClient(f"127.0.0.1:{self.port}", timeout=CLIENT_TIMEOUT) as client:
            try:
                client.decide(case(account, post), apply=apply)
                code, details = grpc.StatusCode.OK, ""
            except VerdictError as exc:
                code, details = exc.code, exc.details
        with self._lock:
            self.results[post] = (code, details, time.monotonic() - started)

    def many(self, prefix: str, n: int = 12) -> None:
        """n decisions at once, a third of them applied."""
        with ThreadPoolExecutor(n) as pool:
            for i in range(n):
                pool.submit(self.decide, ACCOUNTS[i % len(ACCOUNTS)], f"{prefix}-{i}", i % 3 == 0)

    def codes(self) -> Counter:
        return Counter(code for code, _, _ in self.results.values())

    def slowest(self) -> float:
        return max(seconds for _, _, seconds in self.results.values())


def refused(port: int, prefix: str, what: str, limit: str) -> Calls:
    """12 decisions against a store that does not answer: each is refused, UNAVAILABLE."""
    calls = Calls(port)
    calls.many(prefix)
    assert calls.codes() == {grpc.StatusCode.UNAVAILABLE: 12}, calls.results
    print(f"\nFIGURE {what}: 12 calls answered UNAVAILABLE, slowest {calls.slowest():.2f} s ({limit} {LIMITS[limit]:g} s)")
    return calls


def logged_posts(app) -> set[str]:
    return {p for (p,) in app.db.query("SELECT post_id FROM decision_log WHERE kind = 'decide'")}


def assert_truthful(app, calls: Calls) -> None:
    """Nothing answered "nothing was decided" is in the log; every decision answered is."""
    time.sleep(2 * LIMITS["db_timeout"] + 1)  # whatever the server was still doing is done
    logged = logged_posts(app)
    for post, (code, details, _) in calls.results.items():
        if code == grpc.StatusCode.UNAVAILABLE:
            assert "nothing was decided" in details
            assert post not in logged, f"{post} was answered UNAVAILABLE ({details}) and is in the log"
        elif code == grpc.StatusCode.OK:
            assert post in logged


@pytest.fixture
def proxied_pg(tmp_path, opa_url):
    name, _ = _new_pg_database()
    proxy = PgProxy()
    url = proxy.url(name)
    import_accounts(url)
    app = start_server(url, opa_url, tmp_path, **LIMITS)
    yield app, proxy
    proxy.resume()
    app.stop()
    proxy.close()
    _drop_pg_database(name)


def warm(app) -> None:
    """Decide once for every account: the revision is archived and the accounts are cached."""
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        for account in ACCOUNTS:
            client.decide(case(account, f"warm-{account}"))


@pytest.mark.postgres
def test_a_hanging_postgresql_fails_every_call_closed_in_bounded_time_and_health_says_so(proxied_pg):
    app, proxy = proxied_pg
    warm(app)
    assert health(app.port) == SERVING
    proxy.hang()
    wait_for(lambda: health(app.port) == NOT_SERVING, timeout=10)
    # Plain decisions from the cache wait for the log's commit; applied ones read the account under its lock.
    calls = refused(app.port, "hung", "hanging PostgreSQL", "db_timeout")
    proxy.resume()
    wait_for(lambda: health(app.port) == SERVING, timeout=20)
    after = Calls(app.port)
    after.many("after")
    assert after.codes() == {grpc.StatusCode.OK: 12}, after.results
    assert_truthful(app, calls)
    assert verify_log(app.db, app.settings.witness_dir).ok


@pytest.mark.postgres
@pytest.mark.parametrize("apply, reaches_server", [(False, True), (True, False)],
                         ids=["group-commit-committed", "applied-rolled-back"])
def test_a_commit_without_answer_names_the_decision_which_is_then_found_or_absent_for_good(proxied_pg, reaches_server, apply):
    app, proxy = proxied_pg
    warm(app)
    proxy.lose_next_commit(b"lost-commit", reaches_server)
    calls = Calls(app.port)
    calls.decide("acc-citizen", "lost-commit", apply=apply)
    code, details, _ = calls.results["lost-commit"]
    assert code == grpc.StatusCode.UNKNOWN and "outcome is unknown" in details, details
    [decision_id] = re.findall(r"dec_[0-9a-f]+", details)
    wait_for(lambda: health(app.port) == SERVING, timeout=20)
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        def found() -> bool:
            try:
                return client.get_decision(decision_id).post_id == "lost-commit"
            except VerdictError as exc:
                assert exc.code == grpc.StatusCode.NOT_FOUND
                return False
        first = found()
        assert first == reaches_server
        time.sleep(2 * LIMITS["db_timeout"] + 1)
        assert found() == first  # and it stays so
        if apply and first:
            strikes = app.db.query("SELECT COUNT(*) FROM account_violations WHERE decision_id = ?", (decision_id,))
            assert strikes == [(1,)]
    assert verify_log(app.db, app.settings.witness_dir).ok


@pytest.mark.postgres
def test_a_table_lock_held_by_another_session_fails_calls_closed_and_health_says_so(pg_url, opa_url, tmp_path):
    import psycopg

    import_accounts(pg_url)
    app = start_server(pg_url, opa_url, tmp_path, **LIMITS)
    try:
        warm(app)
        with psycopg.connect(pg_url) as other:
            other.execute("LOCK TABLE decision_log IN ACCESS EXCLUSIVE MODE")
            wait_for(lambda: health(app.port) == NOT_SERVING, timeout=10)
            calls = refused(app.port, "locked", "PostgreSQL table locked", "db_lock_timeout")
        wait_for(lambda: health(app.port) == SERVING, timeout=10)
        assert_truthful(app, calls)
    finally:
        app.stop()


HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


def test_a_sqlite_write_lock_held_by_another_process_fails_calls_closed_and_health_says_so(sqlite_url, opa_url, tmp_path):
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, **LIMITS)
    try:
        warm(app)
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(app.db.path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            wait_for(lambda: health(app.port) == NOT_SERVING, timeout=10)
            calls = refused(app.port, "locked", "SQLite locked by another process", "db_lock_timeout")
        finally:
            holder.stdin.close()
            holder.wait(timeout=10)
        wait_for(lambda: health(app.port) == SERVING, timeout=10)
        after = Calls(app.port)
        after.many("after")
        assert after.codes() == {grpc.StatusCode.OK: 12}, after.results
        assert_truthful(app, calls)
    finally:
        app.stop()


@pytest.mark.postgres
def test_a_batch_that_fails_after_part_of_it_was_recorded_says_which_part(pg_url, opa_url, tmp_path):
    """DecideBatch commits its plain decisions together, then each applied one with its
    history. An applied one that cannot take its account's lock fails the batch after the
    plain ones are in the log: the answer names them, and does not say nothing was decided."""
    import psycopg

    from shared.protojson import parse
    from verdict.v1 import case_pb2, policy_service_pb2 as ps, policy_service_pb2_grpc as ps_grpc

    def request(c: dict, apply: bool = False) -> ps.DecideRequest:
        return ps.DecideRequest(case=parse(c, case_pb2.Case()), apply=apply)

    import_accounts(pg_url)
    app = start_server(pg_url, opa_url, tmp_path, **LIMITS)
    try:
        warm(app)
        batch = ps.DecideBatchRequest(requests=[request(case("acc-mayor", "batch-plain-1")),
                                                request(case("acc-candidate-100k", "batch-plain-2")),
                                                request(case("acc-citizen", "batch-applied"), apply=True)])
        with psycopg.connect(pg_url) as other, grpc.insecure_channel(f"127.0.0.1:{app.port}") as channel:
            other.execute("SELECT 1 FROM accounts WHERE account_id = 'acc-citizen' FOR UPDATE")  # held: the apply waits
            with pytest.raises(grpc.RpcError) as err:
                ps_grpc.PolicyServiceStub(channel).DecideBatch(batch, timeout=CLIENT_TIMEOUT)
        code, details = err.value.code(), err.value.details()
        assert code == grpc.StatusCode.UNAVAILABLE and "nothing was decided" not in details, details
        named = set(re.findall(r"dec_[0-9a-f]+", details))
        logged = {d for (d,) in app.db.query("SELECT decision_id FROM decision_log WHERE post_id LIKE ?", ("batch-%",))}
        assert named == logged and len(named) == 2, details  # the two plain ones; the applied one is not in the log
        assert dict(err.value.trailing_metadata())["verdict-recorded"] == ",".join(sorted(named, key=details.index))
    finally:
        app.stop()
