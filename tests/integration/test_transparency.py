"""The decision log as a transparency log, used as an auditor and a third party would:
signed checkpoints published to the database and the witness, inclusion proofs
checked offline with only the public key, consistency with a checkpoint kept
elsewhere, one tree for everything that changes history, upgrades from the
hash chain, and a server that refuses to fork its log."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from clients.client import VerdictClient
from server.db.database import Database
from server.decisionlog.checkpoints import Witness
from shared.tlog.note import Checkpoint, Verifier, open_checkpoint
from shared.tlog.proof import InclusionProof, readable
from shared.tlog.record import record_from_leaf

from tests.conftest import ROOT, TEST_LOG_PUBLIC_KEY, import_accounts, start_server, verify_log

VERDICT = str(ROOT / ".venv" / "bin" / "verdict")
VERDICT_ADMIN = str(ROOT / ".venv" / "bin" / "verdict-admin")
VERIFIER = Verifier.parse(TEST_LOG_PUBLIC_KEY)


def case(post: str, account: str = "acc-candidate-250k", policy: str = "hateful_conduct") -> dict:
    return {"content": {"kind": "post", "post_id": post, "author_account_id": account},
            "violation": {"policy": policy, "rule": {"confirmed": True}}, "as_of": "2024-05-01T12:00:00Z"}


def ei_case(post: str, account: str) -> dict:
    return {"content": {"kind": "post", "post_id": post, "author_account_id": account},
            "violation": {"policy": "election_integrity", "ei": {"category": "how_to_vote", "confirmed": True}},
            "as_of": "2024-05-01T12:00:00Z"}


GROUP = {
    "group_id": "g-raiders", "name": "Raiders", "kind": "campaign", "shared_purpose": True,
    "coordination": [{"type": "social", "evidence": ["messaging-app campaign"], "sufficient_evidence": True}],
    "harms": {"physical": "high", "psychological": "moderate", "informational": "low"},
    "linked_accounts": [{"account_id": "acc-citizen"}, {"account_id": "acc-not-in-store"}],
}


def cli(*args: str, env: dict | None = None, cwd: Path = ROOT, program: str = VERDICT) -> subprocess.CompletedProcess:
    return subprocess.run([program, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def admin(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return cli(*args, env=env, program=VERDICT_ADMIN)


def sqlite_backup(path: Path, to: Path) -> None:
    """A consistent copy, as a backup tool takes it."""
    source, copy = sqlite3.connect(path), sqlite3.connect(to)
    source.backup(copy)
    source.close()
    copy.close()


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_checkpoints_go_to_the_database_and_the_witness_every_n_records_and_at_shutdown(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path, checkpoint_records=10, checkpoint_seconds=3600)
    witness = Witness(tmp_path / "witness")
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            for round in range(1, 3):
                for i in range(10):
                    client.decide(case(f"n-{round}-{i}"))
                wait_for(lambda: len(witness.entries()) == round)
            client.decide(case("last"))
            latest = client.checkpoint()
    finally:
        app.stop()
    notes = [e.note for e in witness.entries()]
    sizes = [open_checkpoint(n, VERIFIER).size for n in notes]
    assert sizes == sorted(sizes) and sizes[-1] == latest.tree_size  # the last one at shutdown
    assert all(b - a >= 10 for a, b in zip(sizes, sizes[1:-1]))
    db = Database(db_url)
    rows = db.query("SELECT size, checkpoint FROM checkpoints ORDER BY size")
    assert [int(s) for s, _ in rows] == sizes and [n for _, n in rows] == notes
    assert Checkpoint.of_note(latest.checkpoint).size == latest.tree_size and latest.public_key == TEST_LOG_PUBLIC_KEY


def test_checkpoints_go_out_every_t_seconds(sqlite_url, opa_url, tmp_path):
    import_accounts(sqlite_url)
    app = start_server(sqlite_url, opa_url, tmp_path, checkpoint_records=1_000_000, checkpoint_seconds=0.3)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            client.decide(case("t-1"))
            size = client.checkpoint().tree_size
            wait_for(lambda: any(open_checkpoint(e.note, VERIFIER).size == size for e in Witness(tmp_path / "witness").entries()))
    finally:
        app.stop()


def test_a_proof_checks_offline_with_only_the_public_key_and_fails_for_a_tampered_record(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            ids = [client.decide(case(f"p-{i}")).decision_id for i in range(12)]
        server = {"VERDICT_SERVER": f"127.0.0.1:{app.port}"}
        proof_file = tmp_path / "proof.json"
        made = cli("audit", "prove", ids[5], "--out", str(proof_file), env=server)
        assert made.returncode == 0, made.stderr
        (tmp_path / "log.pub").write_text(TEST_LOG_PUBLIC_KEY + "\n")
        offline = tmp_path / "elsewhere"
        offline.mkdir()
        shutil.copy(proof_file, offline / "proof.json")
        shutil.copy(tmp_path / "log.pub", offline / "log.pub")
        # A third party: no server, no database, no signing key, only the proof and the public key.
        bare = {"PATH": os.environ["PATH"], "HOME": str(offline)}
        checked = subprocess.run([VERDICT, "audit", "verify-proof", "proof.json", "--key", "log.pub"], cwd=offline,
                                 capture_output=True, text=True, env=bare, timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert f"OK: {ids[5]} is record" in checked.stdout and "verdict.test/decision-log+de2d7094" in checked.stdout
        assert "OUTCOME_PUBLIC_INTEREST_REVIEW" in checked.stdout

        doc = json.loads(proof_file.read_text())
        assert doc["record"]["decision_id"] == ids[5] and doc["tree_size"] > doc["leaf_index"]

        def check(edited: dict) -> subprocess.CompletedProcess:
            (offline / "edited.json").write_text(json.dumps(edited))
            return subprocess.run([VERDICT, "audit", "verify-proof", "edited.json", "--key", "log.pub"], cwd=offline,
                                  capture_output=True, text=True, env=bare, timeout=60)

        # The record edited, and its leaf re-encoded to match: the path no longer leads to the signed root.
        leaf = base64.b64decode(doc["leaf"]).replace(b"OUTCOME_PUBLIC_INTEREST_REVIEW", b"OUTCOME_NO_ACTION")
        failed = check({**doc, "leaf": base64.b64encode(leaf).decode(), "record": readable(record_from_leaf(leaf))})
        assert failed.returncode == 1 and "does not lead to the root hash" in failed.stdout
        # Only the readable record edited: the file no longer says what its leaf says.
        failed = check({**doc, "record": {**doc["record"], "outcome": "OUTCOME_NO_ACTION"}})
        assert failed.returncode == 1 and "file was altered" in failed.stdout
        # Another key's checkpoint.
        failed = subprocess.run([VERDICT, "audit", "verify-proof", "proof.json", "--key",
                                 "verdict.test/decision-log+7c3ef11f+AWZIyJqDgO8jDVDsmdHHwqVyqAwmwKxZrBhHRdBldNfE"],
                                cwd=offline, capture_output=True, text=True, env=bare, timeout=60)
        assert failed.returncode in (1, 2) and "key" in (failed.stdout + failed.stderr)

        # A record tampered with in the database: the proof the server now gives does not verify.
        with app.db.transaction(write=True) as cur:
            cur.execute("UPDATE decision_log SET outcome = 'OUTCOME_NO_ACTION' WHERE decision_id = ?", (ids[7],))
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            p = client.prove(ids[7])
        tampered = InclusionProof(p.decision_id, p.leaf_index, p.tree_size, p.leaf, list(p.audit_path), p.checkpoint)
        with pytest.raises(ValueError, match="does not lead to the root hash"):
            tampered.check(VERIFIER)
    finally:
        app.stop()


def test_verify_since_a_checkpoint_kept_elsewhere(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp_path)
    try:
        server = {"VERDICT_SERVER": f"127.0.0.1:{app.port}"}
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            for i in range(5):
                client.decide(case(f"s-{i}"))
        saved = cli("audit", "checkpoint", env=server)
        assert saved.returncode == 0 and saved.stdout.startswith("verdict.test/decision-log\n")
        (tmp_path / "kept.txt").write_text(saved.stdout)
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            for i in range(7):
                client.decide(case(f"t-{i}"))
        over_grpc = cli("audit", "verify", "--since", str(tmp_path / "kept.txt"), "--public-key", TEST_LOG_PUBLIC_KEY, env=server)
        assert over_grpc.returncode == 0, over_grpc.stdout + over_grpc.stderr
        assert "extends the checkpoint given" in over_grpc.stdout and "consistency proof verified" in over_grpc.stdout
        direct = admin("audit", "verify", "--db", db_url, "--witness", str(tmp_path / "witness"), "--since", str(tmp_path / "kept.txt"),
                     "--public-key", TEST_LOG_PUBLIC_KEY, "--json")
        assert direct.returncode == 0, direct.stdout + direct.stderr
        doc = json.loads(direct.stdout)
        assert doc["ok"] and "consistency proof verified" in doc["consistency"] and doc["records"] >= 12
    finally:
        app.stop()


def test_history_designations_and_archive_are_covered_by_the_log(db_url, opa_url, tmp_path):
    import_accounts(db_url)
    history = tmp_path / "history.jsonl"
    history.write_text(json.dumps({
        "account_id": "acc-history", "followers": 10, "suspended": True,
        "history": [{"decision_id": "ext-1", "policy": "election_integrity", "clause_id": "EI-3", "at": "2024-01-01T00:00:00Z"}],
        "locks": [{"decision_id": "ext-1", "starts_at": "2024-01-01T00:00:00Z", "ends_at": "2024-01-08T00:00:00Z", "clause_id": "EI-3"}],
    }) + "\n")
    import_accounts(db_url, history)
    app = start_server(db_url, opa_url, tmp_path)
    try:
        with VerdictClient(f"127.0.0.1:{app.port}") as client:
            client.decide(ei_case("h-1", "acc-citizen"), apply=True)
            first = client.decide(ei_case("h-2", "acc-mayor"))
            client.apply(first.decision_id)
            client.assess_group(GROUP, as_of="2024-05-01T12:00:00Z", apply=True)
            result = client.verify_log()
        assert result.ok, [f.message for f in result.findings]
        assert result.covered["history rows"] >= 6 and result.covered["policy revisions"] == 1
    finally:
        app.stop()


def test_the_server_will_not_sign_on_from_a_database_rolled_back_behind_its_witness(sqlite_url, opa_url, tmp_path):
    import_accounts(sqlite_url)
    backup = tmp_path / "backup.db"
    app = start_server(sqlite_url, opa_url, tmp_path)
    with VerdictClient(f"127.0.0.1:{app.port}") as client:
        client.decide(case("before"))
        sqlite_backup(Database(sqlite_url).path, backup)
        for i in range(3):
            client.decide(case(f"after-{i}"))
    app.stop()  # publishes its last checkpoint to the witness
    shutil.copy(backup, Database(sqlite_url).path)
    for suffix in ("-wal", "-shm"):
        Path(str(Database(sqlite_url).path) + suffix).unlink(missing_ok=True)
    from server.decisionlog.checkpoints import WitnessMismatch

    with pytest.raises(WitnessMismatch, match="rolled back"):
        start_server(sqlite_url, opa_url, tmp_path)
    result = verify_log(Database(sqlite_url), tmp_path / "witness")
    assert [f.kind for f in result.findings] == ["truncated"] and "rolled back" in result.findings[0].message


def test_a_log_written_as_a_hash_chain_becomes_the_trees_first_leaves(sqlite_url, opa_url, tmp_path):
    from server.db import migrations
    from server.db.chain_upgrade import UpgradeError, legacy_hash

    db = Database(sqlite_url)
    old = migrations.MIGRATIONS
    migrations.MIGRATIONS = old[:3]
    try:
        migrations.migrate(db)
    finally:
        migrations.MIGRATIONS = old
    with db.transaction(write=True) as cur:
        cur.execute("INSERT INTO accounts (account_id, source, updated_at) VALUES ('acc-old', 'test', '2024-01-01T00:00:00Z')")
        cur.execute("INSERT INTO account_violations (account_id, decision_id, policy, clause_id, at) "
                    "VALUES ('acc-old', 'dec_old', 'POLICY_ELECTION_INTEGRITY', 'EI-3', '2024-01-01T00:00:00Z')")
        prev = ""
        for seq in range(1, 4):
            row = (seq, f"dec_old{seq}", "decide", "2024-01-01T00:00:00Z", "test", "acc-old", "", "", "", "", json.dumps({"n": seq}))
            h = legacy_hash(seq, prev, row, ["EI-3"])
            cur.execute("INSERT INTO decision_log (seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, "
                        "outcome, revision, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, prev, h))
            cur.execute("INSERT INTO decision_clauses (seq, clause_id) VALUES (?, 'EI-3')", (seq,))
            prev = h
        cur.execute("UPDATE log_chain_head SET seq = 3, hash = ?", (prev,))
    broken = Path(str(db.path) + ".broken")
    sqlite_backup(db.path, broken)
    migrations.migrate(db)
    assert int(db.query("SELECT size FROM tree_head")[0][0]) == 4  # three records and the baseline of the history
    with VerdictClient(f"127.0.0.1:{(app := start_server(sqlite_url, opa_url, tmp_path)).port}") as client:
        assert client.checkpoint().tree_size == 4  # signed by the first server with the key
    app.stop()
    result = verify_log(db)
    assert result.ok and result.covered["history rows"] == 1, result.findings

    altered = Database(f"sqlite:///{broken}")
    with altered.transaction(write=True) as cur:
        cur.execute("UPDATE decision_log SET outcome = 'x' WHERE seq = 2")
    with pytest.raises(UpgradeError, match="broken at record 2"):
        migrations.migrate(altered)


def test_keygen_and_import_need_and_use_the_key(tmp_path):
    key = tmp_path / "keys" / "log.key"
    made = admin("audit", "keygen", "--origin", "example.org/verdict-log", "--out", str(key))
    assert made.returncode == 0, made.stderr
    assert key.read_text().startswith("PRIVATE+KEY+example.org/verdict-log+") and key.stat().st_mode & 0o077 == 0
    assert (tmp_path / "keys" / "log.pub").read_text().startswith("example.org/verdict-log+")
    again = admin("audit", "keygen", "--origin", "example.org/verdict-log", "--out", str(key))
    assert again.returncode == 2 and "exists" in again.stderr
    bad = admin("audit", "keygen", "--origin", "has space", "--out", str(tmp_path / "x.key"))
    assert bad.returncode == 2 and "--origin" in bad.stderr
    env = {"VERDICT_LOG_KEY": "", "VERDICT_DB": f"sqlite:///{tmp_path}/v.db", "VERDICT_WITNESS_DIR": str(tmp_path / "w")}
    assert admin("migrate", env=env).returncode == 0
    missing = admin("accounts", "import", str(ROOT / "examples/demo_accounts.jsonl"), "--log-key-file", str(tmp_path / "none.key"), env=env)
    assert missing.returncode == 2 and "no decision-log signing key" in missing.stderr
    done = admin("accounts", "import", str(ROOT / "examples/demo_accounts.jsonl"), "--log-key-file", str(key), env=env)
    assert done.returncode == 0, done.stderr
    verified = admin("audit", "verify", "--db", env["VERDICT_DB"], "--public-key", str(tmp_path / "keys" / "log.pub"), env=env)
    assert verified.returncode == 0 and verified.stdout.startswith("OK: 1 records"), verified.stdout
