"""Verify on a live log: a hundred verifications while the server writes as
fast as callers can make it (decisions, batches, applied decisions that change
account history, audit reads, checkpoints published every few records) must
raise no alarm, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest

from clients.client import VerdictClient, VerdictError
from server.db.database import Database

from tests.conftest import import_accounts, start_server, verify_log
from tests.integration.test_transparency import case, ei_case

RUNS = 100


def load(port: int, worker: int, stop: threading.Event, errors: list) -> None:
    with VerdictClient(f"127.0.0.1:{port}", timeout=30) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if n % 10 == 0:
                    client.decide(ei_case(f"live-{worker}-{n}", "acc-citizen"), apply=True)  # history changes
                elif n % 10 == 5:
                    client.decide_batch([case(f"live-{worker}-{n}-{i}") for i in range(5)])
                elif n % 10 == 7:
                    client.get_decision(client.decide(case(f"live-{worker}-{n}")).decision_id)  # an audit read
                else:
                    client.decide(case(f"live-{worker}-{n}", account="acc-mayor"))
            except VerdictError as exc:
                errors.append(exc)
                return


@pytest.mark.slow
def test_a_hundred_verifications_under_load_raise_no_false_alarm(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path, checkpoint_records=50, checkpoint_seconds=0.2)
    stop, errors = threading.Event(), []
    workers = [threading.Thread(target=load, args=(app.port, w, stop, errors)) for w in range(3)]
    for w in workers:
        w.start()
    db = Database(db_url)
    sizes, alarms = [], []
    try:
        while int(db.query("SELECT size FROM tree_head")[0][0]) < 200:  # under way
            time.sleep(0.05)
        for _ in range(RUNS):
            result = verify_log(db, tmp_path / "witness")
            sizes.append(result.records)
            if not result.ok:
                alarms.append(result.findings)
            time.sleep(0.02)  # let the writers move on between runs
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
        app.stop()
        db.close()
    assert errors == []
    assert alarms == [], alarms[0]
    assert len(sizes) == RUNS and sizes[-1] > sizes[0] + 200, sizes  # the log grew all along
    assert len(set(sizes)) > RUNS // 2  # most runs saw a different log
