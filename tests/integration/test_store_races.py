"""Races on the store: a restart under mixed load (no lock-order deadlock), the same
decision applied by several callers at once, one group assessed by several at once,
and an archiving transaction that rolls back."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import grpc

from clients.client import VerdictClient, VerdictError

from tests.conftest import import_accounts, start_server, verify_log
from tests.integration.test_concurrency import ei_case, make_accounts, race
from tests.integration.test_store_timeouts import case

GROUP = {
    "group_id": "g-raiders", "name": "Raiders", "kind": "campaign", "shared_purpose": True,
    "coordination": [{"type": "social", "evidence": ["messaging-app campaign"], "sufficient_evidence": True}],
    "harms": {"physical": "high", "psychological": "moderate", "informational": "low"},
    "linked_accounts": [{"account_id": "acc-citizen"}, {"account_id": "acc-mayor"}],
}


# ---------------------------------------------------------------- item 4: restart, lock order

def _mixed_load(port: int, accounts: list[str], round_: int, clients: int = 16) -> list[tuple[str, float]]:
    """``clients`` calls at once, every other one applied: (status, seconds) of each."""
    barrier = threading.Barrier(clients)

    def one(n: int) -> tuple[str, float]:
        with VerdictClient(f"127.0.0.1:{port}", timeout=20) as client:
            barrier.wait()
            started = time.monotonic()
            try:
                if n % 2:
                    client.decide(ei_case(accounts[n % len(accounts)], f"r{round_}-{n}"), apply=True)
                else:
                    client.decide(case("acc-citizen", f"r{round_}-{n}"))
                status = "OK"
            except VerdictError as exc:
                status = exc.code.name
            return status, time.monotonic() - started

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(clients)))


def test_restarts_under_a_mix_of_plain_and_applying_decisions_answer_every_call(sqlite_url, opa_url, tmp_path):
    """Right after a restart, plain decisions archive the served revision in a write transaction
    of their own, applied ones inside theirs (which already holds the write lock). With a lock
    of the archive's held while waiting for the database, the two waited for each other: the
    first calls after a restart hung until SQLite's busy timeout."""
    import_accounts(sqlite_url)
    accounts = make_accounts(sqlite_url, 8)
    results: list[tuple[str, float]] = []
    for round_ in range(6):
        app = start_server(sqlite_url, opa_url, tmp_path)  # a restart: nothing known of the archive yet
        try:
            results += _mixed_load(app.port, accounts, round_)
        finally:
            app.stop()
    assert Counter(status for status, _ in results) == {"OK": len(results)}
    print(f"\nFIGURE slowest of {len(results)} calls right after 6 restarts (8 plain, 8 applied at once): "
          f"{max(s for _, s in results):.3f} s")


# ---------------------------------------------------------------- item 5: idempotent applies

def test_concurrent_applies_of_one_decision_all_answer_it_applied_with_one_strike(server, client):
    [account_id] = make_accounts(server.settings.db_url, 1)
    decision = client.decide(ei_case(account_id, "dup-apply"))
    assert not decision.applied
    target = f"127.0.0.1:{server.port}"
    results = race([target] * 24, account_id, lambda c, n: c.apply(decision.decision_id))
    codes = Counter(r.code.name if isinstance(r, VerdictError) else "OK" for r in results)
    assert codes == {"OK": 24}, [str(r) for r in results if isinstance(r, VerdictError)]
    assert all(r.applied and r.decision_id == decision.decision_id and r.outcome == decision.outcome for r in results)
    strikes = server.db.query("SELECT COUNT(*) FROM account_violations WHERE account_id = ?", (account_id,))
    applies = server.db.query("SELECT COUNT(*) FROM decision_log WHERE kind = 'apply' AND decision_id = ?",
                              (f"{decision.decision_id}.applied",))
    assert strikes == [(1,)] and applies == [(1,)]
    print(f"\nFIGURE {server.db.dialect}: 24 concurrent ApplyDecision of one decision: {dict(codes)}, strikes recorded 1")
    assert verify_log(server.db, server.settings.witness_dir).ok


def test_concurrent_assessments_applied_to_one_group_all_answer(server):
    target = f"127.0.0.1:{server.port}"
    results = race([target] * 16, "", lambda c, n: c.assess_group(GROUP, "2024-05-02T12:00:00Z", apply=True))
    codes = Counter(r.code.name if isinstance(r, VerdictError) else "OK" for r in results)
    assert codes == {"OK": 16}, [str(r) for r in results if isinstance(r, VerdictError)]
    assert server.db.query("SELECT COUNT(*) FROM group_designations WHERE group_id = 'g-raiders'") == [(1,)]
    assert verify_log(server.db, server.settings.witness_dir).ok  # the tables are what the log says


# ---------------------------------------------------------------- item 6: the archive after a rollback

FAIL_STRIKES = {
    "sqlite": ["""CREATE TRIGGER refuse_strikes BEFORE INSERT ON account_violations WHEN NEW.account_id = 'acc-citizen'
                  BEGIN SELECT RAISE(ABORT, 'strikes on acc-citizen refused'); END"""],
    "postgresql": ["""CREATE FUNCTION refuse_strikes() RETURNS trigger AS $$
                      BEGIN RAISE EXCEPTION 'strikes on acc-citizen refused'; END $$ LANGUAGE plpgsql""",
                   """CREATE TRIGGER refuse_strikes BEFORE INSERT ON account_violations FOR EACH ROW
                      WHEN (NEW.account_id = 'acc-citizen') EXECUTE FUNCTION refuse_strikes()"""],
}


def test_a_revision_archived_by_a_transaction_that_rolled_back_is_archived_again(db_url, opa_url, tmp_path):
    """The first decision on a new database archives the served revision inside its own
    transaction (it is applied); that transaction fails after archiving, and rolls back.
    The decisions after it must still be replayable on their revision."""
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path)
    try:
        with app.db.transaction(write=True) as cur:
            for statement in FAIL_STRIKES[app.db.dialect]:
                cur.execute(statement)
        assert app.db.query("SELECT COUNT(*) FROM policy_revisions") == [(0,)]
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            try:
                client.decide(ei_case("acc-citizen", "refused"), apply=True)
                raise AssertionError("the strike was refused: the decision must fail")
            except VerdictError:
                pass
            assert app.db.query("SELECT COUNT(*) FROM policy_revisions") == [(0,)]  # rolled back with it
            later = [client.decide(case(account, f"later-{account}")).decision_id
                     for account in ("acc-citizen", "acc-candidate-100k", "acc-candidate-250k", "acc-unverified-2m")]
            summary = list(client.replay())[-1].summary
        assert app.db.query("SELECT COUNT(*) FROM policy_revisions") == [(1,)]
        assert summary.replayed == len(later) and summary.errors == 0 and summary.faults == 0, summary
        assert verify_log(app.db, tmp_path / "witness").ok
    finally:
        app.stop()
