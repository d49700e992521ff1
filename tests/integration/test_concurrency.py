"""Two decisions applied at the same time to one account can never both be its first violation."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import grpc
import pytest

from clients.client import VerdictClient, VerdictError
from server.db.database import Database
from verdict.v1 import decision_pb2

from tests.conftest import import_accounts, verify_log
from tests.integration.test_durability import server_process


def ei_case(account_id: str, post: str) -> dict:
    return {
        "content": {"kind": "post", "post_id": post, "author_account_id": account_id},
        "violation": {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}},
        "as_of": "2024-05-01T12:00:00Z",
    }


def make_accounts(db_url: str, n: int) -> list[str]:
    from server.enforcement.accounts import upsert_account
    from verdict.v1 import account_pb2

    ids = [f"acc-race-{i}" for i in range(n)]
    with Database(db_url) as db, db.transaction(write=True) as cur:
        for account_id in ids:
            upsert_account(cur, account_pb2.Account(account_id=account_id, followers=10, office_role=account_pb2.OFFICE_ROLE_NONE), "test")
    return ids


def race(targets: list[str], account_id: str, call) -> list:
    """Call ``call(client, n)`` from one thread per target at the same moment."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(n: int) -> None:
        with VerdictClient(targets[n], timeout=30) as client:
            barrier.wait()
            try:
                results[n] = call(client, n)
            except VerdictError as exc:
                results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def assert_one_first_violation(decisions: list) -> None:
    firsts = [d for d in decisions if d.outcome == decision_pb2.OUTCOME_TEMPORARY_LOCK]
    repeats = [d for d in decisions if d.outcome == decision_pb2.OUTCOME_PERMANENT_SUSPENSION]
    assert len(firsts) == 1, [decision_pb2.Outcome.Name(d.outcome) for d in decisions]
    assert len(repeats) == len(decisions) - 1
    assert firsts[0].enforcement.warning and not firsts[0].enforcement.repeat_after_warning
    assert all(d.enforcement.repeat_after_warning for d in repeats)
    assert all(d.applied for d in decisions)


def test_concurrent_applied_decisions_in_one_server(server):
    ids = make_accounts(server.settings.db_url, 10)
    target = f"127.0.0.1:{server.port}"
    for account_id in ids:
        decisions = race([target] * 4, account_id, lambda c, n, a=account_id: c.decide(ei_case(a, f"p-{n}"), apply=True))
        assert_one_first_violation(decisions)
        history = server.db.query("SELECT COUNT(*) FROM account_violations WHERE account_id = ?", (account_id,))
        assert history[0][0] == 4


def test_concurrent_apply_of_two_first_violations_lets_only_one_through(server, client):
    [account_id] = make_accounts(server.settings.db_url, 1)
    first = client.decide(ei_case(account_id, "a-1"))
    second = client.decide(ei_case(account_id, "a-2"))
    assert first.outcome == second.outcome == decision_pb2.OUTCOME_TEMPORARY_LOCK
    target = f"127.0.0.1:{server.port}"
    results = race([target] * 2, account_id, lambda c, n: c.apply([first, second][n].decision_id))
    applied = [r for r in results if not isinstance(r, VerdictError)]
    refused = [r for r in results if isinstance(r, VerdictError)]
    assert len(applied) == 1 and len(refused) == 1
    assert refused[0].code == grpc.StatusCode.ABORTED and "decide the case again" in refused[0].details
    again = client.decide(ei_case(account_id, "a-3"))
    assert again.outcome == decision_pb2.OUTCOME_PERMANENT_SUSPENSION
    assert client.apply(applied[0].decision_id).applied  # applying twice is harmless


@pytest.mark.postgres
@pytest.mark.slow
def test_two_server_processes_sharing_postgresql(pg_url, opa_url, tmp_path):
    import_accounts(pg_url)
    ids = make_accounts(pg_url, 6)
    with ExitStack() as started:  # however the test ends, no server is left running
        processes = [started.enter_context(server_process(pg_url, opa_url, tmp_path / f"witness-{n}", "--checkpoint-records", "5"))
                     for n in range(2)]
        targets = [f"127.0.0.1:{port}" for _, port in processes]
        for account_id in ids:
            decisions = race(targets * 2, account_id, lambda c, n, a=account_id: c.decide(ei_case(a, f"p-{n}"), apply=True))
            assert_one_first_violation(decisions)
        for process, _ in processes:  # a clean stop: each publishes its checkpoint
            process.terminate()
            process.wait(timeout=30)
    db = Database(pg_url)
    for n in range(2):  # both processes grew one tree: it extends every checkpoint either published
        result = verify_log(db, tmp_path / f"witness-{n}")
        assert result.ok and result.witnessed >= 1, (result.findings, result.witnessed)
    assert result.records == int(db.query("SELECT MAX(seq) FROM decision_log")[0][0])
