"""OPA and the store going away under load: fail closed, recover by itself."""

from __future__ import annotations

import threading
import time
from collections import Counter

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from clients.client import VerdictClient, VerdictError
from verdict.v1 import decision_pb2

from tests.conftest import REGO, OpaProcess, import_accounts, start_server, verify_log

EXPECTED = {
    "acc-candidate-250k": decision_pb2.OUTCOME_PUBLIC_INTEREST_REVIEW,
    "acc-candidate-100k": decision_pb2.OUTCOME_REQUIRE_REMOVAL,
    "acc-unverified-2m": decision_pb2.OUTCOME_REQUIRE_REMOVAL,
}


def health(port: int) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="verdict.v1.PolicyService"), timeout=2).status


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


class Load:
    """Closed-loop clients that check every answer against the known outcome."""

    def __init__(self, port: int, workers: int = 4) -> None:
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.codes: Counter = Counter()
        self.wrong: list[str] = []
        self.acknowledged: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(workers)]

    def run(self, worker: int) -> None:
        accounts = list(EXPECTED)
        with VerdictClient(f"127.0.0.1:{self.port}", timeout=10) as client:
            n = 0
            while not self.stop.is_set():
                account = accounts[n % len(accounts)]
                n += 1
                try:
                    decision = client.decide({
                        "content": {"kind": "post", "post_id": f"f{worker}-{n}", "author_account_id": account},
                        "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
                        "as_of": "2024-05-01T12:00:00Z",
                    })
                except VerdictError as exc:
                    with self.lock:
                        self.codes[exc.code] += 1
                    time.sleep(0.01)
                    continue
                with self.lock:
                    self.codes[grpc.StatusCode.OK] += 1
                    self.acknowledged.append(decision.decision_id)
                    if decision.outcome != EXPECTED[account]:
                        self.wrong.append(decision.decision_id)

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def count(self, code: grpc.StatusCode) -> int:
        with self.lock:
            return self.codes[code]


@pytest.mark.slow
def test_opa_stopped_and_restarted_under_load(sqlite_url, tmp_path):
    opa = OpaProcess(REGO).start()
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa.url, tmp_path)
    try:
        with Load(app.port) as load:
            wait_for(lambda: load.count(grpc.StatusCode.OK) >= 50)
            opa.stop()
            wait_for(lambda: health(app.port) == health_pb2.HealthCheckResponse.NOT_SERVING)
            wait_for(lambda: load.count(grpc.StatusCode.UNAVAILABLE) >= 20)
            answered_while_down = load.count(grpc.StatusCode.OK)
            time.sleep(0.5)
            assert load.count(grpc.StatusCode.OK) == answered_while_down  # nothing decided without OPA
            opa.start()
            wait_for(lambda: health(app.port) == health_pb2.HealthCheckResponse.SERVING)
            wait_for(lambda: load.count(grpc.StatusCode.OK) >= answered_while_down + 50)
        assert load.wrong == []
        assert set(load.codes) <= {grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE}
        logged = {d for (d,) in app.db.query("SELECT decision_id FROM decision_log")}
        assert [d for d in load.acknowledged if d not in logged] == []
        assert verify_log(app.db, tmp_path / "witness").ok
    finally:
        app.stop()
        opa.stop()


@pytest.mark.postgres
def test_health_is_not_serving_while_the_store_is_unreachable(opa_url, tmp_path):
    from tests.conftest import _drop_pg_database, _new_pg_database

    name, url = _new_pg_database()
    import_accounts(url)
    app = start_server(url, opa_url, tmp_path)
    try:
        assert health(app.port) == health_pb2.HealthCheckResponse.SERVING
        _drop_pg_database(name)
        wait_for(lambda: health(app.port) == health_pb2.HealthCheckResponse.NOT_SERVING)
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            with pytest.raises(VerdictError) as err:
                client.decide({
                    "content": {"kind": "post", "post_id": "p", "author_account_id": "acc-citizen"},
                    "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
                    "as_of": "2024-05-01T12:00:00Z",
                })
            assert err.value.code == grpc.StatusCode.UNAVAILABLE
    finally:
        app.stop()
        _drop_pg_database(name)
