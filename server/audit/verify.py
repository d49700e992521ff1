"""Verify the decision log against checkpoints signed by the log's key.

Everything is read in one snapshot of the database (a live log verifies
without false alarms); the witness and any checkpoint handed in are read
before it, so they can never be newer than what the snapshot holds.

What is checked, each failure a ``Finding`` that says what is wrong:
- the signed tree head: signed by the trusted public key (not a substituted
  one), matching the stored tree;
- every record, rehashed into the tree: no gaps, no record beyond the signed
  head (appended without the key), the roots equal to every checkpoint held
  in the database, in the witness and handed in (``since``) — so a record
  changed, deleted, inserted or reordered, a truncated, wiped or rolled-back
  log, is caught even when the tree was recomputed to hide it;
- the stored tree nodes (proofs are made of them), which also locate a change;
- the account history, group designations and policy archive, rebuilt from
  the log records that changed them, against the tables as they stand.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, Iterator

import orjson

from verdict.v1 import audit_service_pb2 as au

from server.db.database import Cursor, Database
from server.decisionlog.checkpoints import Witness
from shared.tlog.merkle import fold, node_hash, range_nodes
from shared.tlog.note import Checkpoint, NoteError, Verifier, open_checkpoint
from shared.tlog.record import ROW_COLUMNS, files_hash, row_leaf_header
from server.decisionlog.tree import TreeHeadError, read_head
from server.db.accounts import AUDITED, audited_rows

MAX_DETAILED = 20
ARCHIVING = ("policy_archive", "baseline")  # the kinds of record that archive policy revisions

VERIFY_STATEMENT_SECONDS = 120.0


@dataclass
class Finding:
    kind: str
    message: str
    seq: int = 0
    decision_id: str = ""


@dataclass
class Verification:
    records: int = 0
    findings: list[Finding] = field(default_factory=list)
    head: Checkpoint | None = None            # the signed tree head of the snapshot, if it verified
    head_note: str = ""                       # ... as the signed note
    checkpoints: int = 0                      # signed checkpoints compared (database, witness, since)
    witnessed: int = 0                        # of them from the witness
    since: Checkpoint | None = None
    covered: dict[str, int] = field(default_factory=dict)  # audited rows and revisions that match the log
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding:
        return self.findings[0] if self.findings else Finding("", "")

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def add(self, kind: str, message: str, seq: int = 0, decision_id: str = "") -> None:
        self.findings.append(Finding(kind, message, seq, decision_id))

    def message(self) -> au.VerifyLogResponse:
        first = self.first
        return au.VerifyLogResponse(
            ok=self.ok, records=self.records, first_bad_seq=max(first.seq, 0), first_bad_decision_id=first.decision_id,
            problem=first.message, checkpoint=self.head_note, checkpoints=self.checkpoints, witnessed=self.witnessed,
            covered=self.covered, seconds=self.seconds,
            findings=[au.VerifyFinding(kind=f.kind, message=f.message, seq=max(f.seq, 0), decision_id=f.decision_id) for f in self.findings],
        )


@dataclass
class Trusted:
    """A signed checkpoint and where it was found."""

    checkpoint: Checkpoint
    source: str


def verify(db: Database, verifier: Verifier, witness: Witness | None = None, since: str | None = None,
           page: int = 5000) -> Verification:
    started = time.perf_counter()
    result = Verification()
    trusted: list[Trusted] = []
    if since is not None:
        try:
            result.since = open_checkpoint(since, verifier)
            trusted.append(Trusted(result.since, "the checkpoint given"))
        except NoteError as exc:
            result.add("outside_checkpoint", f"the checkpoint given cannot be used: {exc}")
    if witness is not None:  # before the snapshot: nothing in it can be newer than the database
        for entry in witness.entries():
            try:
                trusted.append(Trusted(open_checkpoint(entry.note, verifier), f"the witness ({witness.path} line {entry.line})"))
                result.witnessed += 1
            except NoteError as exc:
                result.add("witness_entry", f"{witness.path} line {entry.line} is not a checkpoint of this log: {exc}")
    # A statement reads a whole level of the tree: given longer than a decision's statements, still bounded.
    with db.transaction(snapshot=True, timeout=max(VERIFY_STATEMENT_SECONDS, db.limits.timeout)) as cur:
        _Walk(cur, verifier, result, trusted, page).run()
    result.seconds = time.perf_counter() - started
    return result


class _Walk:
    """One pass over the snapshot."""

    def __init__(self, cur: Cursor, verifier: Verifier, result: Verification, trusted: list[Trusted], page: int) -> None:
        self.cur, self.verifier, self.result, self.trusted, self.page = cur, verifier, result, trusted, page
        self.leaves: list[bytes] = []
        self.levels: list[list[bytes]] = [self.leaves]  # recomputed complete nodes, by level
        self.ids: list[tuple[int, str]] = []          # (seq, decision_id) in log order
        self.history: dict[str, dict[tuple, tuple[dict, int, str]]] = {t: {} for t in AUDITED}
        self.archived: dict[str, tuple[str, int, str]] = {}
        self.revisions: dict[str, tuple[int, str]] = {}   # revision -> first record decided on it

    def run(self) -> None:
        head_size = self._head()
        self._checkpoints_table()
        self._records()
        self._stored_nodes()
        self._against_checkpoints(head_size)
        self._history()
        self._archive()
        self.result.checkpoints = len(self.trusted)

    # ------------------------------------------------------------ the signed head

    def _head(self) -> int | None:
        try:
            head = read_head(self.cur)
        except TreeHeadError as exc:
            self.result.add("tree_head", str(exc))
            return None
        if not head.checkpoint:
            if head.size:
                self.result.add("tree_head", f"the tree head ({head.size} records) is not signed: it was reset or forged")
            return head.size
        try:
            checkpoint = open_checkpoint(head.checkpoint, self.verifier)
        except NoteError as exc:
            self.result.add("tree_head", f"the tree head in the database is not trustworthy: {exc}")
            return None
        if checkpoint.size != head.size or checkpoint.root != head.root():
            self.result.add("tree_head", f"the stored tree state ({head.size} records) does not match the signed head "
                                         f"({checkpoint.size} records): the tree was altered after signing")
        self.result.head, self.result.head_note = checkpoint, head.checkpoint
        self.trusted.append(Trusted(checkpoint, "the signed tree head"))
        return checkpoint.size

    def _checkpoints_table(self) -> None:
        for size, note, issued_at in self.cur.execute("SELECT size, checkpoint, issued_at FROM checkpoints ORDER BY size").fetchall():
            try:
                checkpoint = open_checkpoint(note, self.verifier)
            except NoteError as exc:
                self.result.add("checkpoint", f"the checkpoint of {size} records in the database (issued {issued_at}) "
                                              f"is not trustworthy: {exc}")
                continue
            if checkpoint.size != int(size):
                self.result.add("checkpoint", f"the checkpoint row of size {size} holds a checkpoint of {checkpoint.size} records")
            self.trusted.append(Trusted(checkpoint, f"the database's checkpoint issued {issued_at}"))

    # ------------------------------------------------------------ the records

    def _pages(self) -> Iterator[tuple[list, dict[int, list[str]]]]:
        """The records page by page, with their clauses."""
        sqlite = self.cur.dialect == "sqlite"
        # SQLite hands the record over as the bytes it stores (what is hashed), PostgreSQL as text.
        record = "CAST(record AS BLOB)" if sqlite else "record"
        joined = "group_concat(clause_id, ' ')" if sqlite else "string_agg(clause_id, ' ')"
        after = -(1 << 62)
        while True:
            rows = self.cur.execute(
                f"SELECT {', '.join(ROW_COLUMNS[:-1])}, {record} FROM decision_log WHERE seq > ? ORDER BY seq LIMIT ?",
                (after, self.page)).fetchall()
            if not rows:
                return
            clauses = {int(seq): text.split() for seq, text in self.cur.execute(
                f"SELECT seq, {joined} FROM decision_clauses WHERE seq >= ? AND seq <= ? GROUP BY seq",
                (rows[0][0], rows[-1][0])).fetchall()}
            yield rows, clauses
            after = rows[-1][0]

    def _records(self) -> None:
        expected, gaps = 1, 0
        leaves, ids, revisions = self.leaves, self.ids, self.revisions
        text = self.cur.dialect != "sqlite"  # PostgreSQL hands the body over as text
        for rows, clauses in self._pages():
            for row in rows:  # ROW_COLUMNS
                seq, decision_id, kind, revision, body = row[0], row[1], row[2], row[-2], row[-1]
                if seq != expected and not self._gap(seq, expected, decision_id, gaps := gaps + 1):
                    continue
                if text:
                    body = body.encode("utf-8")
                digest = sha256(b"\x00" + row_leaf_header(row, clauses.get(seq, ())) + b"\n")
                digest.update(body)  # the leaf hash of LogRecord.leaf(), without copying the body
                leaves.append(digest.digest())
                ids.append((seq, decision_id))
                if revision not in revisions and revision and kind != "policy_archive":
                    revisions[revision] = (seq, decision_id)
                if b'"history_rows":' in body or (kind in ARCHIVING and b'"archived":' in body):
                    self._fold(seq, decision_id, body)
                expected = seq + 1
        self.result.records = len(leaves)
        level = leaves
        while len(level) > 1:  # every complete node above the leaves, level by level
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def _gap(self, seq: int, expected: int, decision_id: str, gaps: int) -> bool:
        """Report records missing before ``seq``; False if the record itself is out of place."""
        if seq < expected:  # only a number below 1 can come before the first
            self.result.add("record_missing", f"record {decision_id} is numbered {seq}: records are numbered from 1, "
                                              "it was moved out of its place", seq, decision_id)
            return False
        if gaps <= MAX_DETAILED:
            missing = f"record {expected} is" if seq == expected + 1 else f"records {expected} to {seq - 1} are"
            self.result.add("record_missing", f"{missing} missing: deleted from the log (the next is record {seq}, {decision_id})",
                            expected, decision_id)
        return True

    def _root(self, size: int) -> bytes:
        return fold([self.levels[lv][i] for lv, i in range_nodes(0, size)])

    def _fold(self, seq: int, decision_id: str, text: bytes) -> None:
        """Apply the history rows and archived revisions a record carries."""
        try:
            body: dict[str, Any] = orjson.loads(text)
            for change in body.get("history_rows") or []:
                table = change["table"]
                key = AUDITED[table][0]
                if "put" in change:
                    row = change["put"]
                    self.history[table][tuple(row[k] for k in key)] = (row, seq, decision_id)
                else:
                    match = change["delete"]
                    rows = self.history[table]
                    for k in [k for k, (row, _, _) in rows.items() if all(row[c] == v for c, v in match.items())]:
                        del rows[k]
            for item in body.get("archived") or []:
                self.archived[item["revision"]] = (item["files_sha256"], seq, decision_id)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.result.add("record_body", f"record {seq} ({decision_id}) carries history it cannot apply: {exc!r}", seq, decision_id)

    # ------------------------------------------------------------ records against checkpoints

    def _against_checkpoints(self, head_size: int | None) -> None:
        n = len(self.leaves)
        last = self.ids[-1][0] if self.ids else 0
        if head_size is not None and last > head_size:
            extra = [(seq, d) for seq, d in self.ids if seq > head_size]
            shown = ", ".join(f"{s} ({d})" for s, d in extra[:5]) + (" ..." if len(extra) > 5 else "")
            self.result.add("unsigned_records",
                            f"{len(extra)} record(s) after record {head_size} are not covered by the signed tree head: "
                            f"appended without the log's key (forged): {shown}", extra[0][0], extra[0][1])
        beyond = [t for t in self.trusted if t.checkpoint.size > last]
        if beyond:
            t = max(beyond, key=lambda t: t.checkpoint.size)
            self.result.add("truncated",
                            f"the log ends at record {last}, but {t.source} is a checkpoint signed for {t.checkpoint.size} "
                            f"records: {t.checkpoint.size - last} record(s) were deleted since (the log was truncated, wiped, "
                            "or rolled back to an earlier backup)", last + 1)
        within = sorted((t for t in self.trusted if t.checkpoint.size <= n), key=lambda t: t.checkpoint.size)
        roots = {size: self._root(size) for size in {t.checkpoint.size for t in within}}
        bad = [t for t in within if roots[t.checkpoint.size] != t.checkpoint.root]
        if bad:
            first = bad[0]
            good = [t.checkpoint.size for t in within if t.checkpoint.size < first.checkpoint.size and t not in bad]
            low = max(good, default=0) + 1
            sources = len({t.source for t in bad})
            self.result.add("rewritten",
                            f"the first {first.checkpoint.size} records no longer hash to {first.source}"
                            f"{f' (nor to {sources - 1} other signed checkpoint(s))' if sources > 1 else ''}: "
                            f"one or more of records {low} to {first.checkpoint.size} were changed, deleted, inserted or "
                            "reordered after they were signed", low)

    def _stored_nodes(self) -> None:
        """The stored tree against the records (proofs are made of its nodes); names the record behind a mismatch."""
        for level, computed in enumerate(self.levels):
            stored = [bytes.fromhex(h) for (h,) in self.cur.execute(
                "SELECT hash FROM merkle_nodes WHERE level = ? ORDER BY idx", (level,)).fetchall()]
            if level == 0 and stored != computed:
                self._diagnose(stored)
                return
            if stored[:len(computed)] != computed:
                i = next((i for i, (a, b) in enumerate(zip(stored, computed)) if a != b), min(len(stored), len(computed)))
                self.result.add("tree_nodes", f"the stored tree node at level {level}, index {i} does not match the records "
                                              "below it: the tree was altered, and proofs served from it would not verify")
                return

    def _diagnose(self, stored: list[bytes]) -> None:
        """Records that differ from the leaves the tree has at their number: changed, swapped, or
        renumbered after a deletion."""
        at = {seq - 1: (leaf, seq, decision_id) for (seq, decision_id), leaf in zip(self.ids, self.leaves)}
        differ = [p for p in sorted(at) if p < len(stored) and stored[p] != at[p][0]]
        unmatched = set(differ) | set(range(len(stored))) - at.keys()
        where = {stored[p]: p for p in unmatched}
        moved = {p: where[at[p][0]] for p in differ if at[p][0] in where}
        swapped = {p for p, q in moved.items() if moved.get(q) == p}
        shifted = [p for p in differ if moved.get(p) == p + 1 and p not in swapped]
        if shifted:
            _, seq, decision_id = at[shifted[0]]
            self.result.add("renumbered", f"the record logged as record {seq} was deleted and the {len(shifted)} record(s) after it "
                                          f"renumbered: record {seq} is now {decision_id}, which was logged as record {seq + 1}",
                            seq, decision_id)
        for p in [p for p in differ if p not in shifted][:MAX_DETAILED]:
            _, seq, decision_id = at[p]
            if p in moved:
                q = moved[p]
                now = f"record {q + 1} ({at[q][2]})" if q in at else "no record"
                self.result.add("reordered", f"record {seq} ({decision_id}) is out of order: it was logged as record {q + 1}, "
                                             f"where the log now has {now}", seq, decision_id)
            else:
                self.result.add("record_changed", f"record {seq} ({decision_id}) was changed after it was logged: its content "
                                                  "no longer matches its leaf in the tree", seq, decision_id)
        beyond = sorted(p for p in at if p >= len(stored))
        if beyond:
            _, seq, decision_id = at[beyond[0]]
            self.result.add("unsigned_records", f"records from {seq} ({decision_id}) on are not in the stored tree: "
                                                "inserted without the log's key", seq, decision_id)

    # ------------------------------------------------------------ history and archive

    def _history(self) -> None:
        covered = 0
        for table, (key, _) in AUDITED.items():
            logged = self.history[table]
            actual = audited_rows(self.cur, table)
            for k, (row, seq, decision_id) in logged.items():
                have = actual.get(k)
                if have is None:
                    self._history_finding("history_deleted", table, k, f"is in the log (record {seq}, {decision_id}) but not "
                                          f"in {table}: deleted behind the server's back", seq, decision_id)
                elif have != row:
                    diff = ", ".join(f"{c} is {have[c]!r} where the log has {row.get(c)!r}" for c in have if have[c] != row.get(c))
                    self._history_finding("history_changed", table, k, f"was changed behind the server's back: {diff} "
                                          f"(record {seq}, {decision_id})", seq, decision_id)
                else:
                    covered += 1
            for k, row in actual.items():
                if k not in logged and not (table == "accounts" and not row["suspended"]):
                    self._history_finding("history_unlogged", table, k, f"is in {table} but in no log record: added behind "
                                          "the server's back")
        self.result.covered["history rows"] = covered

    def _history_finding(self, kind: str, table: str, key: tuple, what: str, seq: int = 0, decision_id: str = "") -> None:
        names = {
            "accounts": "the suspension of account {0}",
            "account_violations": "violation {1} of account {0}",
            "account_locks": "lock {1} of account {0}",
            "account_visibility_limits": "visibility limit {1} (group {2}) of account {0}",
            "account_groups": "the link of account {0} to group {1}",
            "group_designations": "the designation of group {0}",
        }
        if sum(f.kind.startswith("history") for f in self.result.findings) < MAX_DETAILED:
            self.result.add(kind, f"{names[table].format(*key)} {what}", seq, decision_id)

    def _archive(self) -> None:
        covered = 0
        actual = {r: files_hash(files) for r, files in self.cur.execute("SELECT revision, files FROM policy_revisions").fetchall()}
        for revision, (digest, seq, decision_id) in self.archived.items():
            if revision not in actual:
                self.result.add("archive_deleted", f"policy revision {revision[:12]} archived by record {seq} ({decision_id}) "
                                                   "is missing from the policy archive", seq, decision_id)
            elif actual[revision] != digest:
                self.result.add("archive_changed", f"the archived files of policy revision {revision[:12]} were changed after "
                                                   f"archiving: they no longer hash to what record {seq} ({decision_id}) logged",
                                seq, decision_id)
            else:
                covered += 1
        for revision in actual.keys() - self.archived.keys():
            self.result.add("archive_unlogged", f"policy revision {revision[:12]} is in the policy archive but in no log record: "
                                                "added behind the server's back")
        for revision, (seq, decision_id) in self.revisions.items():
            if revision not in self.archived:
                self.result.add("archive_deleted", f"record {seq} ({decision_id}) was decided on policy revision {revision[:12]}, "
                                                   "which the log never archived", seq, decision_id)
        self.result.covered["policy revisions"] = covered
