"""The server killed with SIGKILL in the middle of a load: every decision a
client got an answer for is in the log, and the log still verifies against
its signed head and the checkpoints published while it ran."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest

from clients.client import VerdictClient, VerdictError
from server.db.database import Database

from tests.conftest import REGO, ROOT, free_port, import_accounts, verify_log


def start_server_process(db_url: str, opa_url: str, witness_dir: Path, *args: str) -> tuple[subprocess.Popen, int]:
    """``python -m server`` with the test's signing key (from the environment) and a witness of its own."""
    port = free_port()
    env = {**os.environ, "VERDICT_DB": db_url, "VERDICT_WITNESS_DIR": str(witness_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "--listen", f"127.0.0.1:{port}", "--engine", "sidecar", "--opa-url", opa_url,
         "--bundle", str(REGO), *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    deadline = time.monotonic() + 30
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        while time.monotonic() < deadline:
            try:
                if health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return process, port
            except grpc.RpcError:
                time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_decision(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    process, port = start_server_process(db_url, opa_url, tmp_path / "witness", "--checkpoint-records", "50")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        with VerdictClient(f"127.0.0.1:{port}", timeout=5) as client:
            n = 0
            while not stop.is_set():
                n += 1
                case = {
                    "content": {"kind": "post", "post_id": f"w{worker}-{n}", "author_account_id": "acc-candidate-100k"},
                    "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}},
                    "as_of": "2024-05-01T12:00:00Z",
                }
                try:
                    decision = client.decide(case)
                except VerdictError:
                    return  # the server is gone
                with lock:
                    acknowledged.append(decision.decision_id)

    workers = [threading.Thread(target=load, args=(i,)) for i in range(8)]
    for w in workers:
        w.start()
    while len(acknowledged) < 200:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    stop.set()
    for w in workers:
        w.join(timeout=30)

    db = Database(db_url)
    logged = {d for (d,) in db.query("SELECT decision_id FROM decision_log")}
    missing = [d for d in acknowledged if d not in logged]
    assert len(acknowledged) >= 200
    assert missing == []
    result = verify_log(db, tmp_path / "witness")
    assert result.ok, result.findings
    assert result.witnessed >= 2  # checkpoints were published while it ran, and the log extends them
    db.close()
