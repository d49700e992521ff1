"""The tamper suite: someone with write access to the database (but not to the
log's signing key or the witness) rewrites it, and `verdict audit verify`,
given the public key, the witness and a checkpoint kept elsewhere, must say
what was done. On SQLite and PostgreSQL, from the same log built by a real
server: decisions, applied decisions (strikes, locks, a suspension), a group
designation, account imports, an archived policy revision, checkpoints.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from clients.client import VerdictClient
from server.db.database import Cursor, Database
from shared.tlog.merkle import Frontier
from shared.tlog.note import Checkpoint, Ed25519Signer
from shared.tlog.record import LogRecord
from server.db.tree_rows import store_head, store_nodes

from tests.conftest import PG_ADMIN, ROOT, TEST_LOG_PUBLIC_KEY, _drop_pg_database, _new_pg_database, import_accounts, start_server
from tests.integration.test_transparency import GROUP, case, ei_case

VERDICT_ADMIN = str(ROOT / ".venv" / "bin" / "verdict-admin")

HISTORY = {
    "account_id": "acc-history", "followers": 10, "suspended": True,
    "history": [{"decision_id": "ext-1", "policy": "election_integrity", "clause_id": "EI-3", "at": "2024-01-01T00:00:00Z"}],
    "locks": [{"decision_id": "ext-1", "starts_at": "2024-01-01T00:00:00Z", "ends_at": "2024-01-08T00:00:00Z", "clause_id": "EI-3"}],
}


@dataclass
class Golden:
    dialect: str
    url: str
    backup_url: str       # the database as it was half-way (an earlier backup)
    witness: Path
    kept: Path            # a checkpoint kept outside the database, half-way
    size: int


def copy_database(dialect: str, url: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    if dialect == "sqlite":
        path = tmp / f"copy-{uuid.uuid4().hex[:8]}.db"
        source, copy = sqlite3.connect(Database(url).path), sqlite3.connect(path)
        source.backup(copy)
        source.close()
        copy.close()
        return f"sqlite:///{path}", lambda: None
    import psycopg

    name = f"verdict_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", lambda: _drop_pg_database(name)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def golden(request, opa_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"golden-{request.param}")
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp}/golden.db", (lambda: None)
    else:
        name, url = _new_pg_database()
        drop = lambda: _drop_pg_database(name)  # noqa: E731
    history = tmp / "history.jsonl"
    history.write_text(json.dumps(HISTORY) + "\n")
    import_accounts(url)
    import_accounts(url, history)
    app = start_server(url, opa_url, tmp, checkpoint_records=15)
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        for i in range(20):
            client.decide(case(f"g-{i}"))
        client.decide(ei_case("g-ei-1", "acc-citizen"), apply=True)  # a strike and a lock
        client.decide(ei_case("g-ei-2", "acc-citizen"), apply=True)  # a repeat: suspended
        client.assess_group(GROUP, as_of="2024-05-01T12:00:00Z", apply=True)
        (tmp / "kept.txt").write_text(client.checkpoint().checkpoint)
    app.stop()
    backup_url, drop_backup = copy_database(request.param, url, tmp)
    app = start_server(url, opa_url, tmp, checkpoint_records=15)
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        for i in range(20):
            client.decide(case(f"h-{i}", account="acc-mayor"))
        size = client.checkpoint().tree_size
    app.stop()
    yield Golden(request.param, url, backup_url, tmp / "witness", tmp / "kept.txt", size)
    drop_backup()
    drop()


@pytest.fixture
def copy(golden, tmp_path):
    """A fresh copy of the golden log to tamper with."""
    url, drop = copy_database(golden.dialect, golden.url, tmp_path)
    db = Database(url)
    yield db
    db.close()
    drop()


def audit_verify(golden: Golden, url: str) -> dict:
    result = subprocess.run(
        [VERDICT_ADMIN, "audit", "verify", "--db", url, "--public-key", TEST_LOG_PUBLIC_KEY, "--witness", str(golden.witness),
         "--since", str(golden.kept), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert result.stdout, result.stderr
    doc = json.loads(result.stdout)
    assert result.returncode == (0 if doc["ok"] else 1), result.stderr
    return doc


# ---------------------------------------------------------------- what an attacker with the database can do

def records(cur: Cursor) -> list[LogRecord]:
    clauses: dict[int, list[str]] = {}
    for seq, clause in cur.execute("SELECT seq, clause_id FROM decision_clauses").fetchall():
        clauses.setdefault(int(seq), []).append(clause)
    return [LogRecord(decision_id=r[1], kind=r[2], recorded_at=r[3], caller=r[4], account_id=r[5], post_id=r[6], policy=r[7],
                      outcome=r[8], revision=r[9], body={}, body_text=r[10], clauses=clauses.get(int(r[0]), []), seq=int(r[0]))
            for r in cur.execute("SELECT seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, "
                                 "revision, record FROM decision_log ORDER BY seq").fetchall()]


def rebuild_tree(cur: Cursor, signer: Ed25519Signer | None = None) -> None:
    """Recompute every tree node and the head from the records, as they now are (re-sign with ``signer``)."""
    frontier, nodes = Frontier(), []
    roots = {}
    for record in records(cur):
        frontier.append(record.leaf_hash(), nodes)
        roots[frontier.size] = frontier.root()
    cur.execute("DELETE FROM merkle_nodes")
    store_nodes(cur, nodes)
    note = cur.execute("SELECT checkpoint FROM tree_head").fetchone()[0]
    if signer is not None:
        note = Checkpoint(signer.name, frontier.size, frontier.root()).sign(signer)
        for (size,) in cur.execute("SELECT size FROM checkpoints").fetchall():
            if int(size) in roots:
                cur.execute("UPDATE checkpoints SET checkpoint = ? WHERE size = ?",
                            (Checkpoint(signer.name, int(size), roots[int(size)]).sign(signer), size))
    store_head(cur, frontier, note)


def seq_of(cur: Cursor, where: str) -> int:
    return int(cur.execute(f"SELECT MIN(seq) FROM decision_log WHERE {where}").fetchone()[0])


def renumber_after(cur: Cursor, seq: int) -> None:
    """Close the gap a deleted record left: every later record moves down by one."""
    for table in ("decision_log", "decision_clauses"):
        cur.execute(f"UPDATE {table} SET seq = -seq WHERE seq > ?", (seq,))
        cur.execute(f"UPDATE {table} SET seq = -seq - 1 WHERE seq < 0")


def edit_record(cur: Cursor) -> int:
    seq = seq_of(cur, "post_id = 'g-3'")
    cur.execute("UPDATE decision_log SET outcome = 'OUTCOME_NO_ACTION' WHERE seq = ?", (seq,))
    return seq


def edit_body(cur: Cursor) -> int:
    seq = seq_of(cur, "post_id = 'g-4'")
    cur.execute("UPDATE decision_log SET record = replace(record, 'acc-candidate-250k', 'acc-candidate-999k') WHERE seq = ?", (seq,))
    return seq


def edit_and_rehash(cur: Cursor) -> int:
    seq = edit_record(cur)
    rebuild_tree(cur)
    return seq


def delete_record(cur: Cursor) -> int:
    seq = seq_of(cur, "post_id = 'g-5'")
    cur.execute("DELETE FROM decision_clauses WHERE seq = ?", (seq,))
    cur.execute("DELETE FROM decision_log WHERE seq = ?", (seq,))
    return seq


def delete_and_renumber(cur: Cursor) -> int:
    seq = delete_record(cur)
    renumber_after(cur, seq)
    return seq


def delete_renumber_rehash(cur: Cursor) -> int:
    seq = delete_and_renumber(cur)
    rebuild_tree(cur)
    return seq


def truncate_with_head(cur: Cursor) -> int:
    """Cut the tail, and set the tree head back to an earlier signed checkpoint: internally consistent."""
    size, note = cur.execute("SELECT size, checkpoint FROM checkpoints ORDER BY size LIMIT 1").fetchone()
    size = int(size)
    cur.execute("DELETE FROM decision_clauses WHERE seq > ?", (size,))
    cur.execute("DELETE FROM decision_log WHERE seq > ?", (size,))
    cur.execute("DELETE FROM checkpoints WHERE size > ?", (size,))
    rebuild_tree(cur)
    cur.execute("UPDATE tree_head SET checkpoint = ?", (note,))
    return size + 1


def wipe(cur: Cursor) -> int:
    for table in ("decision_clauses", "decision_log", "merkle_nodes", "checkpoints"):
        cur.execute(f"DELETE FROM {table}")
    cur.execute("UPDATE tree_head SET size = 0, frontier = '', checkpoint = ''")
    return 1


def forged_record(cur: Cursor) -> LogRecord:
    record = records(cur)[-1]
    record.decision_id, record.seq = "dec_forged", record.seq + 1
    record.body_text = record.body_text.replace(records(cur)[-1].decision_id, "dec_forged")
    cur.execute("INSERT INTO decision_log (seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, "
                "record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.seq, record.decision_id, record.kind, record.recorded_at, record.caller, record.account_id, record.post_id,
                 record.policy, record.outcome, record.revision, record.body_text))
    return record


def append_forged(cur: Cursor) -> int:
    return forged_record(cur).seq


def append_forged_with_tree(cur: Cursor) -> int:
    seq = forged_record(cur).seq
    rebuild_tree(cur)
    return seq


def substitute_key(cur: Cursor) -> int:
    """Rewrite a record, recompute the tree, and sign the head and every checkpoint with a key of one's own."""
    seq = edit_record(cur)
    rebuild_tree(cur, Ed25519Signer.generate("verdict.test/decision-log"))
    return seq


def reorder(cur: Cursor) -> int:
    a, b = seq_of(cur, "post_id = 'g-7'"), seq_of(cur, "post_id = 'g-8'")
    for table in ("decision_log", "decision_clauses"):
        cur.execute(f"UPDATE {table} SET seq = -1 WHERE seq = ?", (a,))
        cur.execute(f"UPDATE {table} SET seq = ? WHERE seq = ?", (a, b))
        cur.execute(f"UPDATE {table} SET seq = ? WHERE seq = -1", (b,))
    return a


def reorder_and_rehash(cur: Cursor) -> int:
    seq = reorder(cur)
    rebuild_tree(cur)
    return seq


def delete_clause(cur: Cursor) -> int:
    seq = seq_of(cur, "post_id = 'g-9'")
    cur.execute("DELETE FROM decision_clauses WHERE seq = ?", (seq,))
    return seq


def corrupt_tree_node(cur: Cursor) -> int:
    cur.execute("UPDATE merkle_nodes SET hash = ? WHERE level = 2 AND idx = 1", ("00" * 32,))
    return 0


def forge_checkpoint_row(cur: Cursor) -> int:
    size, note = cur.execute("SELECT size, checkpoint FROM checkpoints ORDER BY size LIMIT 1").fetchone()
    lines = note.split("\n")
    lines[2] = "A" * 43 + "="
    cur.execute("UPDATE checkpoints SET checkpoint = ? WHERE size = ?", ("\n".join(lines), size))
    return 0


def delete_strike(cur: Cursor) -> int:
    cur.execute("DELETE FROM account_violations WHERE account_id = 'acc-citizen'")
    return 0


def add_strike(cur: Cursor) -> int:
    cur.execute("INSERT INTO account_violations (account_id, decision_id, policy, clause_id, at, warning) "
                "VALUES ('acc-mayor', 'dec_invented', 'POLICY_ELECTION_INTEGRITY', 'EI-3', '2024-02-01T00:00:00Z', 0)")
    return 0


def lift_lock(cur: Cursor) -> int:
    cur.execute("UPDATE account_locks SET ends_at = starts_at WHERE account_id = 'acc-history'")
    return 0


def unsuspend(cur: Cursor) -> int:
    cur.execute("UPDATE accounts SET suspended = 0 WHERE account_id = 'acc-citizen'")
    return 0


def edit_designation(cur: Cursor) -> int:
    cur.execute("UPDATE group_designations SET designated = 0 WHERE group_id = 'g-raiders'")
    return 0


def unlink_group(cur: Cursor) -> int:
    cur.execute("DELETE FROM account_groups WHERE group_id = 'g-raiders'")
    return 0


def edit_archived_policy(cur: Cursor) -> int:
    cur.execute("UPDATE policy_revisions SET files = replace(files, '100000', '1000')")
    return 0


def delete_archived_policy(cur: Cursor) -> int:
    cur.execute("DELETE FROM policy_revisions")
    return 0


# kind -> (tamper, findings expected (any of them), words the message must have)
KINDS: dict[str, tuple[Callable[[Cursor], int], set[str], str]] = {
    "record edited": (edit_record, {"record_changed"}, "changed after it was logged"),
    "record body edited": (edit_body, {"record_changed"}, "changed after it was logged"),
    "record edited, tree recomputed": (edit_and_rehash, {"rewritten"}, "changed, deleted, inserted or reordered after they were signed"),
    "record deleted": (delete_record, {"record_missing"}, "missing: deleted from the log"),
    "record deleted, the rest renumbered": (delete_and_renumber, {"renumbered"}, "deleted and the"),
    "record deleted, renumbered, tree recomputed": (delete_renumber_rehash, {"truncated", "rewritten", "tree_head"}, "deleted"),
    "tail truncated with the tree head": (truncate_with_head, {"truncated"}, "were deleted"),
    "log wiped, head reset": (wipe, {"truncated"}, "were deleted"),
    "forged record appended": (append_forged, {"unsigned_records"}, "without the log's key"),
    "forged record appended, tree extended": (append_forged_with_tree, {"unsigned_records"}, "without the log's key"),
    "signing key substituted": (substitute_key, {"tree_head"}, "a different key was substituted"),
    "records reordered": (reorder, {"reordered"}, "out of order"),
    "records reordered, tree recomputed": (reorder_and_rehash, {"rewritten"}, "reordered after they were signed"),
    "clauses of a record deleted": (delete_clause, {"record_changed"}, "changed after it was logged"),
    "tree node corrupted": (corrupt_tree_node, {"tree_nodes"}, "proofs served from it would not verify"),
    "checkpoint row forged": (forge_checkpoint_row, {"checkpoint"}, "altered after signing"),
    "strike deleted from an account's history": (delete_strike, {"history_deleted"}, "violation"),
    "strike added behind the server's back": (add_strike, {"history_unlogged"}, "in no log record"),
    "lock lifted behind the server's back": (lift_lock, {"history_changed"}, "ends_at is"),
    "suspension lifted behind the server's back": (unsuspend, {"history_changed"}, "the suspension of account acc-citizen"),
    "group designation edited": (edit_designation, {"history_changed"}, "the designation of group g-raiders"),
    "account unlinked from a group": (unlink_group, {"history_deleted"}, "the link of account acc-citizen to group g-raiders"),
    "archived policy revision edited": (edit_archived_policy, {"archive_changed"}, "changed after archiving"),
    "archived policy revision deleted": (delete_archived_policy, {"archive_deleted"}, "missing from the policy archive"),
}


def test_the_untouched_log_verifies(golden):
    doc = audit_verify(golden, golden.url)
    assert doc["ok"], doc["findings"]
    assert doc["records"] == golden.size and doc["witnessed"] >= 3 and "consistency proof verified" in doc["consistency"]
    assert doc["covered"]["history rows"] >= 8 and doc["covered"]["policy revisions"] == 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_tampering_is_detected_and_named(golden, copy, kind):
    tamper, expected, words = KINDS[kind]
    with copy.transaction(write=True) as cur:
        seq = tamper(cur)
    doc = audit_verify(golden, copy.url)
    assert not doc["ok"]
    named = [f for f in doc["findings"] if f["kind"] in expected]
    assert named, doc["findings"]
    assert any(words in f["message"] for f in named), named
    if seq and named[0]["seq"]:
        assert named[0]["seq"] <= seq + 1


def test_a_rollback_to_an_earlier_backup_is_detected(golden):
    doc = audit_verify(golden, golden.backup_url)
    assert not doc["ok"]
    [finding] = [f for f in doc["findings"] if f["kind"] == "truncated"]
    assert "rolled back" in finding["message"] and "the witness" in finding["message"]

