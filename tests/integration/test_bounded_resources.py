"""Bounded resources: database connections come from a bounded pool and go back to it
(replays leave none behind), and the enrichment cache is bounded in size and time."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

from clients.client import VerdictClient
from server.db.database import Database
from server.enrichment.cache import EnrichmentCache
from server.enrichment.store import AccountReader

from tests.conftest import PG_ADMIN, import_accounts, start_server
from tests.integration.test_store_timeouts import case


def open_connections(app) -> int:
    """Connections to the server's database, counted where they end: PostgreSQL's
    pg_stat_activity, or the process's open files for SQLite."""
    if app.db.dialect == "postgresql":
        name = app.db.url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            return admin.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()[0]
    path = str(Path(app.db.path).resolve())
    return sum(1 for fd in os.listdir("/proc/self/fd") if _target(fd) == path)


def _target(fd: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def test_fifty_replays_leave_the_connection_count_flat(db_url, opa_url, tmp_path):
    """Each replay ran in threads of its own, whose connections were never closed: on
    PostgreSQL that ended at max_connections. 50 replays there, 10 on SQLite (each costs
    the compilation of its revision)."""
    replays = 50 if db_url.startswith("postgresql") else 10
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path, db_pool_size=8)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}", timeout=60) as client:
            for n in range(20):
                client.decide(case("acc-citizen", f"p-{n}"))
            list(client.replay())
            before = open_connections(app)
            for _ in range(replays):
                summary = list(client.replay())[-1].summary
                assert summary.replayed == 20 and summary.faults == 0
            after = open_connections(app)
        print(f"\nFIGURE {app.db.dialect}: database connections before {replays} replays {before}, after {after} (pool of 8)")
        assert after <= 8 and after <= before + 2
    finally:
        app.stop()
    assert open_connections(app) == 0  # stopping the server closes them all


def test_the_enrichment_cache_holds_at_most_its_size_and_forgets_after_its_ttl(sqlite_url):
    import_accounts(sqlite_url)
    now = [0.0]
    db = Database(sqlite_url)
    cache = EnrichmentCache(AccountReader(db), ttl=5.0, size=100, clock=lambda: now[0])
    try:
        for start in range(0, 10_000, 500):  # a caller naming ever new groups
            cache.designations(f"g-{n}" for n in range(start, start + 500))
        assert len(cache) <= 100
        snapshot, age = cache.snapshot("acc-citizen")
        assert age == 0.0
        now[0] = 4.0
        assert cache.snapshot("acc-citizen") == (snapshot, 4.0)  # from the cache, 4 s old
        now[0] = 5.0
        assert cache.snapshot("acc-citizen")[1] == 0.0          # expired: read again
    finally:
        db.close()


def test_the_server_bounds_its_cache_whatever_callers_name(sqlite_url, opa_url, tmp_path):
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, account_cache_size=10)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            for n in range(100):  # each names a group never seen before
                client.decide({**case("acc-citizen", f"g-{n}"), "violation": {
                    "policy": "coordinated_harmful_activity", "cha": {"category": "linked_to_group", "group_id": f"g-new-{n}"}}})
        assert 0 < len(app.pipeline.prepare.cache) <= 20  # ten accounts, ten groups
    finally:
        app.stop()
