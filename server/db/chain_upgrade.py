"""Migration 4: a log written as a hash chain becomes the first leaves of the Merkle tree.

The old chain is checked first (a broken chain stops the migration, naming
the record); then every record becomes a leaf, and one more record puts the
account history and the policy archive as they stand into the log, so that
from here on every row of them is covered. The head is left unsigned: the
first server with the log's key signs it when it starts.
"""

from __future__ import annotations

import hashlib

from server.db.database import Cursor
from shared.tlog.merkle import Frontier
from server.db.accounts import AUDITED, audited_rows
from server.db.tree_rows import store_head, store_nodes
from shared.tlog.record import ROW_COLUMNS, LogRecord, canonical, files_hash, new_record_id, record_from_row
from shared.timeutil import rfc3339, utcnow

_COLUMNS = ", ".join((*ROW_COLUMNS, "prev_hash", "hash"))  # the chain's two columns after a record's row


class UpgradeError(Exception):
    """The old log is not intact: no tree is built over it."""


def legacy_hash(seq: int, prev_hash: str, row: tuple, clauses: list[str]) -> str:
    """The hash the chain gave a record before the tree (kept only to check it once)."""
    _, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, text = row[:11]
    header = canonical([seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, sorted(clauses)])
    digest = hashlib.sha256()
    for part in (prev_hash, header, text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def upgrade(cur: Cursor) -> None:
    rows = cur.execute(f"SELECT {_COLUMNS} FROM decision_log ORDER BY seq").fetchall()
    clauses: dict[int, list[str]] = {}
    for seq, clause in cur.execute("SELECT seq, clause_id FROM decision_clauses ORDER BY clause_id").fetchall():
        clauses.setdefault(int(seq), []).append(clause)
    frontier, nodes, prev = Frontier(), [], ""
    for expected, row in enumerate(rows, 1):
        seq = int(row[0])
        if seq != expected or row[11] != prev or legacy_hash(seq, prev, row, clauses.get(seq, [])) != row[12]:
            raise UpgradeError(f"the decision log's hash chain is broken at record {expected}: no Merkle tree is built over "
                               "a log that was altered (restore it from a backup first)")
        prev = row[12]
        record = record_from_row(row[:len(ROW_COLUMNS)], clauses.get(seq, []))
        frontier.append(record.leaf_hash(), nodes)
    head = cur.execute("SELECT seq, hash FROM log_chain_head WHERE id = 1").fetchone()
    if (int(head[0]), head[1]) != (len(rows), prev):
        raise UpgradeError(f"the chain head says the log ends at record {head[0]}, it has {len(rows)}: records were removed")
    history = [{"table": table, "put": row} for table in AUDITED for row in audited_rows(cur, table).values()
               if table != "accounts" or row["suspended"]]
    archived = [{"revision": revision, "files_sha256": files_hash(files)}
                for revision, files in cur.execute("SELECT revision, files FROM policy_revisions ORDER BY revision").fetchall()]
    if history or archived:
        record_id, now = new_record_id("base"), rfc3339(utcnow())
        baseline = LogRecord(decision_id=record_id, kind="baseline", recorded_at=now, caller="migration", revision="", body={
            "decision_id": record_id, "kind": "baseline", "recorded_at": now, "history_rows": history, "archived": archived,
            "note": "account history and policy archive as they stood when the log became a Merkle tree"})
        cur.execute(f"INSERT INTO decision_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')",
                    (len(rows) + 1, record_id, "baseline", now, "migration", "", "", "", "", "", baseline.text()))
        frontier.append(baseline.leaf_hash(), nodes)
    store_nodes(cur, nodes)
    store_head(cur, frontier, "")
