"""The server killed with SIGKILL in the middle of a load: every decision a
client got an answer for is in the log, and the log still verifies against
its signed head and the checkpoints published while it ran.

The server runs in a process group of its own, and however a test ends
(passed, failed, timed out waiting) the group is killed: a failing run
leaves no server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from clients.client import VerdictClient, VerdictError
from server.db.database import Database

from tests.conftest import REGO, ROOT, free_port, import_accounts, verify_log

LOAD_DEADLINE = 120.0  # seconds for the load to reach 200 acknowledged decisions


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group the server leads (it and anything it started), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def wait_serving(port: int, process: subprocess.Popen, within: float) -> None:
    deadline = time.monotonic() + within
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with code {process.returncode} before it served")
            try:
                if health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return
            except grpc.RpcError:
                time.sleep(0.1)
    raise RuntimeError(f"the server did not serve within {within:.0f} s")


@contextmanager
def server_process(db_url: str, opa_url: str, witness_dir: Path, *args: str,
                   ready_within: float = 60.0) -> Iterator[tuple[subprocess.Popen, int]]:
    """``python -m server`` (the test's signing key, a witness of its own) in a new process group,
    killed when the block ends however it ends."""
    port = free_port()
    env = {**os.environ, "VERDICT_DB": db_url, "VERDICT_WITNESS_DIR": str(witness_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "--listen", f"127.0.0.1:{port}", "--engine", "sidecar", "--opa-url", opa_url,
         "--bundle", str(REGO), *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        wait_serving(port, process, ready_within)
        yield process, port
    finally:
        kill_group(process)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_failing_test_leaves_no_server_running(sqlite_url, opa_url, tmp_path):
    with pytest.raises(RuntimeError, match="the test failed"):
        with server_process(sqlite_url, opa_url, tmp_path / "witness") as (process, _):
            pgid = process.pid
            assert group_alive(pgid)
            raise RuntimeError("the test failed")
    assert not group_alive(pgid)


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_decision(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(port: int, worker: int) -> None:
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

    with server_process(db_url, opa_url, tmp_path / "witness", "--checkpoint-records", "50") as (process, port):
        workers = [threading.Thread(target=load, args=(port, i)) for i in range(8)]
        for w in workers:
            w.start()
        try:
            deadline = time.monotonic() + LOAD_DEADLINE
            while len(acknowledged) < 200:
                if time.monotonic() > deadline or not any(w.is_alive() for w in workers):
                    pytest.fail(f"only {len(acknowledged)} decisions acknowledged in {LOAD_DEADLINE:.0f} s")
                time.sleep(0.05)
            kill_group(process)  # SIGKILL mid-load
        finally:
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
