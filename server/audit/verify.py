"""Walk the hash chain and name the first record that was changed, deleted or reordered."""

from __future__ import annotations

from dataclasses import dataclass

from server.db.database import Database
from server.decisionlog.chain import record_hash


@dataclass
class Verification:
    ok: bool
    records: int
    first_bad_seq: int = 0
    first_bad_decision_id: str = ""
    problem: str = ""


def verify(db: Database, page: int = 2000) -> Verification:
    expected_seq, prev_hash, prev_id, checked = 1, "", "", 0
    while True:
        with db.transaction() as cur:
            rows = cur.execute(
                "SELECT seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, record, "
                "prev_hash, hash FROM decision_log WHERE seq >= ? ORDER BY seq LIMIT ?", (expected_seq, page),
            ).fetchall()
            clauses: dict[int, list[str]] = {}
            if rows:
                for seq, clause in cur.execute(
                    "SELECT seq, clause_id FROM decision_clauses WHERE seq >= ? AND seq <= ?", (rows[0][0], rows[-1][0])
                ).fetchall():
                    clauses.setdefault(int(seq), []).append(clause)
        for row in rows:
            seq, decision_id, kind, recorded_at, caller, account_id, post_id, policy, outcome, revision, text, stored_prev, stored = row
            seq = int(seq)
            if seq != expected_seq:
                missing = f"record {expected_seq}" if seq == expected_seq + 1 else f"records {expected_seq} to {seq - 1}"
                return Verification(False, checked, seq, decision_id,
                                    f"{missing} deleted: the chain jumps from record {expected_seq - 1} to record {seq} ({decision_id})")
            if stored_prev != prev_hash:
                return Verification(False, checked, seq, decision_id,
                                    f"record {seq} ({decision_id}) does not follow record {seq - 1} ({prev_id}): "
                                    "records were reordered, replaced or re-hashed")
            computed = record_hash(seq, stored_prev, decision_id, kind, recorded_at, caller, account_id, post_id,
                                   policy, outcome, revision, clauses.get(seq, []), text)
            if computed != stored:
                return Verification(False, checked, seq, decision_id,
                                    f"record {seq} ({decision_id}) was changed: its content no longer matches its hash")
            prev_hash, prev_id, expected_seq, checked = stored, decision_id, seq + 1, checked + 1
        if len(rows) < page:
            break
    head_seq, head_hash = db.query("SELECT seq, hash FROM log_chain_head WHERE id = 1")[0]
    if int(head_seq) != checked or head_hash != prev_hash:
        return Verification(False, checked, checked + 1, "",
                            f"records after record {checked} were deleted: the chain head says the log ends at record {head_seq}")
    return Verification(True, checked)
